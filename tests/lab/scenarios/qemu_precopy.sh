#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# QEMU 10 migrates a VM whose payload (tests/lab/l2_writer.c, booted with
# -kernel) keeps writing its mig_vfio_pci device's BAR2: PRE_COPY with
# return-path and switchover-ack, the pre-copy slowed to 8 MB/s so that
# pages are dirtied after they were sent; the paused destination's BAR2
# equals the source's at stop.
. "$(dirname "$0")/qemu_lib.sh"
qemu_check
kmod_setup
qm precopy "$DEV_A" "$DEV_B" --seed 91 \
	--kernel "$LAB_BUILD/tests/lab/l2_writer.elf" --precopy-bw 8000000
check "unbind both and rmmod $KMOD" kmod_unload
finish
