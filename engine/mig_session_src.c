/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Source side of a session, on the main lcore: handshake, DEV_DESC,
 * pre-copy (mig_session_src_precopy.c), switchover
 * (mig_session_src_switchover.c), the commit (digests, DONE, devices to
 * STOP); devices back to RUNNING on failure. The devices' stages run in
 * lanes (mig_session_src_lane.c); one turn of this side's loop moves
 * their chunks to the transport and their buffers back, and takes the
 * destination's control frames.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_src_priv.h"

#define SRC_TX_DONE_BURST 64
/* Chunks sent per device and turn: devices share the credits fairly. */
#define SRC_TX_BURST 8
/* Saves still in the devices at a failure: said every WARN, given up on
 * (devices reset) after MAX. */
#define SRC_RECOVER_WARN_NS (5ull * 1000000000ull)
#define SRC_RECOVER_MAX_NS (120ull * 1000000000ull)

/* Progress between two size queries: what was sent is no longer
 * pending. */
static void
src_pending_sent(struct mig_session_stats *st, unsigned int dev, uint32_t len)
{
	struct mig_session_dev_stats *d = &st->dev[dev];
	uint64_t n = RTE_MIN((uint64_t)len, d->pending);

	d->pending -= n;
	st->pending -= RTE_MIN(n, st->pending);
}

/* Chunks of one lane to the transport, until it refuses (no credit). */
static int
src_tx(struct src_sess *ss, struct src_dev *sd)
{
	struct mig_wire_chunk hdr;
	struct src_out *o;
	int ret, n = 0;

	while (n < SRC_TX_BURST && ss->nfree > 0) {
		if (!sd->tx_have) {
			if (rte_ring_sc_dequeue_elem(sd->tx_ring, &sd->tx_cur,
						     sizeof(sd->tx_cur)) != 0)
				break;
			sd->tx_have = true;
		}
		o = ss->out_free[ss->nfree - 1];
		sess_chunk_to_wire(&hdr, &sd->tx_cur);
		ret = mig_xport_tx(ss->s.xp, &hdr, sd->tx_cur.buf,
				   sd->tx_cur.len, o);
		if (ret == -EAGAIN)
			break;
		if (ret < 0)
			return sess_fail(&ss->s, ret,
					 "device %s: send of chunk %" PRIu64 ": %s",
					 mig_dev_name(sd->dev), hdr.index,
					 mig_xport_errmsg(ss->s.xp));
		ss->nfree--;
		o->buf = sd->tx_cur.buf;
		o->sd = sd;
		sd->tx_have = false;
		sd->out++;
		sess_account(&ss->s, sd->id, hdr.length);
		src_pending_sent(ss->s.st, sd->id, hdr.length);
		n++;
	}
	return n;
}

/* Buffers the transport is done with back to their lanes. */
static int
src_tx_done(struct src_sess *ss)
{
	void *done[SRC_TX_DONE_BURST];
	struct src_out *o;
	int i, n;

	n = mig_xport_tx_done(ss->s.xp, done, SRC_TX_DONE_BURST);
	for (i = 0; i < n; i++) {
		o = done[i];
		/* Room for every buffer of the pool: cannot fail. */
		rte_ring_sp_enqueue(o->sd->ret_ring, o->buf);
		o->sd->out--;
		o->sd = NULL;
		ss->out_free[ss->nfree++] = o;
	}
	return n > 0 ? n : 0;
}

static int
src_rx(struct src_sess *ss)
{
	struct mig_sess *s = &ss->s;
	struct mig_wire_msg m;
	unsigned int k;
	int i, n, ret;

	n = mig_xport_rx(s->xp, s->rx, SESS_RX_BURST);
	if (n < 0)
		return sess_fail(s, n, "%s", mig_xport_errmsg(s->xp));
	if (n > 0)
		ss->heard_ns = mig_time_ns();
	for (i = 0; i < n; i++) {
		if (s->rx[i].type == MIG_WIRE_T_CHUNK) {
			/* This one and the rest of the burst go back. */
			for (; i < n; i++)
				if (s->rx[i].type == MIG_WIRE_T_CHUNK)
					mig_xport_rx_release(s->xp,
							     s->rx[i].buf);
			return sess_fail(s, -EPROTO, "CHUNK from the destination");
		}
		ret = sess_ctrl_decode(s, &s->rx[i], &m);
		if (ret < 0)
			return ret;
		if (m.type == MIG_WIRE_T_SWITCHOVER_ACK) {
			for (k = 0; k < s->cfg->ndev; k++)
				if (m.switchover_ack.dev_id == k ||
				    m.switchover_ack.dev_id == MIG_WIRE_DEV_ALL)
					ss->d[k].acked = true;
		} else if (m.type == MIG_WIRE_T_DONE) {
			ss->done = true;
		} else if (m.type != MIG_WIRE_T_KEEPALIVE) {
			return sess_fail(s, -EPROTO, "unexpected %s",
					 mig_wire_type_name(m.type));
		}
	}
	return n;
}

