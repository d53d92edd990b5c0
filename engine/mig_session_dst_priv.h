/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SESSION_DST_PRIV_H_
#define _MIG_SESSION_DST_PRIV_H_

/*
 * Destination side of a session:
 *
 *   mig_session_dst.c         the role on the main lcore: set-up
 *                             (stages, rings, RESUMING, lanes), one turn
 *                             of its loop (chunks to the lanes, control
 *                             frames, buffers back to the transport),
 *                             reset on failure
 *   mig_session_dst_commit.c  SWITCHOVER_ACK, end-of-stream verification,
 *                             KEEPALIVE after stop-copy, the commit
 *                             (RESUMING -> STOP -> RUNNING), DONE
 *   mig_session_dst_lane.c    a device's lane, on its lcore: payload CRC,
 *                             reorder window, loads
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

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

/* A chunk that overtook its device's DEV_DESC on another stream. */
struct dst_stash {
	struct mig_wire_chunk c;
	void *buf;
};

struct dst_sess {
	struct mig_sess s;
	struct dst_dev d[MIG_SESSION_DEVS_MAX];
	struct mig_lcore_task tasks[MIG_SESSION_DEVS_MAX];
	struct dst_stash *stash;
	unsigned int nstash, stash_max;
	unsigned int verified;
	uint64_t ka_ns;        /* last KEEPALIVE (0: stop-copy not reached) */
	uint64_t moved_ns;     /* last chunk, load or verification */
};

static inline struct dst_sess *
dst_sess(struct mig_sess *s)
{
	return container_of(s, struct dst_sess, s);
}

/* mig_session_dst.c */

/* One turn of the main lcore's loop (backs off when idle): a
 * sess_turn_fn; > 0 work, 0 idle, or the session's error. */
int dst_turn(struct mig_sess *s);

/* mig_session_dst_commit.c */

/* SWITCHOVER_ACK once the device's initial data is loaded, and the
 * end-of-stream verification. 1 when the device was just verified. */
int dst_dev_check(struct dst_sess *ds, struct dst_dev *dd);
/* From stop-copy on: KEEPALIVE while the source waits; @p moved is this
 * turn's work. */
int dst_keepalive(struct dst_sess *ds, int moved);
/* Every device to RUNNING in parallel (downtime ends), digests, DONE. */
int dst_commit(struct dst_sess *ds);

/* mig_session_dst_lane.c */

/* Lane: mig_dst release callback, the buffer back to the main lcore. */
void dst_release(void *ctx, void *cookie);
/* mig_lcore task: one turn of the device's lane. */
int dst_lane_turn(void *arg);

#endif /* _MIG_SESSION_DST_PRIV_H_ */
