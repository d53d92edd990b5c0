#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# PRECOPY_INFO v2 and REINIT (kernel/mvp_precopy.c): the opt-in, REINIT
# after a reconfiguration of A in PRE_COPY and the migration through it
# (default precopy_v2=1); the engine's vfio driver opts in and, with
# its test workload reconfig=1, sees the REINIT and sends the image again.
# Then precopy_v2=0: ENOTTY as on a 6.12 core, nothing restarts, and the
# engine falls back to v1 (the flags ignored). Then pre_copy=0: EINVAL.
. "$(dirname "$0")/kmod_lib.sh"
APP=$LAB_BUILD/apps/dpdk-migrate/dpdk-migrate

BAR="python3 $LAB_ROOT/tests/lab/vfio_bar.py"
PORT=7410

# engine_reconfig <REINIT expected: 1|0>: the engine moves A into B with
# reconfig=1 (A's IntrMask rewritten once its first pass is read); B's
# BAR2 must equal A's; with REINIT the engine logs the new initial data
# and moves the image twice
engine_reconfig()
{
	$BAR fill "$DEV_A" 21 && $BAR fill "$DEV_B" 22 || return 1
	PORT=$((PORT + 1))
	"$APP" -l 0 --no-pci --log-level=lib.eal:warning --file-prefix pc2d \
		-- --role destination --listen "127.0.0.1:$PORT" --insecure \
		--dev "vfio,id=a,bdf=$DEV_B,io=read" >"$TAP_TMP.d" 2>&1 &
	dpid=$!
	i=0
	while [ $i -lt 300 ] && ! grep -q "listening on" "$TAP_TMP.d"; do
		sleep 0.1
		i=$((i + 1))
	done
	"$APP" -l 1 --no-pci --log-level=lib.eal:warning --file-prefix pc2s \
		-- --role source --peer "127.0.0.1:$PORT" --insecure \
		--dev "vfio,id=a,bdf=$DEV_A,io=read,reconfig=1" \
		>"$TAP_TMP.s" 2>&1
	src_rc=$?
	wait $dpid
	dst_rc=$?
	grep -E "re-init|reconfig|total time" "$TAP_TMP.s" | sed 's/^/# /'
	[ $src_rc -eq 0 ] && [ $dst_rc -eq 0 ] || return 1
	[ "$($BAR digest "$DEV_A")" = "$($BAR digest "$DEV_B")" ] || return 1
	grep -q "reconfig: region 0 register 0" "$TAP_TMP.s" || return 1
	moved=$(sed -n 's/^source: total time [0-9.]* ms, \([0-9]*\) bytes.*/\1/p' "$TAP_TMP.s")
	size=$(stat -c %s "/sys/bus/pci/devices/$DEV_A/resource2")
	if [ "$1" = 1 ]; then
		grep -q "device a: new initial data (re-init 1)" "$TAP_TMP.s" &&
			[ "${moved:-0}" -gt $((2 * size)) ]
	else
		! grep -q "new initial data" "$TAP_TMP.s" &&
			[ "${moved:-0}" -lt $((2 * size)) ]
	fi
}

# engine_v2 <expected word>: the vfio driver's opt-in at open, as logged
engine_v2()
{
	"$APP" -l 0 --no-pci --log-level=lib.eal:warning \
		--log-level=mig.dev.vfio:debug --file-prefix pc2 -- \
		--info --dev "vfio,id=a,bdf=$DEV_A" >"$TAP_TMP.app" 2>&1
	grep "PRECOPY_INFO v2" "$TAP_TMP.app" | sed 's/^/# /'
	grep -q "PRECOPY_INFO v2 $1" "$TAP_TMP.app" &&
		grep -q "caps stop_copy+pre_copy+p2p" "$TAP_TMP.app"
}

kmod_setup
check "parameter precopy_v2 reads Y" \
	grep -qx Y /sys/module/$KMOD/parameters/precopy_v2
kt precopy2 "$DEV_A" "$DEV_B" on
check "engine's vfio driver opts in (PRECOPY_INFO v2 on)" engine_v2 on
check "engine, A reconfigured after its first pass: REINIT reaches the engine (re-init 1), the image moves twice, B equals A" \
	engine_reconfig 1
check "unbind both and rmmod $KMOD" kmod_unload

check "insmod $KMOD precopy_v2=0" kmod_load precopy_v2=0
check "bind $DEV_A" kmod_bind "$DEV_A"
check "bind $DEV_B" kmod_bind "$DEV_B"
kt precopy2 "$DEV_A" "$DEV_B" off
check "engine's vfio driver falls back (PRECOPY_INFO v2 refused: ENOTTY)" \
	engine_v2 "Inappropriate ioctl"
check "engine, A reconfigured, v1: no re-init, the image moves once, B equals A" \
	engine_reconfig 0
# the old behaviour still migrates (the v1 info, flags zeroed)
kt migrate "$DEV_A" "$DEV_B"
check "unbind both and rmmod $KMOD" kmod_unload

check "insmod $KMOD pre_copy=0" kmod_load pre_copy=0
check "bind $DEV_A" kmod_bind "$DEV_A"
check "bind $DEV_B" kmod_bind "$DEV_B"
kt precopy2 "$DEV_A" "$DEV_B" nopre
check "unbind both and rmmod $KMOD" kmod_unload
rm -f "$TAP_TMP.app" "$TAP_TMP.s" "$TAP_TMP.d"
finish
