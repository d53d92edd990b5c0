#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab benchmark, all in the same guest run on rxe0 (doc/PERFORMANCE.md).
# ib_write_bw with 1 and with 2 QPs once, then ROUNDS times the engine over
# RDMA, over TCP and ib_write_bw (1 and 2 QPs) again, so that each engine
# run sits between two ib_write_bw runs of each kind and the shared host's
# noise hits all alike:
#   - ib_write_bw -q 1 and -q 2, 1 MiB messages, 6 s each (perftest's
#     MB/sec = MiB/s; perftest's default is 1 QP);
#   - the engine moving one stop-copy sim device of SIZE over
#     --transport rdma with its defaults (2 QPs, 1 MiB chunks);
#   - the same over --transport tcp on the same address.
# The engine's bandwidth is the destination's: bytes / time from its first
# chunk received to its last chunk loaded, as ib_write_bw's is bytes / time
# of its transfers (neither counts connection setup). A round's ratios are
# against the mean of the ib_write_bw runs before and after it: with
# perftest's default (1 QP) and like for like (2 QPs). The whole session's
# rate (connection, registration, handshake and teardown included) is
# printed beside it.
# Prints each round's figures and ratios, and the mean ratios, as TAP
# comments and into $LAB_RESULTS/rdma_bench.txt; a case fails only when a
# run fails (never on a ratio).
#
#   tests/lab/lab.sh tests/lab/scenarios/rdma_bench.sh [SIZE [ROUNDS [RDMA]]]
#   (128M, 2, rdma: the engine's --transport over RDMA, e.g. rdma,qps=1)
. "$(dirname "$0")/../rdma_common.sh"

SIZE=${1:-128M}
ROUNDS=${2:-2}
RDMA=${3:-rdma}
OUT=${LAB_RESULTS:-$TMP}/rdma_bench.txt

# ibw <qps>: the rxe link's bandwidth for RDMA WRITE of 1 MiB -> $rate
ibw()
{
	BW="ib_write_bw -d $LAB_RDMA_DEV -x 1 -s 1048576 -F -D 6 -p 18515 -q $1"
	$BW >"$TMP/d.out" 2>"$TMP/d.err" &
	DPID=$!
	# the server listens on TCP port 18515 (0x4853) for its handshake
	i=0
	while [ $i -lt 200 ] && ! grep -q ':4853 .* 0A ' /proc/net/tcp; do
		sleep 0.1
		i=$((i + 1))
	done
	$BW "$LAB_RDMA_IP" >"$TMP/s.out" 2>"$TMP/s.err"
	src_rc=$?
	wait_pid "$DPID" 20
	dst_rc=$?
	DPID=
	rate=$(awk '$1 == 1048576 && NF >= 5 { print $4 }' "$TMP/s.out" |
		tail -1)
	[ "$src_rc" -eq 0 ] || rate=
}

# case <name>: one TAP line for the run just made
case_line()
{
	ok=1
	[ -n "$rate" ] && ok=0
	report "$1: ${rate:-?} MiB/s" $ok "the run failed (or digests differ)"
}

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else print "?" }'
}

# ibws <round name>: both ib_write_bw runs -> $ib1, $ib2
ibws()
{
	ibw 1
	ib1=$rate
	case_line "$1ib_write_bw -q 1, 1 MiB on $LAB_RDMA_DEV"
	ibw 2
	ib2=$rate
	case_line "$1ib_write_bw -q 2, 1 MiB on $LAB_RDMA_DEV"
}

mean2()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "") printf "%.2f", (a + b) / 2 }'
}

echo "1..$((ROUNDS * 4 + 2))"
: >"$OUT"
ibws ""
r=1
while [ $r -le "$ROUNDS" ]; do
	p1=$ib1
	p2=$ib2
	engine "$RDMA"
	er=$rate
	ers=$srate
	case_line "round $r: engine over $RDMA, $SIZE sim device"
	engine tcp
	et=$rate
	case_line "round $r: engine over tcp, $SIZE sim device"
	ibws "round $r: "
	m1=$(mean2 "$p1" "$ib1")
	m2=$(mean2 "$p2" "$ib2")
	echo "round $r: ib_write_bw $m1 MiB/s (2 QPs $m2), engine rdma $er MiB/s, engine tcp $et MiB/s, rdma/ib_write_bw $(ratio "$er" "$m1"), like-for-like $(ratio "$er" "$m2"), rdma/tcp $(ratio "$er" "$et"), whole session over rdma $ers MiB/s" >>"$OUT"
	r=$((r + 1))
done
awk '{
	for (i = 1; i <= NF; i++) {
		if ($i == "rdma/ib_write_bw" && $(i + 1) != "?,") { a += $(i + 1); na++ }
		if ($i == "like-for-like" && $(i + 1) != "?,") { c += $(i + 1); nc++ }
		if ($i == "rdma/tcp" && $(i + 1) != "?,") { b += $(i + 1); nb++ }
	}
} END {
	printf "mean: rdma/ib_write_bw %s, like-for-like (2 QPs each) %s, rdma/tcp %s\n",
		na ? sprintf("%.2f", a / na) : "?", nc ? sprintf("%.2f", c / nc) : "?",
		nb ? sprintf("%.2f", b / nb) : "?"
}' "$OUT" >>"$OUT"
sed 's/^/# /' "$OUT"

[ "$FAILED" -eq 0 ]
