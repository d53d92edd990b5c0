/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Source side of a session: handshake, DEV_DESC, pre-copy rounds with
 * INIT_SENT / SWITCHOVER_ACK, switchover decision, stop-copy of every
 * device in parallel, DEV_END, DONE; devices back to RUNNING on failure.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_priv.h"
#include "mig_src.h"

#define SRC_DECIDE_NS (200ull * 1000000ull)
#define SRC_TX_DONE_BURST 64

struct src_sess;

struct src_dev {
	struct src_sess *ss;
	struct mig_dev *dev;
	struct mig_src stage;
	struct mig_dev_info info;
	bool stage_init;
	bool precopy;      /* takes part in pre-copy */
	bool init_holding; /* held to mark the end of its initial data */
	bool init_sent;
	bool acked;
};

struct src_sess {
	struct mig_sess s;
	struct src_dev d[MIG_SESSION_DEVS_MAX];
	void **out_buf;    /* chunks handed to the transport */
	uint32_t *out_dev;
	unsigned int nout, out_max;
	bool precopy_phase;
	bool done;         /* DONE received */
};

static int
src_emit(void *ctx, const struct mig_wire_chunk *hdr, void *buf, void *cookie)
{
	struct src_dev *sd = ctx;
	struct src_sess *ss = sd->ss;
	int ret;

	if (ss->nout == ss->out_max)
		return -EAGAIN;
	ret = mig_xport_tx(ss->s.xp, hdr, buf, hdr->length, cookie);
	if (ret < 0) {
		if (ret != -EAGAIN)
			mig_err_set(mig_logtype_engine, "device %s: send of chunk %" PRIu64 ": %s",
				    mig_dev_name(sd->dev), hdr->index,
				    mig_xport_errmsg(ss->s.xp));
		return ret;
	}
	ss->out_buf[ss->nout] = cookie;
	ss->out_dev[ss->nout] = (uint32_t)(sd - ss->d);
	ss->nout++;
	ss->s.st->bytes += hdr->length;
	mig_rate_add(&ss->s.rate, hdr->length, mig_time_ns());
	return 0;
}

static void
src_tx_done(struct src_sess *ss)
{
	void *done[SRC_TX_DONE_BURST];
	unsigned int i, k;
	int n;

	n = mig_xport_tx_done(ss->s.xp, done, SRC_TX_DONE_BURST);
	for (i = 0; n > 0 && i < (unsigned int)n; i++) {
		for (k = 0; k < ss->nout; k++)
			if (ss->out_buf[k] == done[i])
				break;
		if (k == ss->nout)
			continue;
		mig_src_buf_done(&ss->d[ss->out_dev[k]].stage, done[i]);
		ss->nout--;
		ss->out_buf[k] = ss->out_buf[ss->nout];
		ss->out_dev[k] = ss->out_dev[ss->nout];
	}
	sess_progress(&ss->s, n);
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
	for (i = 0; i < n; i++) {
		if (s->rx[i].type == MIG_WIRE_T_CHUNK) {
			mig_xport_rx_release(s->xp, s->rx[i].buf);
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
		}
	}
	sess_progress(s, n);
	return n;
}

/* Mark the end of a device's initial data once the device says so. */
static int
src_init_sent(struct src_sess *ss, struct src_dev *sd)
{
	struct mig_dev_sizes sz;
	struct mig_wire_msg m;
	int ret;

	if (!sd->init_holding) {
		ret = mig_dev_query_sizes(sd->dev, &sz);
		if (ret < 0)
			return sess_fail_last(&ss->s, ret);
		if (sz.initial_bytes != 0)
			return 0;
		sd->init_holding = true;
		mig_src_hold(&sd->stage, true);
	}
	if (!mig_src_quiet(&sd->stage))
		return 0;
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_INIT_SENT;
	m.init_sent.dev_id = sd->stage.cfg.dev_id;
	m.init_sent.end_index = sd->stage.next_index;
	ret = sess_send(&ss->s, &m);
	if (ret < 0)
		return ret;
	sd->init_sent = true;
	sd->init_holding = false;
	mig_src_hold(&sd->stage, false);
	return 1;
}

