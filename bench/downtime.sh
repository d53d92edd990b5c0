#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Row (c): downtime with pre-copy. First a STOP_COPY migration of the
# same device measures the bandwidth B (source JSON throughput_mbps);
# then a pre-copy migration of a device dirtying at 0.1 B, with
# --downtime L, reports its downtime (source JSON downtime_ms).
# Target: downtime <= 1.5 x (final stop-copy bytes / B) + 20 ms.
#
# The JSON summary has no final stop-copy byte count (nor the bandwidth
# the switchover decision used), so the target is bracketed: the final
# stop-copy bytes are >= 0 and, since the policy switches over only when
# its stop-copy estimate / bandwidth <= L, about <= L x B. The row is met
# for certain when downtime <= 20 ms, missed for certain when downtime >
# 1.5 L + 20 ms, and "?" in between.
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
hi=$(calc "1.5 * $lim + 20")
echo "# downtime $dt ms after $rounds pre-copy rounds; bound: 20 ms (0 stop-copy bytes) .. $hi ms (L x B stop-copy bytes)"
met=$(calc "'yes' if $dt <= 20 else ('no' if $dt > $hi else '?')")
row "c:downtime(precopy,$size,dirty=0.1B,L=${lim}ms)" "20..${hi}ms" "${dt}ms" \
	"-" "<=1.5*stopcopy/B+20ms" "$met"
