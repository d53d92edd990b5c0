#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario (tests/lab/lab.sh --ivshmem 2): dpdk-migrate moves the state
# of ivshmem device A into device B, both bound to mig_vfio_pci, through
# the vfio device driver, source and destination processes in the guest
# over loopback TCP or RDMA (rxe0). BAR2 of each device is filled with different bytes
# first; the source emulates a guest writing into A's BAR2 during pre-copy
# (dirty_rate); at the end B's BAR2 must equal A's. Then the failure
# cases and the STOP_COPY-only module mode. TAP on stdout.
#
# Args: [transport devargs] (default tcp; rdma,... runs over rxe0)
XPORT=${1:-tcp}
. "$LAB_ROOT/tests/lab/vfio_lib.sh"

set -- $LAB_IVSHMEM
[ $# -ge 2 ] || bail "needs 2 ivshmem devices (lab.sh --ivshmem 2), got '$LAB_IVSHMEM'"
A=$1
B=$2
echo "1..11"
echo "# A=$A B=$B transport $XPORT kernel $LAB_KVER"
dmesg -C

# migrate <run> <source devargs extra> <destination devargs extra> [src opts]
migrate()
{
	run=$1
	sx=$2
	dx=$3
	shift 3
	PORT=$(free_port)
	dst "$run" --transport "$XPORT" --dev "vfio,id=a,bdf=$B$dx"
	src "$run" --transport "$XPORT" --dev "vfio,id=a,bdf=$A$sx" "$@"
	wait_pid "$SPID" 240
	src_rc=$?
	wait_pid "$DPID" 30
	dst_rc=$?
	SPID= DPID=
	sed -n 's/^source: \(total time.*\|pre-copy.*\)/# '"$run"': \1/p' \
		"$TMP/$run.s.out"
}

# same_bars <run> <name>: both succeeded and B's BAR2 is A's
same_bars()
{
	ok=1
	da=$($BAR digest "$A")
	db=$($BAR digest "$B")
	echo "# $1: A $da"
	echo "# $1: B $db"
	[ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] && [ -n "$da" ] &&
		[ "$da" = "$db" ] && [ "$db" != "$B0" ] && ok=0
	report "$2" $ok "source $src_rc destination $dst_rc; B's BAR2 must equal A's and differ from its start" "$1"
}

# 1. the driver sees the variant driver's capabilities
mod_load
"$APP" -l 0 $EAL --file-prefix vi -- --info --dev "vfio,id=a,bdf=$A" \
	>"$TMP/info.s.out" 2>"$TMP/info.s.err"
ok=1
grep -q "caps stop_copy+pre_copy+p2p, state running" "$TMP/info.s.out" && ok=0
report "--info: A has stop_copy+pre_copy+p2p, state running" $ok \
	"expected the caps line" info
sed 's/^/# /' "$TMP/info.s.out"
STATE=$(sed -n 's/.*, size \([0-9]*\) bytes.*/\1/p' "$TMP/info.s.out")

# 2. pre-copy with a guest writing into A, io_uring
$BAR fill "$A" 1
$BAR fill "$B" 2
B0=$($BAR digest "$B")
migrate precopy ",dirty_rate=4M" "" --max-precopy-time 20000
same_bars precopy "pre-copy + workload (io=uring): B's BAR2 equals A's"
# the guest's writes were tracked and sent again: more bytes than the state
moved=$(sed -n 's/^source: total time [0-9.]* ms, \([0-9]*\) bytes.*/\1/p' \
	"$TMP/precopy.s.out")
ok=1
[ "${moved:-0}" -gt "$STATE" ] && ok=0
report "pre-copy moved more than the state ($moved > $STATE bytes): dirty pages sent again" \
	$ok "expected more bytes than the device state" precopy

# 3. the same with plain read()/write() on both sides
$BAR fill "$A" 3
B0=$($BAR digest "$B")
migrate precopy_read ",io=read,dirty_rate=4M" ",io=read" \
	--max-precopy-time 20000
same_bars precopy_read "pre-copy + workload (io=read): B's BAR2 equals A's"

# 4. corrupted stream: the kernel rejects the record, B is reset, A runs
migrate corrupt ",corrupt_save=3" ""
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] && [ "$dst_rc" -ne 0 ] &&
	[ "$dst_rc" -ne 124 ] &&
	grep -q "vfio a: .*mig_vfio_pci\|vfio a: load" "$TMP/corrupt.d.err" &&
	grep -q "device a: state running" "$TMP/corrupt.s.err" && ok=0
