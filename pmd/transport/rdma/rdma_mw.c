/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * RDMA landing-slot protection, destination side (protect=mw): every slot
 * is a type 2 memory window over its buffer, bound with remote write only
 * to the QP its chunks come through (slot k, QP k % qps). The source gets
 * the window's rkey with each grant (SLOTS entry, CREDIT entry). When the
 * chunk has landed the window is invalidated before the slot goes to the
 * engine, and it is bound again, under a new rkey, only once the engine
 * releases the slot. So the source can write a slot only between the grant
 * and the chunk: a write with any other key, past the slot's end, into a
 * slot it holds no credit for, or through another QP, is refused by the
 * device (remote access error), both QPs go to the error state and the
 * session fails. Each window lies in a registration of its slot alone:
 * rxe checks a write through a window against the bounds of the window's
 * registration, not the window's own (hardware checks both), so a window
 * over a pool-wide registration would let a write run past its slot. No
 * registration has remote access; the header ring keeps one (its entries
 * are read once, when their chunk lands).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "rdma_priv.h"

bool
mig_rdma_mw_supported(const struct ibv_device_attr *da)
{
	return (da->device_cap_flags & (IBV_DEVICE_MEM_WINDOW_TYPE_2A |
					 IBV_DEVICE_MEM_WINDOW_TYPE_2B)) != 0;
}

/* A window per slot, every slot waiting for its first bind. */
int
mig_rdma_mw_setup(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint32_t i;

	p->unbound = calloc(p->nslots, sizeof(*p->unbound));
	if (p->unbound == NULL)
		return mig_rdma_fail(xp, -ENOMEM, "rdma: out of memory");
	for (i = 0; i < p->nslots; i++) {
		struct rdma_slot *s = &p->slots[i];

		s->mr = ibv_reg_mr(p->pd, s->buf, p->slot_size,
				   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_MW_BIND);
		if (s->mr == NULL)
			return mig_rdma_fail(xp, -errno,
					     "rdma: %s: cannot register slot %u for its memory window (protect=mw): %s",
					     ibv_get_device_name(p->ctx->device),
					     i, strerror(errno));
		s->mw = ibv_alloc_mw(p->pd, IBV_MW_TYPE_2);
		if (s->mw == NULL)
			return mig_rdma_fail(xp, -errno,
					     "rdma: %s: cannot allocate a memory window for slot %u (protect=mw): %s",
					     ibv_get_device_name(p->ctx->device),
					     i, strerror(errno));
		s->rkey = s->mw->rkey;
		s->state = RDMA_SLOT_PENDING;
		p->unbound[p->nunbound++] = (uint16_t)i;
	}
	return 0;
}

void
mig_rdma_mw_free(struct rdma_priv *p)
{
	uint32_t i;

	for (i = 0; p->slots != NULL && i < p->nslots; i++) {
		if (p->slots[i].mw != NULL)
			ibv_dealloc_mw(p->slots[i].mw);
		if (p->slots[i].mr != NULL)
			ibv_dereg_mr(p->slots[i].mr);
		p->slots[i].mw = NULL;
		p->slots[i].mr = NULL;
	}
	free(p->unbound);
	p->unbound = NULL;
}

/* Post a signaled bind or invalidate of @p slot's window on @p q. */
static int
rdma_mw_post(struct mig_xport *xp, struct rdma_qp *q, struct ibv_send_wr *wr,
	     uint16_t slot)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_sq_ent *e = &q->sq[q->sq_head % p->sq_depth];
	struct ibv_send_wr *bad;
	int ret;

	wr->wr_id = ((uint64_t)q->idx << 32) | (uint32_t)q->sq_head;
	wr->send_flags = IBV_SEND_SIGNALED;
	e->cookie = NULL;
	e->msg = -1;
	e->slot = slot;
	ret = ibv_post_send(q->id->qp, wr, &bad);
	if (ret != 0) {
		e->slot = -1;
		return mig_rdma_fail(xp, -ret,
				     "rdma qp %u: slot %u: %s of its memory window: %s",
				     q->idx, slot,
				     wr->opcode == IBV_WR_BIND_MW ? "bind" :
								     "invalidation",
				     strerror(ret));
	}
	q->sq_head++;
	q->sq_sig = q->sq_head;
	return 0;
}

/* Bind the released slots' windows, as far as the send queues allow. */
int
mig_rdma_mw_bind_pending(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct ibv_send_wr wr;
	uint32_t i, k = 0;
	int ret, work = 0;

	for (i = 0; i < p->nunbound; i++) {
		uint16_t slot = p->unbound[i];
		struct rdma_slot *s = &p->slots[slot];
		struct rdma_qp *q = &p->q[slot % p->nqps];

		if (rdma_sq_room(p, q) == 0) {
			p->unbound[k++] = slot; /* on a later poll */
			continue;
		}
		memset(&wr, 0, sizeof(wr));
		wr.opcode = IBV_WR_BIND_MW;
		wr.bind_mw.mw = s->mw;
		wr.bind_mw.rkey = ibv_inc_rkey(s->rkey);
		wr.bind_mw.bind_info.mr = s->mr;
		wr.bind_mw.bind_info.addr = (uintptr_t)s->buf;
		wr.bind_mw.bind_info.length = p->slot_size;
		wr.bind_mw.bind_info.mw_access_flags = IBV_ACCESS_REMOTE_WRITE;
		ret = rdma_mw_post(xp, q, &wr, slot);
		if (ret < 0)
			return ret;
		/* the provider names the window by its current rkey in the
		 * next bind (rxe checks it): a type 2 bind does not update
		 * struct ibv_mw, the caller does */
		s->mw->rkey = wr.bind_mw.rkey;
		s->rkey = wr.bind_mw.rkey;
		s->state = RDMA_SLOT_BINDING;
		p->nbinding++;
		work++;
	}
	p->nunbound = k;
	return work;
}

/* A chunk landed in @p slot through @p q: close its window first. */
int
mig_rdma_mw_close(struct mig_xport *xp, struct rdma_qp *q, uint16_t slot)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_slot *s = &p->slots[slot];
	struct ibv_send_wr wr;

	if (q->idx != slot % p->nqps)
		return mig_rdma_fail(xp, -EPROTO,
				     "rdma qp %u: chunk for slot %u, whose window is on qp %u",
				     q->idx, slot, slot % p->nqps);
	memset(&wr, 0, sizeof(wr));
	wr.opcode = IBV_WR_LOCAL_INV;
	wr.invalidate_rkey = s->rkey;
	s->state = RDMA_SLOT_CLOSING;
	return rdma_mw_post(xp, q, &wr, slot);
}

/* A bind or invalidation of @p slot's window completed. */
int
mig_rdma_mw_done(struct mig_xport *xp, uint16_t slot)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_slot *s = &p->slots[slot];

	switch (s->state) {
	case RDMA_SLOT_BINDING:
		p->nbinding--;
		s->state = RDMA_SLOT_PENDING;
		/* the first binds are described by the SLOTS frames */
		if (p->slots_described == p->nslots)
			p->pending[p->npending++] = slot;
		return 0;
	case RDMA_SLOT_CLOSING:
		s->state = RDMA_SLOT_HELD;
		p->ev[p->ev_tail++ % p->ev_size] = RDMA_EV_CHUNK | slot;
		return 0;
	default:
		return mig_rdma_fail(xp, -EIO,
				     "rdma: window operation completed for slot %u in state %u",
				     slot, s->state);
	}
}
