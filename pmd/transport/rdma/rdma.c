/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * RDMA transport: devargs and the device check at open, memory
 * registration, verbs resources (PD, CQ, QPs, message and header
 * buffers), failure and close.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_log.h>

#include "mig_devargs.h"
#include "rdma_priv.h"

RTE_LOG_REGISTER(mig_rdma_logtype, mig.xport.rdma, INFO);

/* Stop every QP (no more DMA into or out of our memory), then fail. */
int
mig_rdma_fail(struct mig_xport *xp, int err, const char *fmt, ...)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_ERR };
	char msg[MIG_ERR_MAX];
	unsigned int i;
	va_list ap;

	if (xp->state == MIG_XPORT_S_ERROR)
		return mig_xport_fail(xp, mig_rdma_logtype, err, "%s",
				      xp->errmsg);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < RDMA_QPS_MAX; i++)
		if (p->q[i].has_qp)
			(void)ibv_modify_qp(p->q[i].id->qp, &attr,
					    IBV_QP_STATE);
	return mig_xport_fail(xp, mig_rdma_logtype, err, "%s", msg);
}

/* Refuse to open when the host has no RDMA device at all. */
static int
rdma_device_check(void)
{
	struct ibv_device **list;
	int n = 0;

	list = ibv_get_device_list(&n);
	if (list != NULL)
		ibv_free_device_list(list);
	if (list == NULL || n <= 0) {
		mig_err_set(mig_rdma_logtype,
			    "rdma: no RDMA device on this host (the verbs library lists none): load an RDMA driver or create a Soft-RoCE link (rdma link add rxe0 type rxe netdev <if>), or use --transport tcp");
		return -ENODEV;
	}
	return 0;
}

/* The connection manager's event channel, non-blocking (polled). */
static int
rdma_open_channel(struct rdma_priv *p)
{
	int ret;

	p->ch = rdma_create_event_channel();
	if (p->ch == NULL) {
		ret = -errno;
		mig_err_set(mig_rdma_logtype,
			    "rdma: cannot open the RDMA connection manager: %s (is rdma_ucm loaded?)",
			    strerror(errno));
		return ret;
	}
	if (fcntl(p->ch->fd, F_SETFL,
		  fcntl(p->ch->fd, F_GETFL) | O_NONBLOCK) < 0) {
		ret = -errno;
		mig_err_set(mig_rdma_logtype, "rdma: event channel: %s",
			    strerror(errno));
		rdma_destroy_event_channel(p->ch);
		p->ch = NULL;
		return ret;
	}
	return 0;
}

static int
rdma_probe(struct mig_xport *xp, const char *args)
{
	struct rdma_priv *p = rdma_priv(xp);
	unsigned int i;
	int ret;

	ret = mig_rdma_parse_args(&p->opt, args);
	if (ret < 0)
		return ret;
	ret = rdma_device_check();
	if (ret < 0)
		return ret;
	ret = rdma_open_channel(p);
	if (ret < 0)
		return ret;
	for (i = 0; i < RDMA_QPS_MAX; i++)
		p->q[i].idx = (uint16_t)i;
	p->lim.max_devices = MIG_WIRE_DEVICES_MAX;
	p->lim.max_slots = MIG_WIRE_SLOTS_MAX;
	p->lim.max_optional = RDMA_BODY_MAX;
	mig_wire_limits_normalize(&p->lim, &p->lim);
	return 0;
}

static int
rdma_access(const struct rdma_priv *p)
{
	/* the source only reads its buffers; the destination's slots are
	 * written by the peer and nothing else is allowed: through one
	 * window per slot (rdma_mw.c, which registers each slot), or this
	 * registration itself */
	if (p->source)
		return 0;
	return IBV_ACCESS_LOCAL_WRITE | (p->mw ? 0 : IBV_ACCESS_REMOTE_WRITE);
}

static int
rdma_region_reg(struct mig_xport *xp, struct rdma_region *r)
{
	struct rdma_priv *p = rdma_priv(xp);

	r->mr = ibv_reg_mr(p->pd, (void *)r->addr, r->len, rdma_access(p));
	if (r->mr == NULL)
		return mig_rdma_fail(xp, -errno,
				     "rdma: cannot register %zu bytes at %p with %s: %s",
				     r->len, (void *)r->addr,
				     ibv_get_device_name(p->ctx->device),
				     strerror(errno));
	return 0;
}

/* The declared region holding [addr, addr + len), or NULL. */
struct rdma_region *
mig_rdma_region_find(struct rdma_priv *p, const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	unsigned int i;

	for (i = 0; i < p->nreg; i++)
		if (a >= p->reg[i].addr &&
		    a + len <= p->reg[i].addr + p->reg[i].len)
			return &p->reg[i];
	return NULL;
}

