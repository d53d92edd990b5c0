/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * RDMA data path, completions and the source side. Source: each chunk is
 * two work requests on one QP, an RDMA WRITE of its 48-byte header into
 * the destination's header ring entry of the slot, then an RDMA WRITE WITH
 * IMMEDIATE (slot, sequence) of the payload straight from the save buffer
 * into the slot; only every cq_mod-th chunk is signaled, and an idle QP
 * with unsignaled work gets a small signaled write so that its buffers
 * come back. Control frames travel by SEND/RECV on QP 0. The destination
 * side (slots, rx, credits) is in rdma_rx.c.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "rdma_priv.h"

int
mig_rdma_post_recv(struct mig_xport *xp, uint32_t ridx)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_qp *q = &p->q[ridx / p->rq_depth];
	struct ibv_recv_wr wr, *bad;
	struct ibv_sge sge;
	int ret;

	sge.addr = (uintptr_t)rdma_msg_buf(p, ridx);
	sge.length = RDMA_MSG_SIZE;
	sge.lkey = p->msg_mr->lkey;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = RDMA_WRID_RECV | ridx;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	ret = ibv_post_recv(q->id->qp, &wr, &bad);
	if (ret != 0)
		return mig_rdma_fail(xp, -ret, "rdma qp %u: post receive: %s",
				     q->idx, strerror(ret));
	return 0;
}

/* A signaled SEND of @p len bytes of control buffer @p bi on QP 0. */
int
mig_rdma_send_msg(struct mig_xport *xp, uint32_t bi, uint32_t len)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_qp *q = &p->q[0];
	struct ibv_send_wr wr, *bad;
	struct rdma_sq_ent *e;
	struct ibv_sge sge;
	int ret;

	sge.addr = (uintptr_t)rdma_msg_buf(p, bi);
	sge.length = len;
	sge.lkey = p->msg_mr->lkey;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = ((uint64_t)q->idx << 32) | (uint32_t)q->sq_head;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_SEND;
	wr.send_flags = IBV_SEND_SIGNALED;
	e = &q->sq[q->sq_head % p->sq_depth];
	e->cookie = NULL;
	e->msg = (int32_t)bi;
	e->slot = -1;
	ret = ibv_post_send(q->id->qp, &wr, &bad);
	if (ret != 0) {
		e->msg = -1;
		p->send_free[p->nsend_free++] = bi;
		return mig_rdma_fail(xp, -ret, "rdma qp %u: post send: %s", q->idx,
				     strerror(ret));
	}
	q->sq_head++;
	q->sq_sig = q->sq_head;
	q->unsig = 0;
	p->ctrl_inflight++;
	return 0;
}

/* A free control send buffer with room on QP 0, or -EAGAIN. */
int
mig_rdma_msg_take(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	int ret;

	if (p->nsend_free == 0 || rdma_sq_room(p, &p->q[0]) == 0) {
		ret = mig_rdma_cq_poll(xp);
		if (ret < 0)
			return ret;
		if (p->nsend_free == 0 || rdma_sq_room(p, &p->q[0]) == 0)
			return -EAGAIN;
	}
	return (int)p->send_free[--p->nsend_free];
}

/* Source: a signaled write behind unsignaled work nobody will cover. */
static int
rdma_flush_signal(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct ibv_send_wr wr, *bad;
	struct ibv_sge sge;
	unsigned int i;
	int ret, work = 0;

	for (i = 0; i < p->nqps; i++) {
		struct rdma_qp *q = &p->q[i];

		if (!q->up || q->sq_done != q->sq_sig ||
		    q->sq_head == q->sq_sig)
			continue;
		/* 8 bytes into the spare header entry past the last slot */
		sge.addr = (uintptr_t)p->hdr +
			   (size_t)p->nslots * RDMA_HDR_STRIDE;
		sge.length = 8;
		sge.lkey = p->hdr_mr->lkey;
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = ((uint64_t)q->idx << 32) | (uint32_t)q->sq_head;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		wr.opcode = IBV_WR_RDMA_WRITE;
		wr.send_flags = IBV_SEND_SIGNALED;
		wr.wr.rdma.remote_addr = p->hdr_raddr +
					 (uint64_t)p->nslots * RDMA_HDR_STRIDE;
		wr.wr.rdma.rkey = p->hdr_rkey;
		q->sq[q->sq_head % p->sq_depth].cookie = NULL;
		q->sq[q->sq_head % p->sq_depth].msg = -1;
		q->sq[q->sq_head % p->sq_depth].slot = -1;
		ret = ibv_post_send(q->id->qp, &wr, &bad);
		if (ret != 0)
			return mig_rdma_fail(xp, -ret, "rdma qp %u: post send: %s",
					     q->idx, strerror(ret));
		q->sq_head++;
		q->sq_sig = q->sq_head;
		q->unsig = 0;
		work++;
	}
	return work;
}