/* One turn of the main lcore's loop; backs off when idle. */
int
src_turn(struct mig_sess *s)
{
	struct src_sess *ss = src_sess(s);
	unsigned int i;
	int ret, work = 0;

	ret = src_rx(ss);
	if (ret < 0)
		return ret;
	work += ret;
	ret = sess_turn_begin(s);
	if (ret < 0)
		return ret;
	work += ret;
	ret = sess_lanes_check(s);
	if (ret < 0)
		return ret;
	for (i = 0; i < s->cfg->ndev; i++) {
		ret = src_tx(ss, &ss->d[i]);
		if (ret < 0)
			return ret;
		work += ret;
	}
	if (ss->precopy_phase) {
		ret = src_init_sent(ss);
		if (ret < 0)
			return ret;
		work += ret;
	}
	work += src_tx_done(ss);
	return sess_turn_end(s, work);
}

int
src_request(struct src_sess *ss, const struct sess_req *r, uint64_t lanes)
{
	return sess_lanes_request(&ss->s, r, lanes, src_turn);
}

/*
 * Failure: wait for the saves still in the devices, since a device refuses
 * a state change while it has I/Os outstanding and resetting a source
 * device would lose the VM's device state. Said every SRC_RECOVER_WARN_NS;
 * given up after SRC_RECOVER_MAX_NS (a device that never completes them
 * is reset by the caller). @return true when every device is drained.
 */
static bool
src_recover_drain(struct src_sess *ss)
{
	uint64_t start = mig_time_ns(), warn = start + SRC_RECOVER_WARN_NS;
	unsigned int i;
	bool drained;

	for (;;) {
		drained = true;
		for (i = 0; i < ss->s.cfg->ndev; i++)
			if (ss->d[i].stage_init &&
			    !mig_src_drain(&ss->d[i].stage))
				drained = false;
		if (drained || mig_time_ns() - start >= SRC_RECOVER_MAX_NS)
			break;
		mig_idle_step(&ss->s.idle, 0);
		if (mig_time_ns() < warn)
			continue;
		warn += SRC_RECOVER_WARN_NS;
		for (i = 0; i < ss->s.cfg->ndev; i++)
			if (mig_dev_inflight(ss->s.cfg->devs[i]) > 0)
				MIG_LOG(WARNING, mig_logtype_engine,
					"device %s: %u save(s) still in the device after %.0f s: waiting for them before it can run again (gives up at %llu s)",
					mig_dev_name(ss->s.cfg->devs[i]),
					mig_dev_inflight(ss->s.cfg->devs[i]),
					(double)(mig_time_ns() - start) / 1e9,
					SRC_RECOVER_MAX_NS / 1000000000ull);
	}
	return drained;
}

/* Failure: lanes stopped, every buffer home, source devices RUNNING. */
static void
src_recover(struct src_sess *ss, int code)
{
	char saved[MIG_ERR_MAX];
	unsigned int i;
	bool drained;

	snprintf(saved, sizeof(saved), "%s", mig_err_last());
	if (ss->s.xp != NULL)
		sess_send_abort(&ss->s, code, MIG_WIRE_DEV_NONE);
	/* From here the main lcore drives every device. */
	mig_lcore_stop(&ss->s.lc);
	drained = src_recover_drain(ss);
	if (ss->s.xp != NULL) {
		mig_xport_close(ss->s.xp);
		ss->s.xp = NULL;
	}
	/* The transport is gone: the chunks it held are ours again. */
	for (i = 0; i < ss->nouts; i++) {
		struct src_out *o = &ss->outs[i];

		if (o->sd == NULL)
			continue;
		mig_src_buf_done(&o->sd->stage, o->buf);
		o->sd = NULL;
	}
	for (i = 0; i < ss->s.cfg->ndev; i++) {
		struct mig_dev *dev = ss->s.cfg->devs[i];

		src_lane_reclaim(&ss->d[i], drained);
		if (mig_dev_state(dev) != MIG_STATE_RUNNING &&
		    mig_dev_set_state(dev, MIG_STATE_RUNNING,
				      MIG_STATE_ERROR) < 0) {
			MIG_LOG(WARNING, mig_logtype_engine,
				"device %s: cannot return to running (%s): reset, its state is lost",
				mig_dev_name(dev), mig_err_last());
			mig_dev_reset(dev);
		}
	}
	mig_err_set(mig_logtype_engine, "%s", saved);
}

