/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Destination: from loaded chunks to running devices. Each device's
 * initial data, once loaded, is acknowledged (SWITCHOVER_ACK: the source
 * never switches over before); each stream is verified at its end
 * (DEV_END's totals matched by the wire checker, every chunk loaded and
 * its buffer back); KEEPALIVE tells a waiting source that loads and
 * verification still move; then the commit: every device leaves RESUMING
 * (the driver validates the state) and reaches RUNNING in parallel, and
 * DONE ends the downtime.
 */

#include <string.h>

#include "mig_log.h"
#include "mig_session_dst_priv.h"

#define DST_DONE_LINGER_NS (2000ull * 1000000ull)
/* From stop-copy on, the source has little left to send and waits for the
 * loads and the commit: a KEEPALIVE every timeout / DST_KEEPALIVE_DIV
 * tells it that the destination is alive and working on them, as long as
 * chunks, loads or verifications moved within the timeout; a stuck device
 * stops them, so the source gives up too while the destination's own
 * no-progress check ends the session. */
#define DST_KEEPALIVE_DIV 4

/* Acks and end-of-stream verification of one device. */
int
dst_dev_check(struct dst_sess *ds, struct dst_dev *dd)
{
	const struct mig_wire_rx_dev *rd;
	uint32_t id = dd->id;
	struct mig_sess *s = &ds->s;
	struct mig_wire_msg m;
	uint64_t loaded;
	int ret;

	loaded = __atomic_load_n(&dd->loaded, __ATOMIC_ACQUIRE);
	if (dd->init_known && !dd->acked && loaded >= dd->init_end) {
		memset(&m, 0, sizeof(m));
		m.type = MIG_WIRE_T_SWITCHOVER_ACK;
		m.switchover_ack.dev_id = id;
		ret = sess_send(s, &m);
		if (ret < 0)
			return ret;
		dd->acked = true;
	}
	/* The checker set COMPLETE once DEV_END's chunk count, bytes and
	 * digest matched what arrived (a mismatch failed the session there);
	 * every chunk is loaded once its buffer came back. */
	rd = mig_wire_rx_dev(&s->chk, id);
	if (dd->verified || rd == NULL ||
	    !(rd->flags & MIG_WIRE_RX_DEV_COMPLETE) ||
	    loaded < rd->end.chunk_count || dd->released < rd->end.chunk_count)
		return 0;
	dd->verified = true;
	ds->verified++;
	return 1;
}

/* Stop-copy and commit: say we are alive while the source waits. */
int
dst_keepalive(struct dst_sess *ds, int moved)
{
	struct mig_sess *s = &ds->s;
	uint64_t now;

	if (s->st->step < MIG_WIRE_STEP_STOPCOPY)
		return 0;
	now = mig_time_ns();
	if (ds->ka_ns == 0)
		ds->ka_ns = ds->moved_ns = now;
	if (moved > 0)
		ds->moved_ns = now;
	if (now - ds->ka_ns < s->timeout_ns / DST_KEEPALIVE_DIV ||
	    now - ds->moved_ns > s->timeout_ns)
		return 0;
	ds->ka_ns = now;
	return sess_send_keepalive(s, 0);
}

/* Every device to RUNNING in parallel (downtime ends), digests, DONE. */
int
dst_commit(struct dst_sess *ds)
{
	struct sess_req r = { .kind = SESS_REQ_COMMIT };
	struct mig_sess *s = &ds->s;
	struct mig_wire_msg m;
	int ret;
	unsigned int i;

	sess_step(s, MIG_WIRE_STEP_COMMIT);
	ret = sess_finish_check(s);
	if (ret < 0)
		return ret;
	ret = sess_lanes_request(s, &r, sess_lanes_all(s), dst_turn);
	if (ret < 0)
		return ret;
	sess_event(s, MIG_SESSION_EV_RUNNING, 0);
	for (i = 0; i < s->cfg->ndev; i++) {
		const struct mig_wire_rx_dev *rd = mig_wire_rx_dev(&s->chk, i);

		s->st->dev[i].bytes = rd->bytes;
		s->st->dev[i].chunks = rd->chunks;
		s->st->dev[i].stream_digest = rd->digest;
		s->st->dev[i].has_dev_digest = ds->d[i].lane.req.has_digest;
		s->st->dev[i].dev_digest = ds->d[i].lane.req.digest;
	}
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_DONE;
	m.done.dev_count = s->cfg->ndev;
	ret = sess_send(s, &m);
	if (ret < 0)
		return ret;
	/* Let DONE leave; the source closes the link once it has it. */
	sess_linger(s, DST_DONE_LINGER_NS);
	return 0;
}
