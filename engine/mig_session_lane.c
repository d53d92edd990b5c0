/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Hand-over between the main lcore and a device lane: one request at a
 * time, a published failure, and the rings chunks travel on.
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

int
sess_lane_fail(struct sess_lane *l, int ret)
{
	if (l->error != 0)
		return 0;
	snprintf(l->errmsg, sizeof(l->errmsg), "%s",
		 mig_err_last()[0] ? mig_err_last() : strerror(-ret));
	__atomic_store_n(&l->error, ret < 0 ? ret : -EIO, __ATOMIC_RELEASE);
	return 0;
}

int
sess_lane_error(const struct sess_lane *l)
{
	return __atomic_load_n(&l->error, __ATOMIC_ACQUIRE);
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
