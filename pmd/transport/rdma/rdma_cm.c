/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * RDMA transport connection setup with rdma_cm, polled on a non-blocking
 * event channel: the destination listens, takes its landing slots from
 * the buffer provider and accepts the source's QPs (private data: session
 * id, QP index and count); the source resolves the address and the route
 * and connects every QP, then waits for the SLOTS frames. Errors name the
 * cause: no RDMA device on the path, no route, no answer, refused.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_mempool.h>

#include "rdma_priv.h"

/* Copy of what an event carries, taken before it is acknowledged. */
struct rdma_cm_ev {
	enum rdma_cm_event_type type;
	int status;
	struct rdma_cm_id *id;
	uint8_t pdata[64];
	uint8_t plen;
};

static int
rdma_timeout_ms(const struct rdma_priv *p)
{
	return (int)RTE_MIN(p->opt.connect_timeout_ns / 1000000, 60000u);
}

static int
rdma_slot_cmp(const void *a, const void *b, void *arg)
{
	const struct rdma_slot *s = arg;
	uintptr_t x = (uintptr_t)s[*(const uint32_t *)a].buf;
	uintptr_t y = (uintptr_t)s[*(const uint32_t *)b].buf;

	return x < y ? -1 : x > y;
}

static void
rdma_mempool_region(struct rte_mempool *mp, void *arg,
		    struct rte_mempool_memhdr *memhdr, unsigned int idx)
{
	RTE_SET_USED(mp);
	RTE_SET_USED(idx);
	(void)mig_xport_mem_register(arg, memhdr->addr, memhdr->len);
}

/* Destination: take the landing slots from the provider. */
static int
rdma_take_slots(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	uint32_t i;

	if (xp->bufs.mp != NULL)
		rte_mempool_mem_iter(xp->bufs.mp, rdma_mempool_region, xp);
	p->slot_size = xp->bufs.buf_size;
	p->slots = calloc(p->opt.window, sizeof(*p->slots));
	p->by_addr = calloc(p->opt.window, sizeof(*p->by_addr));
	p->pending = calloc(p->opt.window, sizeof(*p->pending));
	if (p->slots == NULL || p->by_addr == NULL || p->pending == NULL) {
		mig_err_set(mig_rdma_logtype, "rdma: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < p->opt.window; i++) {
		p->slots[i].buf = mig_xport_buf_get(xp);
		if (p->slots[i].buf == NULL) {
			mig_err_set(mig_rdma_logtype,
				    "rdma: window=%u but the buffer provider gave only %u buffers",
				    p->opt.window, i);
			return -ENOBUFS;
		}
		p->nslots++;
		p->by_addr[i] = i;
		if (mig_rdma_region_find(p, p->slots[i].buf, p->slot_size) ==
		    NULL) {
			mig_err_set(mig_rdma_logtype,
				    "rdma: landing buffer %p (%u bytes) is not in memory declared with mig_xport_mem_register()",
				    p->slots[i].buf, p->slot_size);
			return -EINVAL;
		}
	}
	qsort_r(p->by_addr, p->nslots, sizeof(*p->by_addr), rdma_slot_cmp,
		p->slots);
	return 0;
}

int
mig_rdma_op_listen(struct mig_xport *xp, const char *addr)
{
	struct rdma_priv *p = rdma_priv(xp);
	int ret;

	p->source = false;
	ret = mig_xport_addr_resolve("rdma", addr, true, &p->sa, &p->salen);
	if (ret < 0)
		return ret;
	snprintf(p->peer, sizeof(p->peer), "%s", addr);
	ret = rdma_take_slots(xp);
	if (ret < 0)
		return ret;
	if (rdma_create_id(p->ch, &p->lid, NULL, RDMA_PS_TCP) != 0) {
		ret = -errno;
		mig_err_set(mig_rdma_logtype, "rdma: create listener: %s",
			    strerror(errno));
		return ret;
	}
	if (rdma_bind_addr(p->lid, (struct sockaddr *)&p->sa) != 0 ||
	    rdma_listen(p->lid, (int)RDMA_QPS_MAX) != 0) {
		ret = -errno;
		mig_err_set(mig_rdma_logtype,
			    "rdma: listen on %s: %s (is the address on an RDMA device?)",
			    addr, strerror(errno));
		return ret;
	}
	xp->state = MIG_XPORT_S_LISTENING;
	RDMA_LOG(DEBUG, "%s: listening on %s, %u slots of %u bytes", xp->name,
		 addr, p->nslots, p->slot_size);
	return 0;
}

int
mig_rdma_op_connect(struct mig_xport *xp, const char *addr)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_qp *q;
	unsigned int i;
	int ret;

	p->source = true;
	ret = mig_xport_addr_resolve("rdma", addr, false, &p->sa, &p->salen);
	if (ret < 0)
		return ret;
	snprintf(p->peer, sizeof(p->peer), "%s", addr);
	p->nqps = p->opt.qps;
	p->session = mig_time_ns() ^ ((uint64_t)getpid() << 32);
	p->deadline_ns = mig_time_ns() + p->opt.connect_timeout_ns;
	for (i = 0; i < p->nqps; i++) {
		q = &p->q[i];
		if (rdma_create_id(p->ch, &q->id, q, RDMA_PS_TCP) != 0) {
			ret = -errno;
			mig_err_set(mig_rdma_logtype, "rdma qp %u: create: %s",
				    i, strerror(errno));
			return ret;
		}
		if (rdma_resolve_addr(q->id, NULL, (struct sockaddr *)&p->sa,
				      rdma_timeout_ms(p)) != 0) {
			ret = -errno;
			mig_err_set(mig_rdma_logtype,
				    "rdma: %s is not reachable through an RDMA device: %s",
				    addr, strerror(errno));
			return ret;
		}
	}
	xp->state = MIG_XPORT_S_CONNECTING;
	return 0;
}

