/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * TCP transport, destination: accept connections, identify each by its
 * STREAM frame, and accept the first session whose streams are all open.
 *
 * Until then a connection's failure is its own, not the listener's: a
 * connection that sends garbage, opens with another frame, belongs to a
 * session that never completes, stays silent past connect_timeout, or
 * is the oldest unidentified one when every slot is taken, is closed with
 * a WARNING naming its address and why, and the listener keeps waiting for
 * its source (the session's own --timeout bounds the wait). Once a session
 * is accepted the other connections are closed and the listener with
 * them.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "tcp_priv.h"

static void
tcp_format_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a->sin_port));
	}
}

/* Close a connection that is not (or no longer) part of the session. */
static void
tcp_drop(struct mig_xport *xp, struct tcp_stream *s, const char *why)
{
	struct tcp_priv *p = tcp_priv(xp);

	TCP_LOG(WARNING, "%s: connection from %s dropped: %s", xp->name,
		s->from, why);
	tcp_stream_fini(xp, s);
	p->dropped++;
}

int
tcp_stream_fail(struct mig_xport *xp, struct tcp_stream *s, int err,
		const char *fmt, ...)
{
	char msg[MIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (xp->state != MIG_XPORT_S_LISTENING)
		return mig_xport_fail(xp, mig_tcp_logtype, err, "%s", msg);
	tcp_drop(xp, s, msg);
	return err < 0 ? err : -EIO;
}

/* The STREAM frame that opens a connection: which session, which stream. */
int
tcp_handle_stream_frame(struct mig_xport *xp, struct tcp_stream *s)
{
	struct tcp_priv *p = tcp_priv(xp);
	unsigned int i;
	uint64_t session;
	uint16_t id, n;

	if (p->source || s->up || s->hdr.body_len != TCP_STREAM_BODY)
		return tcp_stream_fail(xp, s, -EPROTO,
				       "tcp stream %u: unexpected stream frame",
				       s->id);
	session = rte_le_to_cpu_64(*(rte_le64_t *)(void *)s->body);
	id = rte_le_to_cpu_16(*(rte_le16_t *)(void *)(s->body + 8));
	n = rte_le_to_cpu_16(*(rte_le16_t *)(void *)(s->body + 10));
	if (n == 0 || n > TCP_STREAMS_MAX || id >= n)
		return tcp_stream_fail(xp, s, -EPROTO,
				       "tcp: stream %u of %u announced (1..%u streams)",
				       id, n, TCP_STREAMS_MAX);
	if (p->opt.window < n)
		return tcp_stream_fail(xp, s, -EINVAL,
				       "tcp: window=%u is smaller than the peer's %u streams",
				       p->opt.window, n);
	for (i = 0; i < p->nconn; i++)
		if (p->s[i].fd >= 0 && p->s[i].up &&
		    p->s[i].session == session && p->s[i].id == id)
			return tcp_stream_fail(xp, s, -EPROTO,
					       "tcp: stream %u opened twice",
					       id);
	s->session = session;
	s->nstreams = n;
	s->id = id;
	s->up = true;
	return 0;
}

/* A free entry of p->s[]: a closed one, a new one, or the oldest
 * unidentified connection's (dropped), else NULL. */
static struct tcp_stream *
tcp_slot(struct mig_xport *xp)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct tcp_stream *old = NULL;
	unsigned int i;

	for (i = 0; i < p->nconn; i++)
		if (p->s[i].fd < 0)
			return &p->s[i];
	if (p->nconn < TCP_STREAMS_MAX)
		return &p->s[p->nconn++];
	for (i = 0; i < p->nconn; i++) {
		struct tcp_stream *s = &p->s[i];

		if (old == NULL || (!s->up && old->up) ||
		    (s->up == old->up && s->opened_ns < old->opened_ns))
			old = s;
	}
	tcp_drop(xp, old, "every connection slot is taken: the oldest "
		 "connection makes room for a new one");
	return old;
}

/* Accept every pending connection; a failure to accept one is the
 * listener's only when the socket itself fails. */
static int
tcp_accept_all(struct mig_xport *xp)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct sockaddr_storage ss;
	struct tcp_stream *s;
	socklen_t sl;
	int fd, ret, work = 0;

	for (;;) {
		sl = sizeof(ss);
		fd = accept4(p->lfd, (struct sockaddr *)&ss, &sl,
			     SOCK_CLOEXEC);
		if (fd < 0) {
			switch (errno) {
			case EAGAIN:
			case EINTR:
				return work;
			case ECONNABORTED:
			case EPROTO:
			case ENETDOWN:
			case ENETUNREACH:
			case EHOSTDOWN:
			case EHOSTUNREACH:
			case ENOPROTOOPT:
			case EOPNOTSUPP:
				continue; /* that connection's problem */
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM:
				TCP_LOG(WARNING, "%s: accept: %s (retried)",
					xp->name, strerror(errno));
				return work;
			default:
				return mig_xport_fail(xp, mig_tcp_logtype,
						      -errno, "tcp: accept: %s",
						      strerror(errno));
			}
		}
		s = tcp_slot(xp);
		ret = tcp_stream_init(xp, s, fd);
		if (ret < 0) {
			tcp_stream_fini(xp, s);
			return mig_xport_fail(xp, mig_tcp_logtype, ret,
					      "tcp: accepted stream: %s",
					      strerror(-ret));
		}
		tcp_format_addr(&ss, s->from, sizeof(s->from));
		s->opened_ns = mig_time_ns();
		work++;
	}
}

