/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SESSION_PRIV_H_
#define _MIG_SESSION_PRIV_H_

/* Internals shared by mig_session.c, mig_session_src.c and
 * mig_session_dst.c. */

#include <stdbool.h>
#include <stdint.h>

#include "mig_pool.h"
#include "mig_rate.h"
#include "mig_session.h"
#include "mig_wire.h"
#include "mig_wire_rx.h"
#include "mig_xport.h"

#define SESS_TIMEOUT_DEF_NS (10ull * 1000000000ull)
#define SESS_PROGRESS_NS (250ull * 1000000ull)
#define SESS_RX_BURST 32

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
};

/* Open the transport and the chunk pool (count buffers). */
int sess_init(struct mig_sess *s, const struct mig_session_cfg *cfg,
	      struct mig_session_stats *st, enum mig_wire_role role);
/* Create the chunk pool of @p count buffers. */
int sess_pool_create(struct mig_sess *s, unsigned int count);
void sess_fini(struct mig_sess *s);

/* Record "<step>: <cause>" as the error, return @p ret. */
int sess_fail(struct mig_sess *s, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same with the last lower-layer message as the cause. */
int sess_fail_last(struct mig_sess *s, int ret);

/* Work was done: push the no-progress deadline. */
void sess_progress(struct mig_sess *s, int work);
/* -ETIMEDOUT (with message) when nothing moved for the timeout. */
int sess_check(struct mig_sess *s);
/* Report progress through the callback, rate limited. */
void sess_report(struct mig_sess *s);

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
