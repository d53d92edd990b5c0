#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab smoke scenario (run by tests/lab/lab.sh inside the guest): the guest
# kernel, the Soft-RoCE device, verbs traffic between two processes on it,
# a dpdk-migrate loopback migration on hugepages, and an ivshmem device
# bound to vfio-pci when lab.sh was given --ivshmem. Output is TAP; the
# ib_write_bw figure goes to $LAB_RESULTS/ib_write_bw.txt.

APP=$LAB_BUILD/apps/dpdk-migrate/dpdk-migrate
TMP=$(mktemp -d) || exit 1
SPID=

cleanup()
{
	[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

N=0
FAILED=0
T0=$(date +%s.%N)

# elapsed: seconds since the previous call into $DT (for the TAP lines)
elapsed()
{
	t=$(date +%s.%N)
	DT=$(awk -v a="$T0" -v b="$t" 'BEGIN { printf "%.1f", b - a }')
	T0=$t
}

# report <name> <0 = ok> [<why> [<file to show>]]
report()
{
	N=$((N + 1))
	elapsed
	if [ "$2" -eq 0 ]; then
		echo "ok $N - $1 ($DT s)"
		return
	fi
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1 ($DT s)"
	echo "#   $3"
	[ -n "${4-}" ] && [ -f "$4" ] && sed 's/^/#   /' "$4"
}

skip()
{
	N=$((N + 1))
	echo "ok $N - $1 # SKIP $2"
}

# wait_listen <tcp port>: until something listens on it (30 s at most)
wait_listen()
{
	hex=$(printf ':%04X ' "$1")
	i=0
	while [ $i -lt 300 ]; do
		grep -qi "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

echo "1..5"

# 1. the guest kernel
ok=1
case "$(uname -r)" in
6.12.*) ok=0 ;;
esac
report "guest kernel is 6.12 ($(uname -r))" $ok "uname -r: $(uname -r)"

# 2. the rxe device: listed and its port active
ibv_devices >"$TMP/devs" 2>&1
ibv_devinfo -d "$LAB_RDMA_DEV" >"$TMP/info" 2>&1
ok=1
grep -qw "$LAB_RDMA_DEV" "$TMP/devs" &&
	grep -q "state:.*PORT_ACTIVE" "$TMP/info" && ok=0
cat "$TMP/devs" "$TMP/info" >"$TMP/both"
report "$LAB_RDMA_DEV listed by ibv_devices, port ACTIVE" $ok \
	"ibv_devices / ibv_devinfo -d $LAB_RDMA_DEV:" "$TMP/both"

# 3. ib_write_bw: two processes on the same rxe device through LAB_RDMA_IP
PORT=18515
BW="-d $LAB_RDMA_DEV -x 1 -s 65536 -n 200 -F -p $PORT"
# shellcheck disable=SC2086 # $BW is a list of options
ib_write_bw $BW >"$TMP/bws" 2>&1 &
SPID=$!
ok=1
bw=
if wait_listen $PORT; then
	# shellcheck disable=SC2086
	timeout 60 ib_write_bw $BW "$LAB_RDMA_IP" >"$TMP/bwc" 2>&1
	crc=$?
	wait "$SPID"
	src=$?
	SPID=
	# the result line: bytes iterations peak average msg-rate
	bw=$(awk '$1 == 65536 && NF >= 5 { print $4 }' "$TMP/bwc")
	[ "$crc" -eq 0 ] && [ "$src" -eq 0 ] && [ -n "$bw" ] &&
		awk -v b="$bw" 'BEGIN { exit !(b > 0) }' && ok=0
fi
cat "$TMP/bwc" "$TMP/bws" >"$TMP/both" 2>/dev/null
if [ $ok -eq 0 ]; then
	echo "ib_write_bw $BW: $bw MB/s" >"$LAB_RESULTS/ib_write_bw.txt"
	echo "# ib_write_bw 64 KiB writes on $LAB_RDMA_DEV: $bw MB/s"
fi
report "ib_write_bw between two processes on $LAB_RDMA_DEV" $ok \
	"expected both to succeed and a bandwidth figure:" "$TMP/both"
[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
SPID=

# 4. dpdk-migrate: a source and a destination process, each polling on a
# vCPU of its own, migrate two sim devices over TCP on 127.0.0.1, on
# hugepages; digests equal on both sides. Device a has pre-copy: the
# source catches up quickly and must still switch over (its switchover
# bandwidth is the path's capacity, not the rate of an idle source).
umask 077 # dpdk-migrate refuses a key file that others may read
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"
PORT=17000
DCPU=1
[ "$(nproc)" -ge 2 ] || DCPU=0
"$APP" -l $DCPU --no-pci --file-prefix lab-smoke-d-$$ \
	--log-level=lib.eal:warning -- --role destination \
	--listen 127.0.0.1:$PORT --key "$TMP/key" \
	--dev sim,id=a,size=8M,page=4K,caps=pre_copy \
	--dev sim,id=b,size=4M,caps=stop_copy \
	>"$TMP/d.out" 2>"$TMP/d.err" &
SPID=$!
if wait_listen $PORT; then
	timeout 120 "$APP" -l 0 --no-pci --file-prefix lab-smoke-s-$$ \
		--log-level=lib.eal:warning -- --role source \
		--peer 127.0.0.1:$PORT --key "$TMP/key" \
		--dev sim,id=a,size=8M,page=4K,caps=pre_copy,seed=5 \
		--dev sim,id=b,size=4M,caps=stop_copy,seed=2 \
		>"$TMP/s.out" 2>"$TMP/s.err"
	rc=$?
else
	rc="destination not listening after 30 s"
	: >"$TMP/s.out"
fi
timeout 30 sh -c "while kill -0 $SPID 2>/dev/null; do sleep 0.2; done"
kill -9 "$SPID" 2>/dev/null
wait "$SPID"
drc=$?
SPID=
cat "$TMP/s.out" "$TMP/d.out" >"$TMP/mig.out"
dig()
{
	sed -n "s/^$1: device \([^:]*\):.*device digest \([0-9a-f]*\)\$/\1 \2/p" \
		"$TMP/mig.out" | sort
}
dig source >"$TMP/s.dig"
dig destination >"$TMP/d.dig"
ok=1
[ "$rc" = 0 ] && [ "$drc" -eq 0 ] && [ "$(wc -l <"$TMP/s.dig")" -eq 2 ] &&
	cmp -s "$TMP/s.dig" "$TMP/d.dig" && ok=0
sed -n 's/^source: \(total time.*\)/# dpdk-migrate over TCP: \1/p' "$TMP/mig.out"
cat "$TMP/mig.out" "$TMP/s.err" "$TMP/d.err" >"$TMP/both"
report "dpdk-migrate of 2 sim devices over TCP on hugepages, digests equal" \
	$ok "source: $rc, destination: $drc; output:" "$TMP/both"

# 5. ivshmem: visible as 1af4:1110, bound to vfio-pci, /dev/vfio/<group>
if [ -z "$LAB_IVSHMEM" ]; then
	skip "ivshmem device bound to vfio-pci" "lab.sh ran without --ivshmem"
else
	bdf=${LAB_IVSHMEM%% *}
	d=/sys/bus/pci/devices/$bdf
	ok=1
	why="$bdf: not 1af4:1110"
	if [ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1af4:0x1110 ]; then
		why="modprobe vfio-pci or binding $bdf failed"
		if modprobe vfio-pci 2>"$TMP/err" &&
			echo vfio-pci >"$d/driver_override" &&
			echo "$bdf" >/sys/bus/pci/drivers_probe; then
			group=$(basename "$(readlink "$d/iommu_group")")
			drv=$(basename "$(readlink "$d/driver")")
			why="driver '$drv', group '$group', no /dev/vfio/$group"
			[ "$drv" = vfio-pci ] && [ -c "/dev/vfio/$group" ] && ok=0
		fi
	fi
	report "ivshmem $bdf bound to vfio-pci gives /dev/vfio/${group:-?}" \
		$ok "$why" "$TMP/err"
fi

[ "$FAILED" -eq 0 ]
