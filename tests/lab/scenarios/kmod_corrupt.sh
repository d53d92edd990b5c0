#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Damaged streams (truncated, bit flipped, header changed, trailing bytes,
# a record left out) are refused on RESUMING -> STOP; B never leaves
# RESUMING until reset.
. "$(dirname "$0")/kmod_lib.sh"
kmod_setup
kt corrupt "$DEV_A" "$DEV_B"
check "unbind both and rmmod $KMOD" kmod_unload
finish
