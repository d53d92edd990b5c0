/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_errno.h>
#include <rte_mempool.h>

#include "mig_log.h"
#include "mig_pool.h"
#include "mig_xport_driver.h"

static TAILQ_HEAD(, mig_xport_driver) g_xport_drivers =
	TAILQ_HEAD_INITIALIZER(g_xport_drivers);
static unsigned int g_xport_count;

static const char *const g_state_names[] = {
	[MIG_XPORT_S_OPEN] = "OPEN",
	[MIG_XPORT_S_LISTENING] = "LISTENING",
	[MIG_XPORT_S_CONNECTING] = "CONNECTING",
	[MIG_XPORT_S_CONNECTED] = "CONNECTED",
	[MIG_XPORT_S_ERROR] = "ERROR",
};

void
mig_xport_driver_register(struct mig_xport_driver *drv)
{
	TAILQ_INSERT_TAIL(&g_xport_drivers, drv, next);
}

void
mig_xport_driver_foreach(void (*fn)(const char *name, const char *params,
				    void *arg),
			 void *arg)
{
	const struct mig_xport_driver *drv;

	TAILQ_FOREACH(drv, &g_xport_drivers, next)
		fn(drv->name, drv->params ? drv->params : "", arg);
}

const char *
mig_xport_state_name(enum mig_xport_state st)
{
	if ((unsigned int)st >= RTE_DIM(g_state_names))
		return "UNKNOWN";
	return g_state_names[st];
}

