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
#   BENCH_NO_HUGE (0), BENCH_HOST (0; 1: bench_host pingpong before and
#   after each run, and bench_host sockcopy, a plain loopback socket copy
#   of the same size, after it: the host's state around the run)
set -u
BUILD=${1:-build}
BENCH_ONE_LCORE=${BENCH_ONE_LCORE:-1}
. "$(dirname "$0")/lib.sh"
size=${BENCH_SIZE:-4G}
runs=${BENCH_RUNS:-5}
xport=${BENCH_XPORT:-tcp}
host=$BUILD/bench/bench_host
# the plain copy's region in hugepages when the engine's pool is
hflag=""
[ -z "$BMEM" ] && hflag=-H
bench_note
echo "# $size, --transport $xport, $(bench_layout), memory ${BMEM:-hugepages}"
r=1
while [ "$r" -le "$runs" ]; do
	if [ "${BENCH_HOST:-0}" = 1 ]; then
		"$host" pingpong -C "$BENCH_SRC_LCORE,$BENCH_DST_LCORE" >"$BTMP/pp"
	fi
	mig_pair "r$r" "--transport $xport --dev sim,id=a,size=$size,page=1M,caps=stop_copy,seed=7" \
		"--transport $xport --dev sim,id=a,size=$size,page=1M,caps=stop_copy" || exit 1
	echo "run $r: $(jget "$BTMP/r$r.s.json" throughput_mbps) MB/s, CPU s (user system): source $(cat "$BTMP/r$r.s.cpu"), destination $(cat "$BTMP/r$r.d.cpu")"
	if [ "${BENCH_HOST:-0}" = 1 ]; then
		echo "#   before: $(cat "$BTMP/pp")"
		echo "#   after: $("$host" pingpong -C "$BENCH_SRC_LCORE,$BENCH_DST_LCORE")"
		# shellcheck disable=SC2086 # empty or one flag
		echo "#   then: $("$host" sockcopy $hflag -s "$size" -C "$BENCH_SRC_LCORE,$BENCH_DST_LCORE")"
	fi
	r=$((r + 1))
done
