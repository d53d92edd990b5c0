/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Session plumbing shared by both roles: transport and pool setup, error
 * messages, deadlines, control frames, and the handshake (HELLO,
 * negotiation, HMAC-SHA256 authentication with a pre-shared key).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "mig_crc.h"
#include "mig_log.h"
#include "mig_session_priv.h"

#define SESS_ACCEPT_NS (60ull * 1000000000ull)
#define SESS_FLUSH_NS (1000ull * 1000000ull)

static const char *
sess_role_name(const struct mig_sess *s)
{
	return s->role == MIG_WIRE_ROLE_SOURCE ? "source" : "destination";
}

void
sess_mark(struct mig_sess *s, const char *what)
{
	MIG_LOG(DEBUG, mig_logtype_engine, "%s: %s at +%.1f ms",
		sess_role_name(s), what,
		(double)(mig_time_ns() - s->st->start_ns) / 1e6);
}

void
sess_step(struct mig_sess *s, unsigned int step)
{
	char what[48];

	s->st->step = step;
	snprintf(what, sizeof(what), "step %s", mig_wire_step_name(step));
	sess_mark(s, what);
}

int
sess_fail(struct mig_sess *s, int ret, const char *fmt, ...)
{
	char msg[MIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mig_err_set(mig_logtype_engine, "%s, step %s: %s", sess_role_name(s),
		    mig_wire_step_name((unsigned int)s->st->step), msg);
	return ret;
}

int
sess_fail_last(struct mig_sess *s, int ret)
{
	char cause[MIG_ERR_MAX];

	snprintf(cause, sizeof(cause), "%s", mig_err_last());
	if (cause[0] == '\0')
		snprintf(cause, sizeof(cause), "%s", strerror(-ret));
	return sess_fail(s, ret, "%s", cause);
}

void *
sess_buf_get(void *ctx)
{
	struct mig_sess *s = ctx;
	void *buf;

	return mig_pool_get(s->pool, &buf) == 0 ? buf : NULL;
}

void
sess_buf_put(void *ctx, void *buf)
{
	struct mig_sess *s = ctx;

	mig_pool_put(s->pool, buf);
}

int
sess_init(struct mig_sess *s, const struct mig_session_cfg *cfg,
	  struct mig_session_stats *st, enum mig_wire_role role)
{
	memset(st, 0, sizeof(*st));
	s->cfg = cfg;
	s->st = st;
	s->role = role;
	st->start_ns = mig_time_ns();
	st->step = MIG_WIRE_STEP_HANDSHAKE;
	st->ndev = cfg->ndev;
	s->timeout_ns = cfg->timeout_ns ? cfg->timeout_ns : SESS_TIMEOUT_DEF_NS;
	s->last_progress = st->start_ns;
	mig_rate_init(&s->rate, st->start_ns, 250ull * 1000000ull);
	for (unsigned int i = 0; i < MIG_SESSION_DEVS_MAX; i++)
		mig_rate_init(&s->dev_rate[i], st->start_ns,
			      250ull * 1000000ull);
	mig_idle_init(&s->idle);
	mig_idle_thread_init();
	MIG_LOG(DEBUG, mig_logtype_engine, "%s: payload CRC32C by %s",
		sess_role_name(s), mig_crc32c_impl_name());
	if (cfg->ndev == 0 || cfg->ndev > MIG_SESSION_DEVS_MAX)
		return sess_fail(s, -EINVAL, "%u devices (1..%u)", cfg->ndev,
				 MIG_SESSION_DEVS_MAX);
	if (cfg->key == NULL && !cfg->insecure)
		return sess_fail(s, -EPERM,
				 "no pre-shared key: give --key FILE (or --insecure on both sides to run unauthenticated)");
	if (cfg->key != NULL && cfg->key_len < 16)
		return sess_fail(s, -EINVAL, "key too short (%zu bytes, at least 16)",
				 cfg->key_len);
	if (cfg->chunk_size == 0 || cfg->chunk_size > MIG_WIRE_CHUNK_MAX)
		return sess_fail(s, -EINVAL, "bad chunk size %u",
				 cfg->chunk_size);
	if (RAND_bytes(s->nonce, sizeof(s->nonce)) != 1)
		return sess_fail(s, -EIO, "RAND_bytes failed");
	s->xp = mig_xport_open(cfg->xport_args);
	if (s->xp == NULL)
		return sess_fail_last(s, -rte_errno);
	return 0;
}

int
sess_pool_create(struct mig_sess *s, unsigned int count)
{
	char name[32];
	int ret;

	snprintf(name, sizeof(name), "mig_sess_%s",
		 s->role == MIG_WIRE_ROLE_SOURCE ? "src" : "dst");
	s->pool = mig_pool_create(name, count, s->cfg->chunk_size,
				  SOCKET_ID_ANY);
	if (s->pool == NULL)
		return sess_fail_last(s, -rte_errno);
	/* RDMA: the pool is registered once with the device. */
	ret = mig_xport_mem_register_pool(s->xp, s->pool);
	if (ret < 0)
		return sess_fail_last(s, ret);
	sess_mark(s, "chunk pool ready");
	if (count > s->early_max && s->role == MIG_WIRE_ROLE_DEST) {
		s->early = calloc(count, sizeof(*s->early));
		s->early_buf = calloc(count, sizeof(*s->early_buf));
		if (s->early == NULL || s->early_buf == NULL)
			return sess_fail(s, -ENOMEM, "out of memory");
		s->early_max = count;
	}
	return 0;
}

void
sess_fini(struct mig_sess *s)
{
	while (s->xp != NULL && s->nearly > 0)
		mig_xport_rx_release(s->xp, s->early_buf[--s->nearly]);
	mig_xport_close(s->xp);
	s->xp = NULL;
	free(s->early);
	free(s->early_buf);
	s->early = NULL;
	s->early_buf = NULL;
	if (s->chk_init)
		mig_wire_rx_fini(&s->chk);
	s->chk_init = false;
	mig_pool_free(s->pool);
	s->pool = NULL;
	s->st->total_ns = mig_time_ns() - s->st->start_ns;
}

void
sess_progress(struct mig_sess *s, int work)
{
	if (work > 0)
		s->last_progress = mig_time_ns();
}

int
sess_fail_stalled(struct mig_sess *s)
{
	return sess_fail(s, -ETIMEDOUT,
			 "no progress for %.1f s (peer dead or stuck?)",
			 (double)s->timeout_ns / 1e9);
}

int
sess_check(struct mig_sess *s)
{
	if (mig_time_ns() - s->last_progress > s->timeout_ns)
		return sess_fail_stalled(s);
	return 0;
}

void
sess_report(struct mig_sess *s)
{
	uint64_t now = mig_time_ns();
	unsigned int i;

	if (s->cfg->progress == NULL || now - s->last_report < SESS_PROGRESS_NS)
		return;
	s->last_report = now;
	s->st->rate_bps = mig_rate_bps(&s->rate, now);
	for (i = 0; i < s->st->ndev && i < MIG_SESSION_DEVS_MAX; i++)
		s->st->dev[i].rate_bps = mig_rate_bps(&s->dev_rate[i], now);
	s->cfg->progress(s->cfg->progress_ctx, s->st);
}

int
sess_turn_poll(struct mig_sess *s)
{
	int ret;

	ret = mig_xport_poll(s->xp);
	if (ret < 0)
		return sess_fail(s, ret, "%s", mig_xport_errmsg(s->xp));
	return ret + mig_lcore_poll_main(&s->lc);
}

int
sess_turn_end(struct mig_sess *s, int work)
{
	int ret;

	sess_progress(s, work);
	sess_report(s);
	ret = sess_check(s);
	if (ret < 0)
		return ret;
	mig_idle_step(&s->idle, work);
	return work;
}

void
sess_account(struct mig_sess *s, uint32_t dev, uint32_t len)
{
	struct mig_session_dev_stats *d = &s->st->dev[dev];
	uint64_t now = mig_time_ns();

	s->st->bytes += len;
	mig_rate_add(&s->rate, len, now);
	mig_rate_add(&s->dev_rate[dev], len, now);
	d->bytes += len;
	if (d->first_ns == 0)
		d->first_ns = now;
	d->last_ns = now;
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

void
sess_send_abort(struct mig_sess *s, int code, uint32_t dev_id)
{
	char saved[MIG_ERR_MAX];
	struct mig_wire_msg m;
	uint64_t end;

	if (s->xp == NULL || s->peer_aborted ||
	    mig_xport_state(s->xp) != MIG_XPORT_S_CONNECTED)
		return;
	snprintf(saved, sizeof(saved), "%s", mig_err_last());
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_ABORT;
	m.abort.code = code < 0 && code >= -4095 ? code : -EIO;
	m.abort.dev_id = dev_id;
	m.abort.step = (uint16_t)s->st->step;
	memcpy(m.abort.reason, saved, sizeof(m.abort.reason) - 1);
	m.abort.reason[sizeof(m.abort.reason) - 1] = '\0';
	if (sess_send(s, &m) == 0) {
		/* Flush: poll until the frame is out or the link fails. */
		end = mig_time_ns() + SESS_FLUSH_NS;
		while (mig_time_ns() < end && mig_xport_poll(s->xp) > 0)
			;
	}
	mig_err_set(mig_logtype_engine, "%s", saved);
}

int
sess_peer_abort(struct mig_sess *s, const struct mig_wire_msg *m)
{
	s->peer_aborted = true;
	return sess_fail(s, -ECONNABORTED, "peer aborted (its step %s): %s",
			 mig_wire_step_name(m->abort.step), m->abort.reason);
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

/* HMAC-SHA256(key, a || b || role) */
static int
sess_hmac(struct mig_sess *s, const uint8_t *a, const uint8_t *b,
	  uint8_t role, uint8_t *out)
{
	uint8_t msg[2 * MIG_WIRE_NONCE_LEN + 1];
	unsigned int len = MIG_WIRE_HMAC_LEN;

	memcpy(msg, a, MIG_WIRE_NONCE_LEN);
	memcpy(msg + MIG_WIRE_NONCE_LEN, b, MIG_WIRE_NONCE_LEN);
	msg[2 * MIG_WIRE_NONCE_LEN] = role;
	if (HMAC(EVP_sha256(), s->cfg->key, (int)s->cfg->key_len, msg,
		 sizeof(msg), out, &len) == NULL || len != MIG_WIRE_HMAC_LEN)
		return sess_fail(s, -EIO, "HMAC-SHA256 failed");
	return 0;
}

/* Wait for one control frame of type @p want (others are errors). */
static int
sess_wait_ctrl(struct mig_sess *s, uint8_t want, struct mig_wire_msg *m)
{
	int n, ret;

	for (;;) {
		/* Frames already received first: an ABORT before a close. */
		n = mig_xport_rx(s->xp, s->rx, 1);
		if (n < 0)
			return sess_fail(s, n, "waiting for %s: %s",
					 mig_wire_type_name(want),
					 mig_xport_errmsg(s->xp));
		if (n == 0) {
			ret = mig_xport_poll(s->xp);
			if (ret < 0)
				return sess_fail(s, ret, "waiting for %s: %s",
						 mig_wire_type_name(want),
						 mig_xport_errmsg(s->xp));
			sess_progress(s, ret);
			mig_idle_step(&s->idle, ret);
			ret = sess_check(s);
			if (ret < 0)
				return ret;
			continue;
		}
		sess_progress(s, n);
		if (s->rx[0].type == MIG_WIRE_T_CHUNK) {
			/* Sent by the source right after its AUTH, on
			 * another stream: kept unprocessed until the
			 * handshake succeeded. */
			if (s->nearly == s->early_max) {
				mig_xport_rx_release(s->xp, s->rx[0].buf);
				return sess_fail(s, -EPROTO, "CHUNK before %s",
						 mig_wire_type_name(want));
			}
			s->early[s->nearly] = s->rx[0].chunk;
			s->early_buf[s->nearly++] = s->rx[0].buf;
			continue;
		}
		ret = sess_ctrl_decode(s, &s->rx[0], m);
		if (ret < 0)
			return ret;
		if (m->type != want)
			return sess_fail(s, -EPROTO, "got %s, expected %s",
					 mig_wire_type_name(m->type),
					 mig_wire_type_name(want));
		return 0;
	}
}

static int
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
		if (mig_time_ns() > end)
			return sess_fail(s, -ETIMEDOUT,
					 "no connection with %s in time",
					 s->cfg->addr);
	}
	sess_mark(s, "connected");
	s->last_progress = mig_time_ns();
	return 0;
}

int
sess_handshake(struct mig_sess *s)
{
	uint8_t want[MIG_WIRE_HMAC_LEN];
	struct mig_wire_hello *h;
	char saved[MIG_ERR_MAX];
	struct mig_wire_msg m;
	uint64_t feat, end;
	uint8_t ver;
	int n, ret;

	ret = sess_connect(s);
	if (ret < 0)
		return ret;
	feat = MIG_WIRE_FEAT_PRECOPY | MIG_WIRE_FEAT_SWITCHOVER_ACK |
	       MIG_WIRE_FEAT_P2P;
	if (s->cfg->key != NULL)
		feat |= MIG_WIRE_FEAT_AUTH;
	ret = mig_wire_rx_init(&s->chk, s->role, feat, NULL);
	if (ret < 0)
		return sess_fail_last(s, ret);
	s->chk_init = true;
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_HELLO;
	h = &m.hello;
	h->version_min = MIG_WIRE_VERSION_MIN;
	h->version_max = MIG_WIRE_VERSION_MAX;
	h->role = (uint8_t)s->role;
	h->chunk_size = s->cfg->chunk_size;
	h->features = feat;
	h->slot_count = mig_pool_count(s->pool);
	h->dev_count = s->cfg->ndev;
	h->window = MIG_WIRE_DEF_WINDOW;
	memcpy(h->nonce, s->nonce, sizeof(h->nonce));
	snprintf(h->session, sizeof(h->session), "dpdk-migrate");
	ret = sess_send(s, &m);
	if (ret < 0)
		return ret;
	ret = sess_wait_ctrl(s, MIG_WIRE_T_HELLO, &m);
	if (ret < 0)
		return ret;
	s->peer = m.hello;
	ret = mig_wire_negotiate(h, &s->peer, &ver, &s->features);
	if (ret < 0) {
		ret = sess_fail(s, ret, "no common protocol version (ours %u..%u, peer's %u..%u)",
				h->version_min, h->version_max,
				s->peer.version_min, s->peer.version_max);
		goto abort;
	}
	if (s->cfg->key != NULL && !(s->features & MIG_WIRE_FEAT_AUTH)) {
		ret = sess_fail(s, -EPERM,
				"peer does not authenticate (started with --insecure and no --key?)");
		goto abort;
	}
	if (s->cfg->key == NULL)
		return 0;
	/* Our proof: HMAC(key, peer nonce || own nonce || our role). */
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_AUTH;
	ret = sess_hmac(s, s->peer.nonce, s->nonce, (uint8_t)s->role,
			m.auth.hmac);
	if (ret < 0)
		goto abort;
	ret = sess_send(s, &m);
	if (ret < 0)
		return ret;
	ret = sess_wait_ctrl(s, MIG_WIRE_T_AUTH, &m);
	if (ret < 0)
		return ret;
	ret = sess_hmac(s, s->nonce, s->peer.nonce, s->peer.role, want);
	if (ret < 0)
		goto abort;
	if (CRYPTO_memcmp(want, m.auth.hmac, sizeof(want)) != 0) {
		ret = sess_fail(s, -EACCES, "authentication failed: wrong key");
		goto abort;
	}
	return 0;
abort:
	sess_send_abort(s, ret, MIG_WIRE_DEV_NONE);
	/* Let the peer reach its own verdict before we close the link:
	 * wait (1 s at most) until it closes. */
	snprintf(saved, sizeof(saved), "%s", mig_err_last());
	end = mig_time_ns() + SESS_FLUSH_NS;
	while (mig_time_ns() < end) {
		int w = mig_xport_poll(s->xp);

		if (w < 0)
			break;
		n = mig_xport_rx(s->xp, s->rx, 1);
		if (n < 0)
			break;
		if (n > 0 && s->rx[0].type == MIG_WIRE_T_CHUNK)
			mig_xport_rx_release(s->xp, s->rx[0].buf);
		mig_idle_step(&s->idle, w + n);
	}
	mig_err_set(mig_logtype_engine, "%s", saved);
	return ret;
}