/* Everything up to the completed position of a signaled WR is done. */
static int
rdma_send_done(struct mig_xport *xp, const struct ibv_wc *wc)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint32_t qi = (uint32_t)(wc->wr_id >> 32), pos32 = (uint32_t)wc->wr_id;
	struct rdma_sq_ent *e;
	struct rdma_qp *q;
	uint64_t pos;
	int ret;

	if (qi >= p->nqps)
		return mig_rdma_fail(xp, -EIO, "rdma: completion for unknown qp %u",
				     qi);
	q = &p->q[qi];
	pos = q->sq_done + (uint32_t)(pos32 - (uint32_t)q->sq_done);
	if (pos >= q->sq_head)
		return mig_rdma_fail(xp, -EIO,
				     "rdma qp %u: completion of position %" PRIu64 " beyond %" PRIu64,
				     qi, pos, q->sq_head);
	for (; q->sq_done <= pos; q->sq_done++) {
		e = &q->sq[q->sq_done % p->sq_depth];
		if (e->cookie != NULL) {
			p->done[p->done_tail++ % p->done_size] = e->cookie;
			p->inflight--;
			e->cookie = NULL;
		}
		if (e->msg >= 0) {
			p->send_free[p->nsend_free++] = (uint32_t)e->msg;
			p->ctrl_inflight--;
			e->msg = -1;
		}
		if (e->slot >= 0) {
			ret = mig_rdma_mw_done(xp, (uint16_t)e->slot);
			e->slot = -1;
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int
rdma_slots_frame(struct mig_xport *xp, const uint8_t *body, uint32_t len)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_slot_desc e[RDMA_SLOTS_PER_FRAME];
	struct rdma_slots s;
	int ret;

	if (!p->source)
		return mig_rdma_fail(xp, -EPROTO, "rdma: SLOTS frame from the source");
	ret = mig_rdma_slots_decode(body, len, &s, e);
	if (ret < 0)
		return mig_rdma_fail(xp, ret, "%s", mig_err_last());
	if (p->rslots == NULL) {
		p->rslots = calloc(s.total, sizeof(*p->rslots));
		if (p->rslots == NULL)
			return mig_rdma_fail(xp, -ENOMEM, "rdma: out of memory");
		p->mw = (s.flags & RDMA_SLOTS_F_MW) != 0;
		p->nslots = s.total;
		p->slot_size = s.slot_size;
		p->hdr_raddr = s.hdr_addr;
		p->hdr_rkey = s.hdr_rkey;
	}
	if (s.total != p->nslots || s.first != p->slots_known ||
	    p->mw != ((s.flags & RDMA_SLOTS_F_MW) != 0))
		return mig_rdma_fail(xp, -EPROTO,
				     "rdma: SLOTS frame for slots %u+%u of %u, expected slot %u of %u",
				     s.first, s.count, s.total, p->slots_known,
				     p->nslots);
	memcpy(p->rslots + s.first, e, s.count * sizeof(*e));
	p->slots_known += s.count;
	if (p->slots_known < p->nslots)
		return 0;
	return mig_rdma_setup_source_slots(xp);
}

static int
rdma_credit_frame(struct mig_xport *xp, const uint8_t *body, uint32_t len)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_credit c[RDMA_CREDITS_PER_FRAME];
	unsigned int f;
	uint16_t slot;
	int i, n;

	if (!p->source || p->owned == NULL)
		return mig_rdma_fail(xp, -EPROTO, "rdma: unexpected CREDIT frame");
	n = mig_rdma_credit_decode(body, len, c);
	if (n < 0)
		return mig_rdma_fail(xp, n, "%s", mig_err_last());
	for (i = 0; i < n; i++) {
		slot = c[i].slot;
		if (slot >= p->nslots || p->owned[slot])
			return mig_rdma_fail(xp, -EPROTO,
					     "rdma: credit for slot %u, which is unknown or already held",
					     slot);
		p->owned[slot] = 1;
		p->old_rkey[slot] = p->rslots[slot].rkey;
		p->rslots[slot].rkey = c[i].rkey;
		f = rdma_fifo_of(p, slot);
		p->credits[f * p->nslots + p->cr_tail[f]++ % p->nslots] = slot;
	}
	return 0;
}

