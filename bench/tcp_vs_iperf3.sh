#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# The TCP transport against iperf3 on the same loopback, same number of
# streams, measured in the same run (the machines are shared and noisy:
# the ratio is the result).
#
#   bench/tcp_vs_iperf3.sh [build dir] [streams...]
set -eu
build=${1:-build}
shift 2>/dev/null || true
streams=${*:-"1 2 4"}
bench=$build/bench/bench_xport
[ -x "$bench" ] || { echo "build first: $bench missing" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "iperf3 missing: devtools/setup.sh" >&2; exit 1; }
port=$((20000 + $$ % 20000))

printf '%-8s %12s %12s %8s\n' streams engine_MB/s iperf3_MB/s ratio
for n in $streams; do
	eng=$("$bench" -t "tcp,streams=$n" -c 1M -s 8G | sed 's/.*: \([0-9.]*\) MB\/s/\1/')
	iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	srv=$!
	sleep 0.5
	ip=$(iperf3 -c 127.0.0.1 -p "$port" -P "$n" -t 5 -l 1M -J |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6)')
	wait "$srv" 2>/dev/null || true
	printf '%-8s %12.1f %12.1f %8.2f\n' "$n" "$eng" "$ip" \
		"$(python3 -c "print($eng/$ip)")"
done
