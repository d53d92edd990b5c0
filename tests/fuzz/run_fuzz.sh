#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# run_fuzz.sh FUZZER CORPUS_DIR SECONDS
#
# Runs a libFuzzer target for a bounded time on a scratch copy of the
# committed seed corpus (which is never modified), prints libFuzzer's
# "Done N runs" line and final statistics, and keeps any crashing input in
# fuzz-artifacts/ next to the fuzzer. Exit status: 0 or 1, never 77:
# libFuzzer's default error exit code is 77, which meson reads as "skipped".
set -eu

fuzzer=$1
corpus=$2
seconds=$3
name=$(basename "$fuzzer")
artifacts=$(cd "$(dirname "$fuzzer")" && pwd)/fuzz-artifacts

work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp "$corpus"/* "$work"/
mkdir -p "$artifacts"

rc=0
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
	-artifact_prefix="$artifacts/$name-" "$work" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "$name: FAILED (exit $rc); crashing input kept in $artifacts/" >&2
	exit 1
fi
echo "$name: no failure in $seconds s (scratch corpus: $(ls "$work" | wc -l) entries)"