/* A SEND arrived: transport frames are consumed, others queued. */
static int
rdma_recv_done(struct mig_xport *xp, const struct ibv_wc *wc)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint32_t ridx = (uint32_t)wc->wr_id;
	struct rdma_qp *q = &p->q[ridx / p->rq_depth];
	const uint8_t *f = rdma_msg_buf(p, ridx);
	struct mig_wire_hdr h;
	struct mig_wire_msg m;
	int ret;

	if (wc->opcode == IBV_WC_RECV_RDMA_WITH_IMM) {
		ret = mig_rdma_chunk_arrived(xp, q, ntohl(wc->imm_data),
					     wc->byte_len);
		return ret < 0 ? ret : mig_rdma_post_recv(xp, ridx);
	}
	ret = mig_wire_hdr_decode(f, wc->byte_len, &h, &p->lim);
	if (ret == 0 && (h.type == MIG_WIRE_T_CHUNK ||
			 MIG_WIRE_HDR_LEN + h.body_len != wc->byte_len)) {
		mig_err_set(mig_rdma_logtype, "not one whole control frame");
		ret = -EPROTO;
	}
	if (ret == 0 && (h.type == RDMA_T_SLOTS || h.type == RDMA_T_CREDIT))
		ret = mig_wire_body_decode(&h, f + MIG_WIRE_HDR_LEN,
					   h.body_len, &m, &p->lim);
	if (ret < 0)
		return mig_rdma_fail(xp, ret,
				     "rdma qp %u: bad control message of %u bytes: %s",
				     q->idx, wc->byte_len, mig_err_last());
	if (h.type == RDMA_T_SLOTS || h.type == RDMA_T_CREDIT) {
		ret = h.type == RDMA_T_SLOTS ?
		      rdma_slots_frame(xp, f + MIG_WIRE_HDR_LEN, h.body_len) :
		      rdma_credit_frame(xp, f + MIG_WIRE_HDR_LEN, h.body_len);
		return ret < 0 ? ret : mig_rdma_post_recv(xp, ridx);
	}
	/* reposted once rx() has taken the frame */
	p->ev[p->ev_tail++ % p->ev_size] = ridx;
	return 0;
}

static int
rdma_wc_error(struct mig_xport *xp, const struct ibv_wc *wc)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint32_t qi = (wc->wr_id & RDMA_WRID_RECV) ?
		      (uint32_t)wc->wr_id / p->rq_depth :
		      (uint32_t)(wc->wr_id >> 32);
	const char *why;

	if (wc->status == IBV_WC_WR_FLUSH_ERR) {
		/* the QP went to error: the peer closed (or we failed) */
		if (!(wc->wr_id & RDMA_WRID_RECV))
			p->sends_flushed++;
		mig_rdma_gone(p, "rdma qp %u: connection with %s lost (work requests flushed)",
			      qi, p->peer);
		return 0;
	}
	switch (wc->status) {
	case IBV_WC_RETRY_EXC_ERR:
		why = "the peer does not answer (transport retries exhausted)";
		break;
	case IBV_WC_RNR_RETRY_EXC_ERR:
		why = "the peer has no receive posted (RNR retries exhausted)";
		break;
	case IBV_WC_REM_ACCESS_ERR:
		why = "the peer refused an RDMA write (remote access error)";
		break;
	default:
		why = ibv_wc_status_str(wc->status);
		break;
	}
	return mig_rdma_fail(xp, wc->status == IBV_WC_RETRY_EXC_ERR ?
			     -ECONNRESET : -EIO,
			     "rdma qp %u: %s completion failed: %s (status %d, vendor error 0x%x)",
			     qi, (wc->wr_id & RDMA_WRID_RECV) ? "receive" : "send",
			     why, wc->status, wc->vendor_err);
}

