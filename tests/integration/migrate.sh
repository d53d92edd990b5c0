#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# End-to-end migrations between two dpdk-migrate processes over loopback
# TCP (sim devices): success cases check that the destination's device
# digests equal the source's; failure cases check exit codes, messages
# and final device states. Hugepages when available, --no-huge otherwise
# (MIG_TEST_NO_HUGE=1 forces it). Output is TAP.
#
#   migrate.sh <path to dpdk-migrate>

APP=${1:?usage: migrate.sh <dpdk-migrate>}
. "$(dirname "$0")/lib.sh"
mt_init mig-mig 256 "migrations"

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"
head -c 32 /dev/urandom >"$TMP/key2"

# dst <name> <app options...>: start the destination in the background
dst()
{
	n=$(echo "$1" | tr -c 'a-zA-Z0-9\n' -)
	shift
	# empty now: the background job truncates it only once it runs, and
	# the previous destination's "listening on" must not be seen
	: >"$TMP/d.out"
	mt_app "$PREFIX-$n-d" --role destination --listen "127.0.0.1:$PORT" "$@" >"$TMP/d.out" 2>"$TMP/d.err" &
	DPID=$!
	# wait until it listens (30 s at most: EAL start-up is slow on a
	# loaded machine)
	i=0
	while [ $i -lt 300 ] && ! grep -q "listening on" "$TMP/d.out"; do
		sleep 0.1
		i=$((i + 1))
	done
}

# src <name> <app options...>: run the source in the background
src()
{
	n=$(echo "$1" | tr -c 'a-zA-Z0-9\n' -)
	shift
	mt_app "$PREFIX-$n-s" --role source --peer "127.0.0.1:$PORT" "$@" >"$TMP/s.out" 2>"$TMP/s.err" &
	SPID=$!
}

# mreport <name> <0: ok> <why>: report with both sides' exit status and
# output on failure
mreport()
{
	report "$1" "$2" "$3 (source $src_rc, destination $dst_rc)" \
		"$TMP/s.out" "$TMP/s.err" "$TMP/d.out" "$TMP/d.err"
}

# pair <name> <seconds> "<source options>" "<destination options>": one
# migration; sets src_rc and dst_rc (124: killed after the limit).
pair()
{
	PORT=$(free_port)
	# shellcheck disable=SC2086 # option lists
	dst "$1" $4
	# shellcheck disable=SC2086
	src "$1" $3
	wait_both "$2"
}

# wait_both <seconds>: the source (at most <seconds>), then the
# destination (20 s at most); sets src_rc and dst_rc (124: killed)
wait_both()
{
	wait_pid "$SPID" "$1"
	src_rc=$?
	wait_pid "$DPID" 20
	dst_rc=$?
	SPID='' DPID=''
}

# failed <rc>: exited non-zero by itself (not killed by the time limit)
failed()
{
	[ "$1" -ne 0 ] && [ "$1" -ne 124 ]
}

# migrate_ok <name> "<source options>" "<destination options>": both
# succeed and the destination's device digests equal the source's; sets
# ok (0 when so) for more checks, the caller reports.
migrate_ok_quiet()
{
	pair "$1" 120 "$2" "$3"
	ok=1
	[ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] &&
		digests_equal "$TMP/s.out" "$TMP/d.out" && ok=0
	sed -n 's/^source: \(total time.*\)/# '"$1"': \1/p' "$TMP/s.out"
}

# Dirtying devices converge slowly on a loaded machine: switch over after
# 10 s of pre-copy at most (the outcome is checked the same way).
MAXPRE="--max-precopy-time 10000"

# migrate_ok <name> <source devs> <destination devs>: with the key
migrate_ok()
{
	migrate_ok_quiet "$1" "--key $TMP/key $MAXPRE $2" "--key $TMP/key $3"
	mreport "$1" $ok "expected both to succeed with equal device digests"
}

echo "1..23"

