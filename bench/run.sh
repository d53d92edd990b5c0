#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Run every benchmark row of doc/PERFORMANCE.md once and print the table.
# Each row measures its own baseline in the same run and prints a ratio
# against its target; nothing here asserts a time.
#
#   bench/run.sh [build dir]
#   BENCH_QUICK=1     small sizes (a: 2G, b: 4x256M, c: 512M, d: 4x128M,
#                     e: 1G vs 4G), for a quick look on a loaded machine
#   BENCH_ROWS="a b"  only these rows (a b b1 b0 c d e; b: devices saving
#                     and loading at 500 MB/s each, as firmware does; b1:
#                     at 1 GB/s; b0: without a rate, CPU-bound, no target)
#   Per-row knobs (BENCH_SIZE, BENCH_STREAMS, ...) are in each script;
#   BENCH_SIZE is not passed on here (rows differ in their sizes).
set -u
BUILD=${1:-build}
dir=$(dirname "$0")
rows=${BENCH_ROWS:-a b b1 b0 c d e}
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
unset BENCH_SIZE

run_row()
{
	r=$1
	shift
	case " $rows " in
	*" $r "*) ;;
	*) return ;;
	esac
	echo "== row $r: $*"
	env "$@" | tee -a "$out"
}

q=${BENCH_QUICK:-0}
if [ "$q" = 1 ]; then
	run_row a BENCH_SIZE=2G sh "$dir/engine_vs_iperf3.sh" "$BUILD"
	run_row b BENCH_SIZE=256M sh "$dir/engine_vs_qemu.sh" "$BUILD"
	run_row b1 BENCH_ROW=b1 BENCH_SIZE=256M BENCH_DEV_ARGS=bandwidth=1G \
		sh "$dir/engine_vs_qemu.sh" "$BUILD"
	run_row b0 BENCH_ROW=b0 BENCH_SIZE=256M BENCH_DEV_ARGS= sh "$dir/engine_vs_qemu.sh" "$BUILD"
	run_row c BENCH_SIZE=512M sh "$dir/downtime.sh" "$BUILD"
	run_row d BENCH_SIZE=128M sh "$dir/parallel.sh" "$BUILD"
	run_row e BENCH_MEM_BIG=4G sh "$dir/memory.sh" "$BUILD"
else
	run_row a sh "$dir/engine_vs_iperf3.sh" "$BUILD"
	run_row b sh "$dir/engine_vs_qemu.sh" "$BUILD"
	run_row b1 BENCH_ROW=b1 BENCH_DEV_ARGS=bandwidth=1G sh "$dir/engine_vs_qemu.sh" "$BUILD"
	run_row b0 BENCH_ROW=b0 BENCH_DEV_ARGS= sh "$dir/engine_vs_qemu.sh" "$BUILD"
	run_row c sh "$dir/downtime.sh" "$BUILD"
	run_row d sh "$dir/parallel.sh" "$BUILD"
	run_row e sh "$dir/memory.sh" "$BUILD"
fi
echo
echo "| row | baseline | engine | ratio | target | met? |"
echo "|---|---:|---:|---:|---|---|"
sed -n 's/^ROW \([^ ]*\) baseline=\([^ ]*\) engine=\([^ ]*\) ratio=\([^ ]*\) target=\([^ ]*\) met=\(.*\)$/| \1 | \2 | \3 | \4 | \5 | \6 |/p' "$out"
grep -q '^ROW .* met=no' "$out" && echo "(some targets are not met)"
exit 0
