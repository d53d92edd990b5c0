#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# End-to-end migrations between two dpdk-migrate processes over loopback
# TCP (sim devices): success cases check that the destination's device
# digests equal the source's; failure cases check exit codes, messages
# and final device states. Hugepages when available, --no-huge otherwise
# (MIG_TEST_NO_HUGE=1 forces it). Output is TAP.
#
#   migrate.sh <path to dpdk-migrate>

APP=${1:?usage: migrate.sh <dpdk-migrate>}
PREFIX=mig-mig-$$
TMP=$(mktemp -d) || exit 1

cleanup()
{
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
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

nr=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "${MIG_TEST_NO_HUGE:-0}" != 1 ] && [ "${nr:-0}" -gt 0 ] &&
		grep -q ' hugetlbfs ' /proc/mounts &&
		[ -w /dev/hugepages ]; then
	MEM=""
	echo "# migrations on hugepages ($nr reserved)"
else
	MEM="--no-huge -m 256"
	echo "# migrations without hugepages (--no-huge -m 256)"
fi

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"
head -c 32 /dev/urandom >"$TMP/key2"

# A free TCP port: a random one in 20000..59999 not in use.
free_port()
{
	while :; do
		p=$(( $(od -An -tu2 -N2 /dev/urandom | tr -d ' ') % 40000 + 20000 ))
		if ! grep -qi ":$(printf '%04X' "$p") " /proc/net/tcp 2>/dev/null
		then
			echo "$p"
			return
		fi
	done
}

# dst <name> <app options...>: start the destination in the background
dst()
{
	n=$1
	shift
	# shellcheck disable=SC2086 # $MEM is a list of EAL options
	"$APP" -l 0 --no-pci --file-prefix "$PREFIX-$n-d" \
		--log-level=lib.eal:warning $MEM -- --role destination \
		--listen "127.0.0.1:$PORT" "$@" >"$TMP/d.out" 2>"$TMP/d.err" &
	DPID=$!
	# wait until it listens (5 s at most)
	i=0
	while [ $i -lt 50 ] && ! grep -q "listening on" "$TMP/d.out"; do
		sleep 0.1
		i=$((i + 1))
	done
}

# src <name> <app options...>: run the source in the background
src()
{
	n=$1
	shift
	# shellcheck disable=SC2086 # $MEM is a list of EAL options
	"$APP" -l 0 --no-pci --file-prefix "$PREFIX-$n-s" \
		--log-level=lib.eal:warning $MEM -- --role source \
		--peer "127.0.0.1:$PORT" "$@" >"$TMP/s.out" 2>"$TMP/s.err" &
	SPID=$!
}

# wait_pid <pid> <seconds>: exit status, or 124 (killed) after the limit
wait_pid()
{
	i=0
	while kill -0 "$1" 2>/dev/null; do
		if [ $i -ge $(($2 * 10)) ]; then
			kill -9 "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			return 124
		fi
		sleep 0.1
		i=$((i + 1))
	done
	wait "$1"
}

N=0
FAILED=0

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
		sed "s/^/#   $f: /" "$TMP/$f"
	done
}

# Device digests as "name digest" lines, sorted.
digests()
{
	sed -n 's/^[a-z]*: device \([^:]*\):.*device digest \([0-9a-f]*\)$/\1 \2/p' \
		"$1" | sort
}

