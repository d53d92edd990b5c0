#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Helpers of the rdma_*.sh lab scenarios (sourced): a destination and a
# source dpdk-migrate in the guest talking over rxe0 (LAB_RDMA_IP), TAP
# reporting, device digests. Needs the LAB_* environment of tests/lab/lab.sh.

. "$LAB_ROOT/tests/proc.sh"

APP=$LAB_BUILD/apps/dpdk-migrate/dpdk-migrate
PREFIX=mig-lab-$$
TMP=$(mktemp -d) || exit 1
N=0
FAILED=0
DPID=
SPID=

rdma_cleanup()
{
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
	rm -rf "$TMP"
	rm -rf /var/run/dpdk/"$PREFIX"-* 2>/dev/null
}
trap rdma_cleanup EXIT
trap 'exit 1' INT TERM

[ -x "$APP" ] || { echo "1..0 # SKIP $APP not built"; exit 0; }
umask 077 # dpdk-migrate refuses a key file that others may read
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key2"
PORT=7000

# dst <name> <app options...>: the destination, in the background, on lcore 1
dst()
{
	n=$1
	shift
	PORT=$((PORT + 1))
	"$APP" -l 1 --no-pci --file-prefix "$PREFIX-$n-d" \
		--log-level=lib.eal:warning -- --role destination \
		--listen "$LAB_RDMA_IP:$PORT" "$@" >"$TMP/d.out" 2>"$TMP/d.err" &
	DPID=$!
	i=0
	while [ $i -lt 300 ] && ! grep -q "listening on" "$TMP/d.out"; do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
}

# src <name> <app options...>: the source, in the background, on lcore 0
src()
{
	n=$1
	shift
	"$APP" -l 0 --no-pci --file-prefix "$PREFIX-$n-s" \
		--log-level=lib.eal:warning -- --role source \
		--peer "$LAB_RDMA_IP:$PORT" "$@" >"$TMP/s.out" 2>"$TMP/s.err" &
	SPID=$!
}

# report <name> <0 ok> <why>: one TAP line, the outputs when it failed
report()
{
	N=$((N + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $N - $1"
		return
	fi
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	echo "#   $3 (source $src_rc, destination $dst_rc)"
	for f in s.out s.err d.out d.err; do
		[ -f "$TMP/$f" ] && sed "s/^/#   $f: /" "$TMP/$f"
	done
}

# Device digests as "name digest" lines, sorted.
digests()
{
	sed -n 's/^[a-z]*: device \([^:]*\):.*device digest \([0-9a-f]*\)$/\1 \2/p' \
		"$1" | sort
}

# migrate_ok <name> <source devs> <destination devs> <src opts> <dst opts>:
# both succeed and the device digests are equal
migrate_ok()
{
	name=$1
	sdevs=$2
	ddevs=$3
	# shellcheck disable=SC2086 # option lists
	dst "m$N" --key "$TMP/key" $5 $ddevs
	# shellcheck disable=SC2086
	src "m$N" --key "$TMP/key" $4 $sdevs
	wait_pid "$SPID" 150
	src_rc=$?
	wait_pid "$DPID" 20
	dst_rc=$?
	SPID= DPID=
	ok=1
	if [ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ]; then
		digests "$TMP/s.out" >"$TMP/s.dig"
		digests "$TMP/d.out" >"$TMP/d.dig"
		[ -s "$TMP/s.dig" ] && cmp -s "$TMP/s.dig" "$TMP/d.dig" && ok=0
	fi
	sed -n 's/^source: \(total time.*\)/# '"$name"': \1/p' "$TMP/s.out"
	report "$name" $ok "expected both to succeed with equal device digests"
}
