/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The session object both roles share: configuration checks, transport
 * and chunk pool set-up and teardown, one turn of the main loop (the
 * parts common to both roles), byte accounting and progress reports.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "mig_crc.h"
#include "mig_log.h"
#include "mig_session_priv.h"

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
	sess_event(s, MIG_SESSION_EV_STEP, 0);
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
	mig_rate_init(&s->rate, st->start_ns, SESS_PROGRESS_NS);
	for (unsigned int i = 0; i < MIG_SESSION_DEVS_MAX; i++)
		mig_rate_init(&s->dev_rate[i], st->start_ns,
			      SESS_PROGRESS_NS);
	mig_idle_init(&s->idle);
	mig_idle_thread_init();
	MIG_LOG(DEBUG, mig_logtype_engine, "%s: payload CRC32C by %s",
		sess_role_name(s), mig_crc32c_impl_name());
	if (cfg->ndev == 0 || cfg->ndev > MIG_SESSION_DEVS_MAX)
		return sess_fail(s, -EINVAL, "%u devices (1..%u)", cfg->ndev,
				 MIG_SESSION_DEVS_MAX);
	if (cfg->nobservers > MIG_SESSION_OBSERVERS_MAX)
		return sess_fail(s, -EINVAL, "%u observers (at most %u)",
				 cfg->nobservers, MIG_SESSION_OBSERVERS_MAX);
	sess_dev_states(s, sess_lanes_all(s));
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
sess_fini(struct mig_sess *s, int ret)
{
	s->st->total_ns = mig_time_ns() - s->st->start_ns;
	if (s->cfg->ndev <= MIG_SESSION_DEVS_MAX)
		sess_dev_states(s, sess_lanes_all(s));
	sess_event(s, MIG_SESSION_EV_END, ret);
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
}

/* Report progress through the callback, rate limited. */
static void
sess_report(struct mig_sess *s)
{
	uint64_t now = mig_time_ns();

	if (s->cfg->progress == NULL || now - s->last_report < SESS_PROGRESS_NS)
		return;
	s->last_report = now;
	sess_refresh(s, now);
	s->cfg->progress(s->cfg->progress_ctx, s->st);
}

int
sess_turn_begin(struct mig_sess *s)
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
	if (s->cfg->nobservers > 0)
		sess_observe(s, mig_time_ns());
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
	d->chunks++;
	if (d->first_ns == 0)
		d->first_ns = now;
	d->last_ns = now;
}
