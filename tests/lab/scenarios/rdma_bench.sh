#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab benchmark, all in the same guest run on rxe0 (doc/PERFORMANCE.md):
#   1. ib_write_bw, 1 QP, 1 MiB messages, 8 s (perftest's MB/sec = MiB/s);
#   2. the engine moving one stop-copy sim device of SIZE over
#      --transport rdma (1 QP, 1 MiB chunks): bytes / total session time;
#   3. the same over --transport tcp on the same address.
# Prints the figures and the ratios as TAP comments and into
# $LAB_RESULTS/rdma_bench.txt; a case fails only when a run fails.
#
#   tests/lab/lab.sh tests/lab/scenarios/rdma_bench.sh [SIZE]   (192M)
. "$(dirname "$0")/../rdma_common.sh"

SIZE=${1:-192M}
OUT=${LAB_RESULTS:-$TMP}/rdma_bench.txt
echo "1..3"

# 1. ib_write_bw: the rxe link's bandwidth for RDMA WRITE of 1 MiB
src_rc=- dst_rc=-
BW="ib_write_bw -d $LAB_RDMA_DEV -x 1 -s 1048576 -F -D 8 -p 18515"
$BW >"$TMP/d.out" 2>"$TMP/d.err" &
DPID=$!
sleep 1
$BW "$LAB_RDMA_IP" >"$TMP/s.out" 2>"$TMP/s.err"
src_rc=$?
wait_pid "$DPID" 20
dst_rc=$?
DPID=
ibw=$(awk '$1 == 1048576 && NF >= 5 { print $4 }' "$TMP/s.out" | tail -1)
ok=1
[ "$src_rc" -eq 0 ] && [ -n "$ibw" ] && ok=0
report "ib_write_bw 1 MiB on $LAB_RDMA_DEV: ${ibw:-?} MiB/s" $ok \
	"ib_write_bw failed"

# engine <name> <transport>: MiB/s of a whole session moving SIZE
engine()
{
	dst "$1" --key "$TMP/key" --transport "$2" \
		--dev "sim,id=big,size=$SIZE,page=1M,caps=stop_copy"
	src "$1" --key "$TMP/key" --transport "$2" \
		--dev "sim,id=big,size=$SIZE,page=1M,caps=stop_copy,seed=4"
	wait_pid "$SPID" 240
	src_rc=$?
	wait_pid "$DPID" 20
	dst_rc=$?
	SPID= DPID=
	digests "$TMP/s.out" >"$TMP/s.dig"
	digests "$TMP/d.out" >"$TMP/d.dig"
	rate=
	if [ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] && [ -s "$TMP/s.dig" ] &&
			cmp -s "$TMP/s.dig" "$TMP/d.dig"; then
		rate=$(sed -n 's/^source: total time \([0-9.]*\) ms, \([0-9]*\) bytes.*/\2 \1/p' \
			"$TMP/s.out" | awk '{ printf "%.1f", $1 / 1048576 / ($2 / 1000) }')
	fi
}

engine rdma rdma
erdma=$rate
ok=1
[ -n "$erdma" ] && ok=0
report "engine over rdma, $SIZE sim device: ${erdma:-?} MiB/s" $ok \
	"the rdma migration failed or digests differ"

engine tcp tcp
etcp=$rate
ok=1
[ -n "$etcp" ] && ok=0
report "engine over tcp, $SIZE sim device: ${etcp:-?} MiB/s" $ok \
	"the tcp migration failed or digests differ"

ratio()
{
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" \
		'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }' ||
		echo "?"
}
{
	echo "ib_write_bw_MiBps $ibw"
	echo "engine_rdma_MiBps $erdma"
	echo "engine_tcp_MiBps $etcp"
	echo "engine_rdma/ib_write_bw $(ratio "$erdma" "$ibw")"
	echo "engine_rdma/engine_tcp $(ratio "$erdma" "$etcp")"
} >"$OUT"
sed 's/^/# /' "$OUT"

[ "$FAILED" -eq 0 ]