int
mig_rdma_cq_poll(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct ibv_wc wc[RDMA_POLL_BURST];
	int i, n, ret, total = 0;

	do {
		n = ibv_poll_cq(p->cq, RDMA_POLL_BURST, wc);
		if (n < 0)
			return mig_rdma_fail(xp, -EIO, "rdma: polling the CQ failed");
		for (i = 0; i < n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS)
				ret = rdma_wc_error(xp, &wc[i]);
			else if (wc[i].wr_id & RDMA_WRID_RECV)
				ret = rdma_recv_done(xp, &wc[i]);
			else
				ret = rdma_send_done(xp, &wc[i]);
			if (ret < 0)
				return ret;
		}
		total += n;
	} while (n == RDMA_POLL_BURST);
	return total;
}

/* The peer left (the first reason seen is kept). */
void
mig_rdma_gone(struct rdma_priv *p, const char *fmt, ...)
{
	va_list ap;

	if (p->peer_gone)
		return;
	va_start(ap, fmt);
	vsnprintf(p->gone_msg, sizeof(p->gone_msg), fmt, ap);
	va_end(ap);
	p->peer_gone = true;
	p->gone_ns = mig_time_ns();
}

/* Send work requests posted and not yet completed, with or without error. */
static uint64_t
rdma_sends_open(const struct rdma_priv *p)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < p->nqps; i++)
		n += p->q[i].sq_head - p->q[i].sq_done;
	return n > p->sends_flushed ? n - p->sends_flushed : 0;
}

/*
 * The peer left: fail once every frame it sent before was taken and every
 * send posted to it completed, or the grace period passed. A send the peer
 * refused completes with its own error, which names the cause; the
 * disconnect that follows it may be seen first.
 */
int
mig_rdma_gone_check(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);

	if (!p->peer_gone || p->ev_head != p->ev_tail)
		return 0;
	if (rdma_sends_open(p) > 0 &&
	    mig_time_ns() - p->gone_ns < RDMA_GONE_GRACE_NS)
		return 0;
	return mig_rdma_fail(xp, -ECONNRESET, "%s", p->gone_msg);
}

/* An idle poll on software RDMA leaves the CPU to the kernel's rxe work. */
void
mig_rdma_idle(const struct rdma_priv *p, int work)
{
	struct timespec ts = { .tv_nsec = RDMA_IDLE_SLEEP_NS };

	if (work != 0)
		return;
	if (p->idle == RDMA_IDLE_YIELD)
		sched_yield();
	else if (p->idle == RDMA_IDLE_SLEEP)
		nanosleep(&ts, NULL);
}

int
mig_rdma_io_poll(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint64_t now = mig_time_ns();
	int work, ret;

	work = mig_rdma_cq_poll(xp);
	if (work < 0)
		return work;
	if (now >= p->next_cm_ns) {
		p->next_cm_ns = now + RDMA_CM_POLL_NS;
		ret = mig_rdma_cm_poll(xp);
		if (ret < 0)
			return ret;
		work += ret;
	}
	ret = p->source ? rdma_flush_signal(xp) : mig_rdma_credit_flush(xp);
	if (ret < 0)
		return ret;
	work += ret;
	ret = mig_rdma_gone_check(xp);
	if (ret < 0)
		return ret;
	mig_rdma_idle(p, work);
	/* a control frame still on its way keeps the caller polling */
	return work + (p->ctrl_inflight > 0);
}

