#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Offload mode of mig_vfio_pci: kmod_offload plays the VMM of A and B
# while offload_relay, a minimal agent, moves A's state into B through
# /dev/mig_vfio_offload. The interface's refusals, two migrations with B's
# BAR2 equal to A's (SHA-256 through sysfs as well), the relay dying at
# each phase, corrupting, lying and silent (each fails the arc, both
# devices recover), and the same devices in-band without an agent. Last,
# A unbound under an attached relay (it sees POLLHUP and leaves, A binds
# again) and rmmod refused while an agent file is open.
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

# unbind_under_relay: A unbound while the relay is attached to A and B
unbind_under_relay()
{
	out=$(mktemp)
	"$RELAY" "$DEV_A" "$DEV_B" >"$out" 2>&1 &
	pid=$!
	i=0
	while ! grep -q attached "$out" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! grep -q attached "$out" || ! kmod_unbind "$DEV_A"; then
		kill -9 "$pid"
		rm -f "$out"
		return 1
	fi
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null	# still there: it never saw POLLHUP
	rc=0
	wait "$pid" || rc=$?
	echo "# relay exit status $rc: $(cat "$out")"
	rm -f "$out"
	[ "$rc" = 0 ]
}

# rmmod_refused_while_open: an open agent file holds the module
rmmod_refused_while_open()
{
	exec 3<>/dev/mig_vfio_offload || return 1
	rc=0
	rmmod "$KMOD" 2>/dev/null || rc=1
	exec 3>&-
	[ "$rc" = 1 ] && [ -d "/sys/module/$KMOD" ]
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
check "A unbound under an attached relay: POLLHUP, the relay exits 0" \
	unbind_under_relay
check "A binds to $KMOD again" kmod_bind "$DEV_A"
check "rmmod refused while an agent file is open" rmmod_refused_while_open
check "unbind both and rmmod $KMOD" kmod_unload
finish
