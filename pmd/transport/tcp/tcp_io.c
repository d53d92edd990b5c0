/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * TCP data path: control queue and chunk writes with sendmsg (frame +
 * chunk header and payload in one call, resumed after a partial write),
 * reads of headers into the stream and of payloads straight into provider
 * buffers, credits.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "tcp_priv.h"

/* A failed socket call: peer gone or another error, named by stream. */
static int
tcp_sock_fail(struct mig_xport *xp, struct tcp_stream *s, int err)
{
	if (err == EPIPE || err == ECONNRESET || err == 0)
		return tcp_stream_fail(xp, s, -ECONNRESET,
				       "tcp stream %u: peer closed the connection",
				       s->id);
	return tcp_stream_fail(xp, s, -err, "tcp stream %u: %s", s->id,
			       strerror(err));
}

/* A send or recv error that means the peer closed or reset the stream
 * of a connected session: deferred (tcp_eof_check). */
static bool
tcp_peer_gone(struct mig_xport *xp, int err)
{
	return xp->state == MIG_XPORT_S_CONNECTED &&
	       (err == EPIPE || err == ECONNRESET || err == 0);
}

int
tcp_queue_frame(struct tcp_stream *s, const void *frame, uint32_t len)
{
	if (s->cq_head == s->cq_tail)
		s->cq_head = s->cq_tail = 0;
	if (TCP_CTRL_QUEUE - s->cq_tail < len && s->cq_head > 0) {
		memmove(s->cq, s->cq + s->cq_head, s->cq_tail - s->cq_head);
		s->cq_tail -= s->cq_head;
		s->cq_head = 0;
	}
	if (TCP_CTRL_QUEUE - s->cq_tail < len)
		return -EAGAIN;
	memcpy(s->cq + s->cq_tail, frame, len);
	s->cq_tail += len;
	return 0;
}

/* Write the chunk in progress; 1 when it completed, 0 blocked, < 0. */
static int
tcp_write_chunk(struct mig_xport *xp, struct tcp_stream *s)
{
	struct tcp_priv *p = tcp_priv(xp);
	uint64_t total = MIG_WIRE_CHUNK_HDR_LEN + (uint64_t)s->tx_len;
	struct msghdr msg = { 0 };
	struct iovec iov[2];
	int cnt = 0;
	ssize_t n;

	while (s->tx_off < total) {
		cnt = 0;
		if (s->tx_off < MIG_WIRE_CHUNK_HDR_LEN) {
			iov[cnt].iov_base = s->tx_hdr + s->tx_off;
			iov[cnt].iov_len = MIG_WIRE_CHUNK_HDR_LEN - s->tx_off;
			cnt++;
			iov[cnt].iov_base = s->tx_payload;
			iov[cnt].iov_len = s->tx_len;
			cnt++;
		} else {
			iov[0].iov_base = (uint8_t *)s->tx_payload +
				(s->tx_off - MIG_WIRE_CHUNK_HDR_LEN);
			iov[0].iov_len = total - s->tx_off;
			cnt = 1;
		}
		msg.msg_iov = iov;
		msg.msg_iovlen = cnt;
		n = sendmsg(s->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			if (tcp_peer_gone(xp, errno)) {
				s->tx_dead = true;
				return 0;
			}
			return tcp_sock_fail(xp, s, errno);
		}
		s->tx_off += (uint64_t)n;
	}
	/* every byte is in the kernel: the payload buffer may be reused */
	p->done[p->done_tail++ % TCP_DONE_RING] = s->tx_cookie;
	s->tx_busy = false;
	s->tx_payload = NULL;
	p->tx_busy--;
	p->tx_chunks++;
	p->tx_bytes += s->tx_len;
	return 1;
}

