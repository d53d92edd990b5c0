#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Row (a): engine throughput. Two dpdk-migrate processes on loopback move
# one STOP_COPY sim device (unlimited emulated bandwidth) over N TCP
# streams; iperf3 with the same N streams on the same loopback, same CPUs
# (client on the source's CPU, server on the destination's), in the same
# run (iperf3 before and after the engine, mean). Engine rate = source bytes / source total time (handshake
# included). Target: engine >= 0.7x iperf3.
#
#   bench/engine_vs_iperf3.sh [build dir]
#   BENCH_SIZE (8G), BENCH_STREAMS (2, the tcp default), BENCH_IPERF_TIME (5 s)
set -u
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
command -v iperf3 >/dev/null || { echo "iperf3 missing: devtools/setup.sh" >&2; exit 1; }
size=${BENCH_SIZE:-8G}
n=${BENCH_STREAMS:-2}
bench_note

# iperf3 -P n -l 1M, client on the source's CPU, server on the
# destination's; prints MB/s received
iperf()
{
	port=$(bench_port)
	iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	srv=$!
	sleep 0.5
	iperf3 -c 127.0.0.1 -p "$port" -A "$BENCH_SRC_LCORE,$BENCH_DST_LCORE" \
		-P "$n" -t "${BENCH_IPERF_TIME:-5}" -l 1M -J |
		python3 -c 'import json,sys; print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6))'
	wait "$srv" 2>/dev/null
}

# iperf3 before and after the engine: the load of a shared machine moves
ip1=$(iperf)
mig_pair a "--transport tcp,streams=$n --dev sim,id=a,size=$size,page=1M,caps=stop_copy,seed=7" \
	"--transport tcp,streams=$n --dev sim,id=a,size=$size,page=1M,caps=stop_copy" || exit 1
eng=$(jget "$BTMP/a.s.json" throughput_mbps)
ip2=$(iperf)
ip=$(calc "'%.1f' % (($ip1 + $ip2) / 2)")
echo "# iperf3 -P $n -l 1M: $ip1 MB/s before, $ip2 MB/s after, mean $ip; engine, $size, tcp,streams=$n: $eng MB/s"
r=$(calc "'%.2f' % ($eng / $ip)")
row "a:throughput-vs-iperf3(streams=$n,$size)" "${ip}MB/s" "${eng}MB/s" "$r" ">=0.7" \
	"$(calc "'yes' if $r >= 0.7 else 'no'")"
