/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * TCP transport: devargs, listen, non-blocking connect with a timeout
 * (each stream opens with a STREAM frame; the destination's side of that
 * handshake, accepting a session, is tcp_accept.c), close.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_log.h>

#include "mig_devargs.h"
#include "tcp_priv.h"

RTE_LOG_REGISTER(mig_tcp_logtype, mig.xport.tcp, INFO);

#define TCP_KEY_STREAMS "streams"
#define TCP_KEY_SNDBUF "sndbuf"
#define TCP_KEY_RCVBUF "rcvbuf"
#define TCP_KEY_NODELAY "nodelay"
#define TCP_KEY_WINDOW "window"
#define TCP_KEY_CONNECT_TIMEOUT "connect_timeout"

static const char *const tcp_valid_args[] = {
	TCP_KEY_STREAMS,
	TCP_KEY_SNDBUF,
	TCP_KEY_RCVBUF,
	TCP_KEY_NODELAY,
	TCP_KEY_WINDOW,
	TCP_KEY_CONNECT_TIMEOUT,
	NULL,
};

static int
tcp_probe(struct mig_xport *xp, const char *args)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct tcp_opts *o = &p->opt;
	struct rte_kvargs *kv;
	uint64_t v;
	int ret;

	o->streams = TCP_STREAMS_DEF;
	o->nodelay = true;
	o->window = TCP_WINDOW_DEF;
	o->connect_timeout_ns = TCP_CONNECT_TIMEOUT_DEF;
	p->lfd = -1;
	p->epfd = -1;
	kv = mig_devargs_parse("tcp", args, tcp_valid_args);
	if (kv == NULL)
		return -EINVAL;
	v = o->streams;
	ret = mig_devargs_u64(kv, "tcp", TCP_KEY_STREAMS, &v, 1,
			      TCP_STREAMS_MAX);
	if (ret < 0)
		goto free_kvlist;
	o->streams = (unsigned int)v;
	ret = mig_devargs_size(kv, "tcp", TCP_KEY_SNDBUF, &o->sndbuf, 4096,
			       INT32_MAX);
	if (ret < 0)
		goto free_kvlist;
	ret = mig_devargs_size(kv, "tcp", TCP_KEY_RCVBUF, &o->rcvbuf, 4096,
			       INT32_MAX);
	if (ret < 0)
		goto free_kvlist;
	ret = mig_devargs_bool(kv, "tcp", TCP_KEY_NODELAY, &o->nodelay);
	if (ret < 0)
		goto free_kvlist;
	v = o->window;
	ret = mig_devargs_u64(kv, "tcp", TCP_KEY_WINDOW, &v, 1,
			      MIG_WIRE_SLOTS_MAX);
	if (ret < 0)
		goto free_kvlist;
	o->window = (uint32_t)v;
	ret = mig_devargs_duration(kv, "tcp", TCP_KEY_CONNECT_TIMEOUT,
				   &o->connect_timeout_ns, 1000000000);
	if (ret < 0)
		goto free_kvlist;
	p->lim.max_devices = MIG_WIRE_DEVICES_MAX;
	p->lim.max_slots = MIG_WIRE_SLOTS_MAX;
	p->lim.max_optional = MIG_XPORT_CTRL_MAX - MIG_WIRE_HDR_LEN;
	mig_wire_limits_normalize(&p->lim, &p->lim);
	ret = 0;
free_kvlist:
	rte_kvargs_free(kv);
	return ret;
}

int
tcp_stream_init(struct mig_xport *xp, struct tcp_stream *s, int fd)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct epoll_event ev;
	int one = 1, v;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->id = UINT16_MAX;
	s->cq = malloc(TCP_CTRL_QUEUE);
	s->body = malloc(MIG_XPORT_CTRL_MAX);
	if (s->cq == NULL || s->body == NULL) {
		free(s->cq);
		free(s->body);
		s->cq = s->body = NULL;
		return -ENOMEM;
	}
	s->fd = fd;
	s->readable = true;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return -errno;
	if (p->epfd < 0) {
		p->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (p->epfd < 0)
			return -errno;
	}
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = s;
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	if (p->opt.nodelay)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				 sizeof(one));
	if (p->opt.sndbuf) {
		v = (int)p->opt.sndbuf;
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	}
	if (p->opt.rcvbuf) {
		v = (int)p->opt.rcvbuf;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	return 0;
}

