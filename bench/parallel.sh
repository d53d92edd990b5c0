#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Row (d): parallel stop-copy. 4 STOP_COPY sim devices of 512 MiB, each
# emulating 500 MB/s of firmware save (source) and load (destination)
# bandwidth (sim bandwidth=500000000), moved in one migration, against the
# same 4 devices moved one after another (4 migrations) in the same run.
# Stop-copy phase = source JSON downtime_ms (for STOP_COPY-only devices,
# devices stopped .. destination done). Target: parallel <= 0.35x the
# sum of the sequential ones.
#
#   bench/parallel.sh [build dir]
#   BENCH_DEVS (4), BENCH_SIZE (512M per device), BENCH_DEV_BW (500000000)
set -u
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
ndev=${BENCH_DEVS:-4}
size=${BENCH_SIZE:-512M}
bw=${BENCH_DEV_BW:-500000000}
bench_note

dev()
{
	echo "--dev sim,id=p$1,size=$size,caps=stop_copy,bandwidth=$bw,seed=$2"
}
seq_ms=0
sdevs="" ddevs=""
i=0
while [ $i -lt "$ndev" ]; do
	mig_pair "d-$i" "$(dev $i $((i + 1)))" "$(dev $i $((i + 1000)))" || exit 1
	seq_ms=$(calc "round($seq_ms + $(jget "$BTMP/d-$i.s.json" downtime_ms), 3)")
	sdevs="$sdevs $(dev $i $((i + 1)))"
	ddevs="$ddevs $(dev $i $((i + 1000)))"
	i=$((i + 1))
done
mig_pair d "$sdevs" "$ddevs" || exit 1
par_ms=$(jget "$BTMP/d.s.json" downtime_ms)
echo "# one after another: $seq_ms ms; in parallel: $par_ms ms"
r=$(calc "'%.2f' % ($par_ms / $seq_ms)")
row "d:parallel-stopcopy(${ndev}x$size,bw=$bw)" "${seq_ms}ms" "${par_ms}ms" "$r" "<=0.35" \
	"$(calc "'yes' if $r <= 0.35 else 'no'")"
