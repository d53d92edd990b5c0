#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Two mig_vfio_pci devices in one nested QEMU 10 VM (4 ivshmem devices:
# A, B in the source VM, C, D in the destination): with P2P both migrate,
# each destination BAR2 equal to its source's; with p2p=0 (and dma_log=1,
# so that the dirty tracking blocker does not come first) QEMU refuses
# ("Multiple VFIO devices migration is supported only if all of them
# support P2P migration").
. "$(dirname "$0")/qemu_lib.sh"
qemu_check
# shellcheck disable=SC2086 # a list of BDFs
set -- $LAB_IVSHMEM
if [ $# -lt 4 ]; then
	not_ok "four ivshmem devices (LAB_IVSHMEM='$LAB_IVSHMEM')"
	finish
	exit 1
fi
SRC=$1,$2
DST=$3,$4
two_setup()
{
	check "insmod $KMOD $*" kmod_load "$@"
	for d in $LAB_IVSHMEM; do
		check "bind $d" kmod_bind "$d"
	done
}
two_unload()
{
	for d in $LAB_IVSHMEM; do
		check "unbind $d" kmod_unbind "$d"
	done
	check "rmmod $KMOD" rmmod $KMOD
}
two_setup
qm main "$SRC" "$DST" --seed 81
two_unload
# dma_log=1: else QEMU stops at the dirty tracking blocker first
two_setup p2p=0 dma_log=1
qm blocked "$SRC" "$DST" --enable-migration auto \
	--expect "Multiple VFIO devices migration is supported only if all of them support P2P migration"
two_unload
finish
