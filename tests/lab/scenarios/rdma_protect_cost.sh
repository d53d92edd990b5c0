#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab benchmark (doc/PERFORMANCE.md): what landing-slot protection costs.
# ROUNDS times, in the same guest run, the engine moves one stop-copy sim
# device of SIZE over rdma with protect=mw (a memory window per slot: a
# bind and an invalidation per chunk on the destination) and then with
# protect=none (one registration). Prints each round's bandwidths (the
# destination's, first to last chunk) and the mw/none ratio, and the mean
# ratio, as TAP comments and into $LAB_RESULTS/rdma_protect_cost.txt; a
# case fails only when a run fails.
#
#   tests/lab/lab.sh tests/lab/scenarios/rdma_protect_cost.sh [SIZE [ROUNDS]]
#   (64M, 3)
. "$(dirname "$0")/../rdma_common.sh"

SIZE=${1:-64M}
ROUNDS=${2:-3}
OUT=${LAB_RESULTS:-$TMP}/rdma_protect_cost.txt

echo "1..$((ROUNDS * 2))"
: >"$OUT"
r=1
while [ $r -le "$ROUNDS" ]; do
	for mode in mw none; do
		engine "rdma,protect=$mode"
		eval "rate_$mode=\$rate"
		ok=1
		[ -n "$rate" ] && ok=0
		report "round $r: protect=$mode, $SIZE: ${rate:-?} MiB/s" $ok \
			"the run failed (or digests differ)"
	done
	echo "round $r: protect=mw $rate_mw MiB/s, protect=none $rate_none MiB/s, mw/none $(awk -v a="$rate_mw" -v b="$rate_none" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "?" }')" >>"$OUT"
	r=$((r + 1))
done
awk '{ for (i = 1; i <= NF; i++) if ($i == "mw/none" && $(i + 1) != "?") { s += $(i + 1); n++ } }
	END { if (n) printf "mean mw/none over %d rounds: %.2f\n", n, s / n }' "$OUT" >>"$OUT"
sed 's/^/# /' "$OUT"
[ "$FAILED" -eq 0 ]