struct ibv_mr *
mig_rdma_region_mr(struct rdma_priv *p, const void *addr, size_t len)
{
	struct rdma_region *r = mig_rdma_region_find(p, addr, len);

	return r != NULL ? r->mr : NULL;
}

static int
rdma_mem_register(struct mig_xport *xp, void *addr, size_t len)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_region *r;

	if (mig_rdma_region_find(p, addr, len) != NULL)
		return 0;
	if (p->nreg == RDMA_REGIONS_MAX) {
		mig_err_set(mig_rdma_logtype,
			    "rdma: more than %u memory regions to register",
			    RDMA_REGIONS_MAX);
		return -ENOSPC;
	}
	r = &p->reg[p->nreg++];
	r->addr = (uintptr_t)addr;
	r->len = len;
	r->mr = NULL;
	return p->pd != NULL ? rdma_region_reg(xp, r) : 0;
}

/* A buffer registered with @p access, or NULL (failed). */
static uint8_t *
rdma_buf_alloc_reg(struct mig_xport *xp, size_t len, int access,
		   struct ibv_mr **mr, const char *what)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint8_t *buf;

	len = RTE_ALIGN_CEIL(len, 4096);
	buf = aligned_alloc(4096, len);
	if (buf == NULL) {
		mig_rdma_fail(xp, -ENOMEM, "rdma: out of memory for the %s", what);
		return NULL;
	}
	memset(buf, 0, len);
	*mr = ibv_reg_mr(p->pd, buf, len, access);
	if (*mr == NULL) {
		mig_rdma_fail(xp, -errno, "rdma: cannot register the %s: %s", what,
			      strerror(errno));
		free(buf);
		return NULL;
	}
	return buf;
}

/* Map a destination slot's buffer to its rkey. */
static int
rdma_slot_keys(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct ibv_mr *mr;
	uint32_t i;

	for (i = 0; i < p->nslots; i++) {
		mr = mig_rdma_region_mr(p, p->slots[i].buf, p->slot_size);
		if (mr == NULL)
			return mig_rdma_fail(xp, -EINVAL,
					     "rdma: landing buffer %p is not in registered memory (mig_xport_mem_register)",
					     p->slots[i].buf);
		p->slots[i].rkey = mr->rkey;
	}
	return 0;
}

/*
 * Destination: windows per slot (protect=auto and the device has type 2
 * windows, or protect=mw), and send queues deep enough for a window
 * operation of every slot of a QP besides the control sends. The source
 * learns the choice from the SLOTS frames.
 */
static int
rdma_protect_choose(struct mig_xport *xp, const struct ibv_device_attr *da)
{
	struct rdma_priv *p = rdma_priv(xp);
	const char *dev = ibv_get_device_name(p->ctx->device);
	uint32_t need;

	p->sq_depth = p->opt.tx_depth;
	if (p->source)
		return 0;
	p->mw = p->opt.protect != RDMA_PROTECT_NONE && mig_rdma_mw_supported(da);
	if (p->opt.protect == RDMA_PROTECT_MW && !p->mw)
		return mig_rdma_fail(xp, -ENOTSUP,
				     "rdma: %s has no type 2 memory windows: protect=mw cannot be kept (protect=none writes every slot through one registration)",
				     dev);
	if (!p->mw) {
		if (p->opt.protect == RDMA_PROTECT_AUTO)
			RDMA_LOG(WARNING, "%s: %s has no type 2 memory windows: the source may write anywhere in the landing pool (protect=none)",
				 xp->name, dev);
		return 0;
	}
	need = (p->nslots + p->nqps - 1) / p->nqps + RDMA_CTRL_SEND + 2;
	p->sq_depth = RTE_MAX(p->sq_depth, need);
	RDMA_LOG(INFO, "%s: %u landing slots, a memory window each (protect=mw)",
		 xp->name, p->nslots);
	return 0;
}