/* Destination: refuse a connection, saying why in the private data. */
static void
rdma_refuse(struct rdma_cm_id *id, int err)
{
	struct rdma_pdata pd = { .reason = (uint32_t)(err < 0 ? -err : err) };
	struct rdma_pdata_le le;

	mig_rdma_pdata_encode(&le, &pd);
	(void)rdma_reject(id, &le, sizeof(le));
}

static int
rdma_ev_request(struct mig_xport *xp, const struct rdma_cm_ev *e)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_conn_param cp;
	struct rdma_pdata pd;
	struct rdma_qp *q;
	int ret;

	ret = mig_rdma_pdata_decode(e->pdata, e->plen, &pd);
	if (ret == 0 && xp->state != MIG_XPORT_S_LISTENING)
		ret = -EBUSY;
	if (ret == 0 && p->nqps == 0) {
		if (pd.qps == 0 || pd.qps > RDMA_QPS_MAX) {
			ret = -EPROTO;
		} else {
			p->nqps = pd.qps;
			p->session = pd.session;
		}
	}
	if (ret == 0 && (pd.session != p->session || pd.qps != p->nqps ||
			 pd.qp >= p->nqps || p->q[pd.qp].id != NULL))
		ret = -EPROTO;
	if (ret < 0) {
		RDMA_LOG(WARNING, "%s: refused a connection: %s", xp->name,
			 strerror(-ret));
		rdma_refuse(e->id, ret);
		rdma_destroy_id(e->id);
		return 0;
	}
	q = &p->q[pd.qp];
	q->id = e->id;
	e->id->context = q;
	if (p->pd == NULL)
		ret = mig_rdma_setup_device(xp, e->id->verbs);
	else if (e->id->verbs != p->ctx)
		ret = mig_rdma_fail(xp, -EINVAL,
				    "rdma qp %u: arrived on %s, the session is on %s",
				    q->idx, ibv_get_device_name(e->id->verbs->device),
				    ibv_get_device_name(p->ctx->device));
	if (ret == 0)
		ret = mig_rdma_setup_qp(xp, q);
	if (ret < 0) {
		rdma_refuse(e->id, ret);
		return ret;
	}
	memset(&cp, 0, sizeof(cp));
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	if (rdma_accept(e->id, &cp) != 0)
		return mig_rdma_fail(xp, -errno, "rdma qp %u: accept: %s", q->idx,
				     strerror(errno));
	return 0;
}

