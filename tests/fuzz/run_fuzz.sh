#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# run_fuzz.sh FUZZER CORPUS_DIR REGRESS_DIR RUNS [SEED...]
#
# The test suite's fuzz step, the same on every run:
#  1. replay: every committed seed (CORPUS_DIR) and every input that once
#     failed (REGRESS_DIR, kept from ../shared/findings/ and from our own
#     runs) is executed once;
#  2. for each SEED (default 1 2 3), RUNS executions of libFuzzer with that
#     fixed seed on a scratch copy of the seeds. A fixed seed, a fixed
#     count, no corpus reload (-reload=0, a timer) and no address-space
#     randomization (setarch -R: libFuzzer's comparison tracing feeds
#     pointer values into its mutations) give the same inputs on every
#     run, so this step does not fail at random; the long run that
#     searches further is
#     devtools/fuzz_long.sh (counts in doc/RELIABILITY.md).
# Prints libFuzzer's "Done N runs" line and final statistics, and keeps any
# crashing input in fuzz-artifacts/ next to the fuzzer. Exit status: 0 or 1,
# never 77: libFuzzer's default error exit code is 77, which meson reads as
# "skipped".
set -eu

if [ $# -lt 4 ]; then
	echo "usage: run_fuzz.sh FUZZER CORPUS_DIR REGRESS_DIR RUNS [SEED...]" >&2
	exit 1
fi
fuzzer=$1
corpus=$2
regress=$3
runs=$4
shift 4
seeds=${*:-1 2 3}
name=$(basename "$fuzzer")
artifacts=$(cd "$(dirname "$fuzzer")" && pwd)/fuzz-artifacts
mkdir -p "$artifacts"

work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

fail() {
	echo "$name: FAILED ($1, exit $2); crashing input kept in $artifacts/" >&2
	exit 1
}

opts="-rss_limit_mb=2048 -timeout=10 -error_exitcode=1 -timeout_exitcode=1
	-reload=0"
norand="setarch $(uname -m) -R"

# 1. replay (file arguments: libFuzzer runs each once and does not mutate)
set --
for f in "$corpus"/* "$regress"/*; do
	[ -f "$f" ] && set -- "$@" "$f"
done
n=$#
rc=0
# shellcheck disable=SC2086
"$fuzzer" $opts -artifact_prefix="$artifacts/$name-replay-" "$@" \
	>"$work/replay.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	cat "$work/replay.log" >&2
	fail "replay of $n inputs" "$rc"
fi
echo "$name: replay of $n inputs (seeds and regressions): no failure"

# 2. fixed seeds
mkdir "$work/corpus"
for s in $seeds; do
	rm -f "$work/corpus"/*
	cp "$corpus"/* "$work/corpus"/
	rc=0
	# shellcheck disable=SC2086
	$norand "$fuzzer" $opts -seed="$s" -runs="$runs" -print_final_stats=1 \
		-artifact_prefix="$artifacts/$name-seed$s-" "$work/corpus" \
		>"$work/seed.log" 2>&1 || rc=$?
	grep -E '^(Done|stat::number_of_executed_units|stat::new_units)' \
		"$work/seed.log" | sed "s/^/$name seed $s: /"
	if [ "$rc" -ne 0 ]; then
		tail -n 60 "$work/seed.log" >&2
		fail "seed $s" "$rc"
	fi
done
echo "$name: no failure with seeds $seeds, $runs runs each"
