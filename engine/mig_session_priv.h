/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SESSION_PRIV_H_
#define _MIG_SESSION_PRIV_H_

/* Internals shared by mig_session.c, mig_session_src.c and
 * mig_session_dst.c. */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include "mig_idle.h"
#include "mig_lcore.h"
#include "mig_pool.h"
#include "mig_rate.h"
#include "mig_session.h"
#include "mig_time.h"
#include "mig_wire.h"
#include "mig_wire_rx.h"
#include "mig_xport.h"

#define SESS_TIMEOUT_DEF_NS (10ull * 1000000000ull)
#define SESS_PROGRESS_NS (250ull * 1000000ull)
#define SESS_RX_BURST 32

/*
 * Device lanes (mig_session_lane.c). Each device's stage runs as a
 * mig_lcore task on its own lcore (a worker, or the main lcore when there
 * is none); the main lcore keeps the transport, the wire checker and the
 * session logic. Chunks cross between them over SP/SC rte_rings of
 * struct sess_chunk; the main lcore asks a lane for device operations
 * (state changes, size queries, digests) with one request at a time
 * (struct sess_req), executed on the lane's lcore between two polls,
 * since a device is driven by one thread only (mig_dev.h). A lane that
 * fails publishes its error message and code once and goes idle.
 */

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
/* Lane: publish a failure (mig_err_last() of this thread), once. */
int sess_lane_fail(struct sess_lane *l, int ret);
/* Main lcore: the lane's error code (0: none); message in l->errmsg. */
int sess_lane_error(const struct sess_lane *l);

/* A heap SP/SC ring of @p count (rounded up) elements of @p esize. */
struct rte_ring *sess_ring_create(unsigned int esize, unsigned int count);

struct mig_sess {
	const struct mig_session_cfg *cfg;
	struct mig_session_stats *st;
	enum mig_wire_role role;
	struct mig_xport *xp;
	struct mig_pool *pool;
	struct mig_wire_rx chk;      /* receive-side sequence checker */
	bool chk_init;
	uint64_t features;           /* negotiated */
	uint8_t nonce[MIG_WIRE_NONCE_LEN];
	struct mig_wire_hello peer;
	uint64_t timeout_ns;
	uint64_t last_progress;
	uint64_t last_report;
	struct mig_rate rate;
	bool peer_aborted;           /* ABORT received: do not send one */
	/* destination: chunks that arrived during the handshake */
	struct mig_wire_chunk *early;
	void **early_buf;
	unsigned int nearly, early_max;
	struct mig_xport_rx rx[SESS_RX_BURST];
	struct mig_lcore_group lc;   /* device lanes on lcores */
	struct mig_idle idle;        /* main lcore's back-off */
	struct mig_rate dev_rate[MIG_SESSION_DEVS_MAX];
};

/* Open the transport and the chunk pool (count buffers). */
int sess_init(struct mig_sess *s, const struct mig_session_cfg *cfg,
	      struct mig_session_stats *st, enum mig_wire_role role);
/* Create the chunk pool of @p count buffers. */
int sess_pool_create(struct mig_sess *s, unsigned int count);
void sess_fini(struct mig_sess *s);

/* Log "<role>: <what> at +<ms since the session started>" (DEBUG: -v). */
void sess_mark(struct mig_sess *s, const char *what);
/* Enter @p step (a MIG_WIRE_STEP_*), marked as above. */
void sess_step(struct mig_sess *s, unsigned int step);

/* Record "<step>: <cause>" as the error, return @p ret. */
int sess_fail(struct mig_sess *s, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same with the last lower-layer message as the cause. */
int sess_fail_last(struct mig_sess *s, int ret);

/* Work was done: push the no-progress deadline. */
void sess_progress(struct mig_sess *s, int work);
/* Fail with "no progress for <timeout> s". */
int sess_fail_stalled(struct mig_sess *s);
/* -ETIMEDOUT (with message) when nothing moved for the timeout. */
int sess_check(struct mig_sess *s);
/* Report progress through the callback, rate limited. */
void sess_report(struct mig_sess *s);
/* Main-lcore turn, common part: transport progress and the lcore tasks
 * the main lcore runs itself. Work done, or < 0 (session failed). */
int sess_turn_poll(struct mig_sess *s);
/* Main-lcore turn, end: progress deadline, report, no-progress check,
 * idle back-off. @p work, or < 0 (session failed). */
int sess_turn_end(struct mig_sess *s, int work);
/* Account @p len payload bytes of device @p dev moved now. */
void sess_account(struct mig_sess *s, uint32_t dev, uint32_t len);

/* Encode and queue a control frame (retries while the queue is full). */
int sess_send(struct mig_sess *s, struct mig_wire_msg *m);
/* Best effort ABORT with the current error, flushed for up to 1 s. */
void sess_send_abort(struct mig_sess *s, int code, uint32_t dev_id);

/* Decode a received control frame and feed it to the checker. */
int sess_ctrl_decode(struct mig_sess *s, const struct mig_xport_rx *r,
		     struct mig_wire_msg *m);
/* Feed a received chunk header to the checker. */
int sess_chunk_check(struct mig_sess *s, const struct mig_wire_chunk *c);
/* The peer's ABORT as our error. */
int sess_peer_abort(struct mig_sess *s, const struct mig_wire_msg *m);

/* Connect / accept, HELLO exchange, negotiation and authentication. */
int sess_handshake(struct mig_sess *s);

/* buf_get / buf_put over the pool */
void *sess_buf_get(void *ctx);
void sess_buf_put(void *ctx, void *buf);

#endif /* _MIG_SESSION_PRIV_H_ */
