/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * RDMA data path, destination side: the SLOTS frames that grant every
 * landing slot, a chunk's arrival (the immediate's completion: sequence,
 * credit and header checked), rx() handing slots and control frames to
 * the engine, rx_release() making a slot pending, and the pending slots
 * going back to the source in batches, by SEND.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_common.h>

#include "rdma_priv.h"

/*
 * Destination: describe every slot to the source (they are all granted).
 * A window of up to 17 frames may not fit in the send queue at once
 * (tx_depth=8 leaves 7 entries): what does not fit goes on the next polls.
 * @return frames sent, or < 0.
 */
int
mig_rdma_send_slots(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_slot_desc e[RDMA_SLOTS_PER_FRAME];
	struct rdma_slots s;
	int bi, len, ret, work = 0;
	uint32_t i;

	s.total = p->nslots;
	s.slot_size = p->slot_size;
	s.hdr_addr = (uintptr_t)p->hdr;
	s.hdr_rkey = p->hdr_mr->rkey;
	s.flags = p->mw ? RDMA_SLOTS_F_MW : 0;
	for (s.first = p->slots_described; s.first < p->nslots;
	     s.first += s.count) {
		s.count = RTE_MIN(p->nslots - s.first, RDMA_SLOTS_PER_FRAME);
		bi = mig_rdma_msg_take(xp);
		if (bi == -EAGAIN)
			return work; /* the rest on the next poll */
		if (bi < 0)
			return bi;
		for (i = 0; i < s.count; i++) {
			e[i].addr = (uintptr_t)p->slots[s.first + i].buf;
			e[i].rkey = p->slots[s.first + i].rkey;
			p->slots[s.first + i].state = RDMA_SLOT_GRANTED;
		}
		len = mig_rdma_slots_encode(rdma_msg_buf(p, (uint32_t)bi),
					    RDMA_MSG_SIZE, &s, e);
		if (len < 0)
			return mig_rdma_fail(xp, len, "rdma: cannot encode SLOTS");
		ret = mig_rdma_send_msg(xp, (uint32_t)bi, (uint32_t)len);
		if (ret < 0)
			return ret;
		p->slots_described += s.count;
		p->granted += s.count;
		work++;
	}
	return work;
}

/* Destination: the SLOTS frames left, then the pending credits, in batches
 * (smaller ones once no chunk came for RDMA_CREDIT_IDLE_NS, see
 * mig_rdma_credit_due()). */
int
mig_rdma_credit_flush(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_credit c[RDMA_CREDITS_PER_FRAME];
	uint32_t k, i;
	int bi, len, ret, work = 0;
	bool idle;

	if (p->mw) {
		/* released slots become pending once their window is bound */
		work = mig_rdma_mw_bind_pending(xp);
		if (work < 0)
			return work;
	}
	if (p->slots_described < p->nslots) {
		/* no credit is pending before the source knows every slot,
		 * and no slot is described before its window is bound */
		if (p->mw && (p->nunbound > 0 || p->nbinding > 0))
			return work;
		ret = mig_rdma_send_slots(xp);
		return ret < 0 ? ret : work + ret;
	}
	idle = p->npending > 0 &&
	       mig_time_ns() - p->rx_last_ns >= RDMA_CREDIT_IDLE_NS;
	while (mig_rdma_credit_due(p->npending, p->granted, p->nslots, idle)) {
		bi = mig_rdma_msg_take(xp);
		if (bi == -EAGAIN)
			return work; /* retried on the next poll */
		if (bi < 0)
			return bi;
		k = RTE_MIN(p->npending, RDMA_CREDITS_PER_FRAME);
		for (i = 0; i < k; i++) {
			c[i].slot = p->pending[i];
			c[i].rkey = p->slots[p->pending[i]].rkey;
		}
		len = mig_rdma_credit_encode(rdma_msg_buf(p, (uint32_t)bi),
					     RDMA_MSG_SIZE, c, k);
		if (len < 0)
			return mig_rdma_fail(xp, len, "rdma: cannot encode CREDIT");
		for (i = 0; i < k; i++)
			p->slots[p->pending[i]].state = RDMA_SLOT_GRANTED;
		p->granted += k;
		p->npending -= k;
		memmove(p->pending, p->pending + k,
			p->npending * sizeof(*p->pending));
		ret = mig_rdma_send_msg(xp, (uint32_t)bi, (uint32_t)len);
		if (ret < 0)
			return ret;
		work++;
	}
	return work;
}

