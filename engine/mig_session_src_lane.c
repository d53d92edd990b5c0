/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * A source device's lane, polled on the device's lcore: buffers the
 * transport is done with come back on ret_ring and are freed, the stage
 * saves chunks (CRC32C computed here) and hands them to the main lcore on
 * tx_ring, the end of the initial data is looked for (src_init_watch(),
 * mig_session_src_precopy.c), and the main lcore's requests (hold, state
 * changes, size queries, digest) are executed between two turns.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_src_priv.h"

#define SRC_RET_BURST 32

static int
src_lane_emit(void *ctx, const struct mig_wire_chunk *hdr, void *buf,
	      void *cookie)
{
	struct src_dev *sd = ctx;
	struct sess_chunk c;

	RTE_SET_USED(cookie); /* the buffer itself */
	sess_chunk_from_wire(&c, hdr, buf);
	return rte_ring_sp_enqueue_elem(sd->tx_ring, &c, sizeof(c)) == 0 ?
	       0 : -EAGAIN;
}

int
src_lane_init(struct src_dev *sd, const struct mig_session_cfg *cfg,
	      unsigned int nbuf)
{
	struct mig_src_cfg sc;
	int ret;

	memset(&sc, 0, sizeof(sc));
	sc.dev_id = sd->id;
	sc.chunk_size = cfg->chunk_size;
	sc.depth = cfg->depth ? cfg->depth : SESS_DEPTH_DEF;
	sc.buf_get = sess_buf_get;
	sc.buf_put = sess_buf_put;
	sc.buf_ctx = &sd->ss->s;
	sc.emit = src_lane_emit;
	sc.emit_ctx = sd;
	ret = mig_src_init(&sd->stage, sd->dev, &sc);
	if (ret < 0)
		return ret;
	sd->stage_init = true;
	/* Every buffer of the pool fits in either ring: no enqueue fails
	 * for want of room. */
	sd->tx_ring = sess_ring_create(sizeof(struct sess_chunk), nbuf);
	sd->ret_ring = sess_ring_create(sizeof(void *), nbuf);
	if (sd->tx_ring == NULL || sd->ret_ring == NULL) {
		mig_err_set(mig_logtype_engine,
			    "device %s: out of memory for its rings",
			    mig_dev_name(sd->dev));
		return -ENOMEM;
	}
	return 0;
}

void
src_lane_fini(struct src_dev *sd)
{
	free(sd->tx_ring);
	free(sd->ret_ring);
	sd->tx_ring = NULL;
	sd->ret_ring = NULL;
}

void
src_lane_reclaim(struct src_dev *sd, bool drained)
{
	struct sess_chunk c;
	void *buf;

	if (!sd->stage_init)
		return;
	if (sd->tx_have)
		mig_src_buf_done(&sd->stage, sd->tx_cur.buf);
	sd->tx_have = false;
	while (sd->tx_ring != NULL &&
	       rte_ring_sc_dequeue_elem(sd->tx_ring, &c, sizeof(c)) == 0)
		mig_src_buf_done(&sd->stage, c.buf);
	while (sd->ret_ring != NULL &&
	       rte_ring_sc_dequeue(sd->ret_ring, &buf) == 0)
		mig_src_buf_done(&sd->stage, buf);
	/* Saves still in the device own their buffers until collected. */
	if (drained)
		mig_src_release(&sd->stage);
}

/* Lane: no new saves while a request or the initial-data watch holds
 * the stage. */
void
src_lane_hold(struct src_dev *sd)
{
	mig_src_hold(&sd->stage, sd->held || sd->init_holding);
}

/* Execute the pending request. @return -EAGAIN (not yet: the stage must
 * first be quiet), or its result. */
static int
src_lane_req(struct src_dev *sd)
{
	struct sess_req *r = &sd->lane.req;
	enum mig_state target;
	int ret = 0;

	switch (r->kind) {
	case SESS_REQ_HOLD:
	case SESS_REQ_STATE:
	case SESS_REQ_P2P:
		/* Switchover: no more initial-data marking, no new saves,
		 * and the device is changed only with nothing in flight. */
		sd->held = true;
		sd->init_watch = false;
		sd->init_holding = false;
		src_lane_hold(sd);
		if (!mig_src_quiet(&sd->stage))
			return -EAGAIN;
		if (r->kind == SESS_REQ_HOLD)
			break;
		target = r->target;
		if (r->kind == SESS_REQ_P2P)
			target = mig_dev_state(sd->dev) == MIG_STATE_PRE_COPY ?
				 MIG_STATE_PRE_COPY_P2P : MIG_STATE_RUNNING_P2P;
		ret = mig_dev_set_state(sd->dev, target, r->recover);
		if (ret == 0 && r->resume) {
			sd->held = false;
			mig_src_rearm(&sd->stage);
			src_lane_hold(sd);
		}
		break;
	case SESS_REQ_REARM:
		mig_src_rearm(&sd->stage);
		break;
	case SESS_REQ_SIZES:
		ret = mig_dev_query_sizes(sd->dev, &r->sizes);
		break;
	case SESS_REQ_DIGEST:
		r->has_digest = mig_dev_digest(sd->dev, &r->digest) == 0;
		break;
	default:
		break;
	}
	return ret;
}

int
src_lane_turn(void *arg)
{
	struct src_dev *sd = arg;
	void *bufs[SRC_RET_BURST];
	int ret, req = -EAGAIN, work;
	unsigned int i, n;

	if (sd->lane.error != 0)
		return 0;
	n = rte_ring_sc_dequeue_burst(sd->ret_ring, bufs, SRC_RET_BURST,
				      NULL);
	for (i = 0; i < n; i++)
		mig_src_buf_done(&sd->stage, bufs[i]);
	work = (int)n;
	ret = mig_src_poll(&sd->stage);
	if (ret < 0)
		goto fail;
	work += ret;
	if (sd->init_watch) {
		ret = src_init_watch(sd);
		if (ret < 0)
			goto fail;
		work += ret;
	}
	if (sess_lane_pending(&sd->lane)) {
		req = src_lane_req(sd);
		if (req != -EAGAIN && req < 0)
			sess_lane_fail(&sd->lane, req);
	}
	/* Published before the request completes: what the main lcore reads
	 * after a request is never older than the request. */
	__atomic_store_n(&sd->caught_up,
			 sd->stage.nodata && mig_src_quiet(&sd->stage),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&sd->finished, mig_src_finished(&sd->stage),
			 __ATOMIC_RELEASE);
	if (req != -EAGAIN) {
		sess_lane_complete(&sd->lane, req);
		work++;
	}
	return work;
fail:
	/* Published once; the lane is idle from now on. */
	sess_lane_fail(&sd->lane, ret);
	return 0;
}
