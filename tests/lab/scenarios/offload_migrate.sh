#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Offload (doc/offload.md): QEMU 10 migrates a VM with one mig_vfio_pci
# device, A -> B, the device's state moving through two dpdk-migrate
# agents (s on A, d on B) over TCP or RDMA (rxe0), QEMU's stream carrying
# only the offload records:
#  - main: A -> B, B's BAR2 equal to A's; then B -> A through the same
#    agents (successive migrations, both directions, no restart);
#  - in-band and offload alternate: agents stopped (SIGTERM detaches), an
#    in-band migration, agents started again, an offload one;
#  - the source's agent killed mid-migration, then the destination's:
#    QEMU's migration fails, the source VM and device RUNNING, the next
#    migration (agent restarted) succeeds;
#  - SIGTERM to the source's agent mid-migration: the same, the agent
#    exits having detached its device;
#  - no agent on the destination: the migration, free to converge, fails
#    when the source's agent gives up (its --timeout, 10 s), QEMU having
#    stopped the VM or not (QEMU 10's switchover-ack does not wait for the
#    agent, doc/offload.md): the source VM runs on, its device RUNNING;
#    the next migration, with the agent, succeeds.
#
#   offload_migrate.sh [tcp|rdma]
# shellcheck disable=SC2034,SC2086 # XPORT: read by offload_lib.sh; OFF, INB: lists of options
XPORT=${1:-tcp}
. "$(dirname "$0")/offload_lib.sh"
qemu_check
kmod_setup
# The records QEMU's stream carries in offload mode are a few hundred
# bytes; in-band, the 16 MiB of state.
OFF="--switchover-ack --vfio-max 4096"
INB="--switchover-ack --vfio-min 16777216"
check "agent s attaches to $DEV_A" agent start s "$DEV_A"
check "agent d attaches to $DEV_B" agent start d "$DEV_B"

qm main "$DEV_A" "$DEV_B" --seed 11 $OFF
check_agents "main" 1 1
qm roundtrip "$DEV_A" "$DEV_B" --seed 21 $OFF
check_agents "A -> B -> A" 3 3

check "SIGTERM: agent s exits, devices detached" agent stop s
check "SIGTERM: agent d exits, devices detached" agent stop d
qm main "$DEV_A" "$DEV_B" --seed 31 $INB
check "agent s attaches again" agent start s "$DEV_A"
check "agent d attaches again" agent start d "$DEV_B"
qm main "$DEV_A" "$DEV_B" --seed 41 $OFF
check_agents "in-band, then offload" 1 1

for side in s d; do
	qm agentfail "$DEV_A" "$DEV_B" --seed 51 $OFF \
		--interrupt-after 4 --interrupt-cmd "$AGENT_SH kill $side" \
		--between-cmd "$AGENT_SH start $side $(
			[ $side = s ] && echo "$DEV_A" || echo "$DEV_B")"
	check_agents "agent $side killed, restarted" \
		"$([ $side = s ] && echo 1 || echo 2)" \
		"$([ $side = s ] && echo 2 || echo 1)"
done

# SIGTERM mid-migration: the agent fails it, detaches and exits
qm agentfail "$DEV_A" "$DEV_B" --seed 55 $OFF \
	--interrupt-after 4 --interrupt-cmd "$AGENT_SH stop s" \
	--between-cmd "$AGENT_SH start s $DEV_A"
check_agents "agent s stopped (SIGTERM) mid-migration, restarted" 1 2

check "no agent on the destination (d stopped)" agent stop d
qm agentfail "$DEV_A" "$DEV_B" --seed 61 $OFF --interrupt-after 1 \
	--interrupt-converge \
	--between-cmd "$AGENT_SH start d $DEV_B"
if grep -q "no connection with\|refused the connection\|Connection refused" \
	"$AG_TMP/s.err"; then
	ok "no agent on the destination: the source's agent says so"
else
	not_ok "no agent on the destination: the source's agent says so"
	agent_report s
fi

check "SIGTERM: agent s exits" agent stop s
check "SIGTERM: agent d exits" agent stop d
check "unbind both and rmmod $KMOD" kmod_unload
finish
