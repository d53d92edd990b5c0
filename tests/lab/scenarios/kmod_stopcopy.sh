#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# STOP_COPY-only mode: pre_copy=0 hides PRE_COPY; the migration still
# moves A's whole state into B.
. "$(dirname "$0")/kmod_lib.sh"
kmod_setup pre_copy=0
check "parameter pre_copy reads N" grep -qx N /sys/module/$KMOD/parameters/pre_copy
kt migrate "$DEV_A" "$DEV_B" --stop-copy-only
check "unbind both and rmmod $KMOD" kmod_unload
finish
