#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Row (b): the engine against a model of QEMU's VFIO migration path
# (bench/bench_qemu.c: one thread per side, 1 MiB read()s into a 32 KiB
# stream buffer, one TCP socket, device after device) on the same 4
# STOP_COPY sim devices, same CPUs, in the same run. The devices save and
# load at 500 MB/s each, the firmware rate of row (d): a VFIO device's
# read() and write() run at its firmware's pace (QEMU's own 4 x ConnectX-7
# figures in ../shared/spec/qemu-vfio-migration.md, section 3.1, are
# slower still), which is what one thread moving device after device
# waits on. Times: the model's first save to the destination's last load;
# the engine's downtime (source devices stopped .. destination done),
# which for STOP_COPY-only devices is the whole transfer. ROUNDS
# interleaved rounds (model, engine, ..., model): a round's ratio is the
# mean of the model runs around it over the engine's time, the row's the
# median. Target: engine >= 2x the model (ratio = model time / engine
# time).
#
#   bench/engine_vs_qemu.sh [build dir]
#   BENCH_ROW (b: the row's name in the table), BENCH_DEVS (4), BENCH_SIZE (1G per device), BENCH_STREAMS (engine, 2: the
#   tcp default), BENCH_ROUNDS (3), BENCH_ONE_LCORE (1; 0: two lcores per process)
#   BENCH_DEV_ARGS: sim devargs for both sides and both paths (default
#   "bandwidth=500000000"; "bandwidth=1G" for faster firmware). Set to ""
#   for devices without a rate: both paths are then CPU-bound on the
#   same two cores and the loopback copies they share, and the row is
#   reported without a target (doc/PERFORMANCE.md, "Reading the rows",
#   b).
set -u
BUILD=${1:-build}
# one thread per side, as the baseline (bench/lib.sh)
BENCH_ONE_LCORE=${BENCH_ONE_LCORE:-1}
. "$(dirname "$0")/lib.sh"
model=$BUILD/bench/bench_qemu
[ -x "$model" ] || { echo "build first: $model missing" >&2; exit 1; }
ndev=${BENCH_DEVS:-4}
size=${BENCH_SIZE:-1G}
n=${BENCH_STREAMS:-2}
xargs_=${BENCH_DEV_ARGS-bandwidth=500000000}
rounds=${BENCH_ROUNDS:-3}
bench_note

model()
{
	"$model" -n "$ndev" -s "$size" ${xargs_:+-d "$xargs_"} -C "$BENCH_SRC_LCORE,$BENCH_DST_LCORE" \
		>"$BTMP/q.out" || exit 1
	echo "# $(cat "$BTMP/q.out")"
}
model_ms()
{
	sed 's/.* bytes, \([0-9.]*\) ms,.*/\1/' "$BTMP/q.out"
}
sdevs="" ddevs=""
i=0
while [ $i -lt "$ndev" ]; do
	sdevs="$sdevs --dev sim,id=q$i,size=$size,caps=stop_copy,seed=$((i + 1))${xargs_:+,$xargs_}"
	ddevs="$ddevs --dev sim,id=q$i,size=$size,caps=stop_copy,seed=$((i + 1000))${xargs_:+,$xargs_}"
	i=$((i + 1))
done

# ROUNDS interleaved rounds: model, engine, ..., model; a round's ratio
# is the mean of the models before and after it over the engine's time;
# the row's ratio is the median
model
q_prev=$(model_ms)
qs="$q_prev"
es=""
ratios=""
r=1
while [ "$r" -le "$rounds" ]; do
	mig_pair "b$r" "--transport tcp,streams=$n$sdevs" "--transport tcp,streams=$n$ddevs" || exit 1
	ems=$(jget "$BTMP/b$r.s.json" downtime_ms)
	model
	q=$(model_ms)
	ratio=$(calc "'%.2f' % ((($q_prev + $q) / 2) / $ems)")
	echo "# round $r: model $q_prev / $q ms, engine downtime $ems ms: $ratio"
	qs="$qs $q"
	es="$es $ems"
	ratios="$ratios $ratio"
	q_prev=$q
	r=$((r + 1))
done
# shellcheck disable=SC2086 # lists
qms=$(bench_median $qs)
# shellcheck disable=SC2086
em=$(bench_median $es)
# shellcheck disable=SC2086
rm=$(bench_median $ratios)
echo "# model:$qs ms; engine downtime ($(bench_layout)):$es ms; ratios:$ratios"
if [ -n "$xargs_" ]; then
	target=">=2"
	met=$(calc "'yes' if $rm >= 2 else 'no'")
else
	target="none(cpu-bound)"
	met="n/a"
fi
row "${BENCH_ROW:-b}:vs-qemu-model(${ndev}x$size${xargs_:+,$xargs_},streams=$n)" "${qms}ms" "${em}ms" "$rm" "$target" "$met"
