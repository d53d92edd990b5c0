#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Smoke test of the dpdk-migrate application on a real EAL, in the manner of
# DPDK's devtools/test-null.sh: hugepages when the host has them reserved,
# mounted and writable, --no-huge -m 128 otherwise (MIG_TEST_NO_HUGE=1
# forces it). Output is TAP.
#
#   app_smoke.sh <path to dpdk-migrate>

APP=${1:?usage: app_smoke.sh <dpdk-migrate>}
PREFIX=mig-smoke-$$
TMP=$(mktemp -d) || exit 1
OUT=$TMP/out
ERR=$TMP/err

cleanup()
{
	rm -rf "$TMP"
	# rte_eal_cleanup() leaves the runtime directory behind
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk" \
		/tmp/dpdk; do
		[ -d "$d/$PREFIX" ] && rm -rf "${d:?}/$PREFIX"
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

nr=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "${MIG_TEST_NO_HUGE:-0}" != 1 ] && [ "${nr:-0}" -gt 0 ] &&
		grep -q ' hugetlbfs ' /proc/mounts &&
		[ -w /dev/hugepages ]; then
	MEM=""
	echo "# dpdk-migrate smoke test on hugepages ($nr reserved)"
else
	MEM="--no-huge -m 128"
	echo "# dpdk-migrate smoke test without hugepages (--no-huge -m 128)"
fi

# run <app options...>: sets $rc, output in $OUT and $ERR
run()
{
	# shellcheck disable=SC2086 # $MEM is a list of EAL options
	"$APP" -l 0 --no-pci --file-prefix "$PREFIX" \
		--log-level=lib.eal:warning $MEM -- "$@" >"$OUT" 2>"$ERR"
	rc=$?
}

N=0
FAILED=0

# report <name> <ok: 0 or not> <why>
report()
{
	N=$((N + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $N - $1"
		return
	fi
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	echo "#   $3 (exit status $rc)"
	sed 's/^/#   stdout: /' "$OUT"
	sed 's/^/#   stderr: /' "$ERR"
}

# has <file> <fixed string>
has()
{
	grep -qF -- "$2" "$1"
}

echo "1..6"

run --version
ok=1
[ "$rc" -eq 0 ] && has "$OUT" "dpdk-migrate 0." && ok=0
report "--version prints the version" $ok \
	"expected exit 0 and 'dpdk-migrate 0.' on stdout"

run --list-drivers
ok=1
[ "$rc" -eq 0 ] && grep -q '^ *sim  *size=' "$OUT" && ok=0
report "--list-drivers lists sim with its devargs" $ok \
	"expected exit 0 and a 'sim size=...' line"

run --dev sim,id=a,size=64G --info
ok=1
[ "$rc" -eq 0 ] && has "$OUT" "a: driver sim" &&
	has "$OUT" "size 68719476736" && ok=0
report "--dev sim,id=a,size=64G --info describes the device" $ok \
	"expected exit 0, 'a: driver sim' and 'size 68719476736'"

run --dev sim,szie=1G --info
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "unknown key 'szie'" && ok=0
report "a misspelt devargs key fails and is named" $ok \
	"expected failure and \"unknown key 'szie'\" on stderr"

run --dev nosuch --info
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "nosuch" && has "$ERR" "no such driver" && ok=0
report "an unknown driver fails and is named" $ok \
	"expected failure and 'nosuch' ... 'no such driver' on stderr"

run --no-such-option
ok=1
[ "$rc" -ne 0 ] && cat "$OUT" "$ERR" | grep -q "^Usage: " &&
	has "$ERR" "no-such-option" && ok=0
report "an unknown option fails with usage" $ok \
	"expected failure, the option named and 'Usage: '"

[ "$FAILED" -eq 0 ]
