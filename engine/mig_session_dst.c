/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Destination side of a session: handshake, DEV_DESC matched to the local
 * devices by order, chunks loaded through mig_dst stages, then the
 * acknowledgements, verification and commit of mig_session_dst_commit.c.
 * On failure devices are reset.
 *
 * The main lcore receives (transport and wire checker stay there) and
 * hands each device's chunks to its lane on rx_ring; the lane, on the
 * device's lcore, loads them in index order through its mig_dst stage and
 * hands the buffers back on rel_ring; the main lcore releases them to the
 * transport, which credits the source.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_dst_priv.h"

#define DST_RECLAIM_BURST 32

/* Main lcore: loaded buffers back to the transport (credits). */
static int
dst_reclaim(struct dst_sess *ds, struct dst_dev *dd)
{
	void *bufs[DST_RECLAIM_BURST];
	unsigned int i, n;

	if (dd->rel_ring == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst(dd->rel_ring, bufs, DST_RECLAIM_BURST,
				      NULL);
	for (i = 0; i < n; i++)
		mig_xport_rx_release(ds->s.xp, bufs[i]);
	dd->released += n;
	return (int)n;
}

static int
dst_chunk(struct dst_sess *ds, const struct mig_wire_chunk *c, void *buf)
{
	struct mig_sess *s = &ds->s;
	struct sess_chunk sc;
	struct dst_dev *dd;
	int ret;

	if (c->dev_id >= s->cfg->ndev) {
		mig_xport_rx_release(s->xp, buf);
		return sess_fail(s, -ERANGE, "chunk for unknown device %u",
				 c->dev_id);
	}
	dd = &ds->d[c->dev_id];
	if (!dd->described) {
		if (ds->nstash == ds->stash_max) {
			mig_xport_rx_release(s->xp, buf);
			return sess_fail(s, -EPROTO,
					 "chunks for device %u before its DEV_DESC",
					 c->dev_id);
		}
		ds->stash[ds->nstash].c = *c;
		ds->stash[ds->nstash].buf = buf;
		ds->nstash++;
		return 0;
	}
	ret = sess_chunk_check(s, c);
	if (ret < 0) {
		mig_xport_rx_release(s->xp, buf);
		return ret;
	}
	sess_account(s, c->dev_id, c->length);
	sess_chunk_from_wire(&sc, c, buf);
	/* Room for every buffer of the pool: cannot fail. */
	rte_ring_sp_enqueue_elem(dd->rx_ring, &sc, sizeof(sc));
	return 0;
}

static int
dst_desc(struct dst_sess *ds, const struct mig_wire_dev_desc *dsc)
{
	struct mig_sess *s = &ds->s;
	struct dst_dev *dd;
	unsigned int i, n;
	int ret;

	if (dsc->dev_id >= s->cfg->ndev)
		return sess_fail(s, -ERANGE, "DEV_DESC for unknown device %u",
				 dsc->dev_id);
	dd = &ds->d[dsc->dev_id];
	if (s->cfg->match_names && strcmp(dsc->name, dd->info.name) != 0)
		return sess_fail(s, -EINVAL,
				 "device %s: the source's device %u is %s: devices pair by name, in order (the same id= in the same --dev order on both sides)",
				 dd->info.name, dsc->dev_id, dsc->name);
	if (strcmp(dsc->driver, dd->info.driver) != 0)
		return sess_fail(s, -EINVAL,
				 "device %s: source device %u (%s) is a %s device, this one is %s",
				 dd->info.name, dsc->dev_id, dsc->name,
				 dsc->driver, dd->info.driver);
	if (dsc->state_size != 0 && dd->info.state_size != 0 &&
	    dsc->state_size != dd->info.state_size)
		return sess_fail(s, -EINVAL,
				 "device %s: size %" PRIu64 " does not match source device %s (%" PRIu64 ")",
				 dd->info.name, dd->info.state_size, dsc->name,
				 dsc->state_size);
	if ((dsc->caps & ~dd->info.caps) & MIG_WIRE_CAP_PRE_COPY)
		return sess_fail(s, -EINVAL,
				 "device %s: source device %s has pre_copy, this one does not",
				 dd->info.name, dsc->name);
	if (dsc->chunk_size > s->cfg->chunk_size)
		return sess_fail(s, -EINVAL,
				 "device %s: chunk %u larger than ours (%u): use the same --chunk",
				 dd->info.name, dsc->chunk_size,
				 s->cfg->chunk_size);
	dd->described = true;
	/* Replay chunks of this device that came before its DEV_DESC. */
	n = ds->nstash;
	ds->nstash = 0;
	for (i = 0; i < n; i++) {
		struct dst_stash st = ds->stash[i];

		ret = dst_chunk(ds, &st.c, st.buf);
		if (ret < 0) {
			/* dst_chunk() gave back its own buffer: the rest. */
			for (i++; i < n; i++)
				mig_xport_rx_release(s->xp, ds->stash[i].buf);
			return ret;
		}
	}
	return 0;
}

static int
dst_ctrl(struct dst_sess *ds, const struct mig_xport_rx *r)
{
	struct mig_sess *s = &ds->s;
	struct mig_wire_msg m;
	struct dst_dev *dd;
	int ret;

	ret = sess_ctrl_decode(s, r, &m);
	if (ret < 0)
		return ret;
	switch (m.type) {
	case MIG_WIRE_T_DEV_DESC:
		return dst_desc(ds, &m.dev_desc);
	case MIG_WIRE_T_INIT_SENT:
		if (m.init_sent.dev_id >= s->cfg->ndev)
			return sess_fail(s, -ERANGE, "INIT_SENT for device %u",
					 m.init_sent.dev_id);
		dd = &ds->d[m.init_sent.dev_id];
		dd->init_known = true;
		dd->init_end = m.init_sent.end_index;
		return 0;
	case MIG_WIRE_T_DEV_END:
		if (m.dev_end.dev_id >= s->cfg->ndev)
			return sess_fail(s, -ERANGE, "DEV_END for device %u",
					 m.dev_end.dev_id);
		if (s->st->step < MIG_WIRE_STEP_STOPCOPY)
			sess_step(s, MIG_WIRE_STEP_STOPCOPY);
		return 0;
	case MIG_WIRE_T_KEEPALIVE:
		/* the source waits in pre-copy: answer, so that it hears
		 * from a destination that is alive */
		return sess_send(s, &m);
	default:
		return sess_fail(s, -EPROTO, "unexpected %s",
				 mig_wire_type_name(m.type));
	}
}

/* One turn of the main lcore's loop; backs off when idle. */
int
dst_turn(struct mig_sess *s)
{
	struct dst_sess *ds = dst_sess(s);
	struct dst_dev *dd;
	unsigned int i, step;
	int n, ret, moved, work;

	n = mig_xport_rx(s->xp, s->rx, SESS_RX_BURST);
	if (n < 0)
		return sess_fail(s, n, "%s", mig_xport_errmsg(s->xp));
	for (i = 0; i < (unsigned int)n; i++) {
		if (s->rx[i].type == MIG_WIRE_T_CHUNK) {
			/* the chunk says in which phase it was read */
			step = (s->rx[i].chunk.flags &
				MIG_WIRE_CHUNK_F_STOPCOPY) ?
			       MIG_WIRE_STEP_STOPCOPY : MIG_WIRE_STEP_PRECOPY;
			if ((unsigned int)s->st->step < step)
				sess_step(s, step);
			ret = dst_chunk(ds, &s->rx[i].chunk, s->rx[i].buf);
		} else {
			ret = dst_ctrl(ds, &s->rx[i]);
		}
		if (ret < 0) {
			/* Give back what this burst still holds. */
			for (i++; i < (unsigned int)n; i++)
				if (s->rx[i].type == MIG_WIRE_T_CHUNK)
					mig_xport_rx_release(s->xp,
							     s->rx[i].buf);
			return ret;
		}
	}
	ret = sess_turn_begin(s);
	if (ret < 0)
		return ret;
	work = ret;
	moved = n;
	ret = sess_lanes_check(s);
	if (ret < 0)
		return ret;
	for (i = 0; i < s->cfg->ndev; i++) {
		dd = &ds->d[i];
		moved += dst_reclaim(ds, dd);
		ret = dst_dev_check(ds, dd);
		if (ret < 0)
			return ret;
		moved += ret;
	}
	ret = dst_keepalive(ds, moved);
	if (ret < 0)
		return ret;
	return sess_turn_end(s, work + moved);
}

/* Lanes stopped: every buffer back to the transport. */
static void
dst_reclaim_all(struct dst_sess *ds)
{
	struct sess_chunk c;
	unsigned int i;

	for (i = 0; i < ds->s.cfg->ndev && i < MIG_SESSION_DEVS_MAX; i++) {
		struct dst_dev *dd = &ds->d[i];

		if (dd->stage_init)
			mig_dst_fini(&dd->stage);
		dd->stage_init = false;
		while (dd->rx_ring != NULL &&
		       rte_ring_sc_dequeue_elem(dd->rx_ring, &c,
						sizeof(c)) == 0)
			mig_xport_rx_release(ds->s.xp, c.buf);
		while (dst_reclaim(ds, dd) > 0)
			;
		free(dd->rx_ring);
		free(dd->rel_ring);
		dd->rx_ring = NULL;
		dd->rel_ring = NULL;
	}
}

static void
dst_recover(struct dst_sess *ds, int code)
{
	char saved[MIG_ERR_MAX];
	unsigned int i;

	snprintf(saved, sizeof(saved), "%s", mig_err_last());
	sess_send_abort(&ds->s, code, MIG_WIRE_DEV_NONE);
	/* From here the main lcore drives every device. */
	mig_lcore_stop(&ds->s.lc);
	/* Never leave a device RUNNING with partial state: reset. */
	for (i = 0; i < ds->s.cfg->ndev; i++)
		mig_dev_reset(ds->s.cfg->devs[i]);
	for (i = 0; i < ds->nstash; i++)
		mig_xport_rx_release(ds->s.xp, ds->stash[i].buf);
	ds->nstash = 0;
	mig_err_set(mig_logtype_engine, "%s", saved);
}

/* Stages and rings of every device, before the handshake. */
static int
dst_setup(struct dst_sess *ds, uint32_t nbuf)
{
	const struct mig_session_cfg *cfg = ds->s.cfg;
	struct mig_dst_cfg dc;
	struct dst_dev *dd;
	unsigned int i;
	int ret;

	for (i = 0; i < cfg->ndev; i++) {
		dd = &ds->d[i];
		dd->dev = cfg->devs[i];
		dd->id = i;
		mig_dev_info_get(dd->dev, &dd->info);
		ds->s.st->dev[i].size = dd->info.state_size;
		memset(&dc, 0, sizeof(dc));
		dc.dev_id = i;
		dc.window = nbuf;
		dc.depth = cfg->depth ? cfg->depth : SESS_DEPTH_DEF;
		dc.release = dst_release;
		dc.release_ctx = dd;
		ret = mig_dst_init(&dd->stage, dd->dev, &dc);
		if (ret < 0)
			return sess_fail_last(&ds->s, ret);
		dd->stage_init = true;
		dd->rx_ring = sess_ring_create(sizeof(struct sess_chunk), nbuf);
		dd->rel_ring = sess_ring_create(sizeof(void *), nbuf);
		if (dd->rx_ring == NULL || dd->rel_ring == NULL)
			return sess_fail(&ds->s, -ENOMEM,
					 "device %s: out of memory for its rings",
					 dd->info.name);
		ds->s.lanes[i] = &dd->lane;
		ds->tasks[i].fn = dst_lane_turn;
		ds->tasks[i].arg = dd;
	}
	return 0;
}

/* Before the handshake: transport buffers from the pool (payload CRC left
 * to the lanes), the stash, each device's stage and rings. */
static int
dst_open(struct dst_sess *ds)
{
	const struct mig_session_cfg *cfg = ds->s.cfg;
	struct mig_xport_info info;
	struct mig_xport_bufs b;
	unsigned int nbuf;
	int ret;

	mig_xport_info_get(ds->s.xp, &info);
	nbuf = info.window + SESS_POOL_SPARE;
	ret = sess_pool_create(&ds->s, nbuf);
	if (ret < 0)
		return ret;
	ds->stash_max = nbuf;
	ds->stash = calloc(ds->stash_max, sizeof(*ds->stash));
	if (ds->stash == NULL)
		return sess_fail(&ds->s, -ENOMEM, "out of memory");
	memset(&b, 0, sizeof(b));
	b.get = sess_buf_get;
	b.put = sess_buf_put;
	b.ctx = &ds->s;
	b.buf_size = cfg->chunk_size;
	ret = mig_xport_set_bufs(ds->s.xp, &b);
	if (ret == 0)
		ret = mig_xport_defer_crc(ds->s.xp); /* dst_lane_turn checks */
	if (ret < 0)
		return sess_fail_last(&ds->s, ret);
	return dst_setup(ds, nbuf);
}

/* After the handshake: devices to RESUMING, lanes started, the chunks
 * that came during the handshake handed to them. */
static int
dst_start(struct dst_sess *ds)
{
	const struct mig_session_cfg *cfg = ds->s.cfg;
	struct mig_sess *s = &ds->s;
	unsigned int i;
	int ret;

	sess_step(s, MIG_WIRE_STEP_SETUP);
	if (s->peer.dev_count != cfg->ndev)
		return sess_fail(s, -EINVAL,
				 "device count mismatch: source has %u, destination has %u",
				 s->peer.dev_count, cfg->ndev);
	/* The lanes are not running yet: the main lcore drives the devices. */
	for (i = 0; i < cfg->ndev; i++) {
		ret = mig_dev_set_state(ds->d[i].dev, MIG_STATE_RESUMING,
					mig_dev_state(ds->d[i].dev));
		if (ret < 0)
			return sess_fail_last(s, ret);
	}
	sess_dev_states(s, sess_lanes_all(s));
	ret = mig_lcore_start(&s->lc, ds->tasks, cfg->ndev);
	if (ret < 0)
		return sess_fail(s, ret, "cannot start the device lanes");
	s->st->workers = mig_lcore_workers(&s->lc);
	for (i = 0; i < cfg->ndev; i++)
		s->st->dev[i].lcore = ds->tasks[i].lcore;
	for (i = 0; i < s->nearly; i++) {
		ret = dst_chunk(ds, &s->early[i], s->early_buf[i]);
		if (ret < 0) {
			for (i++; i < s->nearly; i++)
				mig_xport_rx_release(s->xp, s->early_buf[i]);
			s->nearly = 0;
			return ret;
		}
	}
	s->nearly = 0;
	return 0;
}

int
mig_session_destination(const struct mig_session_cfg *cfg,
			struct mig_session_stats *st)
{
	struct dst_sess *ds;
	int ret;

	ds = calloc(1, sizeof(*ds));
	if (ds == NULL)
		return -ENOMEM;
	ret = sess_init(&ds->s, cfg, st, MIG_WIRE_ROLE_DEST);
	if (ret == 0)
		ret = dst_open(ds);
	if (ret < 0)
		goto out;
	ret = sess_handshake(&ds->s);
	if (ret == 0)
		ret = dst_start(ds);
	/* Chunks, loads and verification until every stream checked out. */
	while (ret >= 0 && ds->verified < cfg->ndev)
		ret = dst_turn(&ds->s);
	if (ret >= 0)
		ret = dst_commit(ds);
	if (ret < 0)
		dst_recover(ds, ret);
	else
		sess_mark(&ds->s, "complete");
out:
	mig_lcore_stop(&ds->s.lc);
	dst_reclaim_all(ds);
	sess_fini(&ds->s, ret);
	free(ds->stash);
	free(ds);
	return ret;
}
