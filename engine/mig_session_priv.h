/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SESSION_PRIV_H_
#define _MIG_SESSION_PRIV_H_

/*
 * The session core both roles share (doc/architecture.md, "Session
 * code"), one concept per file:
 *
 *   mig_session.c            the session object: set-up, chunk pool, one
 *                            turn of the main loop, accounting, progress
 *   mig_session_error.c      the session's one-line error, the
 *                            no-progress deadline, ABORT both ways
 *   mig_session_conn.c       connection, control frames out and in
 *   mig_session_handshake.c  HELLO, negotiation, HMAC authentication
 *   mig_session_lane.c       device lanes (mig_session_lane.h)
 *   mig_session_observe.c    observers: periodic samples and events
 *
 * The roles: mig_session_src*.c (mig_session_src_priv.h) and
 * mig_session_dst*.c (mig_session_dst_priv.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include "mig_idle.h"
#include "mig_lcore.h"
#include "mig_pool.h"
#include "mig_rate.h"
#include "mig_session.h"
#include "mig_session_lane.h"
#include "mig_time.h"
#include "mig_wire.h"
#include "mig_wire_rx.h"
#include "mig_xport.h"

#define SESS_TIMEOUT_DEF_NS (10ull * MIG_NS_PER_S)
#define SESS_PROGRESS_NS (250ull * 1000000ull)
#define SESS_RX_BURST 32
/* How long an ABORT may take to leave, or the peer to close the link
 * after a failed handshake. */
#define SESS_FLUSH_NS (1000ull * 1000000ull)
/* Saves (source) or loads (destination) in flight per device when the
 * configuration leaves mig_session_cfg.depth at 0. */
#define SESS_DEPTH_DEF 4
/*
 * Chunk buffers beyond those flow control can keep busy (the transport's
 * window of chunks on the wire or landed, and on the source every
 * device's saves in flight). A buffer on its way back through a lane's
 * ring, or idle in another lcore's mempool cache, is out of reach for a
 * while; a get that finds none waits for a later turn, so the spare is
 * a margin against such waits, not a bound the code relies on.
 */
#define SESS_POOL_SPARE 8

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
	struct sess_lane *lanes[MIG_SESSION_DEVS_MAX]; /* in device order */
	struct mig_idle idle;        /* main lcore's back-off */
	struct mig_rate dev_rate[MIG_SESSION_DEVS_MAX];
	uint64_t obs_last[MIG_SESSION_OBSERVERS_MAX]; /* last sample */
	uint64_t obs_ns;             /* time spent refreshing and observing */
	uint64_t obs_calls;          /* samples and events delivered */
};

static inline const char *
sess_role_name(const struct mig_sess *s)
{
	return s->role == MIG_WIRE_ROLE_SOURCE ? "source" : "destination";
}

/* mig_session.c */

/* Check the configuration, open the transport. */
int sess_init(struct mig_sess *s, const struct mig_session_cfg *cfg,
	      struct mig_session_stats *st, enum mig_wire_role role);
/* Create the chunk pool of @p count buffers. */
int sess_pool_create(struct mig_sess *s, unsigned int count);
/* Tear down (lanes stopped); observers get a last sample and the end
 * with @p ret. */
void sess_fini(struct mig_sess *s, int ret);
/* buf_get / buf_put over the pool (@p ctx: the struct mig_sess) */
void *sess_buf_get(void *ctx);
void sess_buf_put(void *ctx, void *buf);
/* Log "<role>: <what> at +<ms since the session started>" (DEBUG: -v). */
void sess_mark(struct mig_sess *s, const char *what);
/* Enter @p step (a MIG_WIRE_STEP_*), marked as above. */
void sess_step(struct mig_sess *s, unsigned int step);
/* A turn of the main loop begins: transport progress and the lanes the
 * main lcore runs itself. Work done, or < 0 (session failed). */
int sess_turn_begin(struct mig_sess *s);
/* A turn of the main loop ends: progress deadline, report, no-progress
 * check, idle back-off. @p work, or < 0 (session failed). */
int sess_turn_end(struct mig_sess *s, int work);
/* Account @p len payload bytes of device @p dev moved now. */
void sess_account(struct mig_sess *s, uint32_t dev, uint32_t len);

/* mig_session_observe.c */

/* Rates as of @p now and the transport's counters into the stats. */
void sess_refresh(struct mig_sess *s, uint64_t now);
/* Main lcore, the lanes of @p mask not driving their devices (not
 * started or stopped, or their last request done): the devices' states
 * into the stats. */
void sess_dev_states(struct mig_sess *s, uint64_t mask);
/* Samples to the observers whose period elapsed. */
void sess_observe(struct mig_sess *s, uint64_t now);
/* @p ev to every observer (after a sample for MIG_SESSION_EV_END). */
void sess_event(struct mig_sess *s, enum mig_session_event ev, int arg);

/* mig_session_error.c */

/* Record "<role>, step <step>: <cause>" as the error, return @p ret. */
int sess_fail(struct mig_sess *s, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same with the last lower-layer message as the cause. */
int sess_fail_last(struct mig_sess *s, int ret);
/* Fail with "no progress for <timeout> s". */
int sess_fail_stalled(struct mig_sess *s);
/* Work was done: push the no-progress deadline. */
void sess_progress(struct mig_sess *s, int work);
/* -ECANCELED (session failed) once cfg->stop is set, else 0. */
int sess_check_stop(struct mig_sess *s);
/* -ETIMEDOUT (with message) when nothing moved for the timeout, or
 * sess_check_stop()'s failure. */
int sess_check(struct mig_sess *s);
/* Best effort ABORT with the current error, flushed for up to 1 s. */
void sess_send_abort(struct mig_sess *s, int code, uint32_t dev_id);
/* The peer's ABORT as our error. */
int sess_peer_abort(struct mig_sess *s, const struct mig_wire_msg *m);

/* mig_session_conn.c */

/* Connect (source) or listen and accept (destination). */
int sess_connect(struct mig_sess *s);
/* Encode and queue a control frame (retries while the queue is full). */
int sess_send(struct mig_sess *s, struct mig_wire_msg *m);
/* A KEEPALIVE numbered @p seq. */
int sess_send_keepalive(struct mig_sess *s, uint32_t seq);
/* Decode a received control frame and feed it to the checker. */
int sess_ctrl_decode(struct mig_sess *s, const struct mig_xport_rx *r,
		     struct mig_wire_msg *m);
/* Keep the link up for @p ns at most, until the peer closes it or it
 * fails; what arrives meanwhile is dropped. */
void sess_linger(struct mig_sess *s, uint64_t ns);
/* The wire checker's end-of-session verdict (destination: every stream
 * complete; source: DONE received) as the session's error, or 0. */
int sess_finish_check(struct mig_sess *s);
/* Feed a received chunk header to the checker. */
int sess_chunk_check(struct mig_sess *s, const struct mig_wire_chunk *c);

/* mig_session_handshake.c */

/* Connect / accept, HELLO exchange, negotiation and authentication. */
int sess_handshake(struct mig_sess *s);

#endif /* _MIG_SESSION_PRIV_H_ */
