# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Sourced by the offload_*.sh lab scenarios: nested QEMU 10 VMs
# (qemu_lib.sh) whose devices' state moves through two dpdk-migrate
# agents (--role agent, doc/offload.md) in the guest, one attached to the
# source devices (agent "s"), one to the destination devices (agent "d"),
# paired over LAB_RDMA_IP with TCP or RDMA (rxe0).
#
#   XPORT=tcp|rdma   the agents' transport (first scenario argument)
. "$(dirname "$0")/qemu_lib.sh"

AG_TMP=$(mktemp -d) || exit 1
XPORT=${XPORT:-tcp}
umask 077 # dpdk-migrate refuses a key file that others may read
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$AG_TMP/key"

ag_cleanup()
{
	for p in "$AG_TMP"/*.pid; do
		[ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
	done
	if [ -n "${LAB_RESULTS:-}" ]; then
		mkdir -p "$LAB_RESULTS/agents"
		cp "$AG_TMP"/*.out "$AG_TMP"/*.err "$AG_TMP"/*.log \
			"$LAB_RESULTS/agents/" 2>/dev/null
	fi
	rm -rf "$AG_TMP"
}
trap ag_cleanup EXIT
trap 'exit 1' INT TERM

# agent start|stop|kill NAME [BDF,...]: offload_agent.sh; AGENT_SH is
# the same as a command line for qemu_mig.py's --interrupt-cmd and
# --between-cmd
AGENT_SH="sh $LAB_ROOT/tests/lab/scenarios/offload_agent.sh"
export AG_TMP AGENT_SH XPORT LAB_BUILD LAB_RDMA_IP
agent()
{
	sh "$LAB_ROOT/tests/lab/scenarios/offload_agent.sh" "$@"
}

# agent_done NAME COUNT: agent NAME reported COUNT complete migrations
# since it was last started
agent_done()
{
	[ "$(grep -c 'migration [0-9]*: complete' "$AG_TMP/$1.out")" -eq "$2" ]
}

# agent_report NAME: its output as TAP comments
agent_report()
{
	sed "s/^/# agent $1: /" "$AG_TMP/$1.out" "$AG_TMP/$1.err"
}

# check_agents WHAT S_COUNT D_COUNT: both agents' complete migrations
check_agents()
{
	if agent_done s "$2" && agent_done d "$3"; then
		ok "$1: the agents completed $2 and $3 migration(s)"
	else
		not_ok "$1: the agents completed $2 and $3 migration(s)"
		agent_report s
		agent_report d
	fi
}
