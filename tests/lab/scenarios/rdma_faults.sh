#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario: failures over the RDMA transport on rxe0. Connection
# errors are immediate and say why (nobody listening, no route); a wrong
# key fails both sides naming authentication; a destination killed during
# the transfer (both sides' QPs connected, data flowing) leaves the
# source's devices RUNNING within seconds, a killed source makes the
# destination reset its devices; nothing hangs. TAP.
. "$(dirname "$0")/../rdma_common.sh"

echo "1..6"

# connected <qps>: wait (60 s at most) until the source and the
# destination each have <qps> RC QPs in RTS (the session is connected),
# then let data flow for 3 s
rts()
{
	rdma resource show qp 2>/dev/null | grep 'type RC state RTS' |
		grep -c "pid $1 "
}
connected()
{
	i=0
	while [ $i -lt 600 ] && { [ "$(rts "$SPID")" -lt "$1" ] ||
			[ "$(rts "$DPID")" -lt "$1" ]; }; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "# source $(rts "$SPID") and destination $(rts "$DPID") QPs in RTS after $((i / 10)) s"
	sleep 3
}

# (1) nobody listens on the port: the peer's CM refuses at once
src_rc= dst_rc=-
PORT=7999
src refused --insecure --transport rdma,connect_timeout=5s \
	--dev sim,id=a,size=1M
wait_pid "$SPID" 20
src_rc=$?
SPID=
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] &&
	grep -q "refused the connection" "$TMP/s.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
report "rdma: connect to a port nobody listens on is refused" $ok \
	"expected 'refused the connection' and the device running"

# (2) an address no RDMA device reaches: fails before the timeout
PORT=7000
saved_ip=$LAB_RDMA_IP
LAB_RDMA_IP=10.98.0.1
src noroute --insecure --transport rdma,connect_timeout=5s \
	--dev sim,id=a,size=1M
LAB_RDMA_IP=$saved_ip
wait_pid "$SPID" 20
src_rc=$?
SPID=
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] &&
	grep -Eq "not reachable through an RDMA device|no route to|does not answer|timed out" "$TMP/s.err" &&
	grep -q "10.98.0.1" "$TMP/s.err" && ok=0
report "rdma: unreachable address fails naming the address" $ok \
	"expected an address resolution error naming 10.98.0.1"

# (3) wrong key: both fail and say why
dst wrongkey --key "$TMP/key" --transport rdma --dev sim,id=a,size=4M
src wrongkey --key "$TMP/key2" --transport rdma --dev sim,id=a,size=4M
wait_pid "$SPID" 30
src_rc=$?
wait_pid "$DPID" 30
dst_rc=$?
SPID= DPID=
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] && [ "$dst_rc" -ne 0 ] &&
	[ "$dst_rc" -ne 124 ] &&
	grep -q "authentication failed" "$TMP/s.err" &&
	grep -q "authentication failed" "$TMP/d.err" && ok=0
report "rdma: wrong key, both exit non-zero naming authentication" $ok \
	"expected 'authentication failed' from both"

# (4) destination killed mid-transfer
dst dstkill --key "$TMP/key" --transport rdma \
	--dev sim,id=a,size=1G,page=1M,caps=stop_copy
src dstkill --key "$TMP/key" --transport rdma,qps=2 \
	--dev sim,id=a,size=1G,page=1M,caps=stop_copy
connected 2
t0=$(date +%s)
kill_side d 30
echo "# source ended $(( $(date +%s) - t0 )) s after the kill: $(grep 'step ' "$TMP/s.err")"
ok=1
[ "$src_rc" -ne 0 ] && [ "$src_rc" -ne 124 ] &&
	grep -Eq "step (pre-copy|stop-copy)" "$TMP/s.err" &&
	grep -q "device a: state running" "$TMP/s.err" && ok=0
report "rdma: destination killed, source fails and its device is running" $ok \
	"expected a failure naming the step and 'device a: state running'"

# (5) source killed mid-transfer
dst srckill --key "$TMP/key" --transport rdma \
	--dev sim,id=a,size=1G,page=1M,caps=stop_copy
src srckill --key "$TMP/key" --transport rdma,qps=2 \
	--dev sim,id=a,size=1G,page=1M,caps=stop_copy
connected 2
t0=$(date +%s)
kill_side s 30
echo "# destination ended $(( $(date +%s) - t0 )) s after the kill: $(grep 'step ' "$TMP/d.err")"
ok=1
[ "$dst_rc" -ne 0 ] && [ "$dst_rc" -ne 124 ] &&
	grep -Eq "destination, step (pre-copy|stop-copy)" "$TMP/d.err" &&
	grep -q "device a: state running (reset)" "$TMP/d.err" && ok=0
report "rdma: source killed, destination fails and resets its device" $ok \
	"expected a failure naming the step and the device reset"

# (6) killed processes leave the kernel quiet (rxe warns in destroy_qp
# when a memory window is still bound to the QP of a killed process)
dmesg >"$TMP/dmesg.out"
ok=1
grep -qE "WARNING|BUG|Oops|cleanup failed" "$TMP/dmesg.out" || ok=0
report "rdma: no kernel warning after the killed processes" $ok \
	"dmesg: $(grep -E -m3 'WARNING|BUG|Oops|cleanup failed' "$TMP/dmesg.out" | tr '\n' ' ')"

[ "$FAILED" -eq 0 ]