# migrate <name> <source devs> -- <destination devs>: both must succeed
# and the digests match.
migrate_ok()
{
	name=$1
	sdevs=$2
	ddevs=$3
	PORT=$(free_port)
	# shellcheck disable=SC2086 # device lists
	dst "$name" --key "$TMP/key" $ddevs
	# shellcheck disable=SC2086
	src "$name" --key "$TMP/key" $sdevs
	wait_pid "$SPID" 60
	src_rc=$?
	wait_pid "$DPID" 10
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

echo "1..8"

migrate_ok "stop-copy only device" \
	"--dev sim,id=a,size=64M,caps=stop_copy,seed=3" \
	"--dev sim,id=a,size=64M,caps=stop_copy"

migrate_ok "pre-copy device with dirty_rate" \
	"--dev sim,id=a,size=64M,page=4K,caps=pre_copy,dirty_rate=32M,seed=9" \
	"--dev sim,id=a,size=64M,page=4K,caps=pre_copy"

migrate_ok "4 devices" \
	"--dev sim,id=a,size=32M,caps=pre_copy,seed=1 --dev sim,id=b,size=16M,caps=stop_copy,seed=2 --dev sim,id=c,size=8M,page=4K,caps=pre_copy,dirty_rate=8M,seed=3 --dev sim,id=d,size=1M,seed=4" \
	"--dev sim,id=a,size=32M,caps=pre_copy --dev sim,id=b,size=16M,caps=stop_copy --dev sim,id=c,size=8M,page=4K,caps=pre_copy --dev sim,id=d,size=1M"

migrate_ok "6 GiB device" \
	"--dev sim,id=big,size=6G,page=1M,caps=stop_copy,seed=6" \
	"--dev sim,id=big,size=6G,page=1M,caps=stop_copy"

# (e) wrong key: both fail, both say why
PORT=$(free_port)
dst wrongkey --key "$TMP/key" --dev sim,id=a,size=8M
src wrongkey --key "$TMP/key2" --dev sim,id=a,size=8M
wait_pid "$SPID" 20
src_rc=$?
wait_pid "$DPID" 20
dst_rc=$?
SPID= DPID=
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] && [ "$dst_rc" -ne 0 ] &&
	[ "$dst_rc" -ne 124 ] &&
	grep -q "authentication failed" "$TMP/s.err" &&
	grep -q "authentication failed" "$TMP/d.err" && ok=0
report "wrong key: both exit non-zero naming authentication" $ok \
	"expected 'authentication failed' from both"

# (f) destination killed mid-transfer
PORT=$(free_port)
dst dstkill --key "$TMP/key" --dev sim,id=a,size=4G,page=1M,caps=stop_copy
src dstkill --key "$TMP/key" \
	--dev sim,id=a,size=4G,page=1M,caps=stop_copy,bandwidth=200M
sleep 2
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
dst_rc=killed
wait_pid "$SPID" 15
src_rc=$?
SPID= DPID=
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] &&
	grep -q "step " "$TMP/s.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
report "destination killed: source fails within 15 s, devices running" $ok \
	"expected a failure naming the step and 'device a: state running'"

# (g) source killed mid-transfer
PORT=$(free_port)
dst srckill --key "$TMP/key" --dev sim,id=a,size=4G,page=1M,caps=stop_copy
src srckill --key "$TMP/key" \
	--dev sim,id=a,size=4G,page=1M,caps=stop_copy,bandwidth=200M
sleep 2
kill -9 "$SPID"
wait "$SPID" 2>/dev/null
src_rc=killed
wait_pid "$DPID" 15
dst_rc=$?
SPID= DPID=
ok=1
[ "$dst_rc" -ne 0 ] && [ "$dst_rc" -ne 124 ] &&
	grep -q "destination, step " "$TMP/d.err" &&
	grep -q "device a: state running (reset)" "$TMP/d.err" && ok=0
report "source killed: destination fails, devices reset" $ok \
	"expected a failure naming the step and the device reset"

# (h) a corrupted chunk is detected
PORT=$(free_port)
dst corrupt --key "$TMP/key" --dev sim,id=a,size=16M,caps=stop_copy
src corrupt --key "$TMP/key" \
	--dev sim,id=a,size=16M,caps=stop_copy,corrupt_save=3
wait_pid "$SPID" 20
src_rc=$?
wait_pid "$DPID" 20
dst_rc=$?
SPID= DPID=
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] && [ "$dst_rc" -ne 0 ] &&
	[ "$dst_rc" -ne 124 ] && grep -q "corrupt" "$TMP/d.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
report "corrupted chunk detected, both fail" $ok \
	"expected both to fail, the destination naming the corruption"

[ "$FAILED" -eq 0 ]
