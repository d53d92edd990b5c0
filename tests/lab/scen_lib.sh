# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Sourced by the helpers of the lab scenarios that run a dpdk-migrate
# destination and source in the guest (tests/lab/rdma_common.sh,
# tests/lab/vfio_lib.sh): the application, a scratch directory, the two
# process ids, waiting for the destination to listen and TAP counting.
# Needs the LAB_* environment of tests/lab/lab.sh.

. "$LAB_ROOT/tests/proc.sh"

APP=$LAB_BUILD/apps/dpdk-migrate/dpdk-migrate
TMP=$(mktemp -d) || exit 1
N=0
FAILED=0
DPID=
SPID=

# kill_peers: the destination and the source, when running
kill_peers()
{
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
}

# wait_listening <stdout file>: until the destination (DPID) prints that it
# listens, dies, or 30 s passed
wait_listening()
{
	i=0
	while [ $i -lt 300 ] && ! grep -q "listening on" "$1"; do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
}

# tap <name> <0 ok>: one numbered TAP line; returns non-zero (counted in
# FAILED) when the test point failed
tap()
{
	N=$((N + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $N - $1"
		return 0
	fi
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	return 1
}
