# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Shell helpers of the vfio lab scenarios (sourced; guest side): the
# mig_vfio_pci module on the ivshmem devices, BAR2 contents, dpdk-migrate
# source and destination processes, TAP reporting. Common parts:
# tests/lab/scen_lib.sh.

. "$LAB_ROOT/tests/lab/scen_lib.sh"

VFIO_KO=$LAB_BUILD/kernel/mig_vfio_pci.ko
BAR="python3 $LAB_ROOT/tests/lab/vfio_bar.py"

vfio_cleanup()
{
	kill_peers
	cp -r "$TMP" "$LAB_RESULTS/run" 2>/dev/null
	rm -rf "$TMP"
}
trap vfio_cleanup EXIT

# bail <why>: TAP bail out
bail()
{
	echo "Bail out! $*"
	exit 1
}

# mod_load [params]: mig_vfio_pci with its dependencies, devices bound
mod_load()
{
	modprobe vfio-pci-core || bail "modprobe vfio-pci-core failed"
	modprobe vfio_iommu_type1 || bail "modprobe vfio_iommu_type1 failed"
	[ -f "$VFIO_KO" ] || bail "$VFIO_KO not built (6.12 headers missing?)"
	insmod "$VFIO_KO" "$@" || bail "insmod mig_vfio_pci $* failed"
	for d in $LAB_IVSHMEM; do
		echo mig_vfio_pci >"/sys/bus/pci/devices/$d/driver_override"
		echo "$d" >/sys/bus/pci/drivers_probe
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$d/driver")")" = mig_vfio_pci ] ||
			bail "$d did not bind to mig_vfio_pci"
	done
}

mod_unload()
{
	for d in $LAB_IVSHMEM; do
		echo "$d" >"/sys/bus/pci/devices/$d/driver/unbind" 2>/dev/null
		echo >"/sys/bus/pci/devices/$d/driver_override"
	done
	rmmod mig_vfio_pci || bail "rmmod mig_vfio_pci failed"
}

# destination on lcore 0, source on lcore 1 when there is a second vCPU
# (two pollers on one vCPU starve each other)
SRC_LCORE=0
[ "$(nproc)" -gt 1 ] && SRC_LCORE=1

# where the destination listens: loopback, or the rxe netdev for rdma
case "${XPORT:-tcp}" in
rdma*) ADDR=$LAB_RDMA_IP ;;
*) ADDR=127.0.0.1 ;;
esac

EAL="--no-pci --log-level=lib.eal:warning ${EAL_EXTRA-}"

# dst <name> <app options...>: destination in the background, listening
dst()
{
	n=$1
	shift
	"$APP" -l 0 $EAL --file-prefix "vd-$n" -- --role destination \
		--listen "$ADDR:$PORT" --insecure "$@" \
		>"$TMP/$n.d.out" 2>"$TMP/$n.d.err" &
	DPID=$!
	wait_listening "$TMP/$n.d.out"
}

# src <name> <app options...>: source in the background
src()
{
	n=$1
	shift
	"$APP" -l $SRC_LCORE $EAL --file-prefix "vs-$n" -- --role source \
		--peer "$ADDR:$PORT" --insecure "$@" \
		>"$TMP/$n.s.out" 2>"$TMP/$n.s.err" &
	SPID=$!
}

# report <name> <0 ok> <why> [run name]: one TAP line, diagnostics on failure
report()
{
	tap "$1" "$2" && return
	echo "#   $3"
	if [ -n "${4-}" ]; then
		for f in "$TMP/$4".*; do
			[ -f "$f" ] && sed "s|^|#   $(basename "$f"): |" "$f" | tail -n 40
		done
	fi
}
