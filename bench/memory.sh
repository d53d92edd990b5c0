#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Row (e): memory. Peak RSS (getrusage of each child, ru_maxrss) of the
# source and the destination process migrating one sim device of 1 GiB,
# then one of 16 GiB (pre-copy device, no dirtying, no pre-copy time
# limit: a loaded machine may need more than the default 60 s), in the
# same run.
# Target: each process's peak differs by < 32 MiB. Hugepage memory (the
# chunk pool, when hugepages are used) is not part of RSS; its size is
# fixed by configuration. BENCH_NO_HUGE=1 puts it in ordinary memory.
#
#   bench/memory.sh [build dir]
#   BENCH_MEM_SMALL (1G), BENCH_MEM_BIG (16G)
set -u
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
small=${BENCH_MEM_SMALL:-1G}
big=${BENCH_MEM_BIG:-16G}
bench_note

for s in "$small" "$big"; do
	mig_pair "e-$s" "--max-precopy-time 0 --dev sim,id=m,size=$s,caps=pre_copy,seed=3" \
		"--dev sim,id=m,size=$s,caps=pre_copy" || exit 1
done
worst=0
for side in s d; do
	a=$(cat "$BTMP/e-$small.$side.rss")
	b=$(cat "$BTMP/e-$big.$side.rss")
	d=$(calc "'%.1f' % (abs($b - $a) / 1024)")
	echo "# $side: peak RSS $small: $((a / 1024)) MiB, $big: $((b / 1024)) MiB, difference $d MiB"
	worst=$(calc "max($worst, $d)")
done
srss=$(( $(cat "$BTMP/e-$small.s.rss") / 1024 ))/$(( $(cat "$BTMP/e-$small.d.rss") / 1024 ))
brss=$(( $(cat "$BTMP/e-$big.s.rss") / 1024 ))/$(( $(cat "$BTMP/e-$big.d.rss") / 1024 ))
row "e:peak-rss(src/dst,$small-vs-$big)" "${srss}MiB" "${brss}MiB" "+${worst}MiB" "<32MiB" \
	"$(calc "'yes' if $worst < 32 else 'no'")"