/* Destination: a chunk landed in a slot. */
int
mig_rdma_chunk_arrived(struct mig_xport *xp, struct rdma_qp *q, uint32_t imm,
		       uint32_t len)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint16_t slot = rdma_imm_slot(imm), seq = rdma_imm_seq(imm);
	struct mig_wire_hdr fh;
	struct rdma_slot *s;
	const uint8_t *h;
	int ret;

	if (p->source)
		return mig_rdma_fail(xp, -EPROTO,
				     "rdma qp %u: unexpected RDMA write into the source",
				     q->idx);
	if (seq != q->rx_seq)
		return mig_rdma_fail(xp, -EPROTO,
				     "rdma qp %u: chunk sequence %u, expected %u",
				     q->idx, seq, q->rx_seq);
	q->rx_seq++;
	if (slot >= p->nslots || p->slots[slot].state != RDMA_SLOT_GRANTED)
		return mig_rdma_fail(xp, -EPROTO,
				     "rdma qp %u: chunk written into slot %u without its credit",
				     q->idx, slot);
	s = &p->slots[slot];
	h = p->hdr + (size_t)slot * RDMA_HDR_STRIDE;
	ret = mig_wire_hdr_decode(h, MIG_WIRE_HDR_LEN, &fh, &p->lim);
	if (ret == 0 && fh.type != MIG_WIRE_T_CHUNK) {
		mig_err_set(mig_rdma_logtype, "a %s frame header",
			    mig_wire_type_name(fh.type));
		ret = -EPROTO;
	}
	if (ret == 0)
		ret = mig_wire_chunk_hdr_decode(&fh, h + MIG_WIRE_HDR_LEN, &s->c,
						&p->lim);
	if (ret < 0)
		return mig_rdma_fail(xp, ret, "rdma qp %u: slot %u: bad chunk header: %s",
				     q->idx, slot, mig_err_last());
	if (s->c.length != len || len > p->slot_size)
		return mig_rdma_fail(xp, -EPROTO,
				     "rdma qp %u: device %" PRIu32 " chunk %" PRIu64 ": header says %" PRIu32 " bytes, %" PRIu32 " written (slot of %" PRIu32 ")",
				     q->idx, s->c.dev_id, s->c.index, s->c.length,
				     len, p->slot_size);
	s->qp = q->idx;
	p->granted--;
	if (p->mw)
		return mig_rdma_mw_close(xp, q, slot); /* to rx() once closed */
	s->state = RDMA_SLOT_HELD;
	p->ev[p->ev_tail++ % p->ev_size] = RDMA_EV_CHUNK | slot;
	return 0;
}

int
mig_rdma_op_rx(struct mig_xport *xp, struct mig_xport_rx *out, unsigned int n)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct mig_xport_rx *r;
	struct mig_wire_hdr h;
	struct rdma_slot *s;
	unsigned int cnt = 0;
	uint32_t e;
	int ret;

	ret = mig_rdma_cq_poll(xp);
	if (ret < 0)
		return ret;
	while (cnt < n && p->ev_head != p->ev_tail) {
		e = p->ev[p->ev_head % p->ev_size];
		r = &out[cnt];
		if (e & RDMA_EV_CHUNK) {
			s = &p->slots[e & 0xffff];
			if (p->opt.verify && !xp->crc_deferred &&
			    mig_wire_crc32c(s->buf, s->c.length) != s->c.crc)
				return mig_rdma_fail(xp, -EBADMSG,
						     "rdma qp %u: device %" PRIu32 " chunk %" PRIu64 ": payload CRC mismatch (%" PRIu32 " bytes)",
						     s->qp, s->c.dev_id, s->c.index,
						     s->c.length);
			r->type = MIG_WIRE_T_CHUNK;
			r->stream = s->qp;
			r->chunk = s->c;
			r->chunk.payload = s->buf;
			r->buf = s->buf;
			r->len = s->c.length;
			p->rx_chunks++;
			p->rx_bytes += s->c.length;
			p->rx_last_ns = mig_time_ns();
		} else {
			/* checked when it arrived */
			(void)mig_wire_hdr_decode(rdma_msg_buf(p, e),
						  MIG_WIRE_HDR_LEN, &h, &p->lim);
			r->type = h.type;
			r->stream = (uint16_t)(e / p->rq_depth);
			r->len = MIG_WIRE_HDR_LEN + h.body_len;
			r->buf = NULL;
			memcpy(r->ctrl, rdma_msg_buf(p, e), r->len);
			if (!p->peer_gone) {
				ret = mig_rdma_post_recv(xp, e);
				if (ret < 0)
					return ret;
			}
		}
		p->ev_head++;
		cnt++;
	}
	if (!p->source) {
		ret = mig_rdma_credit_flush(xp);
		if (ret < 0)
			return ret;
	}
	if (cnt == 0) {
		ret = mig_rdma_gone_check(xp);
		if (ret < 0)
			return ret;
	}
	return (int)cnt;
}

/* Slot number of a landing buffer, or -1. */
static int
rdma_slot_of(const struct rdma_priv *p, const void *buf)
{
	uint32_t lo = 0, hi = p->nslots, mid;
	uintptr_t a = (uintptr_t)buf, b;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		b = (uintptr_t)p->slots[p->by_addr[mid]].buf;
		if (b == a)
			return (int)p->by_addr[mid];
		if (b < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
mig_rdma_op_rx_release(struct mig_xport *xp, void *buf)
{
	struct rdma_priv *p = rdma_priv(xp);
	int slot;

	slot = p->slots != NULL ? rdma_slot_of(p, buf) : -1;
	if (slot < 0 || p->slots[slot].state != RDMA_SLOT_HELD) {
		mig_err_set(mig_rdma_logtype,
			    "%s: rx_release of %p: %s", xp->name, buf,
			    slot < 0 ? "not a landing slot" :
			    "slot not held (released twice?)");
		return -EINVAL;
	}
	p->slots[slot].state = RDMA_SLOT_PENDING;
	if (p->mw)
		p->unbound[p->nunbound++] = (uint16_t)slot;
	else
	p->pending[p->npending++] = (uint16_t)slot;
	if (xp->state == MIG_XPORT_S_ERROR)
		return 0;
	return mig_rdma_credit_flush(xp) < 0 ? xp->error : 0;
}