int
tcp_flush(struct mig_xport *xp, struct tcp_stream *s)
{
	int work = 0, ret;
	ssize_t n;

	if (s->fd < 0 || s->tx_dead)
		return 0;
	for (;;) {
		if (s->tx_busy) {
			ret = tcp_write_chunk(xp, s);
			if (ret <= 0)
				return ret < 0 ? ret : work;
			work++;
			continue;
		}
		if (s->cq_head == s->cq_tail)
			return work;
		n = send(s->fd, s->cq + s->cq_head, s->cq_tail - s->cq_head,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return work;
			if (errno == EINTR)
				continue;
			if (tcp_peer_gone(xp, errno)) {
				s->tx_dead = true;
				return work;
			}
			return tcp_sock_fail(xp, s, errno);
		}
		s->cq_head += (uint32_t)n;
		work++;
	}
}

int
tcp_credit_flush(struct mig_xport *xp, struct tcp_stream *s)
{
	uint8_t frame[MIG_WIRE_ENCODE_MAX];
	struct mig_wire_msg m = { .type = MIG_WIRE_T_CREDIT };
	uint32_t batch = RTE_MAX(s->share / 4, 1u);
	int len;

	/* batches while chunks keep coming; once none came for
	 * TCP_CREDIT_IDLE_NS every released buffer goes back, so that what
	 * the sender misses is what is really in flight (its backlog,
	 * mig_xport_info.inflight) */
	if (s->pending == 0)
		return 0;
	if (s->pending < batch && s->granted > batch &&
	    mig_time_ns() - tcp_priv(xp)->rx_last_ns < TCP_CREDIT_IDLE_NS)
		return 0;
	m.credit.dev_id = MIG_WIRE_DEV_ALL;
	m.credit.credits = s->pending;
	len = mig_wire_encode(frame, sizeof(frame), &m);
	if (len < 0)
		return len;
	if (tcp_queue_frame(s, frame, (uint32_t)len) < 0)
		return 0; /* queue full: retried on the next poll */
	s->granted += s->pending;
	s->pending = 0;
	return 1;
}

/* recv() into @p buf: bytes read, -EAGAIN when nothing, or a failure. */
static int
tcp_recv(struct mig_xport *xp, struct tcp_stream *s, void *buf, uint32_t len)
{
	ssize_t n;

	for (;;) {
		n = recv(s->fd, buf, len, MSG_DONTWAIT);
		if (n > 0)
			return (int)n;
		if ((n == 0 || errno == ECONNRESET) && tcp_peer_gone(xp, 0)) {
			/* Not yet: a frame the peer sent on another stream
			 * before it closed (its ABORT, its DONE) may still
			 * wait in that stream (tcp_eof_check). */
			s->eof = true;
			s->readable = false;
			return -EAGAIN;
		}
		if (n == 0)
			return tcp_sock_fail(xp, s, 0);
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* until epoll reports new bytes (tcp_ready_poll) */
			s->readable = false;
			tcp_priv(xp)->rx_empty++;
			return -EAGAIN;
		}
		return tcp_sock_fail(xp, s, errno);
	}
}

/*
 * Mark the streams with new bytes, a peer close or an error readable
 * again. Edge-triggered: an event means "something arrived since the
 * last report", so a stream whose recv() found nothing after the event
 * is not missed; its next arrival reports it again.
 */
void
tcp_ready_poll(struct tcp_priv *p)
{
	struct epoll_event ev[TCP_STREAMS_MAX];
	int n, i;

	if (p->epfd < 0)
		return;
	n = epoll_wait(p->epfd, ev, RTE_DIM(ev), 0);
	for (i = 0; i < n; i++)
		((struct tcp_stream *)ev[i].data.ptr)->readable = true;
}

/* Validate the chunk header in rx_hdr[24..48) (its CRC is hdr.body_crc);
 * then a buffer for its payload is due. */
