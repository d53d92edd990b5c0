#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# The lab from a checkout under /tmp (a clone there, as devtools/test.sh
# is often run): copy tests/lab into a fresh directory under /tmp, with a
# build directory of its own there, and boot a guest from the copy
# (tests/lab/scenarios/tmpcopy_check.sh). TAP on stdout.
#
#   tests/lab/tmpcopy.sh [lab.sh options]
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd -P)
dir=$(mktemp -d /tmp/lab-tmpcopy.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/tests" "$dir/build"
cp -r "$src/tests/lab" "$dir/tests/"
rm -f "$dir/tests/lab/meson.build"
token=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
echo "$token" >"$dir/tests/lab/tmpcopy.token"
rc=0
sh "$dir/tests/lab/lab.sh" --build "$dir/build" "$@" \
	"$dir/tests/lab/scenarios/tmpcopy_check.sh" "$token" || rc=$?
[ -f "$dir/build/lab/tmpcopy_check/written" ] || rc=1
exit $rc
