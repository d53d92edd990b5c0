#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Offload mode of mig_vfio_pci: kmod_offload plays the VMM of A and B
# while offload_relay, a minimal agent, moves A's state into B through
# /dev/mig_vfio_offload. The interface's refusals, two migrations with B's
# BAR2 equal to A's (SHA-256 through sysfs as well), the relay dying at
# each phase, corrupting, lying and silent (each fails the arc, both
# devices recover), and the same devices in-band without an agent.
. "$(dirname "$0")/kmod_lib.sh"
KMOD_OFFLOAD=$LAB_BUILD/tests/lab/kmod_offload
RELAY=$LAB_BUILD/tests/lab/offload_relay
BAR="python3 $LAB_ROOT/tests/lab/vfio_bar.py"

# ko ARGS...: run kmod_offload through kt's bookkeeping
ko()
{
	KMOD_TEST=$KMOD_OFFLOAD kt "$@"
}

# same_bar2 WHAT: A's and B's BAR2 SHA-256 (no process holds them now)
same_bar2()
{
	da=$($BAR digest "$DEV_A") && db=$($BAR digest "$DEV_B") &&
		echo "# $1: A $da B $db" && [ -n "$da" ] && [ "$da" = "$db" ]
}

node_root_only()
{
	[ -c /dev/mig_vfio_offload ] &&
		[ "$(stat -c %a /dev/mig_vfio_offload)" = 600 ]
}

timeout_default()
{
	[ "$(cat "/sys/module/$KMOD/parameters/offload_timeout_ms")" = 30000 ]
}

kmod_setup
check "/dev/mig_vfio_offload is a character device, mode 600" node_root_only
check "offload_timeout_ms defaults to 30000" timeout_default
ko api "$DEV_A" "$DEV_B"
ko relay "$DEV_A" "$DEV_B" "$RELAY"
check "after offload: B's BAR2 SHA-256 equals A's" same_bar2 offload
ko faults "$DEV_A" "$DEV_B" "$RELAY"
ko inband "$DEV_A" "$DEV_B"
check "after in-band: B's BAR2 SHA-256 equals A's" same_bar2 in-band
check "unbind both and rmmod $KMOD" kmod_unload
finish