# summary_bytes <out>: "total stop-copy" byte counts of a source summary
summary_bytes()
{
	sed -n 's/^source: total time [0-9.]* ms, \([0-9]*\) bytes.*/\1/p' "$1"
	sed -n 's/^source: pre-copy rounds .*, stop-copy \([0-9]*\) bytes$/\1/p' "$1"
}

migrate_ok "stop-copy only device" \
	"--dev sim,id=a,size=64M,caps=stop_copy,seed=3" \
	"--dev sim,id=a,size=64M,caps=stop_copy"
set -- $(summary_bytes "$TMP/s.out")
# the downtime's three parts add up to it (to the printed 3 decimals)
parts=$(sed -n 's/^source: pre-copy rounds .*, downtime \([0-9.]*\) ms,.*/\1/p; s/^source: downtime: devices to stop-copy \([0-9.]*\) ms, stop-copy data \([0-9.]*\) ms, destination until DONE \([0-9.]*\) ms$/\1 \2 \3/p' "$TMP/s.out" | tr '\n' ' ')
ok=1
[ $# -eq 2 ] && [ "$1" -gt 67108864 ] && [ "$1" -eq "$2" ] &&
	! grep -q "switchover on" "$TMP/s.out" &&
	echo "$parts" | awk 'NF == 4 && $3 > 0 && ($2 + $3 + $4 - $1) < 0.003 && ($1 - $2 - $3 - $4) < 0.003 { ok = 1 } END { exit !ok }' &&
	ok=0
mreport "stop-copy only: every byte is stop-copy, no pre-copy decision, downtime parts add up" $ok \
	"expected 'stop-copy N bytes' equal to the total, no 'switchover on' line, downtime = its 3 parts: $* / $parts"

migrate_ok "pre-copy device with dirty_rate" \
	"--dev sim,id=a,size=64M,page=4K,caps=pre_copy,dirty_rate=32M,seed=9" \
	"--dev sim,id=a,size=64M,page=4K,caps=pre_copy"
set -- $(summary_bytes "$TMP/s.out")
ok=1
[ $# -eq 2 ] && [ "$2" -gt 0 ] && [ "$2" -lt 67108864 ] && [ "$1" -gt "$2" ] &&
	grep -q "^source: switchover on [0-9]* bytes pending + [0-9]* in flight at [0-9.]* MB/s: estimated downtime [0-9.]* ms$" "$TMP/s.out" &&
	ok=0
mreport "pre-copy: stop-copy bytes below the state size, the decision's estimate printed" $ok \
	"expected 0 < stop-copy bytes < 64 MiB < total and a 'switchover on ... estimated downtime' line: $* / $(grep switchover "$TMP/s.out")"

migrate_ok "4 devices" \
	"--dev sim,id=a,size=32M,caps=pre_copy,seed=1 --dev sim,id=b,size=16M,caps=stop_copy,seed=2 --dev sim,id=c,size=8M,page=4K,caps=pre_copy,dirty_rate=8M,seed=3 --dev sim,id=d,size=1M,seed=4" \
	"--dev sim,id=a,size=32M,caps=pre_copy --dev sim,id=b,size=16M,caps=stop_copy --dev sim,id=c,size=8M,page=4K,caps=pre_copy --dev sim,id=d,size=1M"

migrate_ok "6 GiB device" \
	"--dev sim,id=big,size=6G,page=1M,caps=stop_copy,seed=6" \
	"--dev sim,id=big,size=6G,page=1M,caps=stop_copy"

# P2P: a P2P device and a STOP_COPY-only one in one session. Every P2P
# arc of the source comes before any device stops; the destination
# resumes the P2P device through RUNNING_P2P; the other never sees P2P.
K="--key $TMP/key"
migrate_ok_quiet "p2p" \
	"-v $K $MAXPRE --dev sim,id=p,size=32M,page=4K,caps=pre_copy+p2p,dirty_rate=8M,seed=5 --dev sim,id=n,size=16M,caps=stop_copy,seed=6" \
	"-v $K --dev sim,id=p,size=32M,page=4K,caps=pre_copy+p2p --dev sim,id=n,size=16M,caps=stop_copy"
p2p=$(grep -n "p: pre_copy -> pre_copy_p2p" "$TMP/s.err" | head -1 | cut -d: -f1)
stop=$(grep -n -- "-> stop" "$TMP/s.err" | head -1 | cut -d: -f1)
[ "$ok" -eq 0 ] && [ -n "$p2p" ] && [ -n "$stop" ] && [ "$p2p" -lt "$stop" ] &&
	has "$TMP/s.err" "p: pre_copy_p2p -> stop_copy" &&
	has "$TMP/d.err" "p: running_p2p -> running" &&
	! grep -q "n: [a-z_]* -> [a-z_]*p2p" "$TMP/s.err" "$TMP/d.err" || ok=1
mreport "P2P device quiesced through PRE_COPY_P2P before any stop, digests equal" $ok \
	"expected equal digests, 'p: pre_copy -> pre_copy_p2p' before the first '-> stop', 'p: running_p2p -> running' on the destination, no p2p arc for n"

migrate_ok_quiet "streams4" \
	"-v $K $MAXPRE --transport tcp,streams=4 --dev sim,id=a,size=128M,page=1M,caps=pre_copy,dirty_rate=4M,seed=8 --dev sim,id=b,size=64M,caps=stop_copy,seed=9" \
	"-v $K --transport tcp,streams=4 --dev sim,id=a,size=128M,page=1M,caps=pre_copy --dev sim,id=b,size=64M,caps=stop_copy"
[ "$ok" -eq 0 ] && has "$TMP/s.err" "4 streams" &&
	has "$TMP/d.err" "session of 4 streams accepted" || ok=1
mreport "--transport tcp,streams=4: 4 streams connected, digests equal" $ok \
	"expected equal digests and a 4-stream session on both sides"

migrate_ok_quiet "insecure" \
	"--insecure $MAXPRE --dev sim,id=a,size=32M,page=4K,caps=pre_copy,dirty_rate=8M,seed=10" \
	"--insecure --dev sim,id=a,size=32M,page=4K,caps=pre_copy"
mreport "--insecure on both sides: migration succeeds, digests equal" $ok \
	"expected both to succeed with equal device digests"

pair insecure-src 20 "--insecure --dev sim,id=a,size=8M,seed=2" \
	"$K --dev sim,id=a,size=8M"
ok=1
failed "$src_rc" && failed "$dst_rc" &&
	has "$TMP/d.err" "peer does not authenticate" &&
	has "$TMP/s.err" "device a: state running" && ok=0
mreport "--insecure source, keyed destination: refused by the destination" $ok \
	"expected both to fail, the destination with 'peer does not authenticate'"

pair insecure-dst 20 "$K --dev sim,id=a,size=8M,seed=2" \
	"--insecure --dev sim,id=a,size=8M"
ok=1
failed "$src_rc" && failed "$dst_rc" &&
	has "$TMP/s.err" "peer does not authenticate" &&
	has "$TMP/s.err" "device a: state running" && ok=0
mreport "keyed source, --insecure destination: refused by the source" $ok \
	"expected both to fail, the source with 'peer does not authenticate' and its device running"

PORT=$(free_port)
src nokey --dev sim,id=a,size=8M
wait_pid "$SPID" 10
src_rc=$?
dst_rc=none
SPID=
ok=1
failed "$src_rc" && has "$TMP/s.err" "no pre-shared key" && ok=0
mreport "neither --key nor --insecure: refused before connecting" $ok \
	"expected failure naming 'no pre-shared key'"

# --on-limit fail: a device dirtying faster than it can be saved never
# converges to a 1 ms downtime; at the pre-copy time limit the migration
# is refused instead of switching over, the source device keeps running.
pair onlimit 30 \
	"$K --downtime 1 --max-precopy-time 3000 --on-limit fail --dev sim,id=a,size=16M,page=4K,caps=pre_copy,dirty_rate=1G,bandwidth=256M,seed=11" \
	"$K --dev sim,id=a,size=16M,page=4K,caps=pre_copy"
ok=1
failed "$src_rc" && failed "$dst_rc" &&
	has "$TMP/s.err" "pre-copy did not converge" &&
	has "$TMP/s.err" "device a: state running" &&
	has "$TMP/d.err" "device a: state running (reset)" && ok=0
mreport "--on-limit fail: not converging is refused, source device running" $ok \
	"expected both to fail, the source with 'pre-copy did not converge' and device a running, the destination reset"

# (e) wrong key: both fail, both say why
pair wrongkey 20 "--key $TMP/key2 --dev sim,id=a,size=8M" \
	"--key $TMP/key --dev sim,id=a,size=8M"
ok=1
failed "$src_rc" && failed "$dst_rc" &&
	grep -q "authentication failed" "$TMP/s.err" &&
	grep -q "authentication failed" "$TMP/d.err" && ok=0
mreport "wrong key: both exit non-zero naming authentication" $ok \
	"expected 'authentication failed' from both"

# (f) destination killed mid-transfer
PORT=$(free_port)
dst dstkill --key "$TMP/key" --dev sim,id=a,size=4G,page=1M,caps=stop_copy
src dstkill --key "$TMP/key" \
	--dev sim,id=a,size=4G,page=1M,caps=stop_copy,bandwidth=200M
sleep 2
kill_side d 15
ok=1
failed "$src_rc" &&
	grep -q "step " "$TMP/s.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
mreport "destination killed: source fails within 15 s, devices running" $ok \
	"expected a failure naming the step and 'device a: state running'"

# (g) source killed mid-transfer
PORT=$(free_port)
dst srckill --key "$TMP/key" --dev sim,id=a,size=4G,page=1M,caps=stop_copy
src srckill --key "$TMP/key" \
	--dev sim,id=a,size=4G,page=1M,caps=stop_copy,bandwidth=200M
sleep 2
kill_side s 15
ok=1
[ "$dst_rc" -ne 0 ] && [ "$dst_rc" -ne 124 ] &&
	grep -q "destination, step stop-copy" "$TMP/d.err" &&
	grep -q "device a: state running (reset)" "$TMP/d.err" && ok=0
mreport "source killed: destination fails in step stop-copy (STOP_COPY-only device), devices reset" $ok \
	"expected a failure naming step stop-copy and the device reset"

# (g2) destination killed while saves are in the device for longer than
# the 5 s recovery warning: the source waits for them instead of resetting
# the device (its state would be lost), says so, and the device runs
PORT=$(free_port)
dst slowsave --key "$TMP/key" --dev sim,id=a,size=64M,page=1M,caps=stop_copy
src slowsave --key "$TMP/key" \
	--dev sim,id=a,size=64M,page=1M,caps=stop_copy,latency=8s
sleep 2
kill_side d 30
ok=1
failed "$src_rc" && grep -q "still in the device after" "$TMP/s.err" &&
	! grep -q "state is lost" "$TMP/s.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
mreport "destination killed during 8 s saves: source waits for them, device running, not reset" $ok \
	"expected the wait to be reported, no reset, 'device a: state running'"

# (g3) --timeout: a destination told to give up after 1 s without
# progress does so while the source's saves take 3 s, naming the cause;
# the source then fails too and its device runs
PORT=$(free_port)
dst timeout --key "$TMP/key" --timeout 1000 \
	--dev sim,id=a,size=16M,page=1M,caps=stop_copy
src timeout --key "$TMP/key" \
	--dev sim,id=a,size=16M,page=1M,caps=stop_copy,latency=3s
wait_both 20
ok=1
failed "$dst_rc" && grep -q "no progress for 1.0 s" "$TMP/d.err" &&
	failed "$src_rc" && grep -q "device a: state running" "$TMP/s.err" &&
	ok=0
mreport "--timeout 1000: the destination gives up after 1 s without progress" $ok \
	"expected 'no progress for 1.0 s' from the destination, the source's device running"

# (h) a corrupted chunk is detected
pair corrupt 20 \
	"--key $TMP/key --dev sim,id=a,size=16M,caps=stop_copy,corrupt_save=3" \
	"--key $TMP/key --dev sim,id=a,size=16M,caps=stop_copy"
ok=1
failed "$src_rc" && failed "$dst_rc" && grep -q "corrupt" "$TMP/d.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
mreport "corrupted chunk detected, both fail" $ok \
	"expected both to fail, the destination naming the corruption"

# (i) a byte flipped on the wire (a proxy inverts byte 3000000 of the
# first connection, inside a chunk payload) is caught by the payload CRC,
# which the destination checks on the device's lcore
PORT=$(free_port)
dst flip --key "$TMP/key" --dev sim,id=a,size=16M,caps=stop_copy
rm -f "$TMP/proxy.port"
python3 "$(dirname "$0")/flip_proxy.py" 0 "$PORT" 3000000 "$TMP/proxy.port" &
PPID_=$!
i=0
while [ $i -lt 100 ] && [ ! -s "$TMP/proxy.port" ]; do
	sleep 0.1
	i=$((i + 1))
done
dport=$PORT
PORT=$(cat "$TMP/proxy.port")
src flip --key "$TMP/key" --dev sim,id=a,size=16M,caps=stop_copy
PORT=$dport
wait_both 20
kill "$PPID_" 2>/dev/null
ok=1
failed "$src_rc" && failed "$dst_rc" &&
	grep -q "device a: chunk [0-9]*: payload CRC mismatch" "$TMP/d.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
mreport "byte flipped on the wire: payload CRC mismatch" $ok \
	"expected both to fail, the destination naming the CRC mismatch"

# (j) a pre-copy that waits longer than --timeout with nothing to send (the
# downtime limit 0 never fits, so it runs to --max-precopy-time): the
# source's KEEPALIVE and the destination's echo keep both sides alive
migrate_ok_quiet "keepalive" \
	"--key $TMP/key --timeout 2000 --downtime 0 --max-precopy-time 6000 --dev sim,id=a,size=16M,caps=pre_copy,seed=4" \
	"--key $TMP/key --timeout 2000 --dev sim,id=a,size=16M,caps=pre_copy"
mreport "pre-copy waiting 6 s with --timeout 2000: keepalives, digests equal" $ok \
	"expected both to succeed with equal device digests"

# (k) the same wait with the destination stopped (SIGSTOP): no echo, so
# the source gives up after --timeout, its device running
PORT=$(free_port)
dst ka-stop --key "$TMP/key" --timeout 2000 --dev sim,id=a,size=16M,caps=pre_copy
src ka-stop --key "$TMP/key" --timeout 2000 --downtime 0 --max-precopy-time 60000 \
	--dev sim,id=a,size=16M,caps=pre_copy,seed=4
i=0
while [ $i -lt 100 ] && ! grep -q "switchover-ack\|pre-copy" "$TMP/s.err" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
kill -STOP "$DPID"
wait_pid "$SPID" 20
src_rc=$?
kill -9 "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null
dst_rc=killed
SPID='' DPID=''
ok=1
failed "$src_rc" && grep -q "step pre-copy: no progress for 2.0 s" "$TMP/s.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
mreport "destination stopped during a waiting pre-copy: the source gives up, device running" $ok \
	"expected the source to fail in step pre-copy after 2 s without progress, its device running"

# (l) destination loads that take 1.5 s each, with --timeout 2000: the
# source has sent everything and waits; the destination's KEEPALIVEs
# from stop-copy on keep it waiting instead of giving up
migrate_ok_quiet "slow loads" \
	"--key $TMP/key --timeout 2000 --dev sim,id=a,size=16M,page=1M,caps=stop_copy,seed=3" \
	"--key $TMP/key --timeout 2000 --dev sim,id=a,size=16M,page=1M,caps=stop_copy,latency=1500ms"
mreport "destination loads of 1.5 s with --timeout 2000: the source waits, digests equal" $ok \
	"expected both to succeed with equal device digests"

mt_done