void
tcp_stream_fini(struct mig_xport *xp, struct tcp_stream *s)
{
	if (s->rx_buf != NULL && xp->has_bufs)
		mig_xport_buf_put(xp, s->rx_buf);
	s->rx_buf = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->cq);
	free(s->body);
	s->cq = s->body = NULL;
}

static void
tcp_remove(struct mig_xport *xp)
{
	struct tcp_priv *p = tcp_priv(xp);
	unsigned int i;

	for (i = 0; i < p->nconn; i++)
		tcp_stream_fini(xp, &p->s[i]);
	p->nconn = 0;
	if (p->lfd >= 0)
		close(p->lfd);
	p->lfd = -1;
	if (p->epfd >= 0)
		close(p->epfd);
	p->epfd = -1;
}

/* "host:port" or "[v6]:port" into the socket address of the session. */
static int
tcp_resolve(struct mig_xport *xp, const char *addr, bool passive)
{
	struct tcp_priv *p = tcp_priv(xp);
	int ret;

	ret = mig_xport_addr_resolve("tcp", addr, passive, &p->sa, &p->salen);
	if (ret < 0)
		return ret;
	snprintf(p->peer, sizeof(p->peer), "%s", addr);
	return 0;
}

static int
tcp_listen(struct mig_xport *xp, const char *addr)
{
	struct tcp_priv *p = tcp_priv(xp);
	int one = 1, fd, ret;

	ret = tcp_resolve(xp, addr, true);
	if (ret < 0)
		return ret;
	fd = socket(p->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		ret = -errno;
		mig_err_set(mig_tcp_logtype, "tcp: socket: %s",
			    strerror(errno));
		return ret;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (p->opt.rcvbuf) {
		int v = (int)p->opt.rcvbuf;

		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	/* a backlog beyond the session's streams: connections that are not
	 * the source's (tcp_accept.c drops them) must not crowd it out */
	if (bind(fd, (struct sockaddr *)&p->sa, p->salen) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		ret = -errno;
		mig_err_set(mig_tcp_logtype, "tcp: listen on %s: %s", addr,
			    strerror(errno));
		goto close_fd;
	}
	p->lfd = fd;
	p->source = false;
	xp->state = MIG_XPORT_S_LISTENING;
	TCP_LOG(DEBUG, "%s: listening on %s", xp->name, addr);
	return 0;
close_fd:
	close(fd);
	return ret;
}

static int
tcp_stream_frame(struct tcp_priv *p, unsigned int id, uint8_t *frame,
		 size_t size)
{
	struct {
		rte_le64_t session;
		rte_le16_t stream;
		rte_le16_t streams;
		rte_le32_t reserved;
	} b;

	RTE_BUILD_BUG_ON(sizeof(b) != TCP_STREAM_BODY);
	b.session = rte_cpu_to_le_64(p->session);
	b.stream = rte_cpu_to_le_16((uint16_t)id);
	b.streams = rte_cpu_to_le_16((uint16_t)p->nstreams);
	b.reserved = 0;
	return mig_wire_encode_raw(frame, size, TCP_T_STREAM,
				   MIG_WIRE_F_OPTIONAL, &b, sizeof(b));
}

static int
tcp_connect(struct mig_xport *xp, const char *addr)
{
	struct tcp_priv *p = tcp_priv(xp);
	uint8_t frame[64];
	unsigned int i;
	int fd, ret, len;

	ret = tcp_resolve(xp, addr, false);
	if (ret < 0)
		return ret;
	p->source = true;
	p->nstreams = p->opt.streams;
	p->session = mig_time_ns() ^ ((uint64_t)getpid() << 32);
	p->deadline_ns = mig_time_ns() + p->opt.connect_timeout_ns;
	for (i = 0; i < p->nstreams; i++) {
		fd = socket(p->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			mig_err_set(mig_tcp_logtype, "tcp: socket: %s",
				    strerror(errno));
			goto fail;
		}
		ret = tcp_stream_init(xp, &p->s[i], fd);
		p->nconn++;
		if (ret < 0) {
			mig_err_set(mig_tcp_logtype, "tcp: stream %u: %s", i,
				    strerror(-ret));
			goto fail;
		}
		p->s[i].id = (uint16_t)i;
		len = tcp_stream_frame(p, i, frame, sizeof(frame));
		if (len < 0 || tcp_queue_frame(&p->s[i], frame,
					       (uint32_t)len) < 0) {
			ret = -EINVAL;
			goto fail;
		}
		if (connect(fd, (struct sockaddr *)&p->sa, p->salen) < 0 &&
		    errno != EINPROGRESS) {
			ret = -errno;
			mig_err_set(mig_tcp_logtype, "tcp: connect to %s: %s",
				    addr, strerror(errno));
			goto fail;
		}
	}
	p->ctrl = 0;
	xp->state = MIG_XPORT_S_CONNECTING;
	return 0;
fail:
	tcp_remove(xp);
	return ret;
}

/* Source: complete the connections. */
static int
tcp_poll_connect(struct mig_xport *xp)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct pollfd pfd;
	unsigned int i, up = 0;
	socklen_t sl;
	int err, work = 0;

	for (i = 0; i < p->nconn; i++) {
		struct tcp_stream *s = &p->s[i];

		if (s->up) {
			up++;
			continue;
		}
		pfd.fd = s->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) <= 0)
			continue;
		err = 0;
		sl = sizeof(err);
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			err = errno;
		if (err != 0)
			return mig_xport_fail(xp, mig_tcp_logtype, -err,
					      "tcp: connect to %s: %s",
					      p->peer, strerror(err));
		s->up = true;
		up++;
		work++;
		/* the STREAM frame, queued by connect */
		err = tcp_flush(xp, s);
		if (err < 0)
			return err;
	}
	if (up == p->nconn) {
		xp->state = MIG_XPORT_S_CONNECTED;
		TCP_LOG(DEBUG, "%s: connected to %s, %u streams", xp->name,
			p->peer, p->nconn);
		return work + 1;
	}
	if (mig_time_ns() > p->deadline_ns)
		return mig_xport_fail(xp, mig_tcp_logtype, -ETIMEDOUT,
				      "tcp: connect to %s: timed out after %" PRIu64 " ms",
				      p->peer,
				      p->opt.connect_timeout_ns / 1000000);
	return work;
}

