#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# A -> B with memory decoding off in both devices' command registers, as
# QEMU's destination loads a device before its VM restores the config:
# every arc succeeds and B's BAR2 equals A's.
. "$(dirname "$0")/kmod_lib.sh"
kmod_setup
kt decode "$DEV_A" "$DEV_B"
check "unbind both and rmmod $KMOD" kmod_unload
finish
