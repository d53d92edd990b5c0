#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Run by tests/lab/tmpcopy.sh from a copy of the project under /tmp: the
# guest sees the project and the build directory at their host paths,
# although it mounts a tmpfs of its own on /tmp.
#
#   tmpcopy_check.sh <token>   (the token tmpcopy.sh wrote into the copy)
TOKEN=${1-}
n=0
fail=0
t()
{
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		fail=1
	fi
}
t "the project root $LAB_ROOT is the copy (token $TOKEN)" \
	'[ "$(cat "$LAB_ROOT/tests/lab/tmpcopy.token" 2>/dev/null)" = "$TOKEN" ]'
t "the build directory $LAB_BUILD is visible" '[ -d "$LAB_BUILD/lab" ]'
t "results are writable" 'echo ok >"$LAB_RESULTS/written"'
t "/tmp is still the guest's own tmpfs" \
	'grep -q " /tmp tmpfs " /proc/mounts && touch /tmp/guest.$$'
echo "1..$n"
exit $fail
