# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Sourced by the kmod_*.sh lab scenarios: load/bind helpers for
# mig_vfio_pci and TAP bookkeeping (unnumbered test points, plan last).

KMOD_TEST=$LAB_BUILD/tests/lab/kmod_test
KMOD_KO=$LAB_BUILD/kernel/mig_vfio_pci.ko
KMOD=mig_vfio_pci
TAP_N=0
TAP_FAIL=0
TAP_TMP=$(mktemp)
# shellcheck disable=SC2086 # LAB_IVSHMEM is a list of BDFs
set -- $LAB_IVSHMEM
DEV_A=${1:-}
DEV_B=${2:-}

ok()
{
	TAP_N=$((TAP_N + 1))
	echo "ok - $*"
}

not_ok()
{
	TAP_N=$((TAP_N + 1))
	TAP_FAIL=$((TAP_FAIL + 1))
	echo "not ok - $*"
}

check()	# check "description" command...
{
	d=$1
	shift
	if "$@" >>"$TAP_TMP.log" 2>&1; then ok "$d"; else not_ok "$d"; fi
}

finish()
{
	if dmesg | grep -E -q 'WARNING:|BUG:|Oops|INFO: task .* blocked'; then
		not_ok "kernel log has no WARNING/BUG/Oops/hung task"
		dmesg | grep -E -A20 'WARNING:|BUG:|Oops|blocked' | sed 's/^/# /'
	else
		ok "kernel log has no WARNING/BUG/Oops/hung task"
	fi
	echo "1..$TAP_N"
	rm -f "$TAP_TMP" "$TAP_TMP.log"
	[ "$TAP_FAIL" -eq 0 ]
}

# kt ARGS...: run kmod_test, pass its test points through, drop its plan
kt()
{
	rc=0
	"$KMOD_TEST" "$@" >"$TAP_TMP" 2>&1 || rc=$?
	grep -v -E '^1\.\.[0-9]+$' "$TAP_TMP"
	TAP_N=$((TAP_N + $(grep -c -E '^(ok|not ok)' "$TAP_TMP")))
	TAP_FAIL=$((TAP_FAIL + $(grep -c -E '^not ok' "$TAP_TMP")))
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$TAP_TMP"; then
		not_ok "kmod_test $1 exited with status $rc"
	fi
}

kmod_load()	# kmod_load [param=value...]
{
	modprobe vfio-pci-core && modprobe vfio_iommu_type1 &&
		insmod "$KMOD_KO" "$@" && [ -d /sys/module/$KMOD ]
}

kmod_bind()	# kmod_bind BDF
{
	echo "$KMOD" >"/sys/bus/pci/devices/$1/driver_override" &&
		echo "$1" >/sys/bus/pci/drivers_probe &&
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$1/driver")")" = "$KMOD" ] &&
		[ -c "/dev/vfio/$(basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")")" ]
}

kmod_unbind()	# kmod_unbind BDF
{
	echo "$1" >"/sys/bus/pci/devices/$1/driver/unbind" &&
		echo >"/sys/bus/pci/devices/$1/driver_override"
}

kmod_unload()
{
	for u in $DEV_A $DEV_B; do
		[ -e "/sys/bus/pci/devices/$u/driver" ] && kmod_unbind "$u"
	done
	[ "$(cat /sys/module/$KMOD/refcnt)" = 0 ] && rmmod "$KMOD" &&
		[ ! -d /sys/module/$KMOD ]
}

# kmod_setup [param=value...]: load and bind both devices, as test points
kmod_setup()
{
	if [ -z "$DEV_B" ]; then
		not_ok "two ivshmem devices (LAB_IVSHMEM='$LAB_IVSHMEM')"
		finish
		exit 1
	fi
	check "insmod $KMOD $*" kmod_load "$@"
	check "bind $DEV_A to $KMOD (driver_override + drivers_probe)" kmod_bind "$DEV_A"
	check "bind $DEV_B to $KMOD" kmod_bind "$DEV_B"
}