static int
tcp_chunk_hdr(struct mig_xport *xp, struct tcp_stream *s)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct mig_wire_chunk *c = &s->chunk;
	int ret;

	ret = mig_wire_chunk_hdr_decode(&s->hdr, s->rx_hdr + MIG_WIRE_HDR_LEN,
					c, &p->lim);
	if (ret < 0)
		return tcp_stream_fail(xp, s, ret,
				       "tcp stream %u: %s", s->id,
				       mig_err_last());
	if (!xp->has_bufs || c->length > xp->bufs.buf_size)
		return tcp_stream_fail(xp, s, -EMSGSIZE,
				       "tcp stream %u: device %" PRIu32 " chunk %" PRIu64 ": length %" PRIu32 " (body %" PRIu32 ", buffer %" PRIu32 ")",
				       s->id, c->dev_id, c->index, c->length,
				       s->hdr.body_len,
				       xp->has_bufs ? xp->bufs.buf_size : 0);
	if (s->granted == 0)
		return tcp_stream_fail(xp, s, -EPROTO,
				       "tcp stream %u: device %" PRIu32 " chunk %" PRIu64 " sent without credit",
				       s->id, c->dev_id, c->index);
	s->granted--;
	s->step = TCP_RX_BUF;
	return 0;
}

/* A complete control body in s->body: consume or make it READY. */
static int
tcp_ctrl_frame(struct mig_xport *xp, struct tcp_stream *s)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct mig_wire_msg m;
	int ret;

	if (!p->source && !s->up && s->hdr.type != TCP_T_STREAM)
		return tcp_stream_fail(xp, s, -EPROTO,
				       "tcp: connection opened with a %s frame, expected the stream frame",
				       mig_wire_type_name(s->hdr.type));
	ret = mig_wire_body_decode(&s->hdr, s->body, s->hdr.body_len, &m,
				   &p->lim);
	if (ret < 0)
		return tcp_stream_fail(xp, s, ret,
				       "tcp stream %u: %s", s->id,
				       mig_err_last());
	s->step = TCP_RX_HDR;
	s->rx_off = 0;
	if (s->hdr.type == TCP_T_STREAM)
		return tcp_handle_stream_frame(xp, s);
	if (m.type == MIG_WIRE_T_NONE)
		return 0; /* unknown optional frame: skipped */
	if (m.type == MIG_WIRE_T_CREDIT) {
		if (!p->source || m.credit.credits >
		    MIG_WIRE_SLOTS_MAX - RTE_MIN(s->credits, MIG_WIRE_SLOTS_MAX))
			return tcp_stream_fail(xp, s, -EPROTO,
					       "tcp stream %u: unexpected CREDIT of %" PRIu32,
					       s->id, m.credit.credits);
		if (!s->share_known) {
			s->share = m.credit.credits;
			s->share_known = true;
		}
		s->credits += m.credit.credits;
		return 0;
	}
	s->step = TCP_RX_READY;
	return 0;
}

/* recv() until s->rx_off reaches @p want bytes at @p buf: 0 when they
 * are all in, -EAGAIN when the socket has no more now, or a failure;
 * @p work is set once bytes came. */
static int
tcp_rx_fill(struct mig_xport *xp, struct tcp_stream *s, uint8_t *buf,
	    uint32_t want, int *work)
{
	int ret;

	while (s->rx_off < want) {
		ret = tcp_recv(xp, s, buf + s->rx_off, want - s->rx_off);
		if (ret < 0)
			return ret;
		*work = 1;
		s->rx_off += (uint32_t)ret;
	}
	return 0;
}

/* A complete frame header in rx_hdr: a chunk's header follows, or a
 * control body (handled at once when empty). */
static int
tcp_rx_hdr(struct mig_xport *xp, struct tcp_stream *s)
{
	struct tcp_priv *p = tcp_priv(xp);
	int ret;

	ret = mig_wire_hdr_decode(s->rx_hdr, MIG_WIRE_HDR_LEN, &s->hdr,
				  &p->lim);
	if (ret < 0)
		return tcp_stream_fail(xp, s, ret, "tcp stream %u: %s", s->id,
				       mig_err_last());
	if (s->hdr.type == MIG_WIRE_T_CHUNK) {
		if (p->source || !s->up)
			return tcp_stream_fail(xp, s, -EPROTO,
					       "tcp stream %u: unexpected CHUNK frame",
					       s->id);
		/* rx_off stays: the chunk header follows in rx_hdr */
		s->step = TCP_RX_CHDR;
		return 0;
	}
	if (s->hdr.body_len > MIG_XPORT_CTRL_MAX - MIG_WIRE_HDR_LEN)
		return tcp_stream_fail(xp, s, -EMSGSIZE,
				       "tcp stream %u: %s frame of %" PRIu32 " bytes exceeds %u",
				       s->id, mig_wire_type_name(s->hdr.type),
				       s->hdr.body_len, MIG_XPORT_CTRL_MAX);
	s->rx_off = 0;
	s->step = TCP_RX_BODY;
	if (s->hdr.body_len == 0)
		return tcp_ctrl_frame(xp, s);
	return 0;
}

