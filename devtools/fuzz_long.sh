#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# The long fuzz run: what the test suite's fixed-seed step (tests/fuzz/
# run_fuzz.sh) does not search. Each target runs RUNS executions (default
# 10^7) with a random seed on a scratch copy of its seeds and regression
# inputs, and a line per target gives the seed, executions, time, coverage
# and the result. A crashing input is kept in build/tests/fuzz/fuzz-artifacts/:
# copy it into tests/fuzz/regress/<target>/ with the fix. Record the figures
# in doc/RELIABILITY.md.
#
#   devtools/fuzz_long.sh [BUILD_DIR] [TARGET...]     e.g. fuzz_long.sh build fuzz_wire
#   RUNS=N devtools/fuzz_long.sh                       executions per target
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ $# -gt 0 ] && shift
runs=${RUNS:-10000000}
fdir=$build/tests/fuzz
targets=${*:-$(cd "$fdir" && ls fuzz_* 2>/dev/null | grep -v '\.p$' || true)}
if [ -z "$targets" ]; then
	echo "fuzz_long: no fuzz target in $fdir (build first: devtools/build.sh)" >&2
	exit 1
fi
artifacts=$(cd "$fdir" && pwd)/fuzz-artifacts
mkdir -p "$artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_long.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

rc=0
for t in $targets; do
	name=${t#fuzz_}
	mkdir -p "$work/$name"
	for d in tests/fuzz/corpus/"$name" tests/fuzz/regress/"$name"; do
		[ -d "$d" ] && cp "$d"/* "$work/$name"/ 2>/dev/null || true
	done
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	start=$(date +%s)
	r=0
	"$fdir/$t" -seed="$seed" -runs="$runs" -rss_limit_mb=2048 -timeout=10 \
		-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
		-artifact_prefix="$artifacts/$t-" "$work/$name" \
		>"$work/$name.log" 2>&1 || r=$?
	secs=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
	cov=$(grep -E '^#[0-9]+' "$work/$name.log" | tail -n1 |
		sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	if [ "$r" -eq 0 ]; then
		res="no failure"
	else
		res="FAILED (input in $artifacts/)"
		tail -n 40 "$work/$name.log" >&2
		rc=1
	fi
	echo "$t: seed $seed, ${execs:-?} executions in ${secs} s, cov ${cov:-?}: $res"
done
exit $rc