/* One turn of the polling loop. */
static int
src_pump(struct src_sess *ss)
{
	struct mig_sess *s = &ss->s;
	unsigned int i;
	int ret, work = 0;

	ret = src_rx(ss);
	if (ret < 0)
		return ret;
	ret = mig_xport_poll(s->xp);
	if (ret < 0)
		return sess_fail(s, ret, "%s", mig_xport_errmsg(s->xp));
	work += ret;
	for (i = 0; i < s->cfg->ndev; i++) {
		ret = mig_src_poll(&ss->d[i].stage);
		if (ret < 0)
			return sess_fail_last(s, ret);
		work += ret;
		if (ss->precopy_phase && ss->d[i].precopy &&
		    !ss->d[i].init_sent) {
			ret = src_init_sent(ss, &ss->d[i]);
			if (ret < 0)
				return ret;
		}
	}
	src_tx_done(ss);
	sess_progress(s, work);
	sess_report(s);
	return sess_check(s);
}

static bool
src_all_quiet(struct src_sess *ss)
{
	unsigned int i;

	for (i = 0; i < ss->s.cfg->ndev; i++)
		if (!mig_src_quiet(&ss->d[i].stage))
			return false;
	return true;
}

static int
src_pending(struct src_sess *ss, uint64_t *pending)
{
	struct mig_dev_sizes sz;
	unsigned int i;
	int ret;

	*pending = 0;
	for (i = 0; i < ss->s.cfg->ndev; i++) {
		ret = mig_dev_query_sizes(ss->d[i].dev, &sz);
		if (ret < 0)
			return sess_fail_last(&ss->s, ret);
		*pending += sz.stop_copy_bytes;
	}
	ss->s.st->pending = *pending;
	return 0;
}

/* Pre-copy rounds until the policy says switch over. */
static int
src_precopy(struct src_sess *ss)
{
	struct mig_sess *s = &ss->s;
	struct mig_policy_input in;
	enum mig_policy_verdict v;
	uint64_t start = mig_time_ns(), last = 0, round_bytes;
	unsigned int i;
	bool caught_up;
	char why[160];
	int ret;

	s->st->step = MIG_WIRE_STEP_PRECOPY;
	ss->precopy_phase = true;
	round_bytes = s->st->bytes;
	for (;;) {
		ret = src_pump(ss);
		if (ret < 0)
			return ret;
		caught_up = true;
		for (i = 0; i < s->cfg->ndev; i++)
			if (ss->d[i].precopy && !(ss->d[i].stage.nodata &&
						  mig_src_quiet(&ss->d[i].stage)))
				caught_up = false;
		if (!caught_up && mig_time_ns() - last < SRC_DECIDE_NS)
			continue;
		if (caught_up && s->st->bytes != round_bytes) {
			s->st->rounds++;
			round_bytes = s->st->bytes;
		}
		last = mig_time_ns();
		memset(&in, 0, sizeof(in));
		ret = src_pending(ss, &in.pending_bytes);
		if (ret < 0)
			return ret;
		in.bandwidth_bps = mig_rate_bps(&s->rate, last);
		in.rounds = s->st->rounds;
		in.elapsed_ns = last - start;
		for (i = 0; i < s->cfg->ndev; i++)
			if (ss->d[i].precopy && !ss->d[i].acked &&
			    (s->features & MIG_WIRE_FEAT_SWITCHOVER_ACK))
				in.acks_pending++;
		v = mig_policy_decide(&s->cfg->policy, &in, why, sizeof(why));
		if (v == MIG_POLICY_SWITCHOVER)
			break;
		if (v == MIG_POLICY_FAIL)
			return sess_fail(s, -ETIMEDOUT, "pre-copy did not converge: %s",
					 why);
		if (caught_up)
			for (i = 0; i < s->cfg->ndev; i++)
				if (ss->d[i].precopy)
					mig_src_rearm(&ss->d[i].stage);
	}
	ss->precopy_phase = false;
	for (i = 0; i < s->cfg->ndev; i++)
		ss->d[i].init_holding = false;
	return 0;
}

