#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Set up, build and run the whole test suite; ends with
# "N passed, N failed, N skipped" counting every test case.
#
#   devtools/test.sh [meson test arguments, e.g. --suite unit]
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
./devtools/setup.sh --lab
./devtools/build.sh
rc=0
meson test -C "$build" --print-errorlogs "$@" || rc=$?
python3 devtools/test_summary.py "$build/meson-logs/testlog.json" || rc=1
exit $rc
