#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Row (a): engine throughput. Two dpdk-migrate processes on loopback move
# one STOP_COPY sim device (unlimited emulated bandwidth) over N TCP
# streams; iperf3 with the same N streams on the same loopback and CPUs
# (client on the source's CPU, server on the destination's).
#
# Layout: one lcore per process (source on CPU 0, destination on CPU 1),
# as iperf3's client and server are one thread each; with one device a
# worker lcore has no second device lane to run, and on a 2-core host it
# only makes each process share both cores (BENCH_ONE_LCORE=0 measures
# that layout; doc/PERFORMANCE.md has both).
#
# The host's two vCPUs move under us (the same run of either program
# varies by 2x), so the row is ROUNDS interleaved rounds: iperf3, engine,
# ..., iperf3; a round's ratio is the engine against the mean of the
# iperf3 runs before and after it; the row's ratio is the median.
# Engine rate = source bytes / source total time (handshake included).
# Target: engine >= 0.7x iperf3.
#
#   bench/engine_vs_iperf3.sh [build dir]
#   BENCH_SIZE (8G), BENCH_STREAMS (2, the tcp default), BENCH_ROUNDS (5),
#   BENCH_IPERF_TIME (5 s), BENCH_ONE_LCORE (1)
set -u
BUILD=${1:-build}
# one thread per side, as the baseline (bench/lib.sh)
BENCH_ONE_LCORE=${BENCH_ONE_LCORE:-1}
. "$(dirname "$0")/lib.sh"
command -v iperf3 >/dev/null || { echo "iperf3 missing: devtools/setup.sh" >&2; exit 1; }
size=${BENCH_SIZE:-8G}
n=${BENCH_STREAMS:-2}
rounds=${BENCH_ROUNDS:-5}
bench_note

# iperf3 -P n -l 1M, client on the source's CPU, server on the
# destination's; prints MB/s received
iperf()
{
	port=$(free_port)
	iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	srv=$!
	sleep 0.5
	iperf3 -c 127.0.0.1 -p "$port" -A "$BENCH_SRC_LCORE,$BENCH_DST_LCORE" \
		-P "$n" -t "${BENCH_IPERF_TIME:-5}" -l 1M -J |
		python3 -c 'import json,sys; print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6))'
	wait "$srv" 2>/dev/null
}

ip_prev=$(iperf)
ips="$ip_prev"
engs=""
ratios=""
r=1
while [ "$r" -le "$rounds" ]; do
	mig_pair "a$r" "--transport tcp,streams=$n --dev sim,id=a,size=$size,page=1M,caps=stop_copy,seed=7" \
		"--transport tcp,streams=$n --dev sim,id=a,size=$size,page=1M,caps=stop_copy" || exit 1
	eng=$(jget "$BTMP/a$r.s.json" throughput_mbps)
	ip=$(iperf)
	ratio=$(calc "'%.2f' % ($eng / (($ip_prev + $ip) / 2))")
	echo "# round $r: iperf3 $ip_prev / $ip MB/s, engine $eng MB/s: $ratio"
	ips="$ips $ip"
	engs="$engs $eng"
	ratios="$ratios $ratio"
	ip_prev=$ip
	r=$((r + 1))
done
# shellcheck disable=SC2086 # lists
ipm=$(bench_median $ips)
# shellcheck disable=SC2086
engm=$(bench_median $engs)
# shellcheck disable=SC2086
rm=$(bench_median $ratios)
echo "# iperf3 -P $n -l 1M:$ips MB/s; engine, $size, tcp,streams=$n, $(bench_layout):$engs MB/s; ratios:$ratios"
row "a:throughput-vs-iperf3(streams=$n,$size)" "${ipm}MB/s" "${engm}MB/s" "$rm" ">=0.7" \
	"$(calc "'yes' if $rm >= 0.7 else 'no'")"