/* Quiesce, stop every device, drain all streams in parallel, DEV_END. */
static int
src_stopcopy(struct src_sess *ss, uint64_t *down_start)
{
	struct mig_sess *s = &ss->s;
	struct src_dev *sd;
	struct mig_wire_msg m;
	enum mig_state st;
	unsigned int i;
	bool finished;
	int ret;

	s->st->step = MIG_WIRE_STEP_SWITCHOVER;
	for (i = 0; i < s->cfg->ndev; i++)
		mig_src_hold(&ss->d[i].stage, true);
	while (!src_all_quiet(ss)) {
		ret = src_pump(ss);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < s->cfg->ndev; i++) {
		sd = &ss->d[i];
		if (!(sd->info.caps & MIG_CAP_P2P))
			continue;
		st = mig_dev_state(sd->dev) == MIG_STATE_PRE_COPY ?
		     MIG_STATE_PRE_COPY_P2P : MIG_STATE_RUNNING_P2P;
		ret = mig_dev_set_state(sd->dev, st, MIG_STATE_RUNNING);
		if (ret < 0)
			return sess_fail_last(s, ret);
	}
	s->st->step = MIG_WIRE_STEP_STOPCOPY;
	*down_start = mig_time_ns();
	for (i = 0; i < s->cfg->ndev; i++) {
		ret = mig_dev_set_state(ss->d[i].dev, MIG_STATE_STOP_COPY,
					MIG_STATE_RUNNING);
		if (ret < 0)
			return sess_fail_last(s, ret);
	}
	for (i = 0; i < s->cfg->ndev; i++) {
		mig_src_hold(&ss->d[i].stage, false);
		mig_src_rearm(&ss->d[i].stage);
	}
	do {
		ret = src_pump(ss);
		if (ret < 0)
			return ret;
		finished = true;
		for (i = 0; i < s->cfg->ndev; i++)
			if (!mig_src_finished(&ss->d[i].stage))
				finished = false;
	} while (!finished);
	for (i = 0; i < s->cfg->ndev; i++) {
		sd = &ss->d[i];
		s->st->dev[i].bytes = sd->stage.bytes;
		s->st->dev[i].chunks = sd->stage.chunks;
		s->st->dev[i].stream_digest = sd->stage.digest;
		s->st->dev[i].has_dev_digest =
			mig_dev_digest(sd->dev, &s->st->dev[i].dev_digest) == 0;
		memset(&m, 0, sizeof(m));
		m.type = MIG_WIRE_T_DEV_END;
		m.dev_end.dev_id = i;
		m.dev_end.total_bytes = sd->stage.bytes;
		m.dev_end.chunk_count = sd->stage.chunks;
		m.dev_end.digest = sd->stage.digest;
		ret = sess_send(s, &m);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Failure: every source device back to RUNNING, buffers home. */
static void
src_recover(struct src_sess *ss, int code)
{
	char saved[MIG_ERR_MAX];
	uint64_t end;
	unsigned int i;
	bool drained;

	snprintf(saved, sizeof(saved), "%s", mig_err_last());
	if (ss->s.xp != NULL)
		sess_send_abort(&ss->s, code, MIG_WIRE_DEV_NONE);
	end = mig_time_ns() + 5ull * 1000000000ull;
	do {
		drained = true;
		for (i = 0; i < ss->s.cfg->ndev; i++)
			if (ss->d[i].stage_init && !mig_src_drain(&ss->d[i].stage))
				drained = false;
	} while (!drained && mig_time_ns() < end);
	if (ss->s.xp != NULL) {
		mig_xport_close(ss->s.xp);
		ss->s.xp = NULL;
	}
	for (i = 0; i < ss->s.cfg->ndev; i++) {
		struct mig_dev *dev = ss->s.cfg->devs[i];

		if (ss->d[i].stage_init && drained)
			mig_src_release(&ss->d[i].stage);
		if (mig_dev_state(dev) != MIG_STATE_RUNNING &&
		    mig_dev_set_state(dev, MIG_STATE_RUNNING,
				      MIG_STATE_ERROR) < 0)
			mig_dev_reset(dev);
	}
	mig_err_set(mig_logtype_engine, "%s", saved);
}

int
mig_session_source(const struct mig_session_cfg *cfg,
		   struct mig_session_stats *st)
{
	struct mig_src_cfg sc;
	struct src_sess *ss;
	struct mig_wire_msg m;
	struct src_dev *sd;
	uint64_t down_start = 0;
	unsigned int i, nbuf;
	int ret;

	ss = calloc(1, sizeof(*ss));
	if (ss == NULL)
		return -ENOMEM;
	ret = sess_init(&ss->s, cfg, st, MIG_WIRE_ROLE_SOURCE);
	if (ret < 0)
		goto out;
	nbuf = cfg->ndev * (cfg->depth ? cfg->depth : 4) + 8;
	ss->out_max = nbuf;
	ss->out_buf = calloc(nbuf, sizeof(*ss->out_buf));
	ss->out_dev = calloc(nbuf, sizeof(*ss->out_dev));
	if (ss->out_buf == NULL || ss->out_dev == NULL) {
		ret = sess_fail(&ss->s, -ENOMEM, "out of memory");
		goto fail;
	}
	ret = sess_pool_create(&ss->s, nbuf);
	if (ret < 0)
		goto fail;
	ret = sess_handshake(&ss->s);
	if (ret < 0)
		goto fail;
	st->step = MIG_WIRE_STEP_SETUP;
	if (ss->s.peer.dev_count != cfg->ndev) {
		ret = sess_fail(&ss->s, -EINVAL,
				"device count mismatch: source has %u, destination has %u",
				cfg->ndev, ss->s.peer.dev_count);
		goto fail;
	}
	for (i = 0; i < cfg->ndev; i++) {
		sd = &ss->d[i];
		sd->ss = ss;
		sd->dev = cfg->devs[i];
		mig_dev_info_get(sd->dev, &sd->info);
		memset(&sc, 0, sizeof(sc));
		sc.dev_id = i;
		sc.chunk_size = cfg->chunk_size;
		sc.depth = cfg->depth ? cfg->depth : 4;
		sc.buf_get = sess_buf_get;
		sc.buf_put = sess_buf_put;
		sc.buf_ctx = &ss->s;
		sc.emit = src_emit;
		sc.emit_ctx = sd;
		ret = mig_src_init(&sd->stage, sd->dev, &sc);
		if (ret < 0) {
			ret = sess_fail_last(&ss->s, ret);
			goto fail;
		}
		sd->stage_init = true;
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
			goto fail;
	}
	for (i = 0; i < cfg->ndev; i++) {
		sd = &ss->d[i];
		if (!(sd->info.caps & MIG_CAP_PRE_COPY) ||
		    !(ss->s.features & MIG_WIRE_FEAT_PRECOPY))
			continue;
		ret = mig_dev_set_state(sd->dev, MIG_STATE_PRE_COPY,
					MIG_STATE_RUNNING);
		if (ret < 0) {
			ret = sess_fail_last(&ss->s, ret);
			goto fail;
		}
		sd->precopy = true;
		ss->precopy_phase = true;
	}
	/* Devices without pre-copy save nothing until stop-copy. */
	for (i = 0; i < cfg->ndev; i++)
		if (!ss->d[i].precopy)
			mig_src_hold(&ss->d[i].stage, true);
	if (ss->precopy_phase) {
		ret = src_precopy(ss);
		if (ret < 0)
			goto fail;
	}
	ret = src_stopcopy(ss, &down_start);
	if (ret < 0)
		goto fail;
	st->step = MIG_WIRE_STEP_COMMIT;
	while (!ss->done) {
		ret = src_pump(ss);
		if (ret < 0)
			goto fail;
	}
	st->downtime_ns = mig_time_ns() - down_start;
	/* Committed: the source devices stop (outside the downtime). */
	for (i = 0; i < cfg->ndev; i++)
		if (mig_dev_set_state(cfg->devs[i], MIG_STATE_STOP,
				      MIG_STATE_ERROR) < 0)
			MIG_LOG(WARNING, mig_logtype_engine, "%s",
				mig_err_last());
	st->rate_bps = (double)st->bytes * 1e9 /
		       (double)(mig_time_ns() - st->start_ns);
	ret = 0;
	goto out;
fail:
	src_recover(ss, ret);
out:
	sess_fini(&ss->s);
	free(ss->out_buf);
	free(ss->out_dev);
	free(ss);
	return ret;
}
