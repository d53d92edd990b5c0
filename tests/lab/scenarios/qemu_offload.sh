#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# QEMU 10, unchanged, migrates a VM whose mig_vfio_pci device is in offload
# mode: offload_relay, attached to device A and device B, moves the state
# while QEMU carries only the offload record; B's BAR2 equals A's. Then the
# relay dies in PRE_COPY and in STOP_COPY: QEMU's migration fails, the
# source VM and its device keep running, and a migration with a new relay
# succeeds.
#
#   qemu_offload.sh [CASE...]    (default: offload offload_kill)
CASES=${*:-offload offload_kill}
. "$(dirname "$0")/qemu_lib.sh"
qemu_check
kmod_setup
seed=50
for c in $CASES; do
	seed=$((seed + 10))
	qm "$c" "$DEV_A" "$DEV_B" --seed $seed \
		--relay "$LAB_BUILD/tests/lab/offload_relay"
done
check "unbind both and rmmod $KMOD" kmod_unload
finish