/* A chunk's payload is in: its CRC (unless the engine checks it), then
 * READY for mig_xport_rx(). */
static int
tcp_rx_payload(struct mig_xport *xp, struct tcp_stream *s)
{
	if (!xp->crc_deferred &&
	    mig_wire_crc32c(s->rx_buf, s->chunk.length) != s->chunk.crc)
		return tcp_stream_fail(xp, s, -EBADMSG,
				       "tcp stream %u: device %" PRIu32 " chunk %" PRIu64 ": payload CRC mismatch (%" PRIu32 " bytes)",
				       s->id, s->chunk.dev_id, s->chunk.index,
				       s->chunk.length);
	s->chunk.payload = s->rx_buf;
	s->step = TCP_RX_READY;
	return 0;
}

int
tcp_read(struct mig_xport *xp, struct tcp_stream *s, bool *polled)
{
	struct tcp_priv *p = tcp_priv(xp);
	int work = 0, ret = 0;

	if (s->fd < 0 || s->eof)
		return 0;
	if (!s->readable && s->step != TCP_RX_READY && s->step != TCP_RX_BUF) {
		/* one epoll_wait per pass over the streams */
		if (!*polled) {
			tcp_ready_poll(p);
			*polled = true;
		}
		if (!s->readable)
			return 0;
	}
	for (;;) {
		switch (s->step) {
		case TCP_RX_READY:
			return work;
		case TCP_RX_HDR:
			ret = tcp_rx_fill(xp, s, s->rx_hdr, MIG_WIRE_HDR_LEN,
					  &work);
			if (ret == 0)
				ret = tcp_rx_hdr(xp, s);
			break;
		case TCP_RX_CHDR:
			ret = tcp_rx_fill(xp, s, s->rx_hdr,
					  MIG_WIRE_CHUNK_HDR_LEN, &work);
			if (ret == 0)
				ret = tcp_chunk_hdr(xp, s);
			break;
		case TCP_RX_BUF:
			s->rx_buf = mig_xport_buf_get(xp);
			if (s->rx_buf == NULL)
				return work; /* no buffer: leave it in the socket */
			s->rx_off = 0;
			s->step = TCP_RX_PAYLOAD;
			break;
		case TCP_RX_PAYLOAD:
			ret = tcp_rx_fill(xp, s, s->rx_buf, s->chunk.length,
					  &work);
			if (ret == 0)
				ret = tcp_rx_payload(xp, s);
			break;
		case TCP_RX_BODY:
			ret = tcp_rx_fill(xp, s, s->body, s->hdr.body_len,
					  &work);
			if (ret == 0)
				ret = tcp_ctrl_frame(xp, s);
			break;
		}
		if (ret == -EAGAIN)
			return work;
		if (ret < 0)
			return ret;
	}
}

/*
 * A peer close seen on a stream is reported only when no stream holds a
 * frame for the user any more: the streams were just read up to what the
 * kernel had, so every frame the peer sent before it closed (an ABORT on
 * stream 0 before it closed stream 1, the destination's DONE before it
 * closed) was handed over first, and the user had one more poll to act
 * on it. Otherwise the source could fail although DONE had arrived, with
 * the destination's devices already running.
 */
