/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Observers of a session (mig_session.h, struct mig_session_observer):
 * the stats refreshed and handed to each observer at its own period from
 * the main loop, and the phase events. The telemetry endpoints
 * (mig_telemetry.c) and the application's timeline are observers.
 */

#include <inttypes.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_priv.h"

void
sess_refresh(struct mig_sess *s, uint64_t now)
{
	struct mig_session_xport_stats *x = &s->st->xport;
	struct mig_xport_info xi;
	unsigned int i;

	s->st->rate_bps = mig_rate_bps(&s->rate, now);
	for (i = 0; i < s->st->ndev && i < MIG_SESSION_DEVS_MAX; i++)
		s->st->dev[i].rate_bps = mig_rate_bps(&s->dev_rate[i], now);
	if (s->xp == NULL || mig_xport_info_get(s->xp, &xi) < 0)
		return;
	x->streams = xi.streams;
	x->window = xi.window;
	x->credits = xi.credits;
	x->inflight = xi.inflight;
	x->tx_chunks = xi.tx_chunks;
	x->tx_bytes = xi.tx_bytes;
	x->rx_chunks = xi.rx_chunks;
	x->rx_bytes = xi.rx_bytes;
	x->tx_blocked = xi.tx_blocked;
	x->conn_dropped = xi.conn_dropped;
	x->failed = mig_xport_state(s->xp) == MIG_XPORT_S_ERROR;
}

void
sess_dev_states(struct mig_sess *s, uint64_t mask)
{
	unsigned int i;

	for (i = 0; i < s->cfg->ndev && i < MIG_SESSION_DEVS_MAX; i++)
		if (mask & (UINT64_C(1) << i))
			s->st->dev[i].state = mig_dev_state(s->cfg->devs[i]);
}

void
sess_observe(struct mig_sess *s, uint64_t now)
{
	const struct mig_session_observer *o;
	bool fresh = false;
	unsigned int i;

	for (i = 0; i < s->cfg->nobservers; i++) {
		o = s->cfg->observers[i];
		if (o->sample == NULL || now - s->obs_last[i] < o->period_ns)
			continue;
		if (!fresh)
			sess_refresh(s, now);
		fresh = true;
		s->obs_last[i] = now;
		o->sample(o->ctx, s->st, now);
		s->obs_calls++;
	}
	if (fresh)
		s->obs_ns += mig_time_ns() - now;
}

void
sess_event(struct mig_sess *s, enum mig_session_event ev, int arg)
{
	const struct mig_session_observer *o;
	uint64_t now = mig_time_ns();
	unsigned int i;

	if (s->cfg->nobservers == 0)
		return;
	sess_refresh(s, now);
	for (i = 0; i < s->cfg->nobservers; i++) {
		o = s->cfg->observers[i];
		if (ev == MIG_SESSION_EV_END && o->sample != NULL)
			o->sample(o->ctx, s->st, now);
		if (o->event != NULL)
			o->event(o->ctx, s->st, ev, arg, now);
		s->obs_calls++;
	}
	s->obs_ns += mig_time_ns() - now;
	if (ev == MIG_SESSION_EV_END)
		MIG_LOG(DEBUG, mig_logtype_engine,
			"%s: observers: %" PRIu64 " calls, %.3f ms in all",
			sess_role_name(s), s->obs_calls, (double)s->obs_ns / 1e6);
}
