#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario (tests/lab/lab.sh --ivshmem 1): check_vfio.sh faults, with
# results of its own (build/lab/check_faults): --check fails, naming the
# rule broken, for each fault of mig_vfio_pci's debug parameter fault=.
set -- faults
. "$LAB_ROOT/tests/lab/scenarios/check_vfio.sh"
