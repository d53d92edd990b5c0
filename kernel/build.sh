#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Build mig_vfio_pci.ko out of the source tree: the sources are linked into
# OUTDIR and Kbuild runs there (M=OUTDIR), so nothing is written next to
# them.
#
#   kernel/build.sh OUTDIR [KVER]   build OUTDIR/mig_vfio_pci.ko
#   kernel/build.sh --kver          print the kernel version it would use
#
# KVER defaults to $KVER, else the newest 6.12 kernel whose headers are
# installed (/lib/modules/<ver>/build, devtools/setup.sh --lab).
set -eu
src=$(cd "$(dirname "$0")" && pwd)

find_kver() {
	if [ -n "${KVER:-}" ]; then
		echo "$KVER"
		return
	fi
	for d in /lib/modules/6.12.*/build; do
		[ -d "$d" ] && basename "$(dirname "$d")"
	done | sort -V | tail -n1
}

if [ "${1:-}" = "--kver" ]; then
	kv=$(find_kver)
	[ -n "$kv" ] || exit 1
	echo "$kv"
	exit 0
fi

out=${1:?usage: build.sh OUTDIR [KVER]}
kv=${2:-$(find_kver)}
if [ -z "$kv" ] || [ ! -d "/lib/modules/$kv/build" ]; then
	echo "kernel/build.sh: no headers for kernel '${kv:-6.12.*}' under /lib/modules (devtools/setup.sh --lab installs them)" >&2
	exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
for f in "$src"/Kbuild "$src"/*.c "$src"/*.h; do
	ln -sf "$f" "$out/$(basename "$f")"
done
ln -sfn "$src/include" "$out/include"
make -s -C "/lib/modules/$kv/build" M="$out" modules
