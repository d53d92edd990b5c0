/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Source pre-copy: the devices' initial data (its end found by each lane,
 * announced with INIT_SENT, acknowledged by the destination with
 * SWITCHOVER_ACK once loaded), rounds and their accounting, KEEPALIVE
 * while the policy waits, and the switchover decision (mig_policy) on
 * the devices' stop-copy estimates. The switchover itself:
 * mig_session_src_switchover.c.
 */

#include <errno.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_src_priv.h"

#define SRC_DECIDE_NS (200ull * 1000000ull)
/* When the devices' owner decides, its stop is seen within this: the
 * owner's downtime has begun. */
#define SRC_DECIDE_OWNER_NS (1ull * 1000000ull)
/* Initial-data watch: query the device's sizes at most this often. */
#define SRC_INIT_QUERY_NS (100ull * 1000ull)
/* A pre-copy that moved nothing for timeout / SRC_KEEPALIVE_DIV sends a
 * KEEPALIVE, which the destination echoes: both sides then see progress
 * while the policy waits (a time limit, a downtime estimate that does not
 * fit yet), and a dead peer is still found by the missing echo. */
#define SRC_KEEPALIVE_DIV 4

struct src_ka {
	uint64_t bytes;    /* session bytes when last seen moving */
	uint64_t idle_ns;  /* since when they have not moved */
	uint64_t sent_ns;  /* last KEEPALIVE (or movement) */
};

/* Lane: mark the end of the initial data once the device reports none
 * left and every save of it was handed over. */
int
src_init_watch(struct src_dev *sd)
{
	struct mig_dev_sizes sz;
	uint64_t now;
	int ret;

	if (!sd->init_holding) {
		now = mig_time_ns();
		if (now - sd->init_query_ns < SRC_INIT_QUERY_NS)
			return 0;
		sd->init_query_ns = now;
		ret = mig_dev_query_sizes(sd->dev, &sz);
		if (ret < 0)
			return ret;
		if (sz.initial_bytes != 0)
			return 0;
		sd->init_holding = true;
		src_lane_hold(sd);
	}
	if (!mig_src_quiet(&sd->stage))
		return 0;
	sd->init_end = sd->stage.next_index;
	__atomic_store_n(&sd->init_ready, 1, __ATOMIC_RELEASE);
	sd->init_watch = false;
	sd->init_holding = false;
	src_lane_hold(sd);
	return 1;
}

/* Main lcore: INIT_SENT for every pre-copy device whose lane found the
 * end of its initial data, once. */
int
src_init_sent(struct src_sess *ss)
{
	struct mig_wire_msg m;
	struct src_dev *sd;
	unsigned int i;
	int ret, work = 0;

	for (i = 0; i < ss->s.cfg->ndev; i++) {
		sd = &ss->d[i];
		if (!sd->precopy || sd->init_sent ||
		    !__atomic_load_n(&sd->init_ready, __ATOMIC_ACQUIRE))
			continue;
		memset(&m, 0, sizeof(m));
		m.type = MIG_WIRE_T_INIT_SENT;
		m.init_sent.dev_id = sd->id;
		m.init_sent.end_index = sd->init_end;
		ret = sess_send(&ss->s, &m);
		if (ret < 0)
			return ret;
		sd->init_sent = true;
		work++;
	}
	return work;
}

/* Stop-copy estimates of every device: the total, and the part of the
 * devices without pre-copy; the devices whose owner stopped them in
 * ss->owner_stops. */
int
src_pending(struct src_sess *ss, uint64_t *pending, uint64_t *fixed)
{
	struct sess_req r = { .kind = SESS_REQ_SIZES };
	struct mig_session_stats *st = ss->s.st;
	unsigned int i;
	int ret;

	ret = src_request(ss, &r, sess_lanes_all(&ss->s));
	if (ret < 0)
		return ret;
	*pending = 0;
	*fixed = 0;
	ss->owner_stops = 0;
	for (i = 0; i < ss->s.cfg->ndev; i++) {
		if (ss->d[i].lane.req.sizes.flags & MIG_DEV_SIZES_F_OWNER_STOP)
			ss->owner_stops++;
		st->dev[i].pending = ss->d[i].lane.req.sizes.stop_copy_bytes;
		st->dev[i].dirty = ss->d[i].lane.req.sizes.dirty_bytes;
		*pending += st->dev[i].pending;
		if (!ss->d[i].precopy)
			*fixed += st->dev[i].pending;
	}
	st->pending = *pending;
	return 0;
}

