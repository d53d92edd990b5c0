/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SESSION_LANE_H_
#define _MIG_SESSION_LANE_H_

/*
 * Device lanes (mig_session_lane.c). Each device's stage (mig_src or
 * mig_dst) runs as a mig_lcore task on its own lcore (a worker, or the
 * main lcore when there is none); the main lcore keeps the transport, the
 * wire checker and the session logic. Chunks cross between them over two
 * SP/SC rte_rings per device, of struct sess_chunk one way and of buffers
 * the other, each with room for every buffer of the pool. The main lcore
 * asks a lane for device operations (state changes, size queries,
 * digests, commit) through the lane's mailbox: one request at a time
 * (struct sess_req), executed on the lane's lcore between two turns,
 * since a device is driven by one thread only (mig_dev.h). A lane that
 * fails publishes its error message and code once and goes idle.
 *
 * The roles' lanes: mig_session_src_lane.c, mig_session_dst_lane.c.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include "mig_dev.h"
#include "mig_log.h"
#include "mig_wire.h"

struct mig_sess;

/* A chunk between a lane and the main lcore (ring element, 32 bytes). */
struct sess_chunk {
	void *buf;
	uint64_t index;
	uint32_t len;
	uint32_t crc;
	uint32_t flags;
	uint32_t dev_id;
};

enum sess_req_kind {
	SESS_REQ_NONE = 0,
	SESS_REQ_HOLD,   /* source: submit no more saves; done when quiet */
	SESS_REQ_STATE,  /* mig_dev_set_state(target, recover), when quiet */
	SESS_REQ_P2P,    /* source: to the P2P state of the current one */
	SESS_REQ_REARM,  /* source: look for pre-copy data again */
	SESS_REQ_SIZES,  /* mig_dev_query_sizes() */
	SESS_REQ_DIGEST, /* mig_dev_digest() */
	SESS_REQ_COMMIT, /* destination: RESUMING -> STOP -> RUNNING, digest */
};

struct sess_req {
	enum sess_req_kind kind;
	enum mig_state target;
	enum mig_state recover;
	bool resume;     /* STATE: submit saves again afterwards */
	int ret;         /* result; the lane's message is in the lane */
	struct mig_dev_sizes sizes;
	uint64_t digest;
	bool has_digest;
};

/* A lane's mailbox and its published failure. */
struct sess_lane {
	struct sess_req req;
	uint32_t req_seq;  /* main: bumped once req is filled */
	uint32_t req_done; /* lane: req_seq of the last request done */
	int32_t error;     /* lane: first failure, set after errmsg */
	char errmsg[MIG_ERR_MAX];
};

/* Main lcore: post a request (the previous one must be done). */
void sess_lane_post(struct sess_lane *l, const struct sess_req *r);
/* Main lcore: the last request posted is done (its result in l->req). */
bool sess_lane_done(const struct sess_lane *l);
/* Lane: a request waits; the lane reads l->req. */
bool sess_lane_pending(const struct sess_lane *l);
/* Lane: finish the request with @p ret. */
void sess_lane_complete(struct sess_lane *l, int ret);
/* Lane: publish a failure (mig_err_last() of this thread, or @p ret's
 * text), once; the lane then goes idle. */
void sess_lane_fail(struct sess_lane *l, int ret);
/* Main lcore: the lane's error code (0: none); message in l->errmsg. */
int sess_lane_error(const struct sess_lane *l);

/* One turn of a session's main loop: > 0 work done, 0 idle, or the
 * session's error (< 0). */
typedef int (*sess_turn_fn)(struct mig_sess *s);

/* Every device of the session, as a sess_lanes_request() mask. */
uint64_t sess_lanes_all(const struct mig_sess *s);
/*
 * Main lcore: post @p r to the lanes of the devices in @p mask (bit i:
 * device i) and take turns with @p turn until each of them has done it or
 * failed. @return 0, @p turn's error, or the first lane's failure as the
 * session's error (sess_lanes_check()). The results are in each lane's
 * req.
 */
int sess_lanes_request(struct mig_sess *s, const struct sess_req *r,
		       uint64_t mask, sess_turn_fn turn);
/* Main lcore: the first failed lane's message as the session's error,
 * or 0 when no lane failed. */
int sess_lanes_check(struct mig_sess *s);
/* A turn that only runs the lanes the main lcore runs itself (for when
 * the transport is done with). */
int sess_turn_lanes(struct mig_sess *s);

/* A heap SP/SC ring of @p count (rounded up) elements of @p esize. */
struct rte_ring *sess_ring_create(unsigned int esize, unsigned int count);

/* A chunk header as a ring element, and back. */
void sess_chunk_from_wire(struct sess_chunk *c,
			  const struct mig_wire_chunk *hdr, void *buf);
void sess_chunk_to_wire(struct mig_wire_chunk *hdr,
			const struct sess_chunk *c);

#endif /* _MIG_SESSION_LANE_H_ */
