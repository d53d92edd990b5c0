/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Session-level checker of received frames; see mig_wire_rx.h and the
 * "Receive rules" of doc/wire-format.md.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "mig_log.h"
#include "mig_wire.h"
#include "mig_wire_rx.h"

/* the window bitmaps follow the device array in one allocation */
_Static_assert(sizeof(struct mig_wire_rx_dev) % sizeof(uint64_t) == 0,
	       "bitmap alignment");

/* Which end may send each frame type. */
#define BY_SRC (1u << MIG_WIRE_ROLE_SOURCE)
#define BY_DST (1u << MIG_WIRE_ROLE_DEST)

static const uint8_t sent_by[MIG_WIRE_T_MAX + 1] = {
	[MIG_WIRE_T_HELLO] = BY_SRC | BY_DST,
	[MIG_WIRE_T_AUTH] = BY_SRC | BY_DST,
	[MIG_WIRE_T_DEV_DESC] = BY_SRC,
	[MIG_WIRE_T_CHUNK] = BY_SRC,
	[MIG_WIRE_T_INIT_SENT] = BY_SRC,
	[MIG_WIRE_T_SWITCHOVER_ACK] = BY_DST,
	[MIG_WIRE_T_CREDIT] = BY_DST,
	[MIG_WIRE_T_DEV_END] = BY_SRC,
	[MIG_WIRE_T_DONE] = BY_DST,
	[MIG_WIRE_T_ABORT] = BY_SRC | BY_DST,
	[MIG_WIRE_T_KEEPALIVE] = BY_SRC | BY_DST,
};

static const char *
role_name(unsigned int role)
{
	switch (role) {
	case MIG_WIRE_ROLE_SOURCE:
		return "source";
	case MIG_WIRE_ROLE_DEST:
		return "destination";
	default:
		return "unknown role";
	}
}

