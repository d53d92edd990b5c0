#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Row (c): downtime with pre-copy. First a STOP_COPY migration of the
# same device measures the bandwidth B (source JSON throughput_mbps);
# then a pre-copy migration of a device dirtying at 0.1 B, with
# --downtime L, reports its downtime (source JSON downtime_ms).
# Target: downtime <= 1.5 x (final stop-copy bytes / B) + 20 ms, with the
# final stop-copy bytes from the source JSON (stopcopy_bytes: what the
# device produced in STOP_COPY). The JSON's switchover object (what the
# decision saw: bytes pending and in flight, its bandwidth, its estimate)
# is printed beside it.
#
#   bench/downtime.sh [build dir]
#   BENCH_SIZE (2G), BENCH_DOWNTIME (L, 50 ms)
set -u
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
size=${BENCH_SIZE:-2G}
lim=${BENCH_DOWNTIME:-50}
bench_note

mig_pair c-bw "--dev sim,id=a,size=$size,caps=stop_copy,seed=5" \
	"--dev sim,id=a,size=$size,caps=stop_copy" || exit 1
bw=$(jget "$BTMP/c-bw.s.json" throughput_mbps)
rate=$(calc "int($bw * 1e5)")
echo "# bandwidth B = $bw MB/s; dirty_rate = 0.1 B = $rate bytes/s; --downtime $lim"
mig_pair c "--downtime $lim --dev sim,id=a,size=$size,caps=pre_copy,dirty_rate=$rate,seed=5" \
	"--downtime $lim --dev sim,id=a,size=$size,caps=pre_copy" || exit 1
dt=$(jget "$BTMP/c.s.json" downtime_ms)
rounds=$(jget "$BTMP/c.s.json" precopy_rounds)
sc=$(jget "$BTMP/c.s.json" stopcopy_bytes)
sw=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("switchover", "none"))' "$BTMP/c.s.json")
# B in MB/s = bytes per microsecond: bytes / B / 1000 is ms
lim_ms=$(calc "round(1.5 * $sc / $bw / 1000 + 20, 3)")
echo "# downtime $dt ms after $rounds pre-copy rounds, final stop-copy $sc bytes; target 1.5 x $sc B / $bw MB/s + 20 ms = $lim_ms ms"
echo "# switchover decision: $sw"
met=$(calc "'yes' if $dt <= $lim_ms else 'no'")
row "c:downtime(precopy,$size,dirty=0.1B,L=${lim}ms)" "${lim_ms}ms" "${dt}ms" \
	"$(calc "'%.2f' % ($dt / $lim_ms)")" "<=1.5*stopcopy/B+20ms" "$met"
