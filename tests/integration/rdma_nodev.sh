#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# On a host without any RDMA device, `dpdk-migrate --transport rdma,...`
# fails at once (no connection attempt, no timeout) with a message saying
# there is no RDMA device, and the source's device stays RUNNING. Skipped
# on a host that has an RDMA device (the lab VM covers that case). TAP.
#
#   rdma_nodev.sh <path to dpdk-migrate>

APP=${1:?usage: rdma_nodev.sh <dpdk-migrate>}
PREFIX=mig-rdmanodev-$$
TMP=$(mktemp -d) || exit 1

cleanup()
{
	rm -rf "$TMP"
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk" \
		/tmp/dpdk; do
		for p in "$d/$PREFIX"-*; do
			[ -d "$p" ] && rm -rf "$p"
		done
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "1..2"
if ls /sys/class/infiniband/* >/dev/null 2>&1; then
	echo "ok 1 - source fails at once # SKIP this host has an RDMA device"
	echo "ok 2 - destination fails at once # SKIP this host has an RDMA device"
	exit 0
fi

FAILED=0
# run <n> <role> <address option>: exit status, elapsed seconds, messages
run()
{
	t0=$(date +%s)
	"$APP" -l 0 --no-pci --no-huge -m 128 --file-prefix "$PREFIX-$1" \
		--log-level=lib.eal:warning -- --role "$2" "$3" 192.0.2.1:7000 \
		--transport rdma,qps=2,connect_timeout=30s --insecure \
		--dev sim,id=a,size=1M >"$TMP/out" 2>"$TMP/err"
	rc=$?
	dt=$(($(date +%s) - t0))
	ok=1
	# 30 s connect timeout: failing in under 10 s means it never tried
	[ "$rc" -ne 0 ] && [ "$dt" -lt 10 ] &&
		grep -q "no RDMA device" "$TMP/err" &&
		grep -q "device a: state running" "$TMP/err" && ok=0
	if [ $ok -eq 0 ]; then
		echo "ok $1 - $2 with --transport rdma fails at once ($dt s): no RDMA device"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $1 - $2 with --transport rdma fails at once"
		echo "#   exit $rc after $dt s"
		sed 's/^/#   err: /' "$TMP/err"
	fi
}
run 1 source --peer
run 2 destination --listen
[ "$FAILED" -eq 0 ]
