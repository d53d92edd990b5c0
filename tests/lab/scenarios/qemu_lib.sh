# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Sourced by the qemu_*.sh lab scenarios: nested QEMU VMs (the host's
# qemu-system-x86_64, QEMU 10) migrating mig_vfio_pci devices, driven by
# tests/lab/qemu_mig.py. Load/bind and TAP helpers: kmod_lib.sh.
. "$(dirname "$0")/kmod_lib.sh"

QEMU_MIG="python3 $LAB_ROOT/tests/lab/qemu_mig.py"

# qm CASE SRC DST [options]: one qemu_mig.py case, its TAP lines counted
qm()
{
	echo 0 >"$TAP_TMP.rc"
	{ timeout -k 10 480 $QEMU_MIG "$@" 2>&1 || echo $? >"$TAP_TMP.rc"; } |
		tee "$TAP_TMP"
	rc=$(cat "$TAP_TMP.rc")
	TAP_N=$((TAP_N + $(grep -c -E '^(ok|not ok)' "$TAP_TMP")))
	TAP_FAIL=$((TAP_FAIL + $(grep -c -E '^not ok' "$TAP_TMP")))
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$TAP_TMP"; then
		not_ok "qemu_mig.py $1 exited with status $rc"
	fi
}

# QEMU 10 or newer, else every case is skipped
qemu_check()
{
	v=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([0-9]*\)\..*/\1/p')
	if [ "${v:-0}" -lt 10 ]; then
		echo "1..0 # SKIP qemu-system-x86_64 is ${v:-missing}, not 10+ (devtools/setup.sh --lab)"
		exit 0
	fi
}
