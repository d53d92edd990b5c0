/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SESSION_SRC_PRIV_H_
#define _MIG_SESSION_SRC_PRIV_H_

/*
 * Source side of a session:
 *
 *   mig_session_src.c             the role on the main lcore: set-up
 *                                 (DEV_DESC, PRE_COPY, lanes), one turn
 *                                 of its loop (chunks to the transport,
 *                                 buffers back, control frames in), the
 *                                 commit, recovery on failure
 *   mig_session_src_precopy.c     pre-copy: rounds, initial data
 *                                 (INIT_SENT), KEEPALIVE, the switchover
 *                                 decision
 *   mig_session_src_switchover.c  switchover: quiesce, P2P, STOP_COPY,
 *                                 drain every device, DEV_END
 *   mig_session_src_lane.c        a device's lane, on its lcore
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "mig_session_priv.h"
#include "mig_src.h"

struct src_sess;

struct src_dev {
	/* Set by the main lcore before the lanes start, then read-only. */
	struct src_sess *ss;
	struct mig_dev *dev;
	struct mig_dev_info info;
	unsigned int id;
	bool precopy;              /* takes part in pre-copy */
	struct rte_ring *tx_ring;  /* lane -> main: struct sess_chunk */
	struct rte_ring *ret_ring; /* main -> lane: sent buffers */
	struct sess_lane lane;

	/* Lane only. */
	struct mig_src stage;
	bool stage_init;
	bool held;                 /* by request (HOLD, STATE) */
	bool init_watch;           /* looking for the end of the initial data */
	bool init_holding;         /* held to mark it */
	uint64_t init_query_ns;

	/* Published by the lane (atomics). */
	uint64_t init_end;         /* valid once init_ready */
	uint32_t init_ready;
	uint32_t caught_up;        /* no pre-copy data now, nothing in flight */
	uint32_t finished;         /* stream ended, every buffer back */

	/* Main lcore only. */
	struct sess_chunk tx_cur;  /* dequeued, refused by the transport */
	bool tx_have;
	bool init_sent;
	bool acked;
	unsigned int out;          /* chunks in the transport */
};

/* A chunk in the transport: the cookie mig_xport_tx_done() returns. */
struct src_out {
	void *buf;
	struct src_dev *sd;        /* NULL: free */
};

struct src_sess {
	struct mig_sess s;
	struct src_dev d[MIG_SESSION_DEVS_MAX];
	struct mig_lcore_task tasks[MIG_SESSION_DEVS_MAX];
	struct src_out *outs;      /* one per pool buffer */
	struct src_out **out_free; /* stack of free cookies */
	unsigned int nfree, nouts;
	uint64_t precopy_lanes;    /* devices that take part in pre-copy */
	uint64_t p2p_lanes;        /* devices with a P2P state */
	unsigned int owner_stops;  /* devices their owner stopped (last sizes) */
	bool precopy_phase;
	bool done;                 /* DONE received */
	uint32_t ka_seq;           /* KEEPALIVE frames sent */
	uint64_t heard_ns;         /* last control frame received */
};

static inline struct src_sess *
src_sess(struct mig_sess *s)
{
	return container_of(s, struct src_sess, s);
}

/* mig_session_src.c */

/* One turn of the main lcore's loop (backs off when idle): a
 * sess_turn_fn; > 0 work, 0 idle, or the session's error. */
int src_turn(struct mig_sess *s);
/* sess_lanes_request() with src_turn(). */
int src_request(struct src_sess *ss, const struct sess_req *r,
		uint64_t lanes);

/* mig_session_src_precopy.c */

/* The devices' stop-copy estimates (total, and the part of devices
 * without pre-copy), published in the stats. */
int src_pending(struct src_sess *ss, uint64_t *pending, uint64_t *fixed);
/* Pre-copy rounds until the policy says switch over. */
int src_precopy(struct src_sess *ss);
/* Main lcore: INIT_SENT for every device whose lane found the end of its
 * initial data. Work done, or the session's error. */
int src_init_sent(struct src_sess *ss);
/* Lane: look for the end of the device's initial data. 1 when found,
 * 0 not yet, or -errno. */
int src_init_watch(struct src_dev *sd);

/* mig_session_src_switchover.c */

/* Quiesce, stop every device, drain all streams in parallel, DEV_END;
 * @p down_start is when the downtime started. */
int src_switchover(struct src_sess *ss, uint64_t *down_start);

/* mig_session_src_lane.c */

/* Set up the lane of @p sd (stage and rings); 0 or -errno with message. */
int src_lane_init(struct src_dev *sd, const struct mig_session_cfg *cfg,
		  unsigned int nbuf);
/* Free the rings (buffers must have been given back). */
void src_lane_fini(struct src_dev *sd);
/* mig_lcore task: one turn of the device's lane. */
int src_lane_turn(void *arg);
/* Main lcore, lanes stopped: every buffer the lane holds back to the pool. */
void src_lane_reclaim(struct src_dev *sd, bool drained);
/* Lane: apply the hold the requests and the initial-data watch ask for. */
void src_lane_hold(struct src_dev *sd);

#endif /* _MIG_SESSION_SRC_PRIV_H_ */