int
mig_rdma_op_ctrl_send(struct mig_xport *xp, const void *frame, uint32_t len)
{
	struct rdma_priv *p = rdma_priv(xp);
	int bi;

	bi = mig_rdma_msg_take(xp);
	if (bi < 0)
		return bi;
	memcpy(rdma_msg_buf(p, (uint32_t)bi), frame, len);
	return mig_rdma_send_msg(xp, (uint32_t)bi, len);
}

/* Source: a QP with room for a chunk (two WRs) and a credit to write it
 * with (with mw, a slot of that QP), round robin. */
static struct rdma_qp *
rdma_tx_qp(struct rdma_priv *p)
{
	unsigned int k, i, f;

	for (k = 0; k < p->nqps; k++) {
		i = (p->rr_tx + k) % p->nqps;
		f = p->mw ? i : 0;
		if (rdma_sq_room(p, &p->q[i]) >= 2 &&
		    p->cr_head[f] != p->cr_tail[f]) {
			p->rr_tx = i + 1;
			return &p->q[i];
		}
	}
	return NULL;
}

/*
 * misbehave= (tests only): the remote address and key of one chunk write
 * broken on purpose, as a faulty source would: an old key of its slot
 * (stale), or a write across the slot's end (overrun). The destination
 * must refuse it and the session end.
 */
static void
rdma_misbehave(struct mig_xport *xp, uint16_t slot, uint32_t len,
	       uint64_t *raddr, uint32_t *rkey)
{
	struct rdma_priv *p = rdma_priv(xp);

	if (p->misbehaved || p->opt.misbehave == RDMA_MISBEHAVE_NONE)
		return;
	if (p->opt.misbehave == RDMA_MISBEHAVE_STALE) {
		if (p->old_rkey[slot] == 0 || p->old_rkey[slot] == *rkey)
			return; /* not granted twice yet, or one key */
		*rkey = p->old_rkey[slot];
	} else {
		if (len < 2)
			return;
		*raddr += p->slot_size - len / 2;
	}
	p->misbehaved = true;
	RDMA_LOG(WARNING, "%s: misbehave=%s: slot %u written %s", xp->name,
		 p->opt.misbehave == RDMA_MISBEHAVE_STALE ? "stale" : "overrun",
		 slot, p->opt.misbehave == RDMA_MISBEHAVE_STALE ?
		 "with its previous rkey" : "across its end");
}