/* Once per session, with the device of the first connection. */
int
mig_rdma_setup_device(struct mig_xport *xp, struct ibv_context *ctx)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct ibv_device_attr da;
	const char *dev = ibv_get_device_name(ctx->device);
	uint32_t nmsg, i;
	int ret, cqe;

	p->ctx = ctx;
	ret = ibv_query_device(ctx, &da);
	if (ret != 0)
		return mig_rdma_fail(xp, -ret, "rdma: %s: query device: %s", dev,
				     strerror(ret));
	p->rq_depth = RDMA_CTRL_RECV + (p->source ? 0 : p->nslots);
	ret = rdma_protect_choose(xp, &da);
	if (ret < 0)
		return ret;
	if (p->sq_depth > (uint32_t)da.max_qp_wr ||
	    p->rq_depth > (uint32_t)da.max_qp_wr)
		return mig_rdma_fail(xp, -EINVAL,
				     "rdma: %s allows %d work requests per queue: lower tx_depth (%u) or window (%u)",
				     dev, da.max_qp_wr, p->sq_depth,
				     p->opt.window);
	cqe = (int)(p->nqps * (p->sq_depth + p->rq_depth));
	if (cqe > da.max_cqe)
		return mig_rdma_fail(xp, -EINVAL,
				     "rdma: %s: %d completion entries needed, the device allows %d: fewer qps, a smaller tx_depth or window",
				     dev, cqe, da.max_cqe);
	/* Soft-RoCE runs its "NIC" in kernel threads on our CPUs: leave
	 * them the CPU when a poll finds nothing (idle=auto) */
	p->idle = p->opt.idle != RDMA_IDLE_AUTO ? p->opt.idle :
		  da.vendor_id == RDMA_RXE_VENDOR_ID ? RDMA_IDLE_SLEEP :
		  RDMA_IDLE_SPIN;
	p->pd = ibv_alloc_pd(ctx);
	if (p->pd == NULL)
		return mig_rdma_fail(xp, -ENOMEM, "rdma: %s: cannot allocate a PD",
				     dev);
	p->cq = ibv_create_cq(ctx, cqe, NULL, NULL, 0);
	if (p->cq == NULL)
		return mig_rdma_fail(xp, -errno,
				     "rdma: %s: cannot create a CQ of %d entries: %s",
				     dev, cqe, strerror(errno));
	for (i = 0; i < p->nreg; i++) {
		ret = rdma_region_reg(xp, &p->reg[i]);
		if (ret < 0)
			return ret;
	}
	nmsg = p->nqps * p->rq_depth + RDMA_CTRL_SEND;
	p->msg = rdma_buf_alloc_reg(xp, (size_t)nmsg * RDMA_MSG_SIZE,
				    IBV_ACCESS_LOCAL_WRITE, &p->msg_mr,
				    "control buffers");
	if (p->msg == NULL)
		return xp->error;
	for (i = 0; i < RDMA_CTRL_SEND; i++)
		p->send_free[i] = p->nqps * p->rq_depth + i;
	p->nsend_free = RDMA_CTRL_SEND;
	p->ev_size = p->nqps * p->rq_depth + p->nslots;
	p->ev = calloc(p->ev_size, sizeof(*p->ev));
	p->done_size = p->nqps * p->sq_depth;
	p->done = calloc(p->done_size, sizeof(*p->done));
	if (p->ev == NULL || p->done == NULL)
		return mig_rdma_fail(xp, -ENOMEM, "rdma: out of memory");
	if (p->source)
		return 0;
	p->hdr = rdma_buf_alloc_reg(xp, (size_t)(p->nslots + 1) * RDMA_HDR_STRIDE,
				    IBV_ACCESS_LOCAL_WRITE |
				    IBV_ACCESS_REMOTE_WRITE, &p->hdr_mr,
				    "header ring");
	if (p->hdr == NULL)
		return xp->error;
	ret = rdma_slot_keys(xp);
	if (ret == 0 && p->mw)
		ret = mig_rdma_mw_setup(xp);
	return ret;
}

/* Source, every slot described: header staging and the initial credits. */
int
mig_rdma_setup_source_slots(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint32_t i;

	/* one entry per slot, plus the source of the flush write */
	p->hdr = rdma_buf_alloc_reg(xp, (size_t)(p->nslots + 1) * RDMA_HDR_STRIDE,
				    0, &p->hdr_mr, "header staging");
	if (p->hdr == NULL)
		return xp->error;
	p->credits = calloc((size_t)p->nslots * (p->mw ? p->nqps : 1),
			    sizeof(*p->credits));
	p->owned = calloc(p->nslots, sizeof(*p->owned));
	p->old_rkey = calloc(p->nslots, sizeof(*p->old_rkey));
	if (p->credits == NULL || p->owned == NULL || p->old_rkey == NULL)
		return mig_rdma_fail(xp, -ENOMEM, "rdma: out of memory");
	for (i = 0; i < p->nslots; i++) {
		unsigned int f = rdma_fifo_of(p, (uint16_t)i);

		p->credits[f * p->nslots + p->cr_tail[f]++ % p->nslots] =
			(uint16_t)i;
		p->owned[i] = 1;
	}
	return 0;
}

