#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# QEMU 10 migrates a VM with a mig_vfio_pci device (default
# enable-migration=auto, PRE_COPY + P2P + DMA logging) from device A to
# device B: in the main channel, with multifd device-state transfer,
# A -> B -> A, migrate_cancel mid-transfer and the destination killed
# mid-transfer (then a second migration each).
#
#   qemu_migrate.sh [CASE...]    (default: all of them)
CASES=${*:-main multifd roundtrip cancel killdst}
. "$(dirname "$0")/qemu_lib.sh"
qemu_check
kmod_setup
seed=10
for c in $CASES; do
	seed=$((seed + 10))
	qm "$c" "$DEV_A" "$DEV_B" --seed $seed
done
check "unbind both and rmmod $KMOD" kmod_unload
finish
