#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario (tests/lab/lab.sh --ivshmem 1): dpdk-migrate --check on an
# ivshmem device bound to mig_vfio_pci (doc/checking.md). TAP on stdout;
# each report is kept in the results directory (check-<run>.txt, .json).
#
# Args: configs  --check passes in every module configuration (default)
#       faults   --check fails, naming the rules broken and no other, for
#                each fault of the module's debug parameter fault=
#                (kernel/mvp_fault.c)
WHAT=${1:-configs}
. "$LAB_ROOT/tests/lab/vfio_lib.sh"

# shellcheck disable=SC2086 # LAB_IVSHMEM is a list of BDFs
set -- $LAB_IVSHMEM
[ $# -ge 1 ] || bail "needs an ivshmem device (lab.sh --ivshmem 1), got '$LAB_IVSHMEM'"
A=$1
FAULT=/sys/module/mig_vfio_pci/parameters/fault
echo "# A=$A kernel $LAB_KVER: $WHAT"
dmesg -C

# run_check <run> [devargs extra]: --check on A; its exit status in rc, the
# failed rules in failed
run_check()
{
	rc=0
	# shellcheck disable=SC2086 # EAL is a list of options
	"$APP" -l 0 $EAL --file-prefix "chk-$1" -- --check "vfio,id=a,bdf=$A${2-}" \
		--json "$TMP/$1.json" >"$TMP/$1.out" 2>"$TMP/$1.err" || rc=$?
	failed=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(x["id"] for x in r["rules"] if x["result"] == "fail"))' \
		"$TMP/$1.json" 2>/dev/null)
	cp "$TMP/$1.out" "$LAB_RESULTS/check-$1.txt"
	cp "$TMP/$1.json" "$LAB_RESULTS/check-$1.json" 2>/dev/null
	sed -n 's/^a: \(.*rules.*\)/# '"$1"': \1/p' "$TMP/$1.out"
}

# a configuration: "name:module parameters[:vfio devargs]"
CONFIGS="default: pre_copy0:pre_copy=0 p2p0:p2p=0 stop_copy_only:pre_copy=0,p2p=0 dma_log1:dma_log=1 dma_log0:dma_log=0 io_read::io=read"
# fault:the rules that must fail, and no other (+ between rules)
FAULTS="precopy_grow:precopy_info data_after_end:stop_copy_end no_enomsg:precopy_end stuck_arc:arcs+combination accept_truncated:resume_truncated data_size_lie:data_size p2p_no_info:p2p reset_ignored:reset"

case "$WHAT" in
configs)
	echo "1..$(($(echo "$CONFIGS" | wc -w) + 1))"
	for c in $CONFIGS; do
		run=${c%%:*}
		rest=${c#*:}
		params=$(echo "${rest%%:*}" | tr , ' ')
		devx=
		[ "$rest" != "${rest#*:}" ] && devx=,${rest#*:}
		# shellcheck disable=SC2086 # params is a list
		mod_load $params
		run_check "$run" "$devx"
		ok=1
		[ "$rc" -eq 0 ] && [ -z "$failed" ] && grep -q ', 0 failed' "$TMP/$run.out" && ok=0
		report "--check passes on mig_vfio_pci ${params:-(default parameters)}${devx:+, devargs $devx}" $ok \
			"exit status $rc, failed rules: $failed" "$run"
		mod_unload
	done
	;;
faults)
	echo "1..$(($(echo "$FAULTS" | wc -w) + 2))"
	mod_load
	run_check none
	ok=1
	[ "$rc" -eq 0 ] && [ -z "$failed" ] && ok=0
	report "--check passes with fault=none" $ok "exit status $rc, failed rules: $failed" none
	for f in $FAULTS; do
		fault=${f%%:*}
		rules=$(echo "${f#*:}" | tr + ' ')
		echo "$fault" >"$FAULT" || bail "cannot set fault=$fault"
		run_check "$fault"
		echo none >"$FAULT"
		echo "# $fault: exit status $rc, failed rules: $failed"
		ok=1
		[ "$rc" -ne 0 ] && [ "$failed" = "$rules" ] && ok=0
		report "fault=$fault: --check fails, naming rules $rules and no other" $ok \
			"exit status $rc, failed rules: '$failed'" "$fault"
	done
	mod_unload
	;;
*)
	bail "unknown argument '$WHAT' (configs or faults)"
	;;
esac

ok=1
dmesg | grep -E -q 'WARNING:|BUG:|Oops|INFO: task .* blocked' || ok=0
report "kernel log has no WARNING/BUG/Oops/hung task" $ok "$(dmesg | grep -E -m3 'WARNING:|BUG:|Oops|blocked')"
[ "$FAILED" -eq 0 ]
