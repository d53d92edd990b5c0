#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario: the fault matrix over RDMA (doc/RELIABILITY.md, "Fault
# matrix", RDMA table): devtools/fault_matrix.py --transport rdma on rxe0
# (LAB_RDMA_IP). No proxy stands between queue pairs, so the signals strike
# when the source's -v log marks the phase, and the cut, netem and wire
# corruption cells are n/a. --timeout 5000 (TCG is slow). About 8 minutes;
# run by hand, not in the lab suite. TAP; the cells are saved to
# LAB_RESULTS/rdma_matrix.json (the host writes the table with
# devtools/fault_matrix.py --no-run --load ... --marker fault-matrix-rdma).
#
#   rdma_matrix.sh [fault_matrix.py options]
. "$LAB_ROOT/tests/lab/scen_lib.sh"
trap 'rm -rf "$TMP"' EXIT

python3 "$LAB_ROOT/devtools/fault_matrix.py" --app "$APP" --tap \
	--transport rdma --addr "$LAB_RDMA_IP" --timeout-ms 5000 \
	--fault sigkill,sigstop,cut,netem,devfail,corrupt \
	--save "$LAB_RESULTS/rdma_matrix.json" "$@"