/* Describe the devices, enter PRE_COPY, start the lanes. */
static int
src_setup(struct src_sess *ss, unsigned int nbuf)
{
	const struct mig_session_cfg *cfg = ss->s.cfg;
	struct mig_wire_msg m;
	struct src_dev *sd;
	unsigned int i;
	int ret;

	for (i = 0; i < cfg->ndev; i++) {
		sd = &ss->d[i];
		sd->ss = ss;
		sd->id = i;
		sd->dev = cfg->devs[i];
		mig_dev_info_get(sd->dev, &sd->info);
		ss->s.st->dev[i].size = sd->info.state_size;
		ss->s.lanes[i] = &sd->lane;
		ret = src_lane_init(sd, cfg, nbuf);
		if (ret < 0)
			return sess_fail_last(&ss->s, ret);
		memset(&m, 0, sizeof(m));
		m.type = MIG_WIRE_T_DEV_DESC;
		m.dev_desc.dev_id = i;
		m.dev_desc.chunk_size = cfg->chunk_size;
		m.dev_desc.caps = sd->info.caps & MIG_WIRE_CAP_ALL;
		m.dev_desc.state_size = sd->info.state_size;
		snprintf(m.dev_desc.name, sizeof(m.dev_desc.name), "%s",
			 sd->info.name);
		snprintf(m.dev_desc.driver, sizeof(m.dev_desc.driver), "%s",
			 sd->info.driver);
		ret = sess_send(&ss->s, &m);
		if (ret < 0)
			return ret;
	}
	/* The lanes are not running yet: the main lcore drives the devices. */
	for (i = 0; i < cfg->ndev; i++) {
		sd = &ss->d[i];
		if ((sd->info.caps & MIG_CAP_PRE_COPY) &&
		    (ss->s.features & MIG_WIRE_FEAT_PRECOPY)) {
			ret = mig_dev_set_state(sd->dev, MIG_STATE_PRE_COPY,
						MIG_STATE_RUNNING);
			if (ret < 0)
				return sess_fail_last(&ss->s, ret);
			sd->precopy = true;
			sd->init_watch = true;
			ss->precopy_phase = true;
			ss->precopy_lanes |= UINT64_C(1) << i;
		} else {
			/* Saves nothing until stop-copy. */
			sd->held = true;
		}
		if (sd->info.caps & MIG_CAP_P2P)
			ss->p2p_lanes |= UINT64_C(1) << i;
		mig_src_hold(&sd->stage, sd->held);
		ss->s.st->dev[i].precopy = sd->precopy;
		ss->tasks[i].fn = src_lane_turn;
		ss->tasks[i].arg = sd;
	}
	sess_dev_states(&ss->s, sess_lanes_all(&ss->s));
	ret = mig_lcore_start(&ss->s.lc, ss->tasks, cfg->ndev);
	if (ret < 0)
		return sess_fail(&ss->s, ret, "cannot start the device lanes");
	ss->s.st->workers = mig_lcore_workers(&ss->s.lc);
	for (i = 0; i < cfg->ndev; i++)
		ss->s.st->dev[i].lcore = ss->tasks[i].lcore;
	return 0;
}

/* Devices' digests (after DEV_END: outside the downtime's critical path),
 * then DONE. */
