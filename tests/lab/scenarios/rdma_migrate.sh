#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Lab scenario: migrations over the RDMA transport on rxe0 between two
# dpdk-migrate processes in the guest (sim devices with pre-copy; device
# digests compared), including a destination that offers only two landing
# slots (the source must throttle and still complete) and one whose 1024
# slots do not fit in its send queue at once. TAP.
#
# The source runs with --downtime 10000: under TCG the link moves a few
# MB/s, and with the default 300 ms limit the source would keep iterating
# pre-copy while the destination, receiving nothing, gives up after its
# 10 s no-progress timeout.
. "$(dirname "$0")/../rdma_common.sh"

echo "1..5"

migrate_ok "rdma: pre-copy device, dirty pages, 2 QPs" \
	"--dev sim,id=a,size=16M,page=4K,caps=pre_copy,dirty_rate=4M,seed=9" \
	"--dev sim,id=a,size=16M,page=4K,caps=pre_copy" \
	"--downtime 10000 --transport rdma,qps=2" "--transport rdma"

migrate_ok "rdma: 3 devices, 256K chunks, selective signaling" \
	"--dev sim,id=a,size=8M,caps=pre_copy,seed=1 --dev sim,id=b,size=4M,caps=stop_copy,seed=2 --dev sim,id=c,size=1M,seed=3" \
	"--dev sim,id=a,size=8M,caps=pre_copy --dev sim,id=b,size=4M,caps=stop_copy --dev sim,id=c,size=1M" \
	"--downtime 10000 --chunk 256K --transport rdma,qps=3,cq_mod=4" "--chunk 256K --transport rdma"

migrate_ok "rdma: 4K chunks, cq_mod=16 (unsignaled writes flushed)" \
	"--dev sim,id=a,size=2M,caps=pre_copy,seed=5" \
	"--dev sim,id=a,size=2M,caps=pre_copy" \
	"--downtime 10000 --chunk 4K --transport rdma,cq_mod=16" "--chunk 4K --transport rdma"

# Too few slots: window=2 on the destination; the source is throttled by
# credits (its transport refuses chunks with -EAGAIN) and completes.
migrate_ok "rdma: destination offers 2 slots, source throttles and completes" \
	"--dev sim,id=a,size=16M,caps=pre_copy,seed=7" \
	"--dev sim,id=a,size=16M,caps=pre_copy" \
	"--downtime 10000 --transport rdma,qps=2" "--transport rdma,window=2"

# 1024 slots take 17 SLOTS frames; tx_depth=8 on the destination leaves 7
# send entries: the frames that do not fit go on the next polls.
migrate_ok "rdma: destination window=1024 with tx_depth=8, SLOTS frames over several polls" \
	"--dev sim,id=a,size=2M,caps=pre_copy,seed=11" \
	"--dev sim,id=a,size=2M,caps=pre_copy" \
	"--downtime 10000 --chunk 4K --transport rdma" \
	"--chunk 4K --transport rdma,window=1024,tx_depth=8"

[ "$FAILED" -eq 0 ]
