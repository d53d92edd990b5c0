/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The session's connection: connect (source) or listen and accept
 * (destination), control frames out (encoded, queued, retried while the
 * transport's queue is full) and in (decoded and fed to the wire
 * checker, like the chunk headers).
 */

#include <errno.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_priv.h"

#define SESS_ACCEPT_NS (60ull * MIG_NS_PER_S)

int
sess_connect(struct mig_sess *s)
{
	uint64_t end;
	int ret;

	if (s->role == MIG_WIRE_ROLE_SOURCE) {
		ret = mig_xport_connect(s->xp, s->cfg->addr);
		end = mig_time_ns() + s->timeout_ns;
	} else {
		ret = mig_xport_listen(s->xp, s->cfg->addr);
		end = mig_time_ns() + SESS_ACCEPT_NS;
		if (ret == 0 && s->cfg->listening != NULL) {
			char addr[MIG_XPORT_ADDR_MAX];

			if (mig_xport_local_addr(s->xp, addr, sizeof(addr)) == 0)
				s->cfg->listening(s->cfg->progress_ctx, addr);
		}
	}
	if (ret < 0)
		return sess_fail(s, ret, "%s %s: %s",
				 s->role == MIG_WIRE_ROLE_SOURCE ? "connect to" :
				 "listen on", s->cfg->addr, mig_err_last());
	while (mig_xport_state(s->xp) != MIG_XPORT_S_CONNECTED) {
		ret = mig_xport_poll(s->xp);
		if (ret < 0)
			return sess_fail(s, ret, "connection with %s: %s",
					 s->cfg->addr, mig_xport_errmsg(s->xp));
		/* Waiting for the peer: give the CPU away meanwhile. */
		mig_idle_step(&s->idle, ret);
		ret = sess_check_stop(s);
		if (ret < 0)
			return ret;
		if (mig_time_ns() > end)
			return sess_fail(s, -ETIMEDOUT,
					 "no connection with %s in time",
					 s->cfg->addr);
	}
	sess_mark(s, "connected");
	s->last_progress = mig_time_ns();
	return 0;
}

void
sess_linger(struct mig_sess *s, uint64_t ns)
{
	uint64_t end = mig_time_ns() + ns;
	int i, n, w;

	while (mig_time_ns() < end) {
		w = mig_xport_poll(s->xp);
		if (w < 0)
			break;
		n = mig_xport_rx(s->xp, s->rx, SESS_RX_BURST);
		if (n < 0)
			break;
		for (i = 0; i < n; i++)
			if (s->rx[i].type == MIG_WIRE_T_CHUNK)
				mig_xport_rx_release(s->xp, s->rx[i].buf);
		mig_idle_step(&s->idle, w + n);
	}
}

int
sess_send(struct mig_sess *s, struct mig_wire_msg *m)
{
	uint8_t buf[MIG_WIRE_ENCODE_MAX];
	uint64_t end = mig_time_ns() + s->timeout_ns;
	int len, ret;

	len = mig_wire_encode(buf, sizeof(buf), m);
	if (len < 0)
		return sess_fail(s, len, "cannot encode %s: %s",
				 mig_wire_type_name(m->type), mig_err_last());
	for (;;) {
		ret = mig_xport_ctrl_send(s->xp, buf, (uint32_t)len);
		if (ret != -EAGAIN)
			break;
		ret = mig_xport_poll(s->xp);
		if (ret < 0)
			break;
		if (mig_time_ns() > end)
			return sess_fail(s, -ETIMEDOUT, "cannot send %s",
					 mig_wire_type_name(m->type));
	}
	if (ret < 0)
		return sess_fail(s, ret, "sending %s: %s",
				 mig_wire_type_name(m->type),
				 mig_xport_errmsg(s->xp));
	return 0;
}

int
sess_send_keepalive(struct mig_sess *s, uint32_t seq)
{
	struct mig_wire_msg m;

	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_KEEPALIVE;
	m.keepalive.seq = seq;
	return sess_send(s, &m);
}

int
sess_ctrl_decode(struct mig_sess *s, const struct mig_xport_rx *r,
		 struct mig_wire_msg *m)
{
	int ret;

	ret = mig_wire_decode(r->ctrl, r->len, m, NULL);
	if (ret < 0)
		return sess_fail(s, ret, "bad control frame: %s",
				 mig_err_last());
	if (m->type == MIG_WIRE_T_ABORT)
		return sess_peer_abort(s, m);
	if (!s->chk_init)
		return 0;
	ret = mig_wire_rx_feed(&s->chk, m);
	if (ret < 0)
		return sess_fail(s, ret, "protocol error on %s: %s",
				 mig_wire_type_name(m->type), mig_err_last());
	return 0;
}

int
sess_finish_check(struct mig_sess *s)
{
	int ret;

	ret = mig_wire_rx_finish(&s->chk);
	if (ret < 0)
		return sess_fail(s, ret, "%s", mig_err_last());
	return 0;
}

int
sess_chunk_check(struct mig_sess *s, const struct mig_wire_chunk *c)
{
	struct mig_wire_msg m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_CHUNK;
	m.hdr.type = MIG_WIRE_T_CHUNK;
	m.chunk = *c;
	ret = mig_wire_rx_feed(&s->chk, &m);
	if (ret < 0)
		return sess_fail(s, ret, "protocol error on CHUNK: %s",
				 mig_err_last());
	return 0;
}
