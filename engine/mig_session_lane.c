/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Hand-over between the main lcore and the device lanes (see
 * mig_session_lane.h): a lane's mailbox (one request at a time), its
 * published failure, one request to many lanes, and the rings chunks
 * travel on.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "mig_log.h"
#include "mig_session_priv.h"

void
sess_lane_post(struct sess_lane *l, const struct sess_req *r)
{
	l->req = *r;
	l->req.ret = 0;
	/* The request is visible before its sequence number. */
	__atomic_store_n(&l->req_seq, l->req_seq + 1, __ATOMIC_RELEASE);
}

bool
sess_lane_done(const struct sess_lane *l)
{
	return __atomic_load_n(&l->req_done, __ATOMIC_ACQUIRE) == l->req_seq;
}

bool
sess_lane_pending(const struct sess_lane *l)
{
	return __atomic_load_n(&l->req_seq, __ATOMIC_ACQUIRE) != l->req_done;
}

void
sess_lane_complete(struct sess_lane *l, int ret)
{
	l->req.ret = ret;
	l->req.kind = SESS_REQ_NONE;
	__atomic_store_n(&l->req_done, l->req_seq, __ATOMIC_RELEASE);
}

void
sess_lane_fail(struct sess_lane *l, int ret)
{
	if (l->error != 0)
		return;
	snprintf(l->errmsg, sizeof(l->errmsg), "%s",
		 mig_err_last()[0] ? mig_err_last() : strerror(-ret));
	__atomic_store_n(&l->error, ret < 0 ? ret : -EIO, __ATOMIC_RELEASE);
}

int
sess_lane_error(const struct sess_lane *l)
{
	return __atomic_load_n(&l->error, __ATOMIC_ACQUIRE);
}

/* A sess_lanes_request() mask has a bit per device. */
_Static_assert(MIG_SESSION_DEVS_MAX <= 64, "lane masks are 64 bits");

uint64_t
sess_lanes_all(const struct mig_sess *s)
{
	return s->cfg->ndev >= 64 ? UINT64_MAX :
	       (UINT64_C(1) << s->cfg->ndev) - 1;
}

int
sess_lanes_check(struct mig_sess *s)
{
	unsigned int i;
	int err;

	for (i = 0; i < s->cfg->ndev; i++) {
		err = sess_lane_error(s->lanes[i]);
		if (err != 0)
			return sess_fail(s, err, "%s", s->lanes[i]->errmsg);
	}
	return 0;
}

int
sess_lanes_request(struct mig_sess *s, const struct sess_req *r,
		   uint64_t mask, sess_turn_fn turn)
{
	const struct sess_lane *l;
	unsigned int i;
	bool all;
	int ret;

	for (i = 0; i < s->cfg->ndev; i++)
		if (mask & (UINT64_C(1) << i))
			sess_lane_post(s->lanes[i], r);
	for (;;) {
		all = true;
		for (i = 0; i < s->cfg->ndev && all; i++) {
			l = s->lanes[i];
			if ((mask & (UINT64_C(1) << i)) &&
			    !sess_lane_done(l) && sess_lane_error(l) == 0)
				all = false;
		}
		if (all)
			break;
		ret = turn(s);
		if (ret < 0)
			return ret;
	}
	sess_dev_states(s, mask);
	return sess_lanes_check(s);
}

int
sess_turn_lanes(struct mig_sess *s)
{
	mig_idle_step(&s->idle, mig_lcore_poll_main(&s->lc));
	return 0;
}

void
sess_chunk_from_wire(struct sess_chunk *c, const struct mig_wire_chunk *hdr,
		     void *buf)
{
	*c = (struct sess_chunk){
		.buf = buf, .index = hdr->index, .len = hdr->length,
		.crc = hdr->crc, .flags = hdr->flags, .dev_id = hdr->dev_id,
	};
}

void
sess_chunk_to_wire(struct mig_wire_chunk *hdr, const struct sess_chunk *c)
{
	*hdr = (struct mig_wire_chunk){
		.dev_id = c->dev_id, .flags = c->flags, .index = c->index,
		.length = c->len, .crc = c->crc, .payload = c->buf,
	};
}

struct rte_ring *
sess_ring_create(unsigned int esize, unsigned int count)
{
	struct rte_ring *r;
	ssize_t sz;

	count = rte_align32pow2(count + 1);
	sz = rte_ring_get_memsize_elem(esize, count);
	if (sz < 0)
		return NULL;
	r = aligned_alloc(RTE_CACHE_LINE_SIZE,
			  RTE_ALIGN_CEIL((size_t)sz, RTE_CACHE_LINE_SIZE));
	if (r == NULL)
		return NULL;
	if (rte_ring_init(r, "mig_lane", count,
			  RING_F_SP_ENQ | RING_F_SC_DEQ) < 0) {
		free(r);
		return NULL;
	}
	return r;
}