int
mig_xport_fail(struct mig_xport *xp, int logtype, int err, const char *fmt,
	       ...)
{
	char msg[MIG_ERR_MAX];
	va_list ap;

	if (xp->state == MIG_XPORT_S_ERROR) {
		mig_err_set(logtype, "%s", xp->errmsg);
		return xp->error;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(xp->errmsg, sizeof(xp->errmsg), "%s", msg);
	xp->error = err < 0 ? err : -EIO;
	xp->state = MIG_XPORT_S_ERROR;
	mig_err_set(logtype, "%s", msg);
	return xp->error;
}

void *
mig_xport_buf_get(struct mig_xport *xp)
{
	void *buf = NULL;

	if (xp->bufs.mp != NULL) {
		if (rte_mempool_get(xp->bufs.mp, &buf) < 0)
			return NULL;
		return buf;
	}
	return xp->bufs.get(xp->bufs.ctx);
}

void
mig_xport_buf_put(struct mig_xport *xp, void *buf)
{
	if (xp->bufs.mp != NULL)
		rte_mempool_put(xp->bufs.mp, buf);
	else
		xp->bufs.put(xp->bufs.ctx, buf);
}

int
mig_xport_addr_resolve(const char *who, const char *addr, bool passive,
		       struct sockaddr_storage *sa, socklen_t *salen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	char host[MIG_XPORT_ADDR_MAX];
	const char *port, *h = host;
	size_t hl;
	int ret;

	if (addr[0] == '[') {
		port = strstr(addr, "]:");
		if (port == NULL)
			goto bad;
		hl = (size_t)(port - addr - 1);
		if (hl == 0 || hl >= sizeof(host))
			goto bad;
		memcpy(host, addr + 1, hl);
		port += 2;
	} else {
		port = strrchr(addr, ':');
		if (port == NULL)
			goto bad;
		hl = (size_t)(port - addr);
		if (hl >= sizeof(host) || memchr(addr, ':', hl) != NULL)
			goto bad;
		memcpy(host, addr, hl);
		port++;
	}
	host[hl] = '\0';
	if (port[0] == '\0')
		goto bad;
	if (hl == 0 || strcmp(host, "*") == 0) {
		if (!passive)
			goto bad;
		h = NULL;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	ret = getaddrinfo(h, port, &hints, &res);
	if (ret != 0) {
		mig_err_set(mig_logtype_engine, "%s: address '%s': %s", who,
			    addr, gai_strerror(ret));
		return -EINVAL;
	}
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*salen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	mig_err_set(mig_logtype_engine,
		    "%s: address '%s': expected host:port or [v6]:port", who,
		    addr);
	return -EINVAL;
}

static const struct mig_xport_driver *
xport_driver_find(const char *name, size_t len)
{
	const struct mig_xport_driver *drv;

	TAILQ_FOREACH(drv, &g_xport_drivers, next)
		if (strlen(drv->name) == len &&
		    strncmp(drv->name, name, len) == 0)
			return drv;
	return NULL;
}

struct mig_xport *
mig_xport_open(const char *devargs)
{
	const struct mig_xport_driver *drv, *d;
	struct mig_xport *xp = NULL;
	char names[256] = "";
	size_t nlen, o = 0;
	int ret;

	if (devargs == NULL || devargs[0] == '\0') {
		mig_err_set(mig_logtype_engine, "transport: empty devargs");
		rte_errno = EINVAL;
		return NULL;
	}
	nlen = strcspn(devargs, ",");
	drv = xport_driver_find(devargs, nlen);
	if (drv == NULL) {
		TAILQ_FOREACH(d, &g_xport_drivers, next)
			o += (size_t)snprintf(names + o,
				o < sizeof(names) ? sizeof(names) - o : 0,
				"%s%s", o ? ", " : "", d->name);
		mig_err_set(mig_logtype_engine,
			    "transport '%.*s': no such driver (known: %s)",
			    (int)nlen, devargs, names);
		ret = -ENODEV;
		goto fail;
	}
	if (drv->ops == NULL || drv->ops->version != MIG_XPORT_OPS_VERSION ||
	    drv->ops->probe == NULL) {
		mig_err_set(mig_logtype_engine,
			    "%s: transport ops table version %u, expected %u",
			    drv->name, drv->ops ? drv->ops->version : 0,
			    MIG_XPORT_OPS_VERSION);
		ret = -ENOTSUP;
		goto fail;
	}
	xp = calloc(1, sizeof(*xp));
	if (xp == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	if (drv->priv_size) {
		xp->priv = calloc(1, drv->priv_size);
		if (xp->priv == NULL) {
			ret = -ENOMEM;
			goto fail;
		}
	}
	xp->drv = drv;
	xp->state = MIG_XPORT_S_OPEN;
	snprintf(xp->name, sizeof(xp->name), "%s%u", drv->name,
		 __atomic_fetch_add(&g_xport_count, 1, __ATOMIC_RELAXED));
	ret = drv->ops->probe(xp, devargs[nlen] == ',' ? devargs + nlen + 1 :
			      devargs + nlen);
	if (ret < 0)
		goto fail;
	return xp;
fail:
	if (xp != NULL) {
		free(xp->priv);
		free(xp);
	}
	rte_errno = -ret;
	return NULL;
}

void
mig_xport_close(struct mig_xport *xp)
{
	if (xp == NULL)
		return;
	if (xp->drv->ops->remove != NULL)
		xp->drv->ops->remove(xp);
	free(xp->priv);
	free(xp);
}

enum mig_xport_state
mig_xport_state(const struct mig_xport *xp)
{
	return xp->state;
}

const char *
mig_xport_errmsg(const struct mig_xport *xp)
{
	return xp->errmsg;
}

/* The sticky error, re-recorded as this thread's last error. */
static int
xport_sticky(const struct mig_xport *xp)
{
	mig_err_set(mig_logtype_engine, "%s", xp->errmsg);
	return xp->error;
}

/* Refuse a call in the wrong state; ERROR gives the sticky error. */
static int
xport_check(const struct mig_xport *xp, const char *op, unsigned int ok)
{
	if (xp->state == MIG_XPORT_S_ERROR)
		return xport_sticky(xp);
	if (!(ok & (1u << xp->state))) {
		mig_err_set(mig_logtype_engine,
			    "%s: %s not allowed in state %s", xp->name, op,
			    mig_xport_state_name(xp->state));
		return -EBUSY;
	}
	return 0;
}

#define S(x) (1u << MIG_XPORT_S_##x)

int
mig_xport_set_bufs(struct mig_xport *xp, const struct mig_xport_bufs *b)
{
	int ret;

	ret = xport_check(xp, "set_bufs", S(OPEN));
	if (ret < 0)
		return ret;
	if (b == NULL || b->buf_size == 0 ||
	    (b->mp == NULL && (b->get == NULL || b->put == NULL))) {
		mig_err_set(mig_logtype_engine,
			    "%s: buffer provider needs buf_size and a mempool or get/put",
			    xp->name);
		return -EINVAL;
	}
	xp->bufs = *b;
	xp->has_bufs = true;
	return 0;
}

int
mig_xport_defer_crc(struct mig_xport *xp)
{
	int ret;

	ret = xport_check(xp, "defer_crc", S(OPEN));
	if (ret < 0)
		return ret;
	xp->crc_deferred = true;
	return 0;
}

/*
 * A NULL op or argument: the error with a message of its own, so that a
 * caller printing mig_err_last() never shows an older, unrelated one.
 */
static int
xport_op_unsupported(const struct mig_xport *xp, const char *op)
{
	mig_err_set(mig_logtype_engine, "%s: %s: not supported by driver %s",
		    xp->name, op, xp->drv->name);
	return -ENOTSUP;
}

static int
xport_bad_arg(const struct mig_xport *xp, const char *op, const char *arg)
{
	mig_err_set(mig_logtype_engine, "%s: %s: no %s given", xp->name, op,
		    arg);
	return -EINVAL;
}

int
mig_xport_listen(struct mig_xport *xp, const char *addr)
{
	int ret;

	ret = xport_check(xp, "listen", S(OPEN));
	if (ret < 0)
		return ret;
	if (addr == NULL)
		return xport_bad_arg(xp, "listen", "address");
	if (!xp->has_bufs) {
		mig_err_set(mig_logtype_engine,
			    "%s: listen needs a buffer provider (set_bufs)",
			    xp->name);
		return -EINVAL;
	}
	if (xp->drv->ops->listen == NULL)
		return xport_op_unsupported(xp, "listen");
	return xp->drv->ops->listen(xp, addr);
}

int
mig_xport_connect(struct mig_xport *xp, const char *addr)
{
	int ret;

	ret = xport_check(xp, "connect", S(OPEN));
	if (ret < 0)
		return ret;
	if (addr == NULL)
		return xport_bad_arg(xp, "connect", "address");
	if (xp->drv->ops->connect == NULL)
		return xport_op_unsupported(xp, "connect");
	return xp->drv->ops->connect(xp, addr);
}

int
mig_xport_local_addr(struct mig_xport *xp, char *buf, size_t len)
{
	int ret;

	ret = xport_check(xp, "local_addr",
			  S(LISTENING) | S(CONNECTING) | S(CONNECTED));
	if (ret < 0)
		return ret;
	if (buf == NULL || len == 0)
		return xport_bad_arg(xp, "local_addr", "buffer");
	if (xp->drv->ops->local_addr == NULL)
		return xport_op_unsupported(xp, "local_addr");
	return xp->drv->ops->local_addr(xp, buf, len);
}

int
mig_xport_poll(struct mig_xport *xp)
{
	int ret;

	ret = xport_check(xp, "poll",
			  S(LISTENING) | S(CONNECTING) | S(CONNECTED));
	if (ret < 0)
		return ret;
	if (xp->drv->ops->poll == NULL)
		return xport_op_unsupported(xp, "poll");
	return xp->drv->ops->poll(xp);
}

int
mig_xport_ctrl_send(struct mig_xport *xp, const void *frame, uint32_t len)
{
	int ret;

	ret = xport_check(xp, "ctrl_send", S(CONNECTED));
	if (ret < 0)
		return ret;
	if (frame == NULL || len < MIG_WIRE_HDR_LEN ||
	    len > MIG_XPORT_CTRL_MAX) {
		mig_err_set(mig_logtype_engine,
			    "%s: control frame of %u bytes (%u..%u)", xp->name,
			    len, MIG_WIRE_HDR_LEN, MIG_XPORT_CTRL_MAX);
		return -EINVAL;
	}
	if (xp->drv->ops->ctrl_send == NULL)
		return xport_op_unsupported(xp, "ctrl_send");
	return xp->drv->ops->ctrl_send(xp, frame, len);
}

int
mig_xport_tx(struct mig_xport *xp, const struct mig_wire_chunk *hdr,
	     void *payload, uint32_t len, void *cookie)
{
	int ret;

	ret = xport_check(xp, "tx", S(CONNECTED));
	if (ret < 0)
		return ret;
	if (hdr == NULL || payload == NULL || len == 0 ||
	    hdr->length != len || len > MIG_WIRE_CHUNK_MAX) {
		mig_err_set(mig_logtype_engine,
			    "%s: tx: bad chunk (length %u, header length %u)",
			    xp->name, len, hdr != NULL ? hdr->length : 0);
		return -EINVAL;
	}
	if (xp->drv->ops->tx == NULL)
		return xport_op_unsupported(xp, "tx");
	return xp->drv->ops->tx(xp, hdr, payload, len, cookie);
}

int
mig_xport_tx_done(struct mig_xport *xp, void **cookies, unsigned int n)
{
	int ret;

	if (xp->state != MIG_XPORT_S_ERROR) {
		ret = xport_check(xp, "tx_done", S(CONNECTED));
		if (ret < 0)
			return ret;
	}
	if (cookies == NULL && n > 0)
		return xport_bad_arg(xp, "tx_done", "cookie array");
	if (xp->drv->ops->tx_done == NULL)
		return xp->state == MIG_XPORT_S_ERROR ? xport_sticky(xp) :
		       xport_op_unsupported(xp, "tx_done");
	ret = xp->drv->ops->tx_done(xp, cookies, n);
	if (ret == 0 && xp->state == MIG_XPORT_S_ERROR)
		return xport_sticky(xp);
	return ret;
}

int
mig_xport_rx(struct mig_xport *xp, struct mig_xport_rx *out, unsigned int n)
{
	int ret;

	ret = xport_check(xp, "rx", S(CONNECTED));
	if (ret < 0)
		return ret;
	if (out == NULL && n > 0)
		return xport_bad_arg(xp, "rx", "output array");
	if (xp->drv->ops->rx == NULL)
		return xport_op_unsupported(xp, "rx");
	return xp->drv->ops->rx(xp, out, n);
}

int
mig_xport_rx_release(struct mig_xport *xp, void *buf)
{
	int ret;

	if (buf == NULL)
		return xport_bad_arg(xp, "rx_release", "buffer");
	if (xp->state != MIG_XPORT_S_ERROR) {
		ret = xport_check(xp, "rx_release", S(CONNECTED));
		if (ret < 0)
			return ret;
	}
	if (xp->drv->ops->rx_release == NULL)
		return xport_op_unsupported(xp, "rx_release");
	return xp->drv->ops->rx_release(xp, buf);
}

int
mig_xport_mem_register(struct mig_xport *xp, void *addr, size_t len)
{
	int ret;

	ret = xport_check(xp, "mem_register", S(OPEN) | S(LISTENING) |
			  S(CONNECTING) | S(CONNECTED));
	if (ret < 0)
		return ret;
	if (addr == NULL || len == 0) {
		mig_err_set(mig_logtype_engine,
			    "%s: mem_register: empty region", xp->name);
		return -EINVAL;
	}
	if (xp->drv->ops->mem_register == NULL)
		return 0;
	return xp->drv->ops->mem_register(xp, addr, len);
}

static int
xport_pool_region(void *addr, size_t len, rte_iova_t iova, void *arg)
{
	RTE_SET_USED(iova);
	return mig_xport_mem_register(arg, addr, len);
}

int
mig_xport_mem_register_pool(struct mig_xport *xp, const struct mig_pool *pool)
{
	if (pool == NULL)
		return xport_bad_arg(xp, "mem_register", "pool");
	return mig_pool_mem_walk(pool, xport_pool_region, xp);
}

int
mig_xport_info_get(struct mig_xport *xp, struct mig_xport_info *info)
{
	if (info == NULL)
		return xport_bad_arg(xp, "info_get", "info");
	memset(info, 0, sizeof(*info));
	info->name = xp->name;
	info->driver = xp->drv->name;
	if (xp->drv->ops->info_get == NULL)
		return xport_op_unsupported(xp, "info_get");
	return xp->drv->ops->info_get(xp, info);
}
