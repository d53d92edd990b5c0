#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Offload with two devices in one VM (4 ivshmem devices: A, B in the
# source VM, C, D in the destination): both devices' states move through
# the agents in one session (s attached to A, B; d to C, D, paired by
# name: d0, d1), over TCP or RDMA; each destination BAR2 equal to its
# source's; then back, C, D -> A, B, through the same agents.
#
#   offload_two.sh [tcp|rdma]
# shellcheck disable=SC2034,SC2086 # XPORT: read by offload_lib.sh; OFF, INB: lists of options
XPORT=${1:-tcp}
. "$(dirname "$0")/offload_lib.sh"
qemu_check
# shellcheck disable=SC2086 # a list of BDFs
set -- $LAB_IVSHMEM
if [ $# -lt 4 ]; then
	not_ok "four ivshmem devices (LAB_IVSHMEM='$LAB_IVSHMEM')"
	finish
	exit 1
fi
check "insmod $KMOD" kmod_load
for d in $LAB_IVSHMEM; do
	check "bind $d" kmod_bind "$d"
done
OFF="--switchover-ack --vfio-max 8192"
check "agent s attaches to $1, $2" agent start s "$1,$2"
check "agent d attaches to $3, $4" agent start d "$3,$4"
qm main "$1,$2" "$3,$4" --seed 71 $OFF
check_agents "two devices" 1 1
if grep -q "migration 1: source of device d1" "$AG_TMP/s.out"; then
	ok "two devices: one session moved both"
else
	not_ok "two devices: one session moved both"
	agent_report s
fi
qm roundtrip "$1,$2" "$3,$4" --seed 81 $OFF
check_agents "two devices, A, B -> C, D -> A, B" 3 3
check "SIGTERM: agent s exits, devices detached" agent stop s
check "SIGTERM: agent d exits, devices detached" agent stop d
for d in $LAB_IVSHMEM; do
	check "unbind $d" kmod_unbind "$d"
done
check "rmmod $KMOD" rmmod $KMOD
finish
