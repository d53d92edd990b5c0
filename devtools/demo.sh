#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Set up, build and run the demo on sim devices.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
./devtools/setup.sh
./devtools/build.sh
exec "$build/apps/dpdk-migrate/dpdk-migrate" -l 0 --no-pci \
	--file-prefix mig-demo --log-level=lib.eal:warning -- \
	--version --list-drivers \
	--dev sim,id=nic0,size=4G,caps=pre_copy+p2p \
	--dev sim,id=acc0,size=64G,caps=stop_copy \
	--info