static int
src_commit(struct src_sess *ss, uint64_t down_start)
{
	struct sess_req r = { .kind = SESS_REQ_DIGEST };
	struct mig_session_stats *st = ss->s.st;
	unsigned int i;
	int ret;

	sess_step(&ss->s, MIG_WIRE_STEP_COMMIT);
	ret = src_request(ss, &r, sess_lanes_all(&ss->s));
	if (ret < 0)
		return ret;
	for (i = 0; i < ss->s.cfg->ndev; i++) {
		st->dev[i].has_dev_digest = ss->d[i].lane.req.has_digest;
		st->dev[i].dev_digest = ss->d[i].lane.req.digest;
	}
	while (!ss->done) {
		ret = src_turn(&ss->s);
		if (ret < 0)
			return ret;
	}
	st->downtime_ns = mig_time_ns() - down_start;
	st->down_commit_ns = st->downtime_ns - st->down_stop_ns -
			     st->down_data_ns;
	sess_event(&ss->s, MIG_SESSION_EV_RUNNING, 0);
	ret = sess_finish_check(&ss->s);
	if (ret < 0)
		return ret;
	/* Committed: the source devices stop (outside the downtime; the
	 * destination may already have closed the link, so only the lanes
	 * turn). A device that cannot stop is a warning, not a failure. */
	r.kind = SESS_REQ_STATE;
	r.target = MIG_STATE_STOP;
	r.recover = MIG_STATE_ERROR;
	if (sess_lanes_request(&ss->s, &r, sess_lanes_all(&ss->s),
			       sess_turn_lanes) < 0)
		for (i = 0; i < ss->s.cfg->ndev; i++)
			if (sess_lane_error(&ss->d[i].lane) != 0)
				MIG_LOG(WARNING, mig_logtype_engine, "%s",
					ss->d[i].lane.errmsg);
	return 0;
}

int
mig_session_source(const struct mig_session_cfg *cfg,
		   struct mig_session_stats *st)
{
	struct mig_xport_info info;
	struct src_sess *ss;
	uint64_t down_start = 0;
	unsigned int i, nbuf, depth;
	int ret;

	ss = calloc(1, sizeof(*ss));
	if (ss == NULL)
		return -ENOMEM;
	ret = sess_init(&ss->s, cfg, st, MIG_WIRE_ROLE_SOURCE);
	if (ret < 0)
		goto out;
	/* Buffers for every device's saves in flight, plus a transport
	 * window of chunks on the wire. */
	mig_xport_info_get(ss->s.xp, &info);
	depth = cfg->depth ? cfg->depth : SESS_DEPTH_DEF;
	nbuf = cfg->ndev * depth + info.window + SESS_POOL_SPARE;
	ss->outs = calloc(nbuf, sizeof(*ss->outs));
	ss->out_free = calloc(nbuf, sizeof(*ss->out_free));
	if (ss->outs == NULL || ss->out_free == NULL) {
		ret = sess_fail(&ss->s, -ENOMEM, "out of memory");
		goto fail;
	}
	ss->nouts = nbuf;
	for (i = 0; i < nbuf; i++)
		ss->out_free[ss->nfree++] = &ss->outs[i];
	ret = sess_pool_create(&ss->s, nbuf);
	if (ret < 0)
		goto fail;
	ret = sess_handshake(&ss->s);
	if (ret < 0)
		goto fail;
	sess_step(&ss->s, MIG_WIRE_STEP_SETUP);
	if (ss->s.peer.dev_count != cfg->ndev) {
		ret = sess_fail(&ss->s, -EINVAL,
				"device count mismatch: source has %u, destination has %u",
				cfg->ndev, ss->s.peer.dev_count);
		goto fail;
	}
	ret = src_setup(ss, nbuf);
	if (ret < 0)
		goto fail;
	if (ss->precopy_phase) {
		ret = src_precopy(ss);
		if (ret < 0)
			goto fail;
	}
	ret = src_switchover(ss, &down_start);
	if (ret < 0)
		goto fail;
	ret = src_commit(ss, down_start);
	if (ret < 0)
		goto fail;
	sess_mark(&ss->s, "complete");
	mig_lcore_stop(&ss->s.lc);
	st->rate_bps = (double)st->bytes * 1e9 /
		       (double)(mig_time_ns() - st->start_ns);
	goto out;
fail:
	src_recover(ss, ret);
out:
	mig_lcore_stop(&ss->s.lc);
	sess_fini(&ss->s, ret);
	for (i = 0; i < cfg->ndev && i < MIG_SESSION_DEVS_MAX; i++)
		src_lane_fini(&ss->d[i]);
	free(ss->outs);
	free(ss->out_free);
	free(ss);
	return ret;
}