static int
tcp_eof_check(struct mig_xport *xp)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct tcp_stream *eof = NULL;
	unsigned int i;

	if (p->rx_handed) {
		p->rx_handed = false;
		return 0;
	}
	for (i = 0; i < p->nconn; i++) {
		struct tcp_stream *s = &p->s[i];

		if (s->fd < 0)
			continue;
		if (s->step == TCP_RX_READY)
			return 0;
		if ((s->eof || s->tx_dead) && eof == NULL)
			eof = s;
	}
	return eof == NULL ? 0 : tcp_sock_fail(xp, eof, 0);
}

/* Every stream: read (chunks, credits, frames), return credits, flush
 * writes. */
int
tcp_io_poll(struct mig_xport *xp)
{
	struct tcp_priv *p = tcp_priv(xp);
	bool polled = false;
	unsigned int i;
	int work = 0, ret;

	for (i = 0; i < p->nconn; i++) {
		struct tcp_stream *s = &p->s[i];

		ret = tcp_read(xp, s, &polled);
		if (ret < 0)
			return ret;
		work += ret;
		if (!p->source && s->up) {
			ret = tcp_credit_flush(xp, s);
			if (ret < 0)
				return ret;
		}
		ret = tcp_flush(xp, s);
		if (ret < 0)
			return ret;
		work += ret;
	}
	ret = tcp_eof_check(xp);
	if (ret < 0)
		return ret;
	return work;
}

int
tcp_op_ctrl_send(struct mig_xport *xp, const void *frame, uint32_t len)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct tcp_stream *s = &p->s[p->ctrl];
	int ret;

	ret = tcp_queue_frame(s, frame, len);
	if (ret < 0) {
		ret = tcp_flush(xp, s);
		if (ret < 0)
			return ret;
		ret = tcp_queue_frame(s, frame, len);
		if (ret < 0)
			return ret;
	}
	ret = tcp_flush(xp, s);
	return ret < 0 ? ret : 0;
}

int
tcp_op_tx(struct mig_xport *xp, const struct mig_wire_chunk *hdr,
	  void *payload, uint32_t len, void *cookie)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct tcp_stream *s = NULL;
	bool polled = false;
	unsigned int i, k;
	int ret;

	if (p->done_tail - p->done_head + p->tx_busy >= TCP_DONE_RING) {
		p->tx_blocked++;
		return -EAGAIN; /* collect completions first */
	}
	for (k = 0; k < p->nconn; k++) {
		i = (p->rr_tx + k) % p->nconn;
		if (p->s[i].credits == 0) {
			ret = tcp_read(xp, &p->s[i], &polled); /* CREDIT */
			if (ret < 0)
				return ret;
		}
		if (p->s[i].tx_busy || p->s[i].cq_head != p->s[i].cq_tail) {
			ret = tcp_flush(xp, &p->s[i]);
			if (ret < 0)
				return ret;
		}
		if (p->s[i].credits > 0 && !p->s[i].tx_busy &&
		    !p->s[i].tx_dead &&
		    p->s[i].cq_head == p->s[i].cq_tail) {
			s = &p->s[i];
			p->rr_tx = i + 1;
			break;
		}
	}
	if (s == NULL) {
		p->tx_blocked++;
		return -EAGAIN;
	}
	ret = mig_wire_encode_chunk_hdr(s->tx_hdr, sizeof(s->tx_hdr), hdr);
	if (ret < 0)
		return ret;
	s->credits--;
	s->tx_busy = true;
	s->tx_payload = payload;
	s->tx_len = len;
	s->tx_off = 0;
	s->tx_cookie = cookie;
	p->tx_busy++;
	ret = tcp_write_chunk(xp, s);
	return ret < 0 ? ret : 0;
}