/* The QP of a connection, with its receives posted. */
int
mig_rdma_setup_qp(struct mig_xport *xp, struct rdma_qp *q)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct ibv_qp_init_attr a;
	uint32_t i;
	int ret;

	memset(&a, 0, sizeof(a));
	a.send_cq = p->cq;
	a.recv_cq = p->cq;
	a.qp_type = IBV_QPT_RC;
	a.cap.max_send_wr = p->sq_depth;
	a.cap.max_recv_wr = p->rq_depth;
	a.cap.max_send_sge = 1;
	a.cap.max_recv_sge = 1;
	if (rdma_create_qp(q->id, p->pd, &a) != 0)
		return mig_rdma_fail(xp, -errno, "rdma qp %u: cannot create: %s",
				     q->idx, strerror(errno));
	q->has_qp = true;
	q->sq = calloc(p->sq_depth, sizeof(*q->sq));
	if (q->sq == NULL)
		return mig_rdma_fail(xp, -ENOMEM, "rdma: out of memory");
	for (i = 0; i < p->sq_depth; i++) {
		q->sq[i].msg = -1;
		q->sq[i].slot = -1;
	}
	for (i = 0; i < p->rq_depth; i++) {
		ret = mig_rdma_post_recv(xp, q->idx * p->rq_depth + i);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void
rdma_remove(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_qp *q;
	unsigned int i;

	/* windows first: a bound type 2 window holds its QP (rxe waits for
	 * it in destroy_qp) and its registration */
	mig_rdma_mw_free(p);
	for (i = 0; i < RDMA_QPS_MAX; i++) {
		q = &p->q[i];
		if (q->id == NULL)
			continue;
		if (q->up)
			(void)rdma_disconnect(q->id);
		if (q->has_qp)
			rdma_destroy_qp(q->id);
		rdma_destroy_id(q->id);
		free(q->sq);
		memset(q, 0, sizeof(*q));
	}
	if (p->lid != NULL)
		rdma_destroy_id(p->lid);
	p->lid = NULL;
	for (i = 0; i < p->nreg; i++)
		if (p->reg[i].mr != NULL)
			ibv_dereg_mr(p->reg[i].mr);
	p->nreg = 0;
	if (p->msg_mr != NULL)
		ibv_dereg_mr(p->msg_mr);
	if (p->hdr_mr != NULL)
		ibv_dereg_mr(p->hdr_mr);
	free(p->msg);
	free(p->hdr);
	if (p->cq != NULL)
		ibv_destroy_cq(p->cq);
	if (p->pd != NULL)
		ibv_dealloc_pd(p->pd);
	if (p->ch != NULL)
		rdma_destroy_event_channel(p->ch);
	/* landing slots go back to the provider, whoever held them */
	for (i = 0; p->slots != NULL && i < p->nslots; i++)
		mig_xport_buf_put(xp, p->slots[i].buf);
	free(p->slots);
	free(p->by_addr);
	free(p->pending);
	free(p->rslots);
	free(p->credits);
	free(p->owned);
	free(p->old_rkey);
	free(p->ev);
	free(p->done);
	memset(p, 0, sizeof(*p));
}

static int
rdma_info_get(struct mig_xport *xp, struct mig_xport_info *info)
{
	struct rdma_priv *p = rdma_priv(xp);

	info->streams = p->nqps ? p->nqps : p->opt.qps;
	info->window = p->source && p->nslots ? p->nslots : p->opt.window;
	info->credits = rdma_credits_held(p);
	/* the source starts with every slot granted: the others are in
	 * flight until their CREDIT returns them */
	if (p->source && p->nslots > info->credits)
		info->inflight = p->nslots - info->credits;
	info->tx_chunks = p->tx_chunks;
	info->tx_bytes = p->tx_bytes;
	info->rx_chunks = p->rx_chunks;
	info->rx_bytes = p->rx_bytes;
	info->tx_blocked = p->tx_blocked;
	return 0;
}

static const struct mig_xport_ops rdma_ops = {
	.version = MIG_XPORT_OPS_VERSION,
	.probe = rdma_probe,
	.remove = rdma_remove,
	.listen = mig_rdma_op_listen,
	.connect = mig_rdma_op_connect,
	.local_addr = mig_rdma_op_local_addr,
	.poll = mig_rdma_op_poll,
	.ctrl_send = mig_rdma_op_ctrl_send,
	.tx = mig_rdma_op_tx,
	.tx_done = mig_rdma_op_tx_done,
	.rx = mig_rdma_op_rx,
	.rx_release = mig_rdma_op_rx_release,
	.info_get = rdma_info_get,
	.mem_register = rdma_mem_register,
};

static struct mig_xport_driver rdma_driver = {
	.params = "qps=<1..16> window=<slots 1..1024> tx_depth=<8..8192> "
		  "cq_mod=<n> verify=<bool> connect_timeout=<duration> "
		  "idle=auto|spin|yield|sleep protect=auto|mw|none "
		  "misbehave=none|stale|overrun (tests only)",
	.priv_size = sizeof(struct rdma_priv),
	.ops = &rdma_ops,
};

MIG_XPORT_REGISTER(rdma, rdma_driver);
