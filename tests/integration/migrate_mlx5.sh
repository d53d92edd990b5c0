#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# End-to-end migrations of emulated mlx5 VFs (mlx5 driver, channel=emu)
# between two dpdk-migrate processes over loopback TCP. Success cases
# check that the destination's device digests equal the source's; failure
# cases check exit codes, messages and final device states. Hugepages
# when available, --no-huge otherwise (MIG_TEST_NO_HUGE=1 forces it).
# Output is TAP.
#
#   migrate_mlx5.sh <path to dpdk-migrate>

APP=${1:?usage: migrate_mlx5.sh <dpdk-migrate>}
PREFIX=mig-mlx5-$$
TMP=$(mktemp -d) || exit 1
PF=0000:08:00.0

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
		grep -q ' hugetlbfs ' /proc/mounts && [ -w /dev/hugepages ]; then
	MEM=""
else
	MEM="--no-huge -m 256"
fi
head -c 32 /dev/urandom >"$TMP/key"

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

# run <role> <tag> <app options...>: one process in the background
run()
{
	role=$1
	tag=$2
	shift 2
	if [ "$role" = destination ]; then
		addr="--listen 127.0.0.1:$PORT"
	else
		# once pre-copy has nothing left to send, the engine's bandwidth
		# estimate decays to 0 and its downtime estimate never fits the
		# limit: bound pre-copy below the destination's 10 s idle timeout
		addr="--peer 127.0.0.1:$PORT --max-precopy-time 3000"
	fi
	# shellcheck disable=SC2086 # $MEM and $addr are option lists
	"$APP" -l 0 --no-pci --file-prefix "$PREFIX-$tag" \
		--log-level=lib.eal:warning $MEM -- --role "$role" $addr \
		--key "$TMP/key" "$@" >"$TMP/$role.out" 2>"$TMP/$role.err" &
}

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

# migrate <tag> <seconds> <source devs> <destination devs>: sets src_rc, dst_rc
migrate()
{
	PORT=$(free_port)
	rm -f "$TMP"/*.out "$TMP"/*.err
	# shellcheck disable=SC2086 # device lists
	run destination "$1-d" $4
	DPID=$!
	i=0
	# 30 s at most: EAL start-up is slow on a loaded machine
	while [ $i -lt 300 ] && ! grep -q "listening on" "$TMP/destination.out"
	do
		sleep 0.1
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	run source "$1-s" $3
	SPID=$!
	wait_pid "$SPID" "$2"
	src_rc=$?
	wait_pid "$DPID" 20
	dst_rc=$?
	SPID= DPID=
	sed -n "s/^source: \(total time.*\|pre-copy.*\)/# $1: \1/p" \
		"$TMP/source.out"
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
	for f in source.out source.err destination.out destination.err; do
		sed "s/^/#   $f: /" "$TMP/$f"
	done
}

digests()
{
	sed -n 's/^[a-z]*: device \([^:]*\):.*device digest \([0-9a-f]*\)$/\1 \2/p' \
		"$1" | sort
}

# migrate_ok <name> <seconds> <source devs> <destination devs>
migrate_ok()
{
	migrate "$(echo "$1" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '-')" \
		"$2" "$3" "$4"
	ok=1
	if [ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ]; then
		digests "$TMP/source.out" >"$TMP/s.dig"
		digests "$TMP/destination.out" >"$TMP/d.dig"
		[ -s "$TMP/s.dig" ] && cmp -s "$TMP/s.dig" "$TMP/d.dig" && ok=0
	fi
	report "$1" $ok "expected both to succeed with equal device digests"
}

EMU="pf=$PF,channel=emu"

echo "1..9"

migrate_ok "stop-copy only, chunk mode" 60 \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_size=96M,emu_seed=3" \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_size=96M"

migrate_ok "stop-copy only, one image (chunk mode off)" 60 \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_chunk=0,emu_size=48M,emu_seed=4" \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_chunk=0,emu_size=48M"

migrate_ok "pre-copy with a dirtying workload" 60 \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=64M,emu_page=4K,emu_dirty_rate=16M,emu_seed=5" \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=64M,emu_page=4K"

# the kernel's fallback: BAD_RES_STATE on a middle image -> full final image
migrate_ok "pre-copy error falls back to a full stop-copy image" 60 \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=32M,emu_page=4K,emu_dirty_rate=8M,emu_seed=6,emu_fail_precopy=2" \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=32M,emu_page=4K"
grep -q "BAD_RES_STATE" "$TMP/source.err" ||
	echo "# warning: the source did not log the pre-copy fallback"

migrate_ok "6 GiB VF, chunk mode on" 600 \
	"--dev mlx5,id=big,$EMU,vf=0,precopy=0,emu_size=6G,emu_page=1M,emu_seed=7" \
	"--dev mlx5,id=big,$EMU,vf=0,precopy=0,emu_size=6G,emu_page=1M"

migrate_ok "4 VFs of one PF in parallel" 120 \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=32M,emu_page=4K,emu_dirty_rate=4M,emu_seed=1 --dev mlx5,id=b,$EMU,vf=1,emu_size=16M,emu_seed=2 --dev mlx5,id=c,$EMU,vf=2,precopy=0,emu_size=8M,emu_seed=3 --dev mlx5,id=d,$EMU,vf=3,emu_size=1M,emu_page=4K,emu_seed=4" \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=32M,emu_page=4K --dev mlx5,id=b,$EMU,vf=1,emu_size=16M --dev mlx5,id=c,$EMU,vf=2,precopy=0,emu_size=8M --dev mlx5,id=d,$EMU,vf=3,emu_size=1M,emu_page=4K"

# 6 GiB without chunk mode: refused before any data moves, source runs on
migrate big-nochunk 120 \
	"--dev mlx5,id=big,$EMU,vf=0,precopy=0,emu_chunk=0,emu_size=6G,emu_page=1M,emu_seed=8" \
	"--dev mlx5,id=big,$EMU,vf=0,precopy=0,emu_chunk=0,emu_size=6G,emu_page=1M"
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] &&
	grep -q "exceeds the 4 GiB single-image limit.*no chunk mode" \
		"$TMP/source.err" &&
	grep -q "device big: state running$" "$TMP/source.err" && ok=0
report "6 GiB VF without chunk mode fails clearly, source device running" \
	$ok "expected the 4 GiB limit error and 'device big: state running'"

# an image corrupted by the source firmware is rejected by the destination's
migrate corrupt 60 \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_size=32M,emu_seed=9,emu_corrupt_save=2" \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_size=32M"
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] && [ "$dst_rc" -ne 0 ] &&
	[ "$dst_rc" -ne 124 ] &&
	grep -q "LOAD_VHCA_STATE of image 1.*corrupt image 1" \
		"$TMP/destination.err" &&
	grep -q "device a: state running (reset)" "$TMP/destination.err" &&
	grep -q "device a: state running$" "$TMP/source.err" && ok=0
report "corrupted image rejected by the destination, its VF reset" $ok \
	"expected a LOAD failure naming the corrupt image and a reset"

# the destination VF is another model of device: its firmware refuses the
# image
migrate other 60 \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_size=32M" \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_size=32M,emu_model=2"
ok=1
[ "$src_rc" -ne 0 ] && [ "$dst_rc" -ne 0 ] && [ "$dst_rc" -ne 124 ] &&
	grep -q "image of another device" "$TMP/destination.err" &&
	grep -q "device a: state running (reset)" "$TMP/destination.err" && ok=0
report "image of another device rejected by the destination" $ok \
	"expected 'image of another device' and a reset"

[ "$FAILED" -eq 0 ]
