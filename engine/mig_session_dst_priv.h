/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SESSION_DST_PRIV_H_
#define _MIG_SESSION_DST_PRIV_H_

/* Destination side: the session (mig_session_dst.c, main lcore) and the
 * device lanes (mig_session_dst_lane.c, each on its lcore). */

#include <stdbool.h>
#include <stdint.h>

#include "mig_dst.h"
#include "mig_session_priv.h"

struct dst_dev {
	/* Set by the main lcore before the lanes start, then read-only. */
	struct mig_dev *dev;
	struct mig_dev_info info;
	unsigned int id;
	struct rte_ring *rx_ring;  /* main -> lane: struct sess_chunk */
	struct rte_ring *rel_ring; /* lane -> main: buffers loaded */
	struct sess_lane lane;
	/* Lane only. */
	struct mig_dst stage;
	bool stage_init;
	/* Published by the lane. */
	uint64_t loaded;           /* chunks loaded, all below this index */
	/* Main lcore only. */
	bool described;
	bool init_known;
	bool acked;
	bool verified;
	uint64_t init_end;
	uint64_t released;         /* buffers given back to the transport */
};

/* Lane: mig_dst release callback, the buffer back to the main lcore. */
void dst_release(void *ctx, void *cookie);
/* mig_lcore task: one poll of the device's lane. */
int dst_lane_poll(void *arg);

#endif /* _MIG_SESSION_DST_PRIV_H_ */
