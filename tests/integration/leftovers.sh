#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Nothing is left behind by a killed dpdk-migrate: no hugepage file
# (/dev/hugepages/<prefix>*, which would keep its pages reserved) and no
# socket in the EAL runtime directory (mp_socket, dpdk_telemetry.v2).
# The application runs with --in-memory and --no-telemetry by default
# (apps/dpdk-migrate/app_eal.c). Hugepages when available, --no-huge
# otherwise (then only the sockets are checked). TAP.
#
#   leftovers.sh <path to dpdk-migrate>

APP=${1:?usage: leftovers.sh <dpdk-migrate>}
. "$(dirname "$0")/lib.sh"
mt_init mig-left 256 "leftovers of killed processes"

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"

# leftovers <prefix>: hugepage files and sockets of that EAL prefix
leftovers()
{
	ls -d /dev/hugepages/"$1"* 2>/dev/null
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk"; do
		[ -d "$d/$1" ] && find "$d/$1" -type s
	done
}

# wait_for <file> <fixed string>: 30 s at most
wait_for()
{
	i=0
	while [ $i -lt 300 ] && ! grep -qF -- "$2" "$1" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}

echo "1..3"

# (1) a destination killed while it listens (its pool is allocated)
PORT=$(free_port)
: >"$TMP/d.out"
mt_app "$PREFIX-d1" --role destination --listen "127.0.0.1:$PORT" \
	--key "$TMP/key" --dev sim,id=a,size=8M >"$TMP/d.out" 2>"$TMP/d.err" &
DPID=$!
wait_for "$TMP/d.out" "listening on"
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
DPID=
left=$(leftovers "$PREFIX-d1")
ok=1
has "$TMP/d.out" "listening on" && [ -z "$left" ] && ok=0
report "destination killed while listening: no hugepage file, no socket left" $ok \
	"left behind: $(echo "$left" | tr '\n' ' ' | head -c 300)" "$TMP/d.err"

# (2) both sides killed in the middle of a transfer
PORT=$(free_port)
: >"$TMP/d.out"
mt_app "$PREFIX-d2" --role destination --listen "127.0.0.1:$PORT" \
	--key "$TMP/key" --dev sim,id=a,size=1G,page=1M,caps=stop_copy \
	>"$TMP/d.out" 2>"$TMP/d.err" &
DPID=$!
wait_for "$TMP/d.out" "listening on"
mt_app "$PREFIX-s2" --role source --peer "127.0.0.1:$PORT" -v \
	--key "$TMP/key" --dev sim,id=a,size=1G,page=1M,caps=stop_copy,bandwidth=100M \
	>"$TMP/s.out" 2>"$TMP/s.err" &
SPID=$!
wait_for "$TMP/s.err" "step stop-copy"
sleep 0.5
kill -9 "$SPID" "$DPID"
wait "$SPID" 2>/dev/null
wait "$DPID" 2>/dev/null
SPID='' DPID=''
left="$(leftovers "$PREFIX-s2") $(leftovers "$PREFIX-d2")"
ok=1
has "$TMP/s.err" "step stop-copy" && [ -z "$(echo "$left" | tr -d ' \n')" ] && ok=0
report "source and destination killed during stop-copy: nothing left" $ok \
	"left behind: $(echo "$left" | tr '\n' ' ' | head -c 300)" "$TMP/s.err"

# (3) the user's own EAL choice wins: --huge-unlink=never keeps the files
# (on hugepages only)
if [ -n "$MEM" ]; then
	report "explicit EAL memory options are kept # SKIP without hugepages" 0 ""
else
	PORT=$(free_port)
: >"$TMP/d.out"
	"$APP" -l 0 --no-pci --file-prefix "$PREFIX-d3" --huge-unlink=never \
		--log-level=lib.eal:warning -- --role destination \
		--listen "127.0.0.1:$PORT" --key "$TMP/key" --dev sim,id=a,size=8M \
		>"$TMP/d.out" 2>"$TMP/d.err" &
	DPID=$!
	wait_for "$TMP/d.out" "listening on"
	kill -9 "$DPID"
	wait "$DPID" 2>/dev/null
	DPID=
	n=$(ls -d /dev/hugepages/"$PREFIX-d3"* 2>/dev/null | wc -l)
	rm -f /dev/hugepages/"$PREFIX-d3"*
	ok=1
	[ "$n" -gt 0 ] && ok=0
	report "explicit EAL memory options are kept (--huge-unlink=never: $n files)" $ok \
		"expected hugepage files with --huge-unlink=never" "$TMP/d.err"
fi

mt_done