static bool
src_caught_up(struct src_sess *ss)
{
	unsigned int i;

	for (i = 0; i < ss->s.cfg->ndev; i++)
		if (ss->d[i].precopy &&
		    !__atomic_load_n(&ss->d[i].caught_up, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/* What the decision saw, for the summary. */
static void
src_switch_record(struct mig_session_stats *st,
		  const struct mig_policy_input *in)
{
	struct mig_session_switch *sw = &st->sw;

	sw->decided = true;
	sw->pending = in->pending_bytes;
	sw->inflight = in->inflight_bytes;
	sw->bw_bps = in->bandwidth_bps;
	sw->estimate_ns = in->bandwidth_bps > 0 ?
		(uint64_t)((double)(in->pending_bytes + in->inflight_bytes) *
			   1e9 / in->bandwidth_bps) : 0;
}

/*
 * Pre-copy waits on the policy with every device caught up (nothing in
 * flight) and has moved nothing since @p ka->idle_ns: say we are alive
 * every timeout / SRC_KEEPALIVE_DIV. Sending counts as work for the
 * session's own no-progress check, so a peer that does not echo for the
 * timeout (stopped, hung) is given up on here. A device with a save in
 * flight is not waiting on the policy: no KEEPALIVE while one is, so a
 * save that never completes ends the session here too.
 */
static int
src_keepalive(struct src_sess *ss, uint64_t now, bool caught_up,
	      struct src_ka *ka)
{
	struct mig_sess *s = &ss->s;

	if (s->st->bytes != ka->bytes) {
		ka->bytes = s->st->bytes;
		ka->idle_ns = ka->sent_ns = now;
		return 0;
	}
	if (now - ka->idle_ns > s->timeout_ns &&
	    now - RTE_MAX(ss->heard_ns, ka->idle_ns) > s->timeout_ns)
		return sess_fail_stalled(s);
	if (!caught_up || now - ka->sent_ns < s->timeout_ns / SRC_KEEPALIVE_DIV)
		return 0;
	ka->sent_ns = now;
	return sess_send_keepalive(s, ++ss->ka_seq);
}

/* What the policy weighs besides the estimates and the rounds: the
 * destination's backlog, the bandwidth, the acknowledgements missing. */
static void
src_policy_input(struct src_sess *ss, uint64_t now,
		 struct mig_policy_input *in)
{
	struct mig_sess *s = &ss->s;
	struct mig_xport_info xi;
	unsigned int i;

	/* The destination's backlog (chunks of the average size so far) is
	 * loaded before any stop-copy byte: part of the downtime. */
	mig_xport_info_get(s->xp, &xi);
	if (xi.tx_chunks > 0)
		in->inflight_bytes = xi.inflight * (xi.tx_bytes / xi.tx_chunks);
	in->bandwidth_bps = mig_rate_link_bps(&s->rate, now);
	in->devices = s->cfg->ndev;
	in->owner_stops = ss->owner_stops;
	for (i = 0; i < s->cfg->ndev; i++)
		if (ss->d[i].precopy && !ss->d[i].acked &&
		    (s->features & MIG_WIRE_FEAT_SWITCHOVER_ACK))
			in->acks_pending++;
}

/*
 * Pre-copy rounds until the policy says switch over. Round 1 moves the
 * initial data. When every pre-copy device has caught up (no data now,
 * nothing in flight) the round is complete; if the policy says continue
 * the devices are re-armed, and the next round starts when data moves
 * again (a re-arm that finds nothing starts no round).
 */
int
src_precopy(struct src_sess *ss)
{
	struct sess_req rearm = { .kind = SESS_REQ_REARM };
	struct mig_sess *s = &ss->s;
	struct mig_policy_input in;
	enum mig_policy_verdict v;
	uint64_t start = mig_time_ns(), last = 0, now, mark;
	struct src_ka ka = { .idle_ns = start, .sent_ns = start };
	uint64_t decide_ns = s->cfg->policy.owner ? SRC_DECIDE_OWNER_NS :
						    SRC_DECIDE_NS;
	uint64_t left, left_prev = UINT64_MAX;
	unsigned int completed = 0;
	bool caught_up, armed = false, converged = false;
	char why[256];
	int ret;

	sess_step(s, MIG_WIRE_STEP_PRECOPY);
	s->st->rounds = 1;
	sess_event(s, MIG_SESSION_EV_ROUND, 0);
	mark = s->st->bytes;
	for (;;) {
		ret = src_turn(s);
		if (ret < 0)
			return ret;
		if (armed && s->st->bytes != mark) {
			s->st->rounds++;
			armed = false;
			sess_event(s, MIG_SESSION_EV_ROUND, 0);
		}
		caught_up = src_caught_up(ss);
		now = mig_time_ns();
		ret = src_keepalive(ss, now, caught_up, &ka);
		if (ret < 0)
			return ret;
		if (now - last < decide_ns &&
		    !(caught_up && !armed && s->st->bytes != mark))
			continue;
		last = now;
		memset(&in, 0, sizeof(in));
		ret = src_pending(ss, &in.pending_bytes, &in.fixed_bytes);
		if (ret < 0)
			return ret;
		if (caught_up && !armed && s->st->bytes != mark) {
			/* A round that moved data is complete. Converged:
			 * what the pre-copy devices have left no longer
			 * shrinks (by 1/8) from one round to the next. */
			completed++;
			left = in.pending_bytes - in.fixed_bytes;
			converged = left_prev != UINT64_MAX &&
				    left >= left_prev - left_prev / 8;
			left_prev = left;
			mark = s->st->bytes;
		}
		src_policy_input(ss, now, &in);
		in.rounds = completed;
		in.converged = converged;
		in.elapsed_ns = now - start;
		v = mig_policy_decide(&s->cfg->policy, &in, why, sizeof(why));
		if (v == MIG_POLICY_SWITCHOVER) {
			src_switch_record(s->st, &in);
			sess_event(s, MIG_SESSION_EV_SWITCHOVER, 0);
			MIG_LOG(INFO, mig_logtype_engine,
				"switchover after %u round(s): %s",
				s->st->rounds, why);
			break;
		}
		if (v == MIG_POLICY_FAIL)
			return sess_fail(s, -ETIMEDOUT,
					 "pre-copy did not converge: %s", why);
		if (caught_up) {
			ret = src_request(ss, &rearm, ss->precopy_lanes);
			if (ret < 0)
				return ret;
			armed = true;
			mark = s->st->bytes;
		}
	}
	ss->precopy_phase = false;
	return 0;
}
