#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Device A's state into device B through the data fds, PRE_COPY with a
# writer dirtying A's BAR2, B's memory checked against A's at switchover.
. "$(dirname "$0")/kmod_lib.sh"
kmod_setup
kt migrate "$DEV_A" "$DEV_B"
check "unbind both and rmmod $KMOD" kmod_unload
finish
