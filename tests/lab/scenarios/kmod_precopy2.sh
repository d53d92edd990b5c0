#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# PRECOPY_INFO v2 and REINIT (kernel/mvp_precopy.c): the opt-in, REINIT
# after a reconfiguration of A in PRE_COPY and the migration through it
# (default precopy_v2=1); the engine's vfio driver opts in. Then
# precopy_v2=0: ENOTTY as on a 6.12 core, nothing restarts, and the
# engine falls back to v1 (the flags ignored). Then pre_copy=0: EINVAL.
. "$(dirname "$0")/kmod_lib.sh"
APP=$LAB_BUILD/apps/dpdk-migrate/dpdk-migrate

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
check "unbind both and rmmod $KMOD" kmod_unload

check "insmod $KMOD precopy_v2=0" kmod_load precopy_v2=0
check "bind $DEV_A" kmod_bind "$DEV_A"
check "bind $DEV_B" kmod_bind "$DEV_B"
kt precopy2 "$DEV_A" "$DEV_B" off
check "engine's vfio driver falls back (PRECOPY_INFO v2 refused: ENOTTY)" \
	engine_v2 "Inappropriate ioctl"
# the old behaviour still migrates (the v1 info, flags zeroed)
kt migrate "$DEV_A" "$DEV_B"
check "unbind both and rmmod $KMOD" kmod_unload

check "insmod $KMOD pre_copy=0" kmod_load pre_copy=0
check "bind $DEV_A" kmod_bind "$DEV_A"
check "bind $DEV_B" kmod_bind "$DEV_B"
kt precopy2 "$DEV_A" "$DEV_B" nopre
check "unbind both and rmmod $KMOD" kmod_unload
rm -f "$TAP_TMP.app"
finish