/* Record @p err as the sticky error with a one-line message. */
static int __attribute__((format(printf, 3, 4)))
rx_err(struct mig_wire_rx *rx, int err, const char *fmt, ...)
{
	char msg[MIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mig_err_set(mig_logtype_wire, "wire: %s", msg);
	rx->error = err;
	return err;
}

int
mig_wire_rx_init(struct mig_wire_rx *rx, enum mig_wire_role role,
		 uint64_t local_features, const struct mig_wire_limits *lim)
{
	memset(rx, 0, sizeof(*rx));
	if (role != MIG_WIRE_ROLE_SOURCE && role != MIG_WIRE_ROLE_DEST) {
		mig_err_set(mig_logtype_wire, "wire: rx: bad local role %d",
			    (int)role);
		return -EINVAL;
	}
	mig_wire_limits_normalize(&rx->lim, lim);
	rx->role = role;
	rx->local_features = local_features;
	rx->window = rx->lim.window;
	return 0;
}

void
mig_wire_rx_fini(struct mig_wire_rx *rx)
{
	/* devices and their bitmaps are one allocation */
	free(rx->devs);
	rx->devs = NULL;
	rx->dev_count = 0;
}

const struct mig_wire_rx_dev *
mig_wire_rx_dev(const struct mig_wire_rx *rx, uint32_t dev_id)
{
	if (rx->devs == NULL || dev_id >= rx->dev_count)
		return NULL;
	return &rx->devs[dev_id];
}

static int
rx_hello(struct mig_wire_rx *rx, const struct mig_wire_hello *h)
{
	struct mig_wire_hello local = {
		.version_min = MIG_WIRE_VERSION_MIN,
		.version_max = MIG_WIRE_VERSION_MAX,
		.features = rx->local_features,
	};
	size_t words, size;
	uint32_t i;
	uint8_t *mem;
	int ret;

	if (h->role == rx->role)
		return rx_err(rx, -EPROTO, "peer HELLO claims the %s role, "
			      "like this end", role_name(h->role));
	ret = mig_wire_negotiate(&local, h, &rx->version, &rx->features);
	if (ret < 0)
		return rx_err(rx, ret, "no common protocol version (this end "
			      "%u..%u, peer %u..%u)", MIG_WIRE_VERSION_MIN,
			      MIG_WIRE_VERSION_MAX, h->version_min,
			      h->version_max);
	if (h->dev_count > rx->lim.max_devices)
		return rx_err(rx, -ERANGE, "peer HELLO declares %" PRIu32
			      " devices, limit %" PRIu32, h->dev_count,
			      rx->lim.max_devices);

	/* bounded: max_devices * (state + window bits) */
	words = rx->role == MIG_WIRE_ROLE_DEST ?
		RTE_MAX(rx->window / 64, 1u) : 0;
	size = (size_t)RTE_MAX(h->dev_count, 1u) *
		(sizeof(struct mig_wire_rx_dev) + words * sizeof(uint64_t));
	mem = calloc(1, size);
	if (mem == NULL)
		return rx_err(rx, -ENOMEM, "cannot allocate receive state "
			      "for %" PRIu32 " devices", h->dev_count);
	rx->devs = (struct mig_wire_rx_dev *)mem;
	mem += (size_t)RTE_MAX(h->dev_count, 1u) *
		sizeof(struct mig_wire_rx_dev);
	for (i = 0; i < h->dev_count; i++) {
		rx->devs[i].stopcopy_min = UINT64_MAX;
		rx->devs[i].win = words == 0 ? NULL :
			(uint64_t *)(void *)(mem + i * words * 8);
	}
	rx->dev_count = h->dev_count;
	rx->peer = *h;
	rx->hello = true;
	rx->need_auth = (rx->features & MIG_WIRE_FEAT_AUTH) != 0;
	return 0;
}

/* The state of a described device, or an error. */
static struct mig_wire_rx_dev *
rx_get_dev(struct mig_wire_rx *rx, const char *what, uint32_t dev_id)
{
	struct mig_wire_rx_dev *d;

	if (dev_id >= rx->dev_count) {
		rx_err(rx, -ERANGE, "%s for device %" PRIu32 ": device id "
		       "beyond the %" PRIu32 " declared devices", what, dev_id,
		       rx->dev_count);
		return NULL;
	}
	d = &rx->devs[dev_id];
	if ((d->flags & MIG_WIRE_RX_DEV_DESCRIBED) == 0) {
		rx_err(rx, -EPROTO, "%s for device %" PRIu32 " before its "
		       "DEV_DESC", what, dev_id);
		return NULL;
	}
	return d;
}

static int
rx_dev_desc(struct mig_wire_rx *rx, const struct mig_wire_dev_desc *dd)
{
	struct mig_wire_rx_dev *d;

	if (dd->dev_id >= rx->dev_count)
		return rx_err(rx, -ERANGE, "DEV_DESC for device %" PRIu32
			      ": device id beyond the %" PRIu32 " declared "
			      "devices", dd->dev_id, rx->dev_count);
	d = &rx->devs[dd->dev_id];
	if (d->flags & MIG_WIRE_RX_DEV_DESCRIBED)
		return rx_err(rx, -EEXIST, "duplicate DEV_DESC for device %"
			      PRIu32, dd->dev_id);
	if (dd->chunk_size > rx->peer.chunk_size)
		return rx_err(rx, -EMSGSIZE, "DEV_DESC for device %" PRIu32
			      ": chunk size %" PRIu32 " exceeds the session "
			      "chunk size %" PRIu32, dd->dev_id,
			      dd->chunk_size, rx->peer.chunk_size);
	d->caps = dd->caps;
	d->chunk_size = dd->chunk_size;
	d->flags |= MIG_WIRE_RX_DEV_DESCRIBED;
	rx->described++;
	return 0;
}

/*
 * After DEV_END: check what was received against the announced totals;
 * complete the device when every chunk is there.
 */
static int
rx_dev_check_end(struct mig_wire_rx *rx, uint32_t id,
		 struct mig_wire_rx_dev *d)
{
	const struct mig_wire_dev_end *e = &d->end;

	if (d->end_index > e->chunk_count)
		return rx_err(rx, -EBADMSG, "device %" PRIu32 ": DEV_END "
			      "announces %" PRIu64 " chunks but index %"
			      PRIu64 " was received", id, e->chunk_count,
			      d->end_index - 1);
	if (d->bytes > e->total_bytes)
		return rx_err(rx, -EBADMSG, "device %" PRIu32 ": received %"
			      PRIu64 " bytes, more than the DEV_END total %"
			      PRIu64, id, d->bytes, e->total_bytes);
	if ((d->flags & MIG_WIRE_RX_DEV_INIT_SENT) &&
	    d->init_end > e->chunk_count)
		return rx_err(rx, -EBADMSG, "device %" PRIu32 ": initial data "
			      "ends at index %" PRIu64 ", beyond the %" PRIu64
			      " chunks of DEV_END", id, d->init_end,
			      e->chunk_count);
	if (d->chunks < e->chunk_count)
		return 0; /* more chunks in flight */
	/* every index < chunk_count received exactly once */
	if (d->bytes != e->total_bytes)
		return rx_err(rx, -EBADMSG, "device %" PRIu32 ": received %"
			      PRIu64 " bytes in %" PRIu64 " chunks, DEV_END "
			      "says %" PRIu64 " bytes", id, d->bytes,
			      d->chunks, e->total_bytes);
	if (d->digest != e->digest)
		return rx_err(rx, -EBADMSG, "device %" PRIu32 ": stream digest "
			      "mismatch (DEV_END 0x%016" PRIx64 ", received "
			      "0x%016" PRIx64 ")", id, e->digest, d->digest);
	d->flags |= MIG_WIRE_RX_DEV_COMPLETE;
	rx->complete++;
	return MIG_WIRE_RX_DEV_DONE;
}

static inline bool
win_test(const struct mig_wire_rx_dev *d, uint32_t w, uint64_t index)
{
	uint32_t bit = (uint32_t)(index & (w - 1));

	return (d->win[bit / 64] >> (bit % 64)) & 1;
}

static inline void
win_flip(struct mig_wire_rx_dev *d, uint32_t w, uint64_t index)
{
	uint32_t bit = (uint32_t)(index & (w - 1));

	d->win[bit / 64] ^= UINT64_C(1) << (bit % 64);
}

static int
rx_chunk(struct mig_wire_rx *rx, const struct mig_wire_chunk *c)
{
	const uint32_t w = rx->window;
	struct mig_wire_rx_dev *d;
	const uint32_t id = c->dev_id;
	const uint64_t i = c->index;

	d = rx_get_dev(rx, "chunk", id);
	if (d == NULL)
		return rx->error;
	if (d->flags & MIG_WIRE_RX_DEV_COMPLETE)
		return rx_err(rx, -EPROTO, "chunk for device %" PRIu32
			      " index %" PRIu64 " after its DEV_END (stream "
			      "complete)", id, i);
	if ((d->flags & MIG_WIRE_RX_DEV_ENDED) && i >= d->end.chunk_count)
		return rx_err(rx, -EPROTO, "chunk for device %" PRIu32
			      " index %" PRIu64 " after its DEV_END (%" PRIu64
			      " chunks)", id, i, d->end.chunk_count);
	if (c->length > d->chunk_size)
		return rx_err(rx, -EMSGSIZE, "chunk for device %" PRIu32
			      " index %" PRIu64 ": length %" PRIu32 " exceeds "
			      "the device chunk size %" PRIu32, id, i,
			      c->length, d->chunk_size);

	if (c->flags & MIG_WIRE_CHUNK_F_PRECOPY) {
		if ((d->caps & MIG_WIRE_CAP_PRE_COPY) == 0 ||
		    (rx->features & MIG_WIRE_FEAT_PRECOPY) == 0)
			return rx_err(rx, -EPROTO, "pre-copy chunk for device %"
				      PRIu32 " index %" PRIu64 ", but %s", id,
				      i, (rx->features & MIG_WIRE_FEAT_PRECOPY)
				      ? "the device lacks PRE_COPY" :
				      "pre-copy was not negotiated");
		if (i > d->stopcopy_min)
			return rx_err(rx, -EPROTO, "pre-copy chunk for device %"
				      PRIu32 " index %" PRIu64 " after stop-"
				      "copy chunk %" PRIu64, id, i,
				      d->stopcopy_min);
	} else {
		if (i < d->precopy_end)
			return rx_err(rx, -EPROTO, "stop-copy chunk for device "
				      "%" PRIu32 " index %" PRIu64 " before "
				      "pre-copy chunk %" PRIu64, id, i,
				      d->precopy_end - 1);
		if ((d->flags & MIG_WIRE_RX_DEV_INIT_SENT) && i < d->init_end)
			return rx_err(rx, -EPROTO, "stop-copy chunk for device "
				      "%" PRIu32 " index %" PRIu64 " inside "
				      "the initial data (INIT_SENT end index "
				      "%" PRIu64 ")", id, i, d->init_end);
	}

	if (i < d->next_index || (i - d->next_index < w && win_test(d, w, i)))
		return rx_err(rx, -EEXIST, "chunk for device %" PRIu32
			      ": duplicate index %" PRIu64, id, i);
	if (i - d->next_index >= w)
		return rx_err(rx, -ERANGE, "chunk for device %" PRIu32
			      ": index %" PRIu64 " beyond the reorder window "
			      "(next expected %" PRIu64 ", window %" PRIu32
			      ")", id, i, d->next_index, w);
	if (d->bytes + c->length < d->bytes)
		return rx_err(rx, -EOVERFLOW, "chunk for device %" PRIu32
			      ": byte count overflow", id);

	/* only indexes in [next_index, next_index + w) have their bit set */
	win_flip(d, w, i);
	while (win_test(d, w, d->next_index)) {
		win_flip(d, w, d->next_index);
		d->next_index++;
	}
	d->chunks++;
	d->bytes += c->length;
	d->digest = mig_wire_digest_add(d->digest, i, c->length, c->crc);
	d->end_index = RTE_MAX(d->end_index, i + 1);
	if (c->flags & MIG_WIRE_CHUNK_F_PRECOPY)
		d->precopy_end = RTE_MAX(d->precopy_end, i + 1);
	else
		d->stopcopy_min = RTE_MIN(d->stopcopy_min, i);

	if (d->flags & MIG_WIRE_RX_DEV_ENDED)
		return rx_dev_check_end(rx, id, d);
	return 0;
}

static int
rx_init_sent(struct mig_wire_rx *rx, const struct mig_wire_init_sent *is)
{
	struct mig_wire_rx_dev *d;

	d = rx_get_dev(rx, "INIT_SENT", is->dev_id);
	if (d == NULL)
		return rx->error;
	if (d->flags & MIG_WIRE_RX_DEV_ENDED)
		return rx_err(rx, -EPROTO, "INIT_SENT for device %" PRIu32
			      " after its DEV_END", is->dev_id);
	if ((d->caps & MIG_WIRE_CAP_PRE_COPY) == 0 ||
	    (rx->features & MIG_WIRE_FEAT_PRECOPY) == 0)
		return rx_err(rx, -EPROTO, "INIT_SENT for device %" PRIu32
			      ", but %s", is->dev_id,
			      (rx->features & MIG_WIRE_FEAT_PRECOPY) ?
			      "the device lacks PRE_COPY" :
			      "pre-copy was not negotiated");
	if (d->flags & MIG_WIRE_RX_DEV_INIT_SENT)
		return rx_err(rx, -EEXIST, "duplicate INIT_SENT for device %"
			      PRIu32, is->dev_id);
	if (d->stopcopy_min < is->end_index)
		return rx_err(rx, -EPROTO, "INIT_SENT for device %" PRIu32
			      ": initial data up to index %" PRIu64 " overlaps"
			      " stop-copy chunk %" PRIu64, is->dev_id,
			      is->end_index, d->stopcopy_min);
	d->init_end = is->end_index;
	d->flags |= MIG_WIRE_RX_DEV_INIT_SENT;
	return 0;
}

static int
rx_dev_end(struct mig_wire_rx *rx, const struct mig_wire_dev_end *e)
{
	struct mig_wire_rx_dev *d;

	d = rx_get_dev(rx, "DEV_END", e->dev_id);
	if (d == NULL)
		return rx->error;
	if (d->flags & MIG_WIRE_RX_DEV_ENDED)
		return rx_err(rx, -EEXIST, "duplicate DEV_END for device %"
			      PRIu32, e->dev_id);
	d->end = *e;
	d->flags |= MIG_WIRE_RX_DEV_ENDED;
	return rx_dev_check_end(rx, e->dev_id, d);
}

static int
rx_switchover_ack(struct mig_wire_rx *rx, uint32_t dev_id)
{
	struct mig_wire_rx_dev *d;

	if ((rx->features & MIG_WIRE_FEAT_SWITCHOVER_ACK) == 0)
		return rx_err(rx, -EPROTO, "SWITCHOVER_ACK, but switchover-ack "
			      "was not negotiated");
	if (dev_id == MIG_WIRE_DEV_ALL) {
		if (rx->acked_all)
			return rx_err(rx, -EEXIST, "duplicate SWITCHOVER_ACK "
				      "for all devices");
		rx->acked_all = true;
		return 0;
	}
	if (dev_id >= rx->dev_count)
		return rx_err(rx, -ERANGE, "SWITCHOVER_ACK for device %" PRIu32
			      ": device id beyond the %" PRIu32 " declared "
			      "devices", dev_id, rx->dev_count);
	d = &rx->devs[dev_id];
	if (rx->acked_all || (d->flags & MIG_WIRE_RX_DEV_ACKED))
		return rx_err(rx, -EEXIST, "duplicate SWITCHOVER_ACK for "
			      "device %" PRIu32, dev_id);
	d->flags |= MIG_WIRE_RX_DEV_ACKED;
	return 0;
}

int
mig_wire_rx_feed(struct mig_wire_rx *rx, const struct mig_wire_msg *msg)
{
	uint8_t peer_role;
	uint8_t t = msg->type;

	if (rx->error != 0)
		return rx->error;
	if (rx->aborted)
		return rx_err(rx, -EPROTO, "%s after the peer's ABORT",
			      mig_wire_type_name(t));
	if (t == MIG_WIRE_T_NONE)
		return 0; /* unknown optional frame, skipped */
	if (t > MIG_WIRE_T_MAX)
		return rx_err(rx, -EPROTO, "frame type %u not decoded", t);
	if (t == MIG_WIRE_T_ABORT) {
		rx->aborted = true;
		rx->abort = msg->abort;
		return 0;
	}
	peer_role = rx->role == MIG_WIRE_ROLE_SOURCE ?
		MIG_WIRE_ROLE_DEST : MIG_WIRE_ROLE_SOURCE;
	if ((sent_by[t] & (1u << peer_role)) == 0)
		return rx_err(rx, -EPROTO, "%s received from the %s, which "
			      "never sends it", mig_wire_type_name(t),
			      role_name(peer_role));
	if (!rx->hello) {
		if (t != MIG_WIRE_T_HELLO)
			return rx_err(rx, -EPROTO, "%s before HELLO",
				      mig_wire_type_name(t));
		return rx_hello(rx, &msg->hello);
	}
	if (t == MIG_WIRE_T_HELLO)
		return rx_err(rx, -EEXIST, "duplicate HELLO");
	if (rx->need_auth) {
		if (t != MIG_WIRE_T_AUTH)
			return rx_err(rx, -EPROTO, "%s before AUTH",
				      mig_wire_type_name(t));
		rx->need_auth = false;
		return 0;
	}
	if (t == MIG_WIRE_T_AUTH) {
		if (rx->features & MIG_WIRE_FEAT_AUTH)
			return rx_err(rx, -EEXIST, "duplicate AUTH");
		return rx_err(rx, -EPROTO, "AUTH, but authentication was not "
			      "negotiated");
	}
	if (rx->done)
		return rx_err(rx, -EPROTO, "%s after DONE",
			      mig_wire_type_name(t));

	switch (t) {
	case MIG_WIRE_T_DEV_DESC:
		return rx_dev_desc(rx, &msg->dev_desc);
	case MIG_WIRE_T_CHUNK:
		return rx_chunk(rx, &msg->chunk);
	case MIG_WIRE_T_INIT_SENT:
		return rx_init_sent(rx, &msg->init_sent);
	case MIG_WIRE_T_DEV_END:
		return rx_dev_end(rx, &msg->dev_end);
	case MIG_WIRE_T_SWITCHOVER_ACK:
		return rx_switchover_ack(rx, msg->switchover_ack.dev_id);
	case MIG_WIRE_T_CREDIT:
		if ((rx->features & MIG_WIRE_FEAT_CREDIT) == 0)
			return rx_err(rx, -EPROTO, "CREDIT, but credit flow "
				      "control was not negotiated");
		if (msg->credit.dev_id != MIG_WIRE_DEV_ALL &&
		    msg->credit.dev_id >= rx->dev_count)
			return rx_err(rx, -ERANGE, "CREDIT for device %" PRIu32
				      ": device id beyond the %" PRIu32
				      " declared devices", msg->credit.dev_id,
				      rx->dev_count);
		return 0;
	case MIG_WIRE_T_KEEPALIVE:
		return 0;
	case MIG_WIRE_T_DONE:
		if (msg->done.dev_count != rx->dev_count)
			return rx_err(rx, -EBADMSG, "DONE reports %" PRIu32
				      " devices running, %" PRIu32 " declared",
				      msg->done.dev_count, rx->dev_count);
		rx->done = true;
		return 0;
	default:
		return rx_err(rx, -EPROTO, "unexpected %s",
			      mig_wire_type_name(t));
	}
}

/* finish() is a query: its errors are not sticky. */
static int __attribute__((format(printf, 2, 3)))
fin_err(int err, const char *fmt, ...)
{
	char msg[MIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mig_err_set(mig_logtype_wire, "wire: %s", msg);
	return err;
}

int
mig_wire_rx_finish(struct mig_wire_rx *rx)
{
	const struct mig_wire_rx_dev *d;
	uint32_t i;

	if (rx->aborted) {
		char dev[24] = "";

		if (rx->abort.dev_id != MIG_WIRE_DEV_NONE)
			snprintf(dev, sizeof(dev), " device %" PRIu32,
				 rx->abort.dev_id);
		mig_err_set(mig_logtype_wire, "wire: peer aborted%s at step %s:"
			    " %s (%s)", dev, mig_wire_step_name(rx->abort.step),
			    rx->abort.reason, strerror(-rx->abort.code));
		return -ECONNABORTED;
	}
	if (rx->error != 0)
		return rx->error;
	if (!rx->hello)
		return fin_err(-EPROTO, "session ended before HELLO");
	if (rx->need_auth)
		return fin_err(-EPROTO, "session ended before AUTH");
	if (rx->role == MIG_WIRE_ROLE_SOURCE) {
		if (!rx->done)
			return fin_err(-EPROTO, "session ended before DONE");
		return 0;
	}
	for (i = 0; i < rx->dev_count; i++) {
		d = &rx->devs[i];
		if ((d->flags & MIG_WIRE_RX_DEV_DESCRIBED) == 0)
			return fin_err(-EPROTO, "device %" PRIu32 " was "
				      "never described", i);
		if ((d->flags & MIG_WIRE_RX_DEV_ENDED) == 0)
			return fin_err(-EPROTO, "device %" PRIu32 ": no "
				      "DEV_END (%" PRIu64 " chunks, %" PRIu64
				      " bytes received)", i, d->chunks,
				      d->bytes);
		if ((d->flags & MIG_WIRE_RX_DEV_COMPLETE) == 0)
			return fin_err(-EPROTO, "device %" PRIu32 ": "
				      "incomplete stream, %" PRIu64 " of %"
				      PRIu64 " chunks received (index %" PRIu64
				      " missing)", i, d->chunks,
				      d->end.chunk_count, d->next_index);
	}
	return 0;
}