report "corrupted stream: rejected by the kernel, A running" $ok \
	"expected both to fail, the destination quoting the kernel" corrupt
grep -h "dpdk-migrate: " "$TMP/corrupt.d.err" | head -n 2 | sed 's/^/# corrupt: /'

# 5. destination killed during pre-copy: the source fails, A running
PORT=$(free_port)
dst peerkill --transport "$XPORT" --dev "vfio,id=a,bdf=$B"
EAL_SAVED=$EAL
EAL="$EAL --log-level=mig.engine:debug"
src peerkill --transport "$XPORT" --dev "vfio,id=a,bdf=$A,dirty_rate=64M" \
	--downtime 1 --max-precopy-time 60000 --on-limit fail
EAL=$EAL_SAVED
i=0
while [ $i -lt 600 ] && ! grep -q "a: running -> pre_copy" "$TMP/peerkill.s.err"; do
	sleep 0.1
	i=$((i + 1))
done
sleep 2
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
wait_pid "$SPID" 30
src_rc=$?
SPID= DPID=
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] &&
	grep -q "device a: state running" "$TMP/peerkill.s.err" && ok=0
grep -q "a: running -> pre_copy" "$TMP/peerkill.s.err" || ok=1
report "destination killed during pre-copy: source fails, A running" $ok \
	"expected pre-copy, then a failure and 'device a: state running'" peerkill
grep -h "dpdk-migrate: " "$TMP/peerkill.s.err" | head -n 2 | sed 's/^/# peerkill: /'

# 6. A still migrates after all that
$BAR fill "$A" 4
B0=$($BAR digest "$B")
migrate again "" ""
same_bars again "after the failures: B's BAR2 equals A's"

# 7-8. STOP_COPY-only module mode
mod_unload
mod_load pre_copy=0
"$APP" -l 0 $EAL --file-prefix vi2 -- --info --dev "vfio,id=a,bdf=$A" \
	>"$TMP/info2.s.out" 2>"$TMP/info2.s.err"
ok=1
grep -q "caps stop_copy+p2p," "$TMP/info2.s.out" && ok=0
report "pre_copy=0: A has no pre_copy capability" $ok "caps line" info2
$BAR fill "$A" 5
B0=$($BAR digest "$B")
migrate stopcopy ",dirty_rate=4M" ""
same_bars stopcopy "STOP_COPY only: B's BAR2 equals A's"

# 10. a stream that ends early: the kernel refuses it on RESUMING -> STOP
migrate truncate ",truncate_save=3" ""
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] && [ "$dst_rc" -ne 0 ] &&
	[ "$dst_rc" -ne 124 ] &&
	grep -q "resuming -> stop: the kernel driver mig_vfio_pci refused" "$TMP/truncate.d.err" &&
	grep -q "device a: state running" "$TMP/truncate.s.err" && ok=0
report "incomplete stream: the kernel refuses RESUMING -> STOP, A running" \
	$ok "expected the destination to quote the refused arc" truncate
grep -h "dpdk-migrate: " "$TMP/truncate.d.err" | head -n 2 | sed 's/^/# truncate: /'
mod_unload

# 11. the kernel said nothing bad
dmesg >"$TMP/dmesg.s.out"
ok=1
grep -qE "WARNING|BUG|Oops|lockdep|leak" "$TMP/dmesg.s.out" || ok=0
report "no kernel warning" $ok "dmesg has warnings" dmesg

[ "$FAILED" -eq 0 ]