int
mig_rdma_op_tx(struct mig_xport *xp, const struct mig_wire_chunk *hdr,
	       void *payload, uint32_t len, void *cookie)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct ibv_send_wr wr[2], *bad;
	struct ibv_sge sge[2];
	struct rdma_qp *q;
	struct ibv_mr *mr;
	uint64_t raddr;
	uint32_t rkey;
	unsigned int f;
	uint8_t *h;
	uint16_t slot;
	bool sig;
	int ret;

	if (p->peer_gone) {
		ret = mig_rdma_gone_check(xp);
		return ret < 0 ? ret : -EAGAIN;
	}
	if (len > p->slot_size)
		return mig_rdma_fail(xp, -EMSGSIZE,
				     "rdma: device %" PRIu32 " chunk %" PRIu64 " of %" PRIu32 " bytes, the peer's slots hold %" PRIu32,
				     hdr->dev_id, hdr->index, len, p->slot_size);
	mr = mig_rdma_region_mr(p, payload, len);
	if (mr == NULL)
		return mig_rdma_fail(xp, -EINVAL,
				     "rdma: chunk payload %p (%" PRIu32 " bytes) is not in registered memory (mig_xport_mem_register)",
				     payload, len);
	q = rdma_tx_qp(p);
	if (q == NULL ||
	    p->done_tail - p->done_head + p->inflight >= p->done_size) {
		ret = mig_rdma_cq_poll(xp);
		if (ret < 0)
			return ret;
		q = rdma_tx_qp(p);
		if (q == NULL || p->done_tail - p->done_head + p->inflight >=
		    p->done_size) {
			p->tx_blocked++;
			return -EAGAIN;
		}
	}
	f = p->mw ? q->idx : 0;
	slot = p->credits[f * p->nslots + p->cr_head[f] % p->nslots];
	raddr = p->rslots[slot].addr;
	rkey = p->rslots[slot].rkey;
	rdma_misbehave(xp, slot, len, &raddr, &rkey);
	h = p->hdr + (size_t)slot * RDMA_HDR_STRIDE;
	ret = mig_wire_encode_chunk_hdr(h, RDMA_HDR_STRIDE, hdr);
	if (ret < 0)
		return ret;
	sig = (!p->opt.cq_mod_set && len > RDMA_CQ_MOD_AUTO_MAX) ||
	      q->unsig + 1 >= p->opt.cq_mod;
	sge[0].addr = (uintptr_t)h;
	sge[0].length = MIG_WIRE_CHUNK_HDR_LEN;
	sge[0].lkey = p->hdr_mr->lkey;
	sge[1].addr = (uintptr_t)payload;
	sge[1].length = len;
	sge[1].lkey = mr->lkey;
	memset(wr, 0, sizeof(wr));
	wr[0].wr_id = ((uint64_t)q->idx << 32) | (uint32_t)q->sq_head;
	wr[0].next = &wr[1];
	wr[0].sg_list = &sge[0];
	wr[0].num_sge = 1;
	wr[0].opcode = IBV_WR_RDMA_WRITE;
	wr[0].wr.rdma.remote_addr = p->hdr_raddr +
				    (uint64_t)slot * RDMA_HDR_STRIDE;
	wr[0].wr.rdma.rkey = p->hdr_rkey;
	wr[1].wr_id = ((uint64_t)q->idx << 32) | (uint32_t)(q->sq_head + 1);
	wr[1].sg_list = &sge[1];
	wr[1].num_sge = 1;
	wr[1].opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
	wr[1].send_flags = sig ? IBV_SEND_SIGNALED : 0;
	wr[1].imm_data = htonl(rdma_imm(q->tx_seq, slot));
	wr[1].wr.rdma.remote_addr = raddr;
	wr[1].wr.rdma.rkey = rkey;
	q->sq[q->sq_head % p->sq_depth].cookie = NULL;
	q->sq[(q->sq_head + 1) % p->sq_depth].cookie = cookie;
	ret = ibv_post_send(q->id->qp, wr, &bad);
	if (ret != 0) {
		q->sq[(q->sq_head + 1) % p->sq_depth].cookie = NULL;
		return mig_rdma_fail(xp, -ret, "rdma qp %u: post send: %s", q->idx,
				     strerror(ret));
	}
	q->sq_head += 2;
	if (sig) {
		q->sq_sig = q->sq_head;
		q->unsig = 0;
	} else {
		q->unsig++;
	}
	q->tx_seq++;
	p->owned[slot] = 0;
	p->cr_head[f]++;
	p->inflight++;
	p->tx_chunks++;
	p->tx_bytes += len;
	return 0;
}

int
mig_rdma_op_tx_done(struct mig_xport *xp, void **cookies, unsigned int n)
{
	struct rdma_priv *p = rdma_priv(xp);
	unsigned int i, cnt = 0;
	struct rdma_sq_ent *e;
	int ret;

	if (xp->state == MIG_XPORT_S_ERROR) {
		/*
		 * Abandoned chunks come back too, but a QP in the error
		 * state may still be reading one until its work requests
		 * are flushed: destroy the QP first (no DMA after that),
		 * then hand the buffers back.
		 */
		for (i = 0; i < p->nqps && p->done != NULL; i++) {
			struct rdma_qp *q = &p->q[i];

			if (q->sq != NULL && q->sq_done < q->sq_head &&
			    q->has_qp) {
				rdma_destroy_qp(q->id);
				q->has_qp = false;
			}
			for (; q->sq != NULL && q->sq_done < q->sq_head;
			     q->sq_done++) {
				e = &q->sq[q->sq_done % p->sq_depth];
				if (e->cookie != NULL)
					p->done[p->done_tail++ % p->done_size] =
						e->cookie;
				e->cookie = NULL;
			}
		}
		p->inflight = 0;
	} else {
		ret = mig_rdma_io_poll(xp);
		if (ret < 0)
			return ret;
	}
	while (cnt < n && p->done_head != p->done_tail)
		cookies[cnt++] = p->done[p->done_head++ % p->done_size];
	return (int)cnt;
}
