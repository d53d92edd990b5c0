#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# A peer that closes its TCP streams right after its last frame: the
# frame is not lost behind the close of another stream. The source is
# stopped (SIGSTOP) as soon as it has sent everything, the destination
# commits, sends DONE and closes; when the source runs again, both DONE
# and the closes are in its sockets, and it must complete (the DONE) rather
# than fail on the close of stream 1 and resume devices the destination
# already runs. Likewise a destination that aborts: the source names the
# destination's reason, not "peer closed the connection". TAP.
#
#   peer_close.sh <path to dpdk-migrate>

APP=${1:?usage: peer_close.sh <dpdk-migrate>}
. "$(dirname "$0")/lib.sh"
mt_init mig-pclose 256 "peer closes after its last frame"

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"
K="--key $TMP/key"

# wait_for <file> <fixed string> <tenths of a second>
wait_for()
{
	i=0
	while [ $i -lt "$3" ] && ! grep -qF -- "$2" "$1" 2>/dev/null; do
		sleep 0.02
		i=$((i + 1))
	done
}

start()
{
	PORT=$(free_port)
	: >"$TMP/d.out"
	: >"$TMP/s.err"
	# shellcheck disable=SC2086
	mt_app "$PREFIX-$1-d" --role destination --listen "127.0.0.1:$PORT" \
		$K -v $3 >"$TMP/d.out" 2>"$TMP/d.err" &
	DPID=$!
	wait_for "$TMP/d.out" "listening on" 1500
	# shellcheck disable=SC2086
	mt_app "$PREFIX-$1-s" --role source --peer "127.0.0.1:$PORT" \
		$K -v $2 >"$TMP/s.out" 2>"$TMP/s.err" &
	SPID=$!
}

echo "1..2"

# (1) DONE then close, while the source is stopped
start commit "--dev sim,id=a,size=4M,caps=stop_copy,seed=3" \
	"--dev sim,id=a,size=4M,caps=stop_copy,latency=400ms"
wait_for "$TMP/s.err" "step commit at" 1500
kill -STOP "$SPID"
# the destination: last loads, commit, DONE, 2 s linger, close
wait_pid "$DPID" 20
dst_rc=$?
kill -CONT "$SPID"
wait_pid "$SPID" 20
src_rc=$?
SPID='' DPID=''
ok=1
[ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] &&
	digests_equal "$TMP/s.out" "$TMP/d.out" && ok=0
report "source stopped until the destination committed and closed: it finds DONE and completes" $ok \
	"expected both to succeed with equal digests (source $src_rc, destination $dst_rc)" \
	"$TMP/s.err" "$TMP/d.err"

# (2) the destination's load fails: its ABORT reaches the source before
# the close of its streams is reported (4 streams)
start abort "--transport tcp,streams=4 --dev sim,id=a,size=16M,caps=stop_copy,seed=3" \
	"--dev sim,id=a,size=16M,caps=stop_copy,fail_load=6"
wait_pid "$SPID" 30
src_rc=$?
wait_pid "$DPID" 30
dst_rc=$?
SPID='' DPID=''
ok=1
[ "$src_rc" -ne 0 ] && [ "$dst_rc" -ne 0 ] &&
	grep -q "^dpdk-migrate: source, step [a-z-]*: peer aborted (its step stop-copy): destination, step stop-copy: device a: load of chunk 5 failed" "$TMP/s.err" &&
	ok=0
report "destination load fails: the source names the destination's reason" $ok \
	"expected 'peer aborted ... device a: load of chunk 5 failed' from the source: $(grep '^dpdk-migrate: source,' "$TMP/s.err")" \
	"$TMP/d.err"

mt_done
