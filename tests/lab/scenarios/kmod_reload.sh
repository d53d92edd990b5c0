#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Unload and reload after a migration: the module leaves nothing behind
# (refcount 0, slab caches back, no warnings) and works again.
. "$(dirname "$0")/kmod_lib.sh"
kmod_setup
kt migrate "$DEV_A" "$DEV_B"
check "unbind both and rmmod $KMOD after a migration" kmod_unload
check "insmod again" kmod_load
check "bind $DEV_A again" kmod_bind "$DEV_A"
check "bind $DEV_B again" kmod_bind "$DEV_B"
kt migrate "$DEV_A" "$DEV_B"
check "unbind both and rmmod $KMOD again" kmod_unload
finish
