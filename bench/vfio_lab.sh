#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# bench_vfio in the lab guest on one ivshmem device bound to mig_vfio_pci
# (BAR2 filled with random bytes): io_uring vs read() on the data fd, and
# the engine's source stage vs QEMU's 1 MiB read() loop. Run from the host:
#
#   tests/lab/lab.sh --ivshmem 1 [--ivshmem-size 64M] bench/vfio_lab.sh \
#       [rounds] [chunk] [depth] [idle_us] [engine io: uring|read]
#
# The figures are printed and kept in <build>/lab/vfio_lab/bench.txt.
ROUNDS=${1:-3}
CHUNK=${2:-1M}
DEPTH=${3:-4}
IDLE=${4:-0}
ENGINE_IO=${5:-uring}
. "$LAB_ROOT/tests/lab/vfio_lib.sh"

set -- $LAB_IVSHMEM
[ $# -ge 1 ] || bail "needs an ivshmem device (lab.sh --ivshmem 1)"
$BAR fill "$1" 7
mod_load
echo "# guest: $(nproc) vCPUs, kernel $LAB_KVER, $(grep -m1 'model name' /proc/cpuinfo)"
"$LAB_BUILD/bench/bench_vfio" -l 0 $EAL --file-prefix vb -- -b "$1" \
	-r "$ROUNDS" -c "$CHUNK" -d "$DEPTH" -i "$IDLE" -e "$ENGINE_IO" >"$TMP/bench.txt" 2>"$TMP/bench.err"
rc=$?
cat "$TMP/bench.txt"
cp "$TMP/bench.txt" "$LAB_RESULTS/bench.txt"
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/bench.err"
mod_unload
exit $rc
