#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario: landing-slot protection over rxe0 (rdma protect=mw, a
# memory window per slot, pmd/transport/rdma/rdma_mw.c). A migration with
# windows completes with equal digests; a source that breaks the rules on
# purpose (misbehave=stale: one chunk written with a slot's previous rkey,
# after the slot was granted again; misbehave=overrun: one chunk written
# across its slot's end) is refused by the device: both sides fail, the
# source's device is running and the destination's is reset. TAP.
. "$(dirname "$0")/../rdma_common.sh"

echo "1..3"

# (protect=mw on a device without type 2 windows fails the destination:
# a completed migration is one through the windows)
migrate_ok "rdma protect=mw: migration completes, digests equal" \
	"--dev sim,id=a,size=16M,page=4K,caps=pre_copy,dirty_rate=4M,seed=3" \
	"--dev sim,id=a,size=16M,page=4K,caps=pre_copy" \
	"--downtime 10000 --transport rdma,qps=2" \
	"--transport rdma,protect=mw,window=4"

# misbehave <name> <mode>: a 16 MiB stop-copy device in 1 MiB chunks over
# 4 landing slots (each granted four times)
misbehave()
{
	dst "$2" --key "$TMP/key" --transport rdma,protect=mw,window=4 \
		--dev sim,id=a,size=16M,caps=stop_copy
	src "$2" --key "$TMP/key" --downtime 10000 \
		--transport "rdma,qps=2,misbehave=$2" \
		--dev sim,id=a,size=16M,caps=stop_copy,seed=4
	wait_pid "$SPID" 60
	src_rc=$?
	wait_pid "$DPID" 60
	dst_rc=$?
	SPID= DPID=
	echo "# source: $(grep -m1 'failed\|error' "$TMP/s.err")"
	echo "# destination: $(grep -m1 'failed\|error\|lost' "$TMP/d.err")"
	ok=1
	[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] &&
		[ "$dst_rc" -ne 0 ] && [ "$dst_rc" -ne 124 ] &&
		grep -q "misbehave=$2" "$TMP/s.err" &&
		grep -q "remote access error" "$TMP/s.err" &&
		grep -q "device a: state running" "$TMP/s.err" &&
		grep -q "device a: state running (reset)" "$TMP/d.err" && ok=0
	report "$1" $ok \
		"expected a remote access error at the source, both failing, source device running, destination device reset"
}

misbehave "rdma protect=mw: a write with a slot's old rkey ends the session" stale
misbehave "rdma protect=mw: a write across a slot's end ends the session" overrun

[ "$FAILED" -eq 0 ]