int
tcp_op_tx_done(struct mig_xport *xp, void **cookies, unsigned int n)
{
	struct tcp_priv *p = tcp_priv(xp);
	unsigned int i, cnt = 0;
	int ret;

	if (xp->state == MIG_XPORT_S_ERROR) {
		/* abandoned chunks are handed back too */
		for (i = 0; i < p->nconn; i++) {
			struct tcp_stream *s = &p->s[i];

			if (s->tx_busy && p->done_tail - p->done_head <
			    TCP_DONE_RING) {
				p->done[p->done_tail++ % TCP_DONE_RING] =
					s->tx_cookie;
				s->tx_busy = false;
				p->tx_busy--;
			}
		}
	} else {
		ret = tcp_io_poll(xp);
		if (ret < 0)
			return ret;
	}
	while (cnt < n && p->done_head != p->done_tail)
		cookies[cnt++] = p->done[p->done_head++ % TCP_DONE_RING];
	return (int)cnt;
}

/*
 * An error after some chunks were already taken out of their streams: hand
 * those over (their buffers would be lost otherwise) and report the error
 * on the next call, from the transport's ERROR state.
 */
static int
tcp_rx_fail(struct mig_xport *xp, unsigned int cnt, int err)
{
	if (cnt == 0)
		return err;
	if (xp->state != MIG_XPORT_S_ERROR)
		mig_xport_fail(xp, mig_tcp_logtype, err, "tcp: receive: %s",
			       strerror(-err));
	return (int)cnt;
}

int
tcp_op_rx(struct mig_xport *xp, struct mig_xport_rx *out, unsigned int n)
{
	struct tcp_priv *p = tcp_priv(xp);
	unsigned int cnt = 0, k, i;
	int ret, work;

	do {
		bool polled = false;

		work = 0;
		for (k = 0; k < p->nconn && cnt < n; k++) {
			struct tcp_stream *s;
			struct mig_xport_rx *r;

			i = (p->rr_rx + k) % p->nconn;
			s = &p->s[i];
			ret = p->source ? 0 : tcp_credit_flush(xp, s);
			if (ret >= 0)
				ret = tcp_flush(xp, s);
			if (ret >= 0)
				ret = tcp_read(xp, s, &polled);
			if (ret < 0)
				return tcp_rx_fail(xp, cnt, ret);
			if (s->step != TCP_RX_READY)
				continue;
			r = &out[cnt++];
			r->stream = s->id;
			r->type = s->hdr.type;
			if (s->hdr.type == MIG_WIRE_T_CHUNK) {
				r->chunk = s->chunk;
				r->buf = s->rx_buf;
				r->len = s->chunk.length;
				s->rx_buf = NULL;
				p->rx_chunks++;
				p->rx_bytes += s->chunk.length;
				p->rx_last_ns = mig_time_ns();
			} else {
				memcpy(r->ctrl, s->rx_hdr, MIG_WIRE_HDR_LEN);
				memcpy(r->ctrl + MIG_WIRE_HDR_LEN, s->body,
				       s->hdr.body_len);
				r->len = MIG_WIRE_HDR_LEN + s->hdr.body_len;
				r->buf = NULL;
			}
			s->step = TCP_RX_HDR;
			s->rx_off = 0;
			work = 1;
		}
		p->rr_rx = (p->rr_rx + 1) % RTE_MAX(p->nconn, 1u);
	} while (work && cnt < n);
	if (cnt > 0) {
		p->rx_handed = true;
	} else {
		ret = tcp_eof_check(xp);
		if (ret < 0)
			return ret;
	}
	return (int)cnt;
}

int
tcp_op_rx_release(struct mig_xport *xp, void *buf)
{
	struct tcp_priv *p = tcp_priv(xp);
	struct tcp_stream *best = NULL;
	unsigned int i;

	mig_xport_buf_put(xp, buf);
	if (xp->state == MIG_XPORT_S_ERROR)
		return 0;
	/* credit the stream whose sender holds the fewest credits */
	for (i = 0; i < p->nconn; i++) {
		struct tcp_stream *s = &p->s[i];

		if (!s->up)
			continue;
		if (best == NULL || s->granted + s->pending <
		    best->granted + best->pending)
			best = s;
	}
	if (best == NULL)
		return 0;
	best->pending++;
	return tcp_credit_flush(xp, best) < 0 ? -EIO : 0;
}