static int
tcp_poll(struct mig_xport *xp)
{
	switch (xp->state) {
	case MIG_XPORT_S_LISTENING:
		return tcp_poll_accept(xp);
	case MIG_XPORT_S_CONNECTING:
		return tcp_poll_connect(xp);
	default:
		return tcp_io_poll(xp);
	}
}

static int
tcp_local_addr(struct mig_xport *xp, char *buf, size_t len)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	int fd = p->lfd >= 0 ? p->lfd : p->nconn ? p->s[0].fd : -1;
	uint16_t port;
	int n;

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -ENOTCONN;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
		n = snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
		n = snprintf(buf, len, "%s:%u", host, port);
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

static int
tcp_info_get(struct mig_xport *xp, struct mig_xport_info *info)
{
	struct tcp_priv *p = tcp_priv(xp);
	uint32_t grants = 0;
	unsigned int i;

	info->streams = p->nstreams ? p->nstreams : p->opt.streams;
	info->window = p->opt.window;
	for (i = 0; i < p->nconn; i++) {
		info->credits += p->s[i].credits;
		if (p->source && p->s[i].share_known)
			grants += p->s[i].share;
	}
	/* The receiver grants its whole window once (the streams' initial
	 * shares) and then one credit per buffer it releases, to whichever
	 * stream: the credits missing from the window are in flight. */
	if (grants > info->credits)
		info->inflight = grants - info->credits;
	info->tx_chunks = p->tx_chunks;
	info->tx_bytes = p->tx_bytes;
	info->rx_chunks = p->rx_chunks;
	info->rx_bytes = p->rx_bytes;
	info->rx_empty = p->rx_empty;
	info->tx_blocked = p->tx_blocked;
	info->conn_dropped = p->dropped;
	return 0;
}

static const struct mig_xport_ops tcp_ops = {
	.version = MIG_XPORT_OPS_VERSION,
	.probe = tcp_probe,
	.remove = tcp_remove,
	.listen = tcp_listen,
	.connect = tcp_connect,
	.local_addr = tcp_local_addr,
	.poll = tcp_poll,
	.ctrl_send = tcp_op_ctrl_send,
	.tx = tcp_op_tx,
	.tx_done = tcp_op_tx_done,
	.rx = tcp_op_rx,
	.rx_release = tcp_op_rx_release,
	.info_get = tcp_info_get,
};

static struct mig_xport_driver tcp_driver = {
	.params = "streams=<1..16> sndbuf=<size> rcvbuf=<size> nodelay=<bool> "
		  "window=<buffers> connect_timeout=<duration>",
	.priv_size = sizeof(struct tcp_priv),
	.ops = &tcp_ops,
};

MIG_XPORT_REGISTER(tcp, tcp_driver);
