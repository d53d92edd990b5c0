/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _TCP_PRIV_H_
#define _TCP_PRIV_H_

/*
 * TCP transport internals: one session of N non-blocking streams.
 * tcp.c: devargs, listen, connect, remove.
 * tcp_accept.c: destination: accept and identify connections, accept a
 * whole session, drop the others.
 * tcp_io.c: framing, writev of chunks, reads into provider buffers,
 * credits.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mig_log.h"
#include "mig_time.h"
#include "mig_wire.h"
#include "mig_xport_driver.h"

extern int mig_tcp_logtype;

#define TCP_LOG(level, fmt, ...) MIG_LOG(level, mig_tcp_logtype, fmt, ##__VA_ARGS__)

#define TCP_STREAMS_MAX 16u
#define TCP_STREAMS_DEF 2u
#define TCP_WINDOW_DEF 64u
/* Receiver: no chunk for this long and credits go back unbatched. */
#define TCP_CREDIT_IDLE_NS (1000ull * 1000ull)
#define TCP_CONNECT_TIMEOUT_DEF (UINT64_C(10) * 1000000000)
/** Completed-send cookies not yet collected by tx_done. */
#define TCP_DONE_RING 1024u
/** Outgoing control bytes queued per stream. */
#define TCP_CTRL_QUEUE (4u * MIG_XPORT_CTRL_MAX)

/**
 * Transport frame opening every stream, source -> destination (an
 * OPTIONAL frame type outside the v1 range, so wire-format peers skip
 * it): le64 session, le16 stream, le16 streams, le32 reserved.
 */
#define TCP_T_STREAM 0x40
#define TCP_STREAM_BODY 16u

enum tcp_rx_step {
	TCP_RX_HDR = 0,  /* reading the 24-byte frame header */
	TCP_RX_CHDR,     /* reading the 24-byte chunk header */
	TCP_RX_BUF,      /* waiting for a provider buffer */
	TCP_RX_PAYLOAD,  /* reading the payload into the buffer */
	TCP_RX_BODY,     /* reading a control body */
	TCP_RX_READY,    /* a chunk or control frame waits for rx() */
};

struct tcp_stream {
	int fd;
	/* recv() only after epoll said so: a recv() finding nothing still
	 * takes the socket lock the sender's softirq wants */
	bool readable;
	/* the peer closed it (recv() == 0) once connected: reported by
	 * tcp_eof_check() after what arrived before on every stream */
	bool eof;
	/* a send found the peer gone (EPIPE, ECONNRESET) once connected: no
	 * more writes; still read (its last frames), reported the same way */
	bool tx_dead;
	uint16_t id;           /* index in the session; UINT16_MAX unknown */
	bool up;               /* source: connected; dest: STREAM received */
	/* destination, from the STREAM frame: the session and its streams */
	uint64_t session;
	uint16_t nstreams;
	uint64_t opened_ns;    /* destination: accepted at */
	char from[MIG_XPORT_ADDR_MAX]; /* destination: peer address */
	/* send side: at most one chunk being written */
	bool tx_busy;
	uint8_t tx_hdr[MIG_WIRE_CHUNK_HDR_LEN];
	void *tx_payload;
	uint32_t tx_len;
	uint64_t tx_off;       /* bytes of header + payload written */
	void *tx_cookie;
	uint8_t *cq;           /* control bytes queued, whole frames */
	uint32_t cq_head, cq_tail;
	/* credits */
	uint32_t credits;      /* sender: chunks it may still send */
	uint32_t granted;      /* receiver: credits held by peer or in flight */
	uint32_t pending;      /* receiver: released, not granted yet */
	uint32_t share;        /* initial grant of this stream (receiver: sent,
				* sender: the first CREDIT received) */
	bool share_known;      /* sender: first CREDIT received */
	/* receive side */
	enum tcp_rx_step step;
	uint8_t rx_hdr[MIG_WIRE_CHUNK_HDR_LEN];
	uint32_t rx_off;
	struct mig_wire_hdr hdr;
	struct mig_wire_chunk chunk;
	void *rx_buf;
	uint8_t *body;         /* MIG_XPORT_CTRL_MAX bytes */
};

struct tcp_opts {
	unsigned int streams;
	uint64_t sndbuf;       /* 0: kernel default */
	uint64_t rcvbuf;
	bool nodelay;
	uint32_t window;
	uint64_t connect_timeout_ns;
};

struct tcp_priv {
	struct tcp_opts opt;
	bool source;
	/* a frame was handed to the user since the last tcp_eof_check() */
	bool rx_handed;
	int lfd;               /* listener, -1 */
	int epfd;              /* edge-triggered EPOLLIN of every stream, -1 */
	char peer[MIG_XPORT_ADDR_MAX];
	struct sockaddr_storage sa;
	socklen_t salen;
	uint64_t deadline_ns;  /* connect deadline, monotonic */
	uint64_t session;
	unsigned int nstreams; /* streams of the session (dest: from peer) */
	unsigned int nconn;    /* entries used in s[] */
	unsigned int ctrl;     /* s[] index of stream 0, or nconn */
	struct tcp_stream s[TCP_STREAMS_MAX];
	unsigned int rr_tx, rr_rx;
	void *done[TCP_DONE_RING];
	uint32_t done_head, done_tail;
	uint32_t tx_busy;      /* streams with a chunk being written */
	struct mig_wire_limits lim;
	uint64_t tx_chunks, tx_bytes, rx_chunks, rx_bytes, tx_blocked;
	uint64_t rx_empty;      /* recv() calls that found nothing */
	uint64_t dropped;      /* listener: connections dropped */
	uint64_t rx_last_ns;   /* receiver: last chunk handed out */
};

static inline struct tcp_priv *
tcp_priv(struct mig_xport *xp)
{
	return xp->priv;
}

int tcp_stream_init(struct mig_xport *xp, struct tcp_stream *s, int fd);
void tcp_stream_fini(struct mig_xport *xp, struct tcp_stream *s);
int tcp_queue_frame(struct tcp_stream *s, const void *frame, uint32_t len);
int tcp_flush(struct mig_xport *xp, struct tcp_stream *s);
/* @p polled: false at the start of a pass over the streams; the first
 * stream that needs epoll's word sets it, the others reuse that answer */
int tcp_read(struct mig_xport *xp, struct tcp_stream *s, bool *polled);
void tcp_ready_poll(struct tcp_priv *p);
int tcp_handle_stream_frame(struct mig_xport *xp, struct tcp_stream *s);
int tcp_poll_accept(struct mig_xport *xp);
/*
 * A stream's failure: fails the transport (mig_xport_fail), except while
 * the destination is still listening, where only that connection is
 * dropped (tcp_accept.c). Returns the negative errno either way.
 */
int tcp_stream_fail(struct mig_xport *xp, struct tcp_stream *s, int err,
		    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tcp_credit_flush(struct mig_xport *xp, struct tcp_stream *s);
int tcp_io_poll(struct mig_xport *xp);

int tcp_op_ctrl_send(struct mig_xport *xp, const void *frame, uint32_t len);
int tcp_op_tx(struct mig_xport *xp, const struct mig_wire_chunk *hdr,
	      void *payload, uint32_t len, void *cookie);
int tcp_op_tx_done(struct mig_xport *xp, void **cookies, unsigned int n);
int tcp_op_rx(struct mig_xport *xp, struct mig_xport_rx *out, unsigned int n);
int tcp_op_rx_release(struct mig_xport *xp, void *buf);

#endif /* _TCP_PRIV_H_ */
