#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Helpers of the rdma_*.sh lab scenarios (sourced): a destination and a
# source dpdk-migrate in the guest talking over rxe0 (LAB_RDMA_IP), TAP
# reporting, device digests. Common parts: tests/lab/scen_lib.sh.

. "$LAB_ROOT/tests/lab/scen_lib.sh"

PREFIX=mig-lab-$$

rdma_cleanup()
{
	kill_peers
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
	wait_listening "$TMP/d.out"
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
	tap "$1" "$2" && return
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

# engine <transport>: one stop-copy sim device of $SIZE moved with
# --transport <transport>; the destination's MiB/s from its first to its
# last chunk -> $rate, the source's MiB/s of the whole session -> $srate
# (both empty when the run failed or the digests differ)
engine()
{
	dst "e" --key "$TMP/key" --transport "$1" \
		--dev "sim,id=big,size=$SIZE,page=1M,caps=stop_copy"
	src "e" --key "$TMP/key" --transport "$1" \
		--dev "sim,id=big,size=$SIZE,page=1M,caps=stop_copy,seed=4"
	wait_pid "$SPID" 240
	src_rc=$?
	wait_pid "$DPID" 20
	dst_rc=$?
	SPID= DPID=
	digests "$TMP/s.out" >"$TMP/s.dig"
	digests "$TMP/d.out" >"$TMP/d.dig"
	rate=
	srate=
	if [ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] && [ -s "$TMP/s.dig" ] &&
			cmp -s "$TMP/s.dig" "$TMP/d.dig"; then
		# "destination: device big: N bytes, C chunks, R MB/s, ..."
		rate=$(sed -n 's/^destination: device big: .* chunks, \([0-9.]*\) MB\/s,.*/\1/p' \
			"$TMP/d.out" | awk '{ printf "%.2f", $1 * 1e6 / 1048576 }')
		srate=$(sed -n 's/^source: total time \([0-9.]*\) ms, \([0-9]*\) bytes.*/\2 \1/p' \
			"$TMP/s.out" | awk '{ printf "%.2f", $1 / 1048576 / ($2 / 1000) }')
	fi
}
