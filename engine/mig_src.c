/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "mig_log.h"
#include "mig_src.h"

/* Completions collected per device poll. */
#define SRC_POLL_BURST 16

int
mig_src_init(struct mig_src *s, struct mig_dev *dev,
	     const struct mig_src_cfg *cfg)
{
	struct mig_dev_info info;

	memset(s, 0, sizeof(*s));
	mig_dev_info_get(dev, &info);
	if (cfg->depth == 0 || cfg->depth > MIG_SRC_DEPTH_MAX ||
	    cfg->chunk_size == 0 || cfg->chunk_size < info.chunk_min ||
	    cfg->chunk_size > MIG_WIRE_CHUNK_MAX || cfg->buf_get == NULL ||
	    cfg->buf_put == NULL || cfg->emit == NULL) {
		mig_err_set(mig_logtype_engine,
			    "device %s: source stage: bad configuration (depth %u, chunk %u, device minimum %u)",
			    mig_dev_name(dev), cfg->depth, cfg->chunk_size,
			    info.chunk_min);
		return -EINVAL;
	}
	s->dev = dev;
	s->cfg = *cfg;
	if (s->cfg.depth > info.max_inflight)
		s->cfg.depth = info.max_inflight;
	return 0;
}

static int
src_fail(struct mig_src *s, int err)
{
	if (s->error == 0)
		s->error = err;
	return s->error;
}

/* Queue saves while slots, buffers and device capacity last. */
static int
src_submit(struct mig_src *s)
{
	struct mig_src_slot *slot;
	void *buf;
	int ret, n = 0;

	while (!s->hold && !s->nodata && !s->eos && s->busy < s->cfg.depth) {
		buf = s->cfg.buf_get(s->cfg.buf_ctx);
		if (buf == NULL)
			break;
		slot = &s->slots[s->tail];
		memset(&slot->io, 0, sizeof(slot->io));
		slot->io.buf = buf;
		slot->io.cap = s->cfg.chunk_size;
		slot->io.cookie = slot;
		slot->flags = mig_dev_state(s->dev) == MIG_STATE_STOP_COPY
				      ? MIG_WIRE_CHUNK_F_STOPCOPY
				      : MIG_WIRE_CHUNK_F_PRECOPY;
		ret = mig_dev_save_submit(s->dev, &slot->io);
		if (ret == -EBUSY) {
			s->cfg.buf_put(s->cfg.buf_ctx, buf);
			break;
		}
		if (ret < 0) {
			s->cfg.buf_put(s->cfg.buf_ctx, buf);
			return src_fail(s, ret);
		}
		slot->busy = true;
		slot->done = false;
		slot->has_crc = false;
		s->tail = (s->tail + 1) % s->cfg.depth;
		s->busy++;
		n++;
	}
	return n;
}

/* Take completions from the device; they may arrive in any order. */
static int
src_collect(struct mig_src *s)
{
	struct mig_io *done[SRC_POLL_BURST];
	int i, n;

	n = mig_dev_poll(s->dev, done, SRC_POLL_BURST);
	if (n < 0)
		return src_fail(s, n);
	for (i = 0; i < n; i++)
		((struct mig_src_slot *)done[i]->cookie)->done = true;
	return n;
}

static void
src_slot_free(struct mig_src *s, struct mig_src_slot *slot)
{
	slot->busy = false;
	slot->done = false;
	s->head = (s->head + 1) % s->cfg.depth;
	s->busy--;
}

/* Handle completed saves in submission order; emit the ones with data. */
static int
src_emit(struct mig_src *s)
{
	struct mig_wire_chunk hdr;
	struct mig_src_slot *slot;
	int ret, n = 0;

	while (s->busy) {
		slot = &s->slots[s->head];
		if (!slot->done)
			break;
		if (slot->io.status == -ENOMSG ||
		    (slot->io.status == 0 && slot->io.len == 0)) {
			if (slot->io.status == 0 &&
			    slot->flags == MIG_WIRE_CHUNK_F_STOPCOPY)
				s->eos = true;
			else
				s->nodata = true;
			s->cfg.buf_put(s->cfg.buf_ctx, slot->io.buf);
			src_slot_free(s, slot);
			n++;
			continue;
		}
		if (slot->io.status < 0) {
			mig_err_set(mig_logtype_engine,
				    "device %s: save of chunk %" PRIu64 " failed: %s",
				    mig_dev_name(s->dev), s->next_index,
				    mig_err_last()[0] ? mig_err_last()
						      : strerror(-slot->io.status));
			return src_fail(s, slot->io.status);
		}
		hdr.dev_id = s->cfg.dev_id;
		hdr.flags = slot->flags;
		hdr.index = s->next_index;
		hdr.length = slot->io.len;
		/* Once per chunk, even if the emitter refuses it for now. */
		if (!slot->has_crc) {
			slot->crc = mig_wire_crc32c(slot->io.buf,
						    slot->io.len);
			slot->has_crc = true;
		}
		hdr.crc = slot->crc;
		hdr.payload = slot->io.buf;
		ret = s->cfg.emit(s->cfg.emit_ctx, &hdr, slot->io.buf,
				  slot->io.buf);
		if (ret == -EAGAIN)
			break;
		if (ret < 0)
			return src_fail(s, ret);
		s->digest = mig_wire_digest_add(s->digest, hdr.index,
						hdr.length, hdr.crc);
		s->next_index++;
		s->bytes += hdr.length;
		if (hdr.flags == MIG_WIRE_CHUNK_F_STOPCOPY)
			s->stop_bytes += hdr.length;
		s->chunks++;
		s->sent_outstanding++;
		src_slot_free(s, slot);
		n++;
	}
	return n;
}

int
mig_src_poll(struct mig_src *s)
{
	int a, b, c;

	if (s->error)
		return s->error;
	a = src_collect(s);
	if (a < 0)
		return a;
	b = src_emit(s);
	if (b < 0)
		return b;
	c = src_submit(s);
	if (c < 0)
		return c;
	return a + b + c;
}

void
mig_src_buf_done(struct mig_src *s, void *cookie)
{
	s->cfg.buf_put(s->cfg.buf_ctx, cookie);
	if (s->sent_outstanding)
		s->sent_outstanding--;
}

bool
mig_src_quiet(const struct mig_src *s)
{
	return s->busy == 0;
}

bool
mig_src_finished(const struct mig_src *s)
{
	return s->eos && s->busy == 0 && s->sent_outstanding == 0;
}

void
mig_src_hold(struct mig_src *s, bool hold)
{
	s->hold = hold;
}

void
mig_src_rearm(struct mig_src *s)
{
	s->nodata = false;
}

bool
mig_src_drain(struct mig_src *s)
{
	s->hold = true;
	if (mig_dev_inflight(s->dev))
		src_collect(s);
	return mig_dev_inflight(s->dev) == 0;
}

void
mig_src_release(struct mig_src *s)
{
	struct mig_src_slot *slot;
	unsigned int i;

	for (i = 0; i < s->cfg.depth; i++) {
		slot = &s->slots[i];
		if (slot->busy)
			s->cfg.buf_put(s->cfg.buf_ctx, slot->io.buf);
		slot->busy = false;
		slot->done = false;
	}
	s->busy = 0;
	s->head = s->tail = 0;
}
