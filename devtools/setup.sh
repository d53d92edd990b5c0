#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Install every Debian package the build, the demo and the tests need, and
# reserve hugepages. Idempotent; run as root on Debian 12 (bookworm).
#
#   devtools/setup.sh            packages + hugepages
#   HUGEPAGES=N devtools/setup.sh  reserve N 2 MiB pages (default 1024)
set -eu

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
	meson
	ninja-build
	pkg-config
	python3
	rdma-core
"

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: run as root (installs packages, reserves hugepages)" >&2
	exit 1
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
