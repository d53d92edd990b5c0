/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The handshake: HELLO both ways, negotiation of the protocol version
 * and features, and authentication with a pre-shared key (each side
 * proves it holds the key with HMAC-SHA256 over both nonces and its
 * role). Chunks the source sends right after its AUTH may overtake the
 * destination's verdict on another stream: they are kept for later.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mig_log.h"
#include "mig_session_priv.h"

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

/* Send @p m and wait for the peer's frame of the same type, into @p m. */
static int
sess_exchange(struct mig_sess *s, struct mig_wire_msg *m)
{
	uint8_t type = m->type;
	int ret;

	ret = sess_send(s, m);
	if (ret < 0)
		return ret;
	return sess_wait_ctrl(s, type, m);
}

/* A handshake refused on our side: tell the peer, and let it reach its
 * own verdict before we close the link (wait, 1 s at most, until it
 * closes). @return @p ret. */
static int
sess_handshake_abort(struct mig_sess *s, int ret)
{
	char saved[MIG_ERR_MAX];

	sess_send_abort(s, ret, MIG_WIRE_DEV_NONE);
	snprintf(saved, sizeof(saved), "%s", mig_err_last());
	sess_linger(s, SESS_FLUSH_NS);
	mig_err_set(mig_logtype_engine, "%s", saved);
	return ret;
}

/* HELLO both ways, and what the two sides agree on. */
static int
sess_hello(struct mig_sess *s, uint64_t feat)
{
	struct mig_wire_hello ours, *h;
	struct mig_wire_msg m;
	uint8_t ver;
	int ret;

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
	/* The peer's HELLO arrives in m: negotiate against a copy of ours. */
	ours = *h;
	ret = sess_exchange(s, &m);
	if (ret < 0)
		return ret;
	s->peer = m.hello;
	ret = mig_wire_negotiate(&ours, &s->peer, &ver, &s->features);
	if (ret < 0)
		return sess_handshake_abort(s, sess_fail(s, ret,
			"no common protocol version (ours %u..%u, peer's %u..%u)",
			ours.version_min, ours.version_max,
			s->peer.version_min, s->peer.version_max));
	if (s->cfg->key != NULL && !(s->features & MIG_WIRE_FEAT_AUTH))
		return sess_handshake_abort(s, sess_fail(s, -EPERM,
			"peer does not authenticate (started with --insecure and no --key?)"));
	return 0;
}

/* AUTH both ways: our proof, HMAC(key, peer nonce || own nonce || our
 * role), and the check of the peer's. */
static int
sess_auth(struct mig_sess *s)
{
	uint8_t want[MIG_WIRE_HMAC_LEN];
	struct mig_wire_msg m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_AUTH;
	ret = sess_hmac(s, s->peer.nonce, s->nonce, (uint8_t)s->role,
			m.auth.hmac);
	if (ret < 0)
		return sess_handshake_abort(s, ret);
	ret = sess_exchange(s, &m);
	if (ret < 0)
		return ret;
	ret = sess_hmac(s, s->nonce, s->peer.nonce, s->peer.role, want);
	if (ret < 0)
		return sess_handshake_abort(s, ret);
	if (CRYPTO_memcmp(want, m.auth.hmac, sizeof(want)) != 0)
		return sess_handshake_abort(s, sess_fail(s, -EACCES,
			"authentication failed: wrong key"));
	return 0;
}

int
sess_handshake(struct mig_sess *s)
{
	uint64_t feat;
	int ret;

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
	ret = sess_hello(s, feat);
	if (ret < 0 || s->cfg->key == NULL)
		return ret;
	return sess_auth(s);
}
