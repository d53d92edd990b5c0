#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# QEMU 10 vs dpdk-migrate on the same two mig_vfio_pci devices in one lab
# guest run (bench/qemu_lab.py): first STOP_COPY-only (pre_copy=0), then
# with pre-copy (the module's default). Run from the host:
#
#   tests/lab/lab.sh --ivshmem 4 --ivshmem-size 128M --timeout 3000 \
#       bench/qemu_lab.sh [rounds] [modes]
#
# Devices 1 and 2 are the sources, 3 and 4 the destinations. The figures
# are printed and kept in <build>/lab/qemu_lab/bench.txt, written as they
# come (a run takes minutes under TCG).
ROUNDS=${1:-3}
MODES=${2:-stopcopy precopy}
. "$LAB_ROOT/tests/lab/vfio_lib.sh"

# shellcheck disable=SC2086 # LAB_IVSHMEM is a list of BDFs
set -- $LAB_IVSHMEM
[ $# -ge 4 ] || bail "needs 4 ivshmem devices (lab.sh --ivshmem 4)"
SRC=$1,$2
DST=$3,$4
echo "# guest: $(nproc) vCPUs, kernel $LAB_KVER, $(qemu-system-x86_64 --version | head -1)"
echo "# BAR2 $(stat -c %s "/sys/bus/pci/devices/$1/resource2") bytes per device, sources $SRC, destinations $DST"
rc=0
: >"$LAB_RESULTS/bench.txt"
for mode in $MODES; do
	ack=
	if [ "$mode" = stopcopy ]; then mod_load pre_copy=0; else
		mod_load
		ack=--switchover-ack
	fi
	{ python3 "$LAB_ROOT/bench/qemu_lab.py" --rounds "$ROUNDS" \
		--label "$mode" $ack --app "$APP" "$SRC" "$DST" 2>&1 ||
		echo "# $mode: exit status $?"; } | tee -a "$LAB_RESULTS/bench.txt"
	grep -q "exit status" "$LAB_RESULTS/bench.txt" && rc=1
	mod_unload
done
exit $rc
