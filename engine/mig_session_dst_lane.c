/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * A destination device's lane, polled on the device's lcore: chunks from
 * the main lcore (rx_ring) into the reorder window of its mig_dst stage,
 * loads in index order, loaded buffers back to the main lcore (rel_ring),
 * and the main lcore's requests (commit, state changes, digest) between
 * two turns.
 */

#include <errno.h>
#include <inttypes.h>

#include "mig_log.h"
#include "mig_session_dst_priv.h"

#define DST_LANE_BURST 32

/* Lane: a loaded buffer goes back to the main lcore (room for every
 * buffer of the pool: cannot fail). */
void
dst_release(void *ctx, void *cookie)
{
	struct dst_dev *dd = ctx;

	rte_ring_sp_enqueue(dd->rel_ring, cookie);
}

/* Lane: execute the pending request; -EAGAIN while loads are in flight. */
static int
dst_lane_req(struct dst_dev *dd)
{
	struct sess_req *r = &dd->lane.req;
	int ret = 0;

	switch (r->kind) {
	case SESS_REQ_STATE:
	case SESS_REQ_COMMIT:
		if (dd->stage.inflight != 0)
			return -EAGAIN;
		if (r->kind == SESS_REQ_STATE) {
			ret = mig_dev_set_state(dd->dev, r->target, r->recover);
			break;
		}
		/* Leaving RESUMING, the driver validates the state. */
		ret = mig_dev_set_state(dd->dev, MIG_STATE_STOP,
					MIG_STATE_ERROR);
		if (ret == 0)
			ret = mig_dev_set_state(dd->dev, MIG_STATE_RUNNING,
						MIG_STATE_ERROR);
		if (ret == 0)
			r->has_digest = mig_dev_digest(dd->dev,
						       &r->digest) == 0;
		break;
	case SESS_REQ_DIGEST:
		r->has_digest = mig_dev_digest(dd->dev, &r->digest) == 0;
		break;
	default:
		break;
	}
	return ret;
}

/*
 * The payload CRC, checked here on the device's lcore rather than by the
 * transport on the main lcore (mig_xport_defer_crc), which would otherwise
 * carry the receive copy and every checksum of every device.
 */
static int
dst_lane_crc_check(struct dst_dev *dd, const struct sess_chunk *c)
{
	if (mig_wire_crc32c(c->buf, c->len) == c->crc)
		return 0;
	mig_err_set(mig_logtype_engine,
		    "device %s: chunk %" PRIu64 ": payload CRC mismatch (%" PRIu32 " bytes)",
		    dd->info.name, c->index, c->len);
	return -EBADMSG;
}

/* mig_lcore task: chunks from the main lcore into the stage, loads. */
int
dst_lane_turn(void *arg)
{
	struct sess_chunk c[DST_LANE_BURST];
	struct dst_dev *dd = arg;
	unsigned int i, n;
	int ret, req = -EAGAIN, work;

	if (dd->lane.error != 0)
		return 0;
	n = rte_ring_sc_dequeue_burst_elem(dd->rx_ring, c, sizeof(c[0]),
					   DST_LANE_BURST, NULL);
	for (i = 0; i < n; i++) {
		ret = dst_lane_crc_check(dd, &c[i]);
		if (ret == 0)
			ret = mig_dst_push(&dd->stage, c[i].index, c[i].buf,
					   c[i].len, c[i].buf);
		if (ret < 0) {
			for (; i < n; i++)
				dst_release(dd, c[i].buf);
			goto fail;
		}
	}
	work = (int)n;
	ret = mig_dst_poll(&dd->stage);
	if (ret < 0)
		goto fail;
	work += ret;
	if (sess_lane_pending(&dd->lane)) {
		req = dst_lane_req(dd);
		if (req != -EAGAIN && req < 0)
			sess_lane_fail(&dd->lane, req);
	}
	__atomic_store_n(&dd->loaded, dd->stage.loaded_chunks,
			 __ATOMIC_RELEASE);
	if (req != -EAGAIN) {
		sess_lane_complete(&dd->lane, req);
		work++;
	}
	return work;
fail:
	/* Published once; the lane is idle from now on. */
	sess_lane_fail(&dd->lane, ret);
	return 0;
}
