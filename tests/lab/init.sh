#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# /init of the lab VM's initramfs (stage 1, busybox only): load the 9p
# modules packed next to it, mount the writable results export and the
# host's root (read-only), mount the kernel file systems inside it and
# hand over to tests/lab/guest.sh in a chroot. Powers the guest off when
# anything fails, after saying why on the console.
/bin/busybox --install -s /bin
export PATH=/bin

RES=
die()
{
	echo "lab init: $*" >&2
	[ -n "$RES" ] && echo "$*" >"$RES/lab-error"
	sync
	poweroff -f
	exit 1
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

# modules.order lists the .ko files in dependency order
while read -r m; do
	insmod "/lib/modules/$m" || die "insmod $m failed"
done </lib/modules/modules.order

mkdir -p /results /host
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /results ||
	die "cannot mount the results export"
RES=/results
[ -r /results/lab.env ] || die "no lab.env in the results export"
# shellcheck source=/dev/null
. /results/lab.env

mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro \
	host /host || die "cannot mount the host root"
# kernel file systems inside the chroot; tmpfs where the guest writes
mount --move /proc /host/proc
mount --move /sys /host/sys
mount --move /dev /host/dev
mkdir -p /host/dev/pts /host/dev/shm /host/dev/hugepages
mount -t devpts devpts /host/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm
mount -t hugetlbfs hugetlbfs /host/dev/hugepages
mount -t tmpfs -o mode=1777 tmpfs /host/tmp
mount -t tmpfs -o mode=755 tmpfs /host/run
# /var/run is a symlink to /run on Debian; a tmpfs of its own otherwise
[ -L /host/var/run ] || mount -t tmpfs -o mode=755 tmpfs /host/var/run

# Project and build directories under /tmp or /run (hidden by the tmpfs
# mounts above): their own exports, at the same paths, read-only
for s in $LAB_SHARES; do
	mkdir -p "/host${s#*=}" &&
		mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro \
			"${s%%=*}" "/host${s#*=}" ||
		die "cannot mount the export ${s%%=*} on ${s#*=}"
done
[ -d "/host$LAB_RESULTS" ] || die "results directory $LAB_RESULTS missing"
mount --move /results "/host$LAB_RESULTS" ||
	die "cannot move the results export to $LAB_RESULTS"
RES=/host$LAB_RESULTS

# Plugins: a shared DPDK EAL dlopen()s every PMD of its plugin directory and
# libibverbs every provider in /etc/libibverbs.d, some hundreds of libraries
# that take most of a minute to load under TCG. Keep the PMDs named in
# LAB_PMDS ("all": Debian's whole directory) and the rxe provider: the full
# directories stay visible under /run/lab.
if [ "$LAB_PMDS" != all ]; then
	for dir in /host/usr/lib/*/dpdk/pmds-*; do
		[ -d "$dir" ] || continue
		all=/run/lab/${dir##*/}
		mkdir -p "/host$all"
		mount --bind "$dir" "/host$all" && mount -t tmpfs tmpfs "$dir" ||
			die "cannot narrow ${dir#/host}"
		for p in $(echo "$LAB_PMDS" | tr ',' ' '); do
			[ -e "/host$all/librte_$p.so" ] ||
				die "DPDK PMD $p not in ${dir#/host}"
			# every name: the libraries' own links point here too
			for f in "/host$all/librte_$p.so"*; do
				ln -s "${f#/host}" "$dir/${f##*/}"
			done
		done
	done
fi
mkdir -p /host/run/lab/libibverbs.d
cp /host/etc/libibverbs.d/rxe.driver /host/run/lab/libibverbs.d/ &&
	mount --bind /host/run/lab/libibverbs.d /host/etc/libibverbs.d ||
	die "cannot narrow /etc/libibverbs.d to rxe"

exec chroot /host /bin/sh "$LAB_ROOT/tests/lab/guest.sh" "$LAB_RESULTS/lab.env"
