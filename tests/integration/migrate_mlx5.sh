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
. "$(dirname "$0")/lib.sh"
mt_init mig-mlx5 256 "mlx5 migrations"
PF=0000:08:00.0
head -c 32 /dev/urandom >"$TMP/key"

# mlx5_run <role> <tag> <app options...>: one process in the background
mlx5_run()
{
	role=$1
	tag=$2
	shift 2
	if [ "$role" = destination ]; then
		addr="--listen 127.0.0.1:$PORT"
	else
		addr="--peer 127.0.0.1:$PORT"
	fi
	# shellcheck disable=SC2086 # $MEM and $addr are option lists
	"$APP" -l 0 --no-pci --file-prefix "$PREFIX-$tag" \
		--log-level=lib.eal:warning $MEM -- --role "$role" $addr \
		--key "$TMP/key" "$@" >"$TMP/$role.out" 2>"$TMP/$role.err" &
}

# migrate <tag> <seconds> <source devs> <destination devs>: sets src_rc, dst_rc
migrate()
{
	PORT=$(free_port)
	rm -f "$TMP"/*.out "$TMP"/*.err
	# shellcheck disable=SC2086 # device lists
	mlx5_run destination "$1-d" $4
	DPID=$!
	i=0
	# 30 s at most: EAL start-up is slow on a loaded machine
	while [ $i -lt 300 ] && ! grep -q "listening on" "$TMP/destination.out"
	do
		sleep 0.1
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	mlx5_run source "$1-s" $3
	SPID=$!
	wait_pid "$SPID" "$2"
	src_rc=$?
	wait_pid "$DPID" 20
	dst_rc=$?
	SPID='' DPID=''
	sed -n "s/^source: \(total time.*\|pre-copy.*\)/# $1: \1/p" \
		"$TMP/source.out"
}

# mreport <name> <0: ok> <why>: report with both sides' status and output
mreport()
{
	report "$1" "$2" "$3 (source $src_rc, destination $dst_rc)" \
		"$TMP/source.out" "$TMP/source.err" \
		"$TMP/destination.out" "$TMP/destination.err"
}

# migrate_ok <name> <seconds> <source devs> <destination devs>
migrate_ok()
{
	migrate "$(echo "$1" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '-')" \
		"$2" "$3" "$4"
	ok=1
	[ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] &&
		digests_equal "$TMP/source.out" "$TMP/destination.out" && ok=0
	mreport "$1" $ok "expected both to succeed with equal device digests"
}

EMU="pf=$PF,channel=emu"

echo "1..10"

migrate_ok "stop-copy only, chunk mode" 60 \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_size=96M,emu_seed=3" \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_size=96M"

migrate_ok "stop-copy only, one image (chunk mode off)" 60 \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_chunk=0,emu_size=48M,emu_seed=4" \
	"--dev mlx5,id=a,$EMU,vf=0,precopy=0,emu_chunk=0,emu_size=48M"

migrate_ok "pre-copy with a dirtying workload" 60 \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=64M,emu_page=4K,emu_dirty_rate=16M,emu_seed=5" \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=64M,emu_page=4K"

# the kernel's fallback: BAD_RES_STATE on the first middle image (second
# tracked SAVE) -> full final image; nothing more can be pre-copied and the
# full image is the honest stop-copy estimate: pre-copy ends at its limit
migrate_ok "pre-copy error falls back to a full stop-copy image" 60 \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=32M,emu_page=4K,emu_dirty_rate=8M,emu_seed=6,emu_fail_precopy=2 --max-precopy-time 3000" \
	"--dev mlx5,id=a,$EMU,vf=0,emu_size=32M,emu_page=4K"
grep -q "BAD_RES_STATE" "$TMP/source.err" ||
	echo "# warning: the source did not log the pre-copy fallback"

migrate_ok "6 GiB VF, chunk mode on" 600 \
	"--dev mlx5,id=big,$EMU,vf=0,precopy=0,emu_size=6G,emu_page=1M,emu_seed=7" \
	"--dev mlx5,id=big,$EMU,vf=0,precopy=0,emu_size=6G,emu_page=1M"

# 8 GiB in chunk mode, pre-copied: every QUERY carries the chunk bit (the
# emulated firmware refuses one without), the initial image is the first
# 8 MiB piece, middle images the next ones; at the 200th incremental QUERY
# the firmware re-initialises the whole state (migration_state INIT): the
# driver reports REINIT through the engine and saves the new initial data
migrate big-precopy 300 \
	"--dev mlx5,id=big,$EMU,vf=0,emu_size=8G,emu_page=1M,emu_chunk_min=8M,emu_dirty_rate=32M,emu_reinit=200,emu_seed=12" \
	"--dev mlx5,id=big,$EMU,vf=0,emu_size=8G,emu_page=1M,emu_chunk_min=8M"
ok=1
[ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] &&
	digests_equal "$TMP/source.out" "$TMP/destination.out" &&
	cat "$TMP/source.out" "$TMP/source.err" |
	grep -q "device big: new initial data (re-init 1)" && ok=0
mreport "8 GiB VF pre-copied in chunk mode, dirtying, REINIT" $ok \
	"expected equal digests and the REINIT reported by the engine"

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
mreport "6 GiB VF without chunk mode fails clearly, source device running" \
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
mreport "corrupted image rejected by the destination, its VF reset" $ok \
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
mreport "image of another device rejected by the destination" $ok \
	"expected 'image of another device' and a reset"

mt_done
