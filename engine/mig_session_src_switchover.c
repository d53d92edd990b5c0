/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Source switchover, once the pre-copy decision says so (or at once when
 * no device does pre-copy): every lane holds its saves, P2P devices move
 * to their P2P state first (so that no device DMAs into a stopped peer),
 * then every device enters STOP_COPY together and the lanes drain their
 * streams in parallel; DEV_END gives the destination each stream's
 * totals. Downtime starts at the STOP_COPY request.
 */

#include <string.h>

#include "mig_session_src_priv.h"

/* Quiesce, stop every device, drain all streams in parallel, DEV_END. */
int
src_switchover(struct src_sess *ss, uint64_t *down_start)
{
	struct sess_req r;
	struct mig_sess *s = &ss->s;
	struct mig_wire_msg m;
	struct src_dev *sd;
	uint64_t pending, fixed;
	unsigned int i;
	bool finished;
	int ret;

	sess_step(s, MIG_WIRE_STEP_SWITCHOVER);
	memset(&r, 0, sizeof(r));
	r.kind = SESS_REQ_HOLD;
	ret = src_request(ss, &r, sess_lanes_all(s));
	if (ret < 0)
		return ret;
	/* What stop-copy will move, for the progress display (the devices
	 * are quiet: this is the estimate the decision was made on). */
	ret = src_pending(ss, &pending, &fixed);
	if (ret < 0)
		return ret;
	if (!s->st->sw.decided)
		s->st->sw.pending = pending;
	/* P2P first, on every device that has it, so that no device DMAs
	 * into a stopped peer. */
	r.kind = SESS_REQ_P2P;
	r.recover = MIG_STATE_RUNNING;
	ret = src_request(ss, &r, ss->p2p_lanes);
	if (ret < 0)
		return ret;
	sess_step(s, MIG_WIRE_STEP_STOPCOPY);
	*down_start = mig_time_ns();
	r.kind = SESS_REQ_STATE;
	r.target = MIG_STATE_STOP_COPY;
	r.recover = MIG_STATE_RUNNING;
	r.resume = true;
	ret = src_request(ss, &r, sess_lanes_all(s));
	if (ret < 0)
		return ret;
	s->st->down_stop_ns = mig_time_ns() - *down_start;
	do {
		ret = src_turn(s);
		if (ret < 0)
			return ret;
		finished = true;
		for (i = 0; i < s->cfg->ndev; i++)
			if (!__atomic_load_n(&ss->d[i].finished,
					     __ATOMIC_ACQUIRE))
				finished = false;
	} while (!finished);
	s->st->down_data_ns = mig_time_ns() - *down_start -
			      s->st->down_stop_ns;
	/* Finished lanes no longer change their stage's totals. */
	for (i = 0; i < s->cfg->ndev; i++) {
		sd = &ss->d[i];
		s->st->dev[i].bytes = sd->stage.bytes;
		s->st->dev[i].chunks = sd->stage.chunks;
		s->st->dev[i].stream_digest = sd->stage.digest;
		s->st->dev[i].pending = 0;
		s->st->stopcopy_bytes += sd->stage.stop_bytes;
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
	s->st->pending = 0;
	return 0;
}
