#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Stage 2 of the lab VM, run by the initramfs in a chroot of the host's
# root: loopback and a veth pair, the Soft-RoCE device rxe0 on it, the
# LAB_* environment, then the scenario with cwd = the project root, its
# stdout to the host through the "lab.out" virtio port and its stderr to
# the console. Its exit status goes to the results directory; then the
# guest powers off. Every program started here is loaded over 9p under
# TCG, so shell builtins do what they can.
#
#   guest.sh <lab.env>     (written by lab.sh into the results export)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 TERM="${TERM:-linux}"

# lab.env sets LAB_ROOT LAB_BUILD LAB_RESULTS LAB_SCENARIO LAB_SHELL LAB_SHARES
# LAB_NIVSHMEM LAB_RDMA_IP LAB_PMDS and the scenario's arguments (set --)
# shellcheck source=/dev/null
. "$1"

poweroff_now()
{
	sync
	# started first: the root file system goes away with the power
	sleep 60 &
	echo o >/proc/sysrq-trigger
	wait
}

fail()
{
	echo "lab guest: $*" >&2
	echo "$*" >"$LAB_RESULTS/lab-error"
	poweroff_now
}

# uptime_s <var>: the guest's uptime in seconds into <var>
uptime_s()
{
	read -r _u _ </proc/uptime
	eval "$1=\$_u"
}

uptime_s BOOT_S

# Network: loopback for TCP scenarios, a veth pair whose first end carries
# LAB_RDMA_IP and the rxe device (two processes on the same rxe device
# talk through that address).
modprobe -a veth rdma_rxe ib_uverbs rdma_ucm ||
	fail "modprobe veth rdma_rxe ib_uverbs rdma_ucm failed"
ip -batch - <<IP || fail "cannot set up lo and the veth pair lab0/lab1"
link set lo up
link add lab0 type veth peer name lab1
addr add $LAB_RDMA_IP/24 dev lab0
link set lab1 up
link set lab0 up
IP
rdma link add rxe0 type rxe netdev lab0 ||
	fail "rdma link add rxe0 on lab0 failed"
i=0
state=
while :; do
	read -r state </sys/class/infiniband/rxe0/ports/1/state 2>/dev/null
	case "$state" in *ACTIVE*) break ;; esac
	i=$((i + 1))
	[ $i -le 100 ] || fail "rxe0 port 1 not ACTIVE after 10 s ($state)"
	sleep 0.1
done
[ -c /dev/infiniband/uverbs0 ] || fail "/dev/infiniband/uverbs0 missing"

read -r nr </proc/sys/vm/nr_hugepages
[ "$nr" -gt 0 ] || fail "no hugepages reserved"

# ivshmem devices: 1af4:1110, left unbound (no in-tree driver)
LAB_IVSHMEM=
n=0
for d in /sys/bus/pci/devices/*; do
	read -r v <"$d/vendor"
	read -r p <"$d/device"
	[ "$v:$p" = 0x1af4:0x1110 ] || continue
	LAB_IVSHMEM="$LAB_IVSHMEM${LAB_IVSHMEM:+ }${d##*/}"
	n=$((n + 1))
done
# shellcheck disable=SC2153 # from lab.env
[ "$n" -eq "$LAB_NIVSHMEM" ] ||
	fail "expected $LAB_NIVSHMEM ivshmem devices, found $n ($LAB_IVSHMEM)"

read -r LAB_KVER </proc/sys/kernel/osrelease
export LAB_ROOT LAB_BUILD LAB_RESULTS LAB_RDMA_IP LAB_IVSHMEM LAB_KVER
export LAB_RDMA_DEV=rxe0

# The scenario's stdout: the virtio port named lab.out (absent with --shell)
out=/dev/console
for p in /sys/class/virtio-ports/*; do
	[ -e "$p/name" ] || continue
	read -r name <"$p/name"
	[ "$name" = lab.out ] && out=/dev/${p##*/}
done

uptime_s SETUP_S
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
uptime_s END_S
echo "$rc" >"$LAB_RESULTS/exit-status"
echo "boot_s $BOOT_S" >"$LAB_RESULTS/lab-times"
echo "setup_s $SETUP_S" >>"$LAB_RESULTS/lab-times"
echo "scenario_end_s $END_S" >>"$LAB_RESULTS/lab-times"
if [ "$LAB_SHELL" = 1 ]; then
	echo "lab guest: root shell (LAB_* set; exit powers the guest off)" >&2
	setsid --ctty /bin/bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
fi
poweroff_now
