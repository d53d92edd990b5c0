#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# One dpdk-migrate agent of the offload_*.sh lab scenarios, started or
# stopped from the scenario or from qemu_mig.py (--interrupt-cmd,
# --between-cmd): its pid, output and errors are in AG_TMP/NAME.{pid,out,err}.
#
#   offload_agent.sh start NAME BDF[,BDF...]   attach, wait until attached
#   offload_agent.sh stop NAME                 SIGTERM: exits, detached
#   offload_agent.sh kill NAME                 SIGKILL, as a crash
#
# Agent "s" listens on port 7300 and pairs with "d" on 7301 and the other
# way round, both on LAB_RDMA_IP, over XPORT (tcp or rdma), with the key
# AG_TMP/key. Devices are named d0, d1... in the order given: the same
# names on both sides.
set -u
APP=$LAB_BUILD/apps/dpdk-migrate/dpdk-migrate
n=$2
pidf=$AG_TMP/$n.pid

# wait_gone PID: until the process is gone, 30 s at most
wait_gone()
{
	i=0
	while [ $i -lt 300 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

case $1 in
start)
	if [ "$n" = s ]; then listen=7300 peer=7301; else listen=7301 peer=7300; fi
	devs=
	i=0
	for b in $(echo "$3" | tr ',' ' '); do
		devs="$devs --dev vfio_offload,id=d$i,bdf=$b"
		i=$((i + 1))
	done
	# a fresh output per run, the earlier ones kept in NAME.log
	[ -f "$AG_TMP/$n.out" ] && cat "$AG_TMP/$n.out" >>"$AG_TMP/$n.log"
	: >"$AG_TMP/$n.out"
	# shellcheck disable=SC2086 # a list of options
	setsid "$APP" -l 0 --no-pci --no-huge -m 256 --file-prefix "ag-$n" \
		--log-level=lib.eal:warning -- --role agent \
		--key "$AG_TMP/key" --transport "$XPORT" \
		--listen "$LAB_RDMA_IP:$listen" --peer "$LAB_RDMA_IP:$peer" \
		$devs >>"$AG_TMP/$n.out" 2>>"$AG_TMP/$n.err" </dev/null &
	echo $! >"$pidf"
	i=0
	while [ $i -lt 300 ] && ! grep -q "device(s) attached" "$AG_TMP/$n.out"; do
		kill -0 "$(cat "$pidf")" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "device(s) attached" "$AG_TMP/$n.out"
	;;
stop)
	pid=$(cat "$pidf") && rm -f "$pidf" && kill -TERM "$pid" &&
		wait_gone "$pid" &&
		tail -n 1 "$AG_TMP/$n.out" | grep -q "device(s) detached"
	;;
kill)
	pid=$(cat "$pidf") && rm -f "$pidf" && kill -9 "$pid" &&
		wait_gone "$pid"
	;;
*)
	echo "usage: offload_agent.sh start|stop|kill NAME [BDF,...]" >&2
	exit 2
	;;
esac
