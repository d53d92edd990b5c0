#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Migrations between two dpdk-migrate processes whose device stages run on
# worker lcores (-l 0-1; the destination's main lcore is 1, so the two
# transports do not share a CPU): digests equal on success; a save or a
# load failing on a worker lcore ends both sides cleanly (one-line error
# naming the device, source devices RUNNING, destination devices reset,
# every chunk buffer given back). --no-huge keeps it independent of the
# host's hugepages. Output is TAP.
#
#   migrate_lcores.sh <path to dpdk-migrate>

APP=${1:?usage: migrate_lcores.sh <dpdk-migrate>}
. "$(dirname "$0")/lib.sh"
MIG_TEST_NO_HUGE=1 # independent of the host's hugepages
mt_init mig-lc 512 "migrations with stages on worker lcores"

# lc_run <name> "<source devs>" "<destination devs>": both in the background,
# waited for (60 s at most); exit codes in src_rc / dst_rc.
lc_run()
{
	PORT=$(free_port)
	# empty now: the background job truncates it only once it runs, and
	# the previous destination's "listening on" must not be seen
	: >"$TMP/d.out"
	# shellcheck disable=SC2086 # option lists
	"$APP" -l 0-1 --main-lcore 1 --no-pci --file-prefix "$PREFIX-$1-d" \
		--log-level=lib.eal:warning $MEM -- --role destination \
		--listen "127.0.0.1:$PORT" --insecure $3 \
		>"$TMP/d.out" 2>"$TMP/d.err" &
	DPID=$!
	i=0
	# 30 s at most: EAL start-up is slow on a loaded machine
	while [ $i -lt 300 ] && ! grep -q "listening on" "$TMP/d.out"; do
		sleep 0.1
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	"$APP" -l 0-1 --no-pci --file-prefix "$PREFIX-$1-s" \
		--log-level=lib.eal:warning $MEM -- --role source \
		--peer "127.0.0.1:$PORT" --insecure $2 \
		>"$TMP/s.out" 2>"$TMP/s.err" &
	SPID=$!
	wait_pid "$SPID" 60
	src_rc=$?
	wait_pid "$DPID" 20
	dst_rc=$?
	SPID='' DPID=''
}

# mreport <name> <0: ok> <why>: report with both sides' status and output
mreport()
{
	report "$1" "$2" "$3 (source $src_rc, destination $dst_rc)" \
		"$TMP/s.out" "$TMP/s.err" "$TMP/d.out" "$TMP/d.err"
}

# no_leak <files>: no chunk left behind (a pool freed with chunks still
# taken says so).
no_leak()
{
	for f in "$@"; do
		! grep -q "still taken" "$TMP/$f" || return 1
	done
}

echo "1..3"

lc_run devs \
	"--dev sim,id=a,size=96M,caps=pre_copy,seed=1 --dev sim,id=b,size=64M,caps=stop_copy,seed=2 --dev sim,id=c,size=16M,page=4K,caps=pre_copy+p2p,dirty_rate=8M,seed=3" \
	"--dev sim,id=a,size=96M,caps=pre_copy --dev sim,id=b,size=64M,caps=stop_copy --dev sim,id=c,size=16M,page=4K,caps=pre_copy+p2p"
ok=1
[ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] &&
	digests_equal "$TMP/s.out" "$TMP/d.out" &&
	grep -q "1 worker lcore(s)" "$TMP/s.out" &&
	grep -q "device a: .*lcore 1," "$TMP/s.out" &&
	grep -q "device a: .*lcore 0," "$TMP/d.out" && ok=0
sed -n 's/^source: \(total time.*\)/# 3 devices on worker lcores: \1/p' \
	"$TMP/s.out"
mreport "3 devices on worker lcores: digests equal" $ok \
	"expected both to succeed with equal digests, stages on lcore 1 / 0"

lc_run failsave \
	"--dev sim,id=a,size=64M,caps=pre_copy,fail_save=20 --dev sim,id=b,size=32M,caps=stop_copy" \
	"--dev sim,id=a,size=64M,caps=pre_copy --dev sim,id=b,size=32M,caps=stop_copy"
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] && [ "$dst_rc" -ne 0 ] &&
	[ "$dst_rc" -ne 124 ] &&
	grep -q "source, step pre-copy: device a: save of chunk 19 failed: .*fail_save=20" "$TMP/s.err" &&
	grep -q "device a: state running$" "$TMP/s.err" &&
	grep -q "device b: state running$" "$TMP/s.err" &&
	grep -q "device a: state running (reset)" "$TMP/d.err" &&
	no_leak s.err && ok=0
mreport "save failing on a worker lcore: both fail, source devices running" \
	$ok "expected the save error named, devices running, no chunk leaked"

lc_run failload \
	"--dev sim,id=a,size=64M,caps=stop_copy --dev sim,id=b,size=32M,caps=stop_copy" \
	"--dev sim,id=a,size=64M,caps=stop_copy,fail_load=10 --dev sim,id=b,size=32M,caps=stop_copy"
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] && [ "$dst_rc" -ne 0 ] &&
	[ "$dst_rc" -ne 124 ] &&
	grep -q "destination, step [a-z-]*: device a: load of chunk 9 failed" "$TMP/d.err" &&
	grep -q "device a: state running (reset)" "$TMP/d.err" &&
	grep -q "device b: state running (reset)" "$TMP/d.err" &&
	grep -q "device a: state running$" "$TMP/s.err" &&
	no_leak s.err d.err && ok=0
mreport "load failing on a worker lcore: both fail, destination devices reset" \
	$ok "expected the load error named, devices reset, no chunk leaked"

mt_done
