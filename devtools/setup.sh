#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Install every Debian package the build, the demo and the tests need, and
# reserve hugepages. Idempotent; run as root on Debian 12 (bookworm).
#
#   devtools/setup.sh            packages + hugepages
#   devtools/setup.sh --lab      also what the lab VM needs: QEMU 10 (the
#                                lab's outer QEMU and the nested VMM of the
#                                qemu_* scenarios), busybox, bookworm-
#                                backports' 6.12 kernel image and headers
#                                (module builds), pahole, perftest
#   HUGEPAGES=N devtools/setup.sh  reserve N 2 MiB pages (default 1024)
set -eu

LAB=0
for a in "$@"; do
	case "$a" in
	--lab) LAB=1 ;;
	*) echo "setup: unknown option '$a' (valid: --lab)" >&2; exit 2 ;;
	esac
done

PACKAGES="
	build-essential
	clang-14
	dpdk
	dpdk-dev
	ibverbs-providers
	iperf3
	libclang-rt-14-dev
	libcmocka-dev
	libdpdk-dev
	libibverbs-dev
	libnuma-dev
	librdmacm-dev
	libssl-dev
	liburing-dev
	meson
	ninja-build
	pkg-config
	python3
	python3-matplotlib
	rdma-core
"

LAB_PACKAGES="
	busybox-static
	cpio
	dwarves
	iproute2
	kmod
	perftest
	rdmacm-utils
	ibverbs-utils
	xz-utils
"

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: run as root (installs packages, reserves hugepages)" >&2
	exit 1
fi

# bookworm-backports, derived from the machine's own source entry (no host
# name written here), for the lab VM's 6.12 kernel.
enable_backports() {
	bp=/etc/apt/sources.list.d/backports.sources
	[ -f "$bp" ] && return 0
	src=/etc/apt/sources.list.d/debian.sources
	if [ ! -f "$src" ]; then
		echo "setup: $src missing; cannot derive bookworm-backports" >&2
		return 1
	fi
	awk '/^Types:/{n++} n==1' "$src" |
		sed 's/^Suites:.*/Suites: bookworm-backports/' > "$bp"
	apt-get update -q
}

# QEMU 10 from bookworm-backports (the qemu_* lab scenarios need its VFIO
# migration client: PRE_COPY, switchover-ack, multifd device state). The
# version is whatever backports' candidate is, looked up, never written here.
lab_qemu_version() {
	apt-cache policy qemu-system-x86 | awk '
		/^ *Version table:/ { t = 1; next }
		!t { next }
		$1 == "***" { $1 = "" ; $0 = $0 }
		NF == 2 && $2 ~ /^[0-9]+$/ { v = $1; next }
		v != "" && / bookworm-backports\// { print v; exit }'
}

# Major version of the installed qemu-system-x86_64 (0 when missing).
qemu_major() {
	command -v qemu-system-x86_64 >/dev/null || { echo 0; return; }
	qemu-system-x86_64 --version |
		sed -n '1s/.*version \([0-9]*\)\..*/\1/p'
}

# Newest 6.12 generic kernel offered by backports (name ends in +deb12-amd64
# or +bpo-amd64 depending on the point release).
lab_kernel_version() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+(deb12|bpo)-amd64$' |
		awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1
}

if [ "$LAB" -eq 1 ]; then
	PACKAGES="$PACKAGES $LAB_PACKAGES"
	if ! ls /boot/vmlinuz-6.12.* >/dev/null 2>&1 ||
		! ls -d /lib/modules/6.12.*/build >/dev/null 2>&1; then
		enable_backports
		kv=$(lab_kernel_version)
		if [ -z "$kv" ]; then
			echo "setup: no 6.12 kernel in bookworm-backports" >&2
			exit 1
		fi
		echo "setup: lab kernel $kv"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends -t bookworm-backports \
			"linux-image-$kv" "linux-headers-$kv"
	fi
	if [ "$(qemu_major)" -lt 10 ]; then
		enable_backports
		qv=$(lab_qemu_version)
		if [ -z "$qv" ]; then
			echo "setup: no qemu-system-x86 in bookworm-backports" >&2
			exit 1
		fi
		echo "setup: lab QEMU $qv"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends -t bookworm-backports \
			"qemu-system-x86=$qv"
	fi
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "setup: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

# Hugepages for DPDK: 2 MiB pages, hugetlbfs mounted.
want=${HUGEPAGES:-1024}
nr=/proc/sys/vm/nr_hugepages
if [ -w "$nr" ] && [ "$(cat "$nr")" -lt "$want" ]; then
	echo "$want" > "$nr" || true
fi
if ! grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs none /dev/hugepages ||
		echo "setup: cannot mount hugetlbfs; tests fall back to --no-huge" >&2
fi
echo "setup: done ($(cat "$nr" 2>/dev/null || echo 0) hugepages of 2 MiB)"
