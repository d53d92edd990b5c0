/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Source pre-copy: rounds, their accounting, and the switchover decision
 * (mig_policy) on the devices' stop-copy estimates.
 */

#include <errno.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_src_priv.h"

#define SRC_DECIDE_NS (200ull * 1000000ull)
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

/* Stop-copy estimates of every device: the total, and the part of the
 * devices without pre-copy. */
int
src_pending(struct src_sess *ss, uint64_t *pending, uint64_t *fixed)
{
	struct sess_req r = { .kind = SESS_REQ_SIZES };
	struct mig_session_stats *st = ss->s.st;
	unsigned int i;
	int ret;

	ret = src_request(ss, &r, false, false);
	if (ret < 0)
		return ret;
	*pending = 0;
	*fixed = 0;
	for (i = 0; i < ss->s.cfg->ndev; i++) {
		st->dev[i].pending = ss->d[i].lane.req.sizes.stop_copy_bytes;
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
	struct mig_wire_msg m;

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
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_KEEPALIVE;
	m.keepalive.seq = ++ss->ka_seq;
	return sess_send(s, &m);
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
	struct mig_xport_info xi;
	enum mig_policy_verdict v;
	uint64_t start = mig_time_ns(), last = 0, now, mark;
	struct src_ka ka = { .idle_ns = start, .sent_ns = start };
	uint64_t left, left_prev = UINT64_MAX;
	unsigned int i, completed = 0;
	bool caught_up, armed = false, converged = false;
	char why[256];
	int ret;

	sess_step(s, MIG_WIRE_STEP_PRECOPY);
	s->st->rounds = 1;
	mark = s->st->bytes;
	for (;;) {
		ret = src_pump(ss);
		if (ret < 0)
			return ret;
		if (armed && s->st->bytes != mark) {
			s->st->rounds++;
			armed = false;
		}
		caught_up = src_caught_up(ss);
		now = mig_time_ns();
		ret = src_keepalive(ss, now, caught_up, &ka);
		if (ret < 0)
			return ret;
		if (now - last < SRC_DECIDE_NS &&
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
		/* The destination's backlog (chunks of the average size so
		 * far) is loaded before any stop-copy byte: part of the
		 * downtime. */
		mig_xport_info_get(s->xp, &xi);
		if (xi.tx_chunks > 0)
			in.inflight_bytes = xi.inflight * (xi.tx_bytes /
							   xi.tx_chunks);
		in.bandwidth_bps = mig_rate_link_bps(&s->rate, now);
		in.rounds = completed;
		in.converged = converged;
		in.elapsed_ns = now - start;
		for (i = 0; i < s->cfg->ndev; i++)
			if (ss->d[i].precopy && !ss->d[i].acked &&
			    (s->features & MIG_WIRE_FEAT_SWITCHOVER_ACK))
				in.acks_pending++;
		v = mig_policy_decide(&s->cfg->policy, &in, why, sizeof(why));
		if (v == MIG_POLICY_SWITCHOVER) {
			src_switch_record(s->st, &in);
			MIG_LOG(INFO, mig_logtype_engine,
				"switchover after %u round(s): %s",
				s->st->rounds, why);
			break;
		}
		if (v == MIG_POLICY_FAIL)
			return sess_fail(s, -ETIMEDOUT,
					 "pre-copy did not converge: %s", why);
		if (caught_up) {
			ret = src_request(ss, &rearm, true, false);
			if (ret < 0)
				return ret;
			armed = true;
			mark = s->st->bytes;
		}
	}
	ss->precopy_phase = false;
	return 0;
}