/* The session of @p first if every one of its streams is open, else 0. */
static unsigned int
tcp_session_streams(struct tcp_priv *p, const struct tcp_stream *first)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->nconn; i++)
		if (p->s[i].fd >= 0 && p->s[i].up &&
		    p->s[i].session == first->session)
			n++;
	return n == first->nstreams ? n : 0;
}

/*
 * Keep the streams of the accepted session, in p->s[0..n), close the
 * rest and the listener, and give every stream its share of the window.
 */
static int
tcp_session_accept(struct mig_xport *xp, uint64_t session, unsigned int n)
{
	struct tcp_priv *p = tcp_priv(xp);
	uint8_t frame[MIG_WIRE_ENCODE_MAX];
	struct mig_wire_msg m = { .type = MIG_WIRE_T_CREDIT };
	struct epoll_event ev;
	unsigned int i, k = 0;
	int len, ret;

	for (i = 0; i < p->nconn; i++) {
		struct tcp_stream *s = &p->s[i];

		if (s->fd < 0)
			continue;
		if (!s->up || s->session != session) {
			tcp_drop(xp, s, "another source's session was accepted");
			continue;
		}
		if (k != i) {
			p->s[k] = *s;
			memset(s, 0, sizeof(*s));
			s->fd = -1;
		}
		k++;
	}
	p->nconn = k;
	p->nstreams = n;
	p->session = session;
	close(p->lfd);
	p->lfd = -1;
	for (i = 0; i < n; i++) {
		struct tcp_stream *s = &p->s[i];

		/* epoll names the stream by its address, which moved */
		ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = s;
		if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0)
			return mig_xport_fail(xp, mig_tcp_logtype, -errno,
					      "tcp stream %u: epoll: %s",
					      s->id, strerror(errno));
		s->readable = true;
		if (s->id == 0)
			p->ctrl = i;
		s->share = p->opt.window / n +
			(s->id < p->opt.window % n ? 1 : 0);
		m.credit.dev_id = MIG_WIRE_DEV_ALL;
		m.credit.credits = s->share;
		len = mig_wire_encode(frame, sizeof(frame), &m);
		if (len < 0 || tcp_queue_frame(s, frame, (uint32_t)len) < 0)
			return mig_xport_fail(xp, mig_tcp_logtype, -EIO,
					      "tcp stream %u: cannot queue the initial credit",
					      s->id);
		s->granted = s->share;
	}
	xp->state = MIG_XPORT_S_CONNECTED;
	for (i = 0; i < n; i++) {
		/* the credits go out now: the source may send at once */
		ret = tcp_flush(xp, &p->s[i]);
		if (ret < 0)
			return ret;
	}
	TCP_LOG(DEBUG, "%s: session of %u streams accepted from %s", xp->name,
		n, p->s[0].from);
	return 0;
}

/* Destination: accept, identify, time out, and accept a whole session. */
int
tcp_poll_accept(struct mig_xport *xp)
{
	struct tcp_priv *p = tcp_priv(xp);
	uint64_t now;
	bool polled = false;
	unsigned int i, n;
	char why[96];
	int ret, work;

	work = tcp_accept_all(xp);
	if (work < 0)
		return work;
	now = mig_time_ns();
	for (i = 0; i < p->nconn; i++) {
		struct tcp_stream *s = &p->s[i];

		if (s->fd < 0)
			continue;
		ret = tcp_read(xp, s, &polled);
		if (ret >= 0 && s->fd >= 0)
			ret = tcp_flush(xp, s);
		if (ret < 0 && xp->state == MIG_XPORT_S_ERROR)
			return ret;
		if (ret > 0)
			work += ret;
		if (s->fd >= 0 && s->up && tcp_session_streams(p, s) != 0) {
			n = s->nstreams;
			ret = tcp_session_accept(xp, s->session, n);
			return ret < 0 ? ret : work + 1;
		}
		if (s->fd >= 0 &&
		    now - s->opened_ns > p->opt.connect_timeout_ns) {
			snprintf(why, sizeof(why),
				 "%s after %" PRIu64 " ms (connect_timeout)",
				 s->up ? "its session is still incomplete" :
					 "no stream frame",
				 p->opt.connect_timeout_ns / 1000000);
			tcp_drop(xp, s, why);
			work++;
		}
	}
	return work;
}
