#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# VFIO_DEVICE_RESET during every kind of session: the device returns to
# RUNNING, the old data fd gives ENODEV, a later migration works.
. "$(dirname "$0")/kmod_lib.sh"
kmod_setup
kt reset "$DEV_A" "$DEV_B"
check "unbind both and rmmod $KMOD" kmod_unload
finish
