#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario: a short soak over RDMA (doc/RELIABILITY.md, "Soak"):
# devtools/soak.py runs N migrations (default 5, the lab suite's short
# version; the doc's figures: rdma_soak.sh 20) back and forth over
# rxe0 (LAB_RDMA_IP), sampling each process's fds, VmHWM and hugepage use
# and what is left system-wide; no growth, nothing left. TAP; the figures
# go to LAB_RESULTS/rdma_soak.txt.
#
#   rdma_soak.sh [N]
. "$LAB_ROOT/tests/lab/scen_lib.sh"
trap 'rm -rf "$TMP"' EXIT

echo "1..1"
python3 "$LAB_ROOT/devtools/soak.py" --app "$APP" -n "${1:-5}" \
	--transport rdma --addr "$LAB_RDMA_IP" >"$LAB_RESULTS/rdma_soak.txt" 2>&1
rc=$?
sed 's/^/# /' "$LAB_RESULTS/rdma_soak.txt"
tap "${1:-5} RDMA migrations back and forth: all succeed, no growth, nothing left" "$rc"
