#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# uAPI conformance: every (from, to) request through
# VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, for each capability set the
# module parameters give, against the engine's FSM (engine/mig_fsm.c).
. "$(dirname "$0")/kmod_lib.sh"
arcs=0
bad=0
for params in "" "pre_copy=0" "p2p=0" "pre_copy=0 p2p=0"; do
	# shellcheck disable=SC2086 # params is a list
	check "insmod $KMOD $params" kmod_load $params
	check "bind $DEV_A" kmod_bind "$DEV_A"
	kt fsm "$DEV_A"
	line=$(grep '^# conformance' "$TAP_TMP")
	a=$(echo "$line" | sed -n 's/.*arcs=\([0-9]*\).*/\1/p')
	m=$(echo "$line" | sed -n 's/.*mismatches=\([0-9]*\).*/\1/p')
	arcs=$((arcs + ${a:-0}))
	bad=$((bad + ${m:-1}))
	check "unbind and rmmod $KMOD" kmod_unload
done
echo "# conformance total: $arcs arcs checked, $bad mismatches"
echo "conformance arcs=$arcs mismatches=$bad" >"$LAB_RESULTS/conformance.txt"
finish
