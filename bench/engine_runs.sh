#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Not a row of the table: the spread of the engine alone. RUNS migrations
# of one STOP_COPY sim device (unlimited bandwidth) on loopback, one line
# each with the rate and the CPU seconds (user + system) of the source and
# the destination; the layout and memory knobs of bench/lib.sh apply. Shows
# how far the same run moves on this host, and where the time goes
# (doc/PERFORMANCE.md, "The engine's rate is bimodal").
#
#   bench/engine_runs.sh [build dir]
#   BENCH_SIZE (4G), BENCH_RUNS (5), BENCH_XPORT (tcp), BENCH_ONE_LCORE (1),
#   BENCH_NO_HUGE (0)
set -u
BUILD=${1:-build}
BENCH_ONE_LCORE=${BENCH_ONE_LCORE:-1}
. "$(dirname "$0")/lib.sh"
size=${BENCH_SIZE:-4G}
runs=${BENCH_RUNS:-5}
xport=${BENCH_XPORT:-tcp}
bench_note
echo "# $size, --transport $xport, $(bench_layout), memory ${BMEM:-hugepages}"
r=1
while [ "$r" -le "$runs" ]; do
	mig_pair "r$r" "--transport $xport --dev sim,id=a,size=$size,page=1M,caps=stop_copy,seed=7" \
		"--transport $xport --dev sim,id=a,size=$size,page=1M,caps=stop_copy" || exit 1
	echo "run $r: $(jget "$BTMP/r$r.s.json" throughput_mbps) MB/s, CPU s (user system): source $(cat "$BTMP/r$r.s.cpu"), destination $(cat "$BTMP/r$r.d.cpu")"
	r=$((r + 1))
done