static int
rdma_ev_addr(struct mig_xport *xp, struct rdma_qp *q)
{
	struct rdma_priv *p = rdma_priv(xp);
	int ret;

	if (p->pd == NULL) {
		ret = mig_rdma_setup_device(xp, q->id->verbs);
		if (ret < 0)
			return ret;
	} else if (q->id->verbs != p->ctx) {
		return mig_rdma_fail(xp, -EINVAL,
				     "rdma qp %u: %s resolves to another device than qp 0",
				     q->idx, p->peer);
	}
	if (rdma_resolve_route(q->id, rdma_timeout_ms(p)) != 0)
		return mig_rdma_fail(xp, -errno, "rdma: no route to %s: %s",
				     p->peer, strerror(errno));
	return 0;
}

static int
rdma_ev_route(struct mig_xport *xp, struct rdma_qp *q)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_pdata pd = {
		.qp = q->idx, .qps = (uint16_t)p->nqps, .session = p->session,
	};
	struct rdma_conn_param cp;
	struct rdma_pdata_le le;
	int ret;

	ret = mig_rdma_setup_qp(xp, q);
	if (ret < 0)
		return ret;
	mig_rdma_pdata_encode(&le, &pd);
	memset(&cp, 0, sizeof(cp));
	cp.private_data = &le;
	cp.private_data_len = sizeof(le);
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	if (rdma_connect(q->id, &cp) != 0)
		return mig_rdma_fail(xp, -errno, "rdma qp %u: connect to %s: %s",
				     q->idx, p->peer, strerror(errno));
	return 0;
}

static int
rdma_ev_rejected(struct mig_xport *xp, const struct rdma_cm_ev *e)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_pdata pd;

	if (e->plen > 0 && mig_rdma_pdata_decode(e->pdata, e->plen, &pd) == 0 &&
	    pd.reason != 0)
		return mig_rdma_fail(xp, -ECONNREFUSED,
				     "rdma: %s refused the connection: %s", p->peer,
				     strerror((int)pd.reason));
	return mig_rdma_fail(xp, -ECONNREFUSED,
			     "rdma: %s refused the connection (nothing listening on that port? reject reason %d)",
			     p->peer, e->status);
}

/* Connected: the peer is gone once the completions are drained. */
static int
rdma_ev_gone(struct mig_xport *xp, struct rdma_qp *q, const char *what)
{
	struct rdma_priv *p = rdma_priv(xp);
	int ret;

	if (xp->state != MIG_XPORT_S_CONNECTED)
		return mig_rdma_fail(xp, -ECONNRESET,
				     "rdma qp %u: %s during connection setup with %s",
				     q != NULL ? q->idx : 0, what, p->peer);
	do {
		ret = mig_rdma_cq_poll(xp);
	} while (ret > 0);
	if (ret < 0)
		return ret;
	mig_rdma_gone(p, "rdma qp %u: %s (peer %s)", q != NULL ? q->idx : 0,
		      what, p->peer);
	return 0;
}

static int
rdma_ev_established(struct mig_xport *xp, struct rdma_qp *q)
{
	struct rdma_priv *p = rdma_priv(xp);
	int ret;

	if (q == NULL || q->up)
		return 0;
	q->up = true;
	p->nup++;
	if (p->source || p->nup < p->nqps)
		return 0;
	/*
	 * The windows are allocated now, after every QP: a process that is
	 * killed has its objects destroyed newest first, and rxe waits (and
	 * warns) in destroy_qp while a window bound to the QP still exists.
	 * Then they are bound; SLOTS go once they are.
	 */
	if (p->mw) {
		ret = mig_rdma_mw_setup(xp);
		if (ret < 0)
			return ret;
	}
	ret = mig_rdma_credit_flush(xp);
	if (ret < 0)
		return ret;
	xp->state = MIG_XPORT_S_CONNECTED;
	RDMA_LOG(DEBUG, "%s: session of %u QPs accepted", xp->name, p->nqps);
	return 1;
}

