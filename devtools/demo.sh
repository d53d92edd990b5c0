#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Set up, build and run the demo: a loopback migration (source and
# destination processes on 127.0.0.1, authenticated with a fresh key) of
# two sim devices, 6 GiB in all, with pre-copy while one keeps dirtying.
# The source records a timeline (doc/watching.md), drawn at the end into
# <build>/demo-timeline.png.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
./devtools/setup.sh
./devtools/build.sh
key=$build/demo.key
if [ ! -s "$key" ]; then
	umask 077
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key"
fi
# dpdk-migrate refuses a key file that others may read (older demo keys)
chmod 600 "$key"
"$build/apps/dpdk-migrate/dpdk-migrate" -l 0-1 --no-pci \
	--file-prefix mig-demo --log-level=lib.eal:warning -- \
	--role loopback --key "$key" --timeline "$build/demo-timeline.jsonl" \
	--dev sim,id=nic0,size=4G,page=1M,caps=pre_copy+p2p,dirty_rate=64M \
	--dev sim,id=nic1,size=2G,page=1M,caps=pre_copy
./devtools/plot-timeline.py "$build/demo-timeline.jsonl" \
	-o "$build/demo-timeline.png" >/dev/null
echo "demo: timeline picture in $build/demo-timeline.png"
