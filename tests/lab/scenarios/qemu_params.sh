#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# QEMU 10 and mig_vfio_pci's module parameters:
# - pre_copy=0: a STOP_COPY-only device migrates, all of it in downtime;
# - dma_log=0 with vfio-pci's default enable-migration=auto: QEMU refuses
#   to migrate ("VFIO device doesn't support device and IOMMU dirty
#   tracking");
# - dma_log=1 with enable-migration=auto: QEMU takes the device without a
#   blocker, but the kernel's vfio core cannot REPORT (Debian's 6.12 lacks
#   CONFIG_IOMMUFD_DRIVER): the migration fails at the first dirty sync
#   and the source VM keeps running with its device RUNNING.
. "$(dirname "$0")/qemu_lib.sh"
qemu_check
kmod_setup pre_copy=0
qm main "$DEV_A" "$DEV_B" --seed 61
check "unbind both and rmmod $KMOD" kmod_unload
kmod_setup dma_log=0
qm blocked "$DEV_A" "$DEV_B" --enable-migration auto \
	--expect "doesn't support device and IOMMU dirty tracking"
check "unbind both and rmmod $KMOD" kmod_unload
if grep -qs '^CONFIG_IOMMUFD_DRIVER=y' "/boot/config-$(uname -r)"; then
	kmod_setup dma_log=1
	qm main "$DEV_A" "$DEV_B" --seed 71 --enable-migration auto
else
	kmod_setup dma_log=1
	qm dirtyfail "$DEV_A" "$DEV_B" --seed 71 --enable-migration auto
fi
check "unbind both and rmmod $KMOD" kmod_unload
finish