static int
rdma_ev_dispatch(struct mig_xport *xp, const struct rdma_cm_ev *e)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_qp *q = e->id != p->lid && e->id != NULL ?
			    e->id->context : NULL;

	switch (e->type) {
	case RDMA_CM_EVENT_CONNECT_REQUEST:
		return rdma_ev_request(xp, e);
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		return rdma_ev_addr(xp, q);
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		return rdma_ev_route(xp, q);
	case RDMA_CM_EVENT_ESTABLISHED:
		return rdma_ev_established(xp, q);
	case RDMA_CM_EVENT_ADDR_ERROR:
		return mig_rdma_fail(xp, -EHOSTUNREACH,
				     "rdma: %s is not reachable through an RDMA device: %s",
				     p->peer, strerror(-e->status));
	case RDMA_CM_EVENT_ROUTE_ERROR:
		return mig_rdma_fail(xp, -EHOSTUNREACH,
				     "rdma: no route to %s: %s", p->peer,
				     strerror(-e->status));
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		return mig_rdma_fail(xp, -EHOSTUNREACH,
				     "rdma: %s does not answer (%s, status %d)",
				     p->peer, rdma_event_str(e->type), e->status);
	case RDMA_CM_EVENT_REJECTED:
		return rdma_ev_rejected(xp, e);
	case RDMA_CM_EVENT_DISCONNECTED:
		return rdma_ev_gone(xp, q, "the peer closed the connection");
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		return mig_rdma_fail(xp, -ENODEV, "rdma: device %s removed",
				     p->ctx != NULL ?
				     ibv_get_device_name(p->ctx->device) : "?");
	case RDMA_CM_EVENT_ADDR_CHANGE:
		return rdma_ev_gone(xp, q, "the local address changed");
	default:
		return 0;
	}
}

int
mig_rdma_cm_poll(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_cm_event *ev;
	struct rdma_cm_ev e;
	int ret, work = 0;

	for (;;) {
		if (rdma_get_cm_event(p->ch, &ev) != 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return work;
			return mig_rdma_fail(xp, -errno, "rdma: CM events: %s",
					     strerror(errno));
		}
		memset(&e, 0, sizeof(e));
		e.type = ev->event;
		e.status = ev->status;
		e.id = ev->id;
		if (ev->param.conn.private_data != NULL) {
			e.plen = (uint8_t)RTE_MIN(ev->param.conn.private_data_len,
						  sizeof(e.pdata));
			memcpy(e.pdata, ev->param.conn.private_data, e.plen);
		}
		rdma_ack_cm_event(ev);
		RDMA_LOG(DEBUG, "%s: %s (status %d)", xp->name,
			 rdma_event_str(e.type), e.status);
		ret = rdma_ev_dispatch(xp, &e);
		if (ret < 0)
			return ret;
		work++;
	}
}

int
mig_rdma_op_poll(struct mig_xport *xp)
{
	struct rdma_priv *p = rdma_priv(xp);
	int work, ret;

	if (xp->state == MIG_XPORT_S_CONNECTED)
		return mig_rdma_io_poll(xp);
	work = mig_rdma_cm_poll(xp);
	if (work < 0 || xp->state != MIG_XPORT_S_CONNECTING)
		return work;
	if (p->cq != NULL) {
		ret = mig_rdma_cq_poll(xp); /* the SLOTS frames */
		if (ret < 0)
			return ret;
		work += ret;
	}
	if (p->nup == p->nqps && p->nslots > 0 &&
	    p->slots_known == p->nslots) {
		xp->state = MIG_XPORT_S_CONNECTED;
		RDMA_LOG(DEBUG, "%s: connected to %s, %u QPs, %u slots of %u bytes",
			 xp->name, p->peer, p->nqps, p->nslots, p->slot_size);
		return work + 1;
	}
	if (mig_time_ns() > p->deadline_ns)
		return mig_rdma_fail(xp, -ETIMEDOUT,
				     "rdma: connect to %s: timed out after %" PRIu64 " ms (%u of %u QPs connected, %u of %u slots described)",
				     p->peer, p->opt.connect_timeout_ns / 1000000,
				     p->nup, p->nqps, p->slots_known, p->nslots);
	return work;
}

int
mig_rdma_op_local_addr(struct mig_xport *xp, char *buf, size_t len)
{
	struct rdma_priv *p = rdma_priv(xp);
	struct rdma_cm_id *id = p->lid != NULL ? p->lid : p->q[0].id;
	char host[INET6_ADDRSTRLEN];
	struct sockaddr *sa;
	uint16_t port;
	int n;

	if (id == NULL)
		return -ENOTCONN;
	sa = rdma_get_local_addr(id);
	port = ntohs(rdma_get_src_port(id));
	if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr,
			  host, sizeof(host));
		n = snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr,
			  host, sizeof(host));
		n = snprintf(buf, len, "%s:%u", host, port);
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
