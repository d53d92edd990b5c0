#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Stage 2 of the lab VM, run by the initramfs in a chroot of the host's
# root: loopback and a veth pair, the Soft-RoCE device rxe0 on it, the
# LAB_* environment, then the scenario with cwd = the project root, its
# stdout to the host through the "lab.out" virtio port and its stderr to
# the console. Its exit status goes to the results directory; then the
# guest powers off.
#
#   guest.sh <lab.env>     (written by lab.sh into the results export)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 TERM=${TERM:-linux}

# lab.env sets LAB_ROOT LAB_BUILD LAB_RESULTS LAB_SCENARIO LAB_SHELL
# LAB_NIVSHMEM LAB_RDMA_IP and the scenario's arguments (set --)
. "$1"

poweroff_now()
{
	sync
	echo o >/proc/sysrq-trigger
	sleep 60 2>/dev/null
}

fail()
{
	echo "lab guest: $*" >&2
	echo "$*" >"$LAB_RESULTS/lab-error"
	poweroff_now
}

uptime_s()
{
	cut -d' ' -f1 /proc/uptime
}

BOOT_S=$(uptime_s)

# Network: loopback for TCP scenarios, a veth pair whose first end carries
# LAB_RDMA_IP and the rxe device (two processes on the same rxe device
# talk through that address).
ip link set lo up || fail "cannot bring up lo"
modprobe veth || fail "modprobe veth failed"
for m in rdma_rxe ib_uverbs rdma_ucm; do
	modprobe "$m" || fail "modprobe $m failed"
done
ip link add lab0 type veth peer name lab1 || fail "cannot create veth lab0"
ip addr add "$LAB_RDMA_IP/24" dev lab0 || fail "cannot address lab0"
ip link set lab1 up && ip link set lab0 up || fail "cannot bring up lab0"
rdma link add rxe0 type rxe netdev lab0 ||
	fail "rdma link add rxe0 on lab0 failed"
i=0
until grep -qs ACTIVE /sys/class/infiniband/rxe0/ports/1/state; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "rxe0 port 1 not ACTIVE after 10 s"
	sleep 0.1
done
[ -c /dev/infiniband/uverbs0 ] || fail "/dev/infiniband/uverbs0 missing"

[ "$(cat /proc/sys/vm/nr_hugepages)" -gt 0 ] || fail "no hugepages reserved"

# ivshmem devices: 1af4:1110, left unbound (no in-tree driver)
LAB_IVSHMEM=
n=0
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] &&
		[ "$(cat "$d/device")" = 0x1110 ] || continue
	LAB_IVSHMEM="$LAB_IVSHMEM${LAB_IVSHMEM:+ }${d##*/}"
	n=$((n + 1))
done
[ "$n" -eq "$LAB_NIVSHMEM" ] ||
	fail "expected $LAB_NIVSHMEM ivshmem devices, found $n ($LAB_IVSHMEM)"

export LAB_ROOT LAB_BUILD LAB_RESULTS LAB_RDMA_IP LAB_IVSHMEM
export LAB_RDMA_DEV=rxe0 LAB_KVER="$(uname -r)"

# The scenario's stdout: the virtio port named lab.out (absent with --shell)
out=/dev/console
for p in /sys/class/virtio-ports/*; do
	[ "$(cat "$p/name" 2>/dev/null)" = lab.out ] && out=/dev/${p##*/}
done

SETUP_S=$(uptime_s)
cd "$LAB_ROOT" || fail "cannot cd to $LAB_ROOT"
rc=0
if [ -n "$LAB_SCENARIO" ]; then
	if [ -x "$LAB_SCENARIO" ]; then
		"$LAB_SCENARIO" "$@" >"$out" </dev/null
	else
		sh "$LAB_SCENARIO" "$@" >"$out" </dev/null
	fi
	rc=$?
fi
END_S=$(uptime_s)
awk -v b="$BOOT_S" -v s="$SETUP_S" -v e="$END_S" 'BEGIN {
	printf "boot_s %.2f\nsetup_s %.2f\nscenario_s %.2f\n", b, s - b, e - s
}' >"$LAB_RESULTS/lab-times"
echo "$rc" >"$LAB_RESULTS/exit-status"
if [ "$LAB_SHELL" = 1 ]; then
	echo "lab guest: root shell (LAB_* set; exit powers the guest off)" >&2
	setsid --ctty /bin/bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
fi
poweroff_now
