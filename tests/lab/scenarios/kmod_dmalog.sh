#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Device DMA logging: START/REPORT/STOP as QEMU uses them and the misuse
# the driver refuses (dma_log=1); then dma_log=0 offers none of it; the
# default (auto) offers it only where the vfio core can report.
. "$(dirname "$0")/kmod_lib.sh"
kmod_setup dma_log=1
kt dmalog "$DEV_A"
check "unbind both and rmmod $KMOD" kmod_unload
check "insmod $KMOD dma_log=0" kmod_load dma_log=0
check "parameters/dma_log gives 0" \
	grep -qx 0 /sys/module/$KMOD/parameters/dma_log
check "bind $DEV_A" kmod_bind "$DEV_A"
kt dmalog "$DEV_A" --off
check "unbind and rmmod $KMOD" kmod_unload
check "insmod $KMOD (dma_log auto)" kmod_load
check "parameters/dma_log gives -1" \
	grep -qx -- -1 /sys/module/$KMOD/parameters/dma_log
check "bind $DEV_A" kmod_bind "$DEV_A"
# auto: on exactly when the kernel has CONFIG_IOMMUFD_DRIVER
if grep -qs '^CONFIG_IOMMUFD_DRIVER=y' "/boot/config-$(uname -r)"; then
	kt dmalog "$DEV_A"
else
	kt dmalog "$DEV_A" --off
fi
check "unbind and rmmod $KMOD" kmod_unload
finish
