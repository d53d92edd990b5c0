# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Shell helpers shared by the integration scripts (sourced, not run):
# memory selection (hugepages or --no-huge), a temporary directory and
# DPDK runtime directories cleaned up at exit, running the application
# with its output captured, TAP reporting, device digest comparison.
#
#   . "$(dirname "$0")/lib.sh"
#   mt_init <prefix> <--no-huge memory MB> <what, for the "# ..." line>

. "$(dirname "$0")/../proc.sh"

# mt_init <prefix> <MB> <what>: sets PREFIX, TMP, MEM, N, FAILED.
mt_init()
{
	PREFIX=$1-$$
	TMP=$(mktemp -d) || exit 1
	# key files: dpdk-migrate refuses one that others may read
	umask 077
	N=0
	FAILED=0
	trap mt_cleanup EXIT
	trap 'exit 1' INT TERM
	nr=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
	if [ "${MIG_TEST_NO_HUGE:-0}" != 1 ] && [ "${nr:-0}" -gt 0 ] &&
			grep -q ' hugetlbfs ' /proc/mounts &&
			[ -w /dev/hugepages ]; then
		MEM=""
		echo "# $3 on hugepages ($nr reserved)"
	else
		MEM="--no-huge -m $2"
		echo "# $3 without hugepages (--no-huge -m $2)"
	fi
}

mt_cleanup()
{
	[ -n "${DPID:-}" ] && kill -9 "$DPID" 2>/dev/null
	[ -n "${SPID:-}" ] && kill -9 "$SPID" 2>/dev/null
	rm -rf "$TMP"
	# rte_eal_cleanup() leaves the runtime directories behind
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk" \
		/tmp/dpdk; do
		for p in "$d/$PREFIX" "$d/$PREFIX"-*; do
			[ -d "$p" ] && rm -rf "$p"
		done
	done
}

# mt_app <file prefix> <app options...>: exec the application on one
# lcore, no PCI, EAL warnings only, $MEM. It replaces the shell: call it
# in a subshell, "(mt_app ...)", or in the background, "mt_app ... &"
# (then $! is the application's pid).
mt_app()
{
	p=$1
	shift
	# shellcheck disable=SC2086 # $MEM is a list of EAL options
	exec "$APP" -l 0 --no-pci --file-prefix "$p" \
		--log-level=lib.eal:warning $MEM -- "$@"
}

# run <app options...>: runs to the end; sets $rc, output in $OUT, $ERR.
run()
{
	OUT=$TMP/out
	ERR=$TMP/err
	(mt_app "$PREFIX" "$@") >"$OUT" 2>"$ERR"
	# shellcheck disable=SC2034 # read by the caller
	rc=$?
}

# has <file> <fixed string>
has()
{
	grep -qF -- "$2" "$1"
}

# report <name> <0: ok> <why> [files to show on failure...]
report()
{
	N=$((N + 1))
	name=$1
	ok=$2
	why=$3
	shift 3
	if [ "$ok" -eq 0 ]; then
		echo "ok $N - $name"
		return
	fi
	FAILED=$((FAILED + 1))
	echo "not ok $N - $name"
	echo "#   $why"
	for f in "$@"; do
		[ -f "$f" ] && sed "s/^/#   $(basename "$f"): /" "$f"
	done
}

# mt_done: exit status of the script
mt_done()
{
	[ "$FAILED" -eq 0 ]
}

# digests <summary output>: "name digest" lines of the device digests
digests()
{
	sed -n 's/^[a-z]*: device \([^:]*\):.*device digest \([0-9a-f]*\)$/\1 \2/p' \
		"$1" | sort
}

# digests_equal <source output> <destination output>: the same non-empty
# set of device digests on both sides
digests_equal()
{
	digests "$1" >"$TMP/dig.1"
	digests "$2" >"$TMP/dig.2"
	[ -s "$TMP/dig.1" ] && cmp -s "$TMP/dig.1" "$TMP/dig.2"
}
