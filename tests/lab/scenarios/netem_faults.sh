#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario: the "netem" column of the fault matrix (doc/RELIABILITY.md,
# "Fault matrix"), which the host cannot run (its kernel has no sch_netem).
# devtools/fault_matrix.py --netem puts the source in a network namespace
# behind a veth pair and, for each phase and side, switches on 1% loss and
# 50 ms delay (tc netem) on that side's veth end when the phase starts; the
# migration must complete with equal digests. TAP; the cells are saved to
# LAB_RESULTS/netem.json (the host merges them into the table with
# devtools/fault_matrix.py --load).
#
#   netem_faults.sh [--phase all | fault_matrix.py options]
. "$LAB_ROOT/tests/lab/scen_lib.sh"
trap 'rm -rf "$TMP"' EXIT

modprobe sch_netem 2>/dev/null
if ! command -v tc >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP tc or python3 missing"
	exit 0
fi
# The lab suite runs a short version (two phases, both sides: about a
# minute); the whole column: netem_faults.sh --phase all
[ $# -eq 0 ] && set -- --phase handshake,stopcopy
[ "$1 $2" = "--phase all" ] && shift 2 &&
	set -- --phase handshake,precopy,switchover,stopcopy,commit "$@"
python3 "$LAB_ROOT/devtools/fault_matrix.py" --app "$APP" --netem --tap \
	--fault netem --save "$LAB_RESULTS/netem.json" "$@"
