#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# bench_crc in the lab guest (QEMU TCG), where the crc32 instruction is
# emulated: which CRC32C implementation the calibration picks there and at
# what rate. Run from the host:
#
#   tests/lab/lab.sh bench/crc_lab.sh [size] [passes]
SIZE=${1:-1048576}
PASSES=${2:-64}
echo "1..1"
echo "# guest: $(nproc) vCPUs, $(grep -m1 'model name' /proc/cpuinfo)"
"$LAB_BUILD/bench/bench_crc" -s "$SIZE" -n "$PASSES" >"$LAB_RESULTS/crc.txt"
rc=$?
sed 's/^/# /' "$LAB_RESULTS/crc.txt"
[ $rc -eq 0 ] && echo "ok 1 - bench_crc" || echo "not ok 1 - bench_crc"
