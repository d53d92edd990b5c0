/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Wire format v1 frame encoders; see mig_wire.c.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "mig_crc.h"
#include "mig_wire.h"
#include "mig_wire_priv.h"

/* Encoders validate against the absolute caps. */
static const struct mig_wire_limits wire_caps = {
	.max_chunk = MIG_WIRE_CHUNK_MAX,
	.max_devices = MIG_WIRE_DEVICES_MAX,
	.max_slots = MIG_WIRE_SLOTS_MAX,
	.max_optional = MIG_WIRE_OPTIONAL_MAX,
	.window = MIG_WIRE_WINDOW_MAX,
};

/* Copy a host string into a wire area with NUL padding. */
static void
put_str(char *dst, const char *src, size_t area)
{
	size_t n = strnlen(src, area - 1);

	memcpy(dst, src, n);
	memset(dst + n, 0, area - n);
}

static void
put_hdr(void *buf, uint8_t type, uint16_t flags, uint32_t body_len,
	uint32_t body_crc)
{
	struct mig_wire_hdr_le w;

	w.magic = rte_cpu_to_le_32(MIG_WIRE_MAGIC);
	w.version = MIG_WIRE_VERSION;
	w.type = type;
	w.flags = rte_cpu_to_le_16(flags);
	w.body_len = rte_cpu_to_le_32(body_len);
	w.body_crc = rte_cpu_to_le_32(body_crc);
	w.reserved = 0;
	w.hdr_crc = rte_cpu_to_le_32(mig_crc32c(&w,
				offsetof(struct mig_wire_hdr_le, hdr_crc)));
	memcpy(buf, &w, sizeof(w));
}

uint32_t
mig_wire_abort_area_len(const char *reason)
{
	size_t n = strnlen(reason, MIG_WIRE_REASON_LEN - 1);

	return RTE_ALIGN_CEIL((uint32_t)n + 1, 8);
}

int
mig_wire_encode_chunk_hdr(void *buf, size_t size,
			  const struct mig_wire_chunk *c)
{
	struct mig_wire_chunk_le w;
	int ret;

	ret = mig_wire_check_chunk(c, &wire_caps);
	if (ret < 0)
		return ret;
	if (size < MIG_WIRE_CHUNK_HDR_LEN)
		return -ENOSPC;
	w.dev_id = rte_cpu_to_le_32(c->dev_id);
	w.flags = rte_cpu_to_le_32(c->flags);
	w.index = rte_cpu_to_le_64(c->index);
	w.length = rte_cpu_to_le_32(c->length);
	w.crc = rte_cpu_to_le_32(c->crc);
	put_hdr(buf, MIG_WIRE_T_CHUNK, 0, sizeof(w) + c->length,
		mig_crc32c(&w, sizeof(w)));
	memcpy((uint8_t *)buf + MIG_WIRE_HDR_LEN, &w, sizeof(w));
	return MIG_WIRE_CHUNK_HDR_LEN;
}

/*
 * Body encoders of the larger records, like the decoder's dec_*(): each
 * writes its record at @p body (zeroed, MIG_WIRE_ABORT_MAX bytes) and
 * returns its length.
 */

static uint32_t
enc_hello(const struct mig_wire_hello *h, uint8_t *body)
{
	struct mig_wire_hello_le w = { 0 };

	w.version_min = h->version_min;
	w.version_max = h->version_max;
	w.role = h->role;
	w.chunk_size = rte_cpu_to_le_32(h->chunk_size);
	w.features = rte_cpu_to_le_64(h->features);
	w.slot_count = rte_cpu_to_le_32(h->slot_count);
	w.dev_count = rte_cpu_to_le_32(h->dev_count);
	w.window = rte_cpu_to_le_32(h->window);
	memcpy(w.nonce, h->nonce, sizeof(w.nonce));
	put_str(w.session, h->session, sizeof(w.session));
	memcpy(body, &w, sizeof(w));
	return sizeof(w);
}

static uint32_t
enc_dev_desc(const struct mig_wire_dev_desc *d, uint8_t *body)
{
	struct mig_wire_dev_desc_le w;

	w.dev_id = rte_cpu_to_le_32(d->dev_id);
	w.chunk_size = rte_cpu_to_le_32(d->chunk_size);
	w.caps = rte_cpu_to_le_64(d->caps);
	w.state_size = rte_cpu_to_le_64(d->state_size);
	put_str(w.name, d->name, sizeof(w.name));
	put_str(w.driver, d->driver, sizeof(w.driver));
	memcpy(body, &w, sizeof(w));
	return sizeof(w);
}

static uint32_t
enc_dev_end(const struct mig_wire_dev_end *e, uint8_t *body)
{
	struct mig_wire_dev_end_le w;

	w.dev_id = rte_cpu_to_le_32(e->dev_id);
	w.reserved = 0;
	w.total_bytes = rte_cpu_to_le_64(e->total_bytes);
	w.chunk_count = rte_cpu_to_le_64(e->chunk_count);
	w.digest = rte_cpu_to_le_64(e->digest);
	memcpy(body, &w, sizeof(w));
	return sizeof(w);
}

static uint32_t
enc_abort(const struct mig_wire_abort *a, uint8_t *body)
{
	struct mig_wire_abort_le w;

	w.code = rte_cpu_to_le_32((uint32_t)a->code);
	w.dev_id = rte_cpu_to_le_32(a->dev_id);
	w.step = rte_cpu_to_le_16(a->step);
	w.reserved0 = 0;
	w.reserved1 = 0;
	memcpy(body, &w, sizeof(w));
	/* body is zeroed: the copy leaves the NUL padding */
	memcpy(body + sizeof(w), a->reason,
	       strnlen(a->reason, MIG_WIRE_REASON_LEN - 1));
	return sizeof(w) + mig_wire_abort_area_len(a->reason);
}

int
mig_wire_encode(void *buf, size_t size, const struct mig_wire_msg *m)
{
	/* the small records, their reserved fields 0 */
	struct mig_wire_init_sent_le init_sent = { 0 };
	struct mig_wire_switchover_ack_le ack = { 0 };
	struct mig_wire_credit_le credit = { 0 };
	struct mig_wire_done_le done = { 0 };
	struct mig_wire_keepalive_le ka = { 0 };
	uint8_t body[MIG_WIRE_ABORT_MAX];
	uint32_t blen;
	int ret;

	if (m->type == MIG_WIRE_T_CHUNK)
		return mig_wire_encode_chunk_hdr(buf, size, &m->chunk);
	ret = mig_wire_check_msg(m, &wire_caps);
	if (ret < 0)
		return ret;

	memset(body, 0, sizeof(body));
	switch (m->type) {
	case MIG_WIRE_T_HELLO:
		blen = enc_hello(&m->hello, body);
		break;
	case MIG_WIRE_T_AUTH:
		blen = sizeof(struct mig_wire_auth_le);
		memcpy(body, m->auth.hmac, blen);
		break;
	case MIG_WIRE_T_DEV_DESC:
		blen = enc_dev_desc(&m->dev_desc, body);
		break;
	case MIG_WIRE_T_INIT_SENT:
		init_sent.dev_id = rte_cpu_to_le_32(m->init_sent.dev_id);
		init_sent.end_index = rte_cpu_to_le_64(m->init_sent.end_index);
		blen = sizeof(init_sent);
		memcpy(body, &init_sent, blen);
		break;
	case MIG_WIRE_T_SWITCHOVER_ACK:
		ack.dev_id = rte_cpu_to_le_32(m->switchover_ack.dev_id);
		blen = sizeof(ack);
		memcpy(body, &ack, blen);
		break;
	case MIG_WIRE_T_CREDIT:
		credit.dev_id = rte_cpu_to_le_32(m->credit.dev_id);
		credit.credits = rte_cpu_to_le_32(m->credit.credits);
		blen = sizeof(credit);
		memcpy(body, &credit, blen);
		break;
	case MIG_WIRE_T_DONE:
		done.dev_count = rte_cpu_to_le_32(m->done.dev_count);
		blen = sizeof(done);
		memcpy(body, &done, blen);
		break;
	case MIG_WIRE_T_KEEPALIVE:
		ka.seq = rte_cpu_to_le_32(m->keepalive.seq);
		blen = sizeof(ka);
		memcpy(body, &ka, blen);
		break;
	case MIG_WIRE_T_DEV_END:
		blen = enc_dev_end(&m->dev_end, body);
		break;
	case MIG_WIRE_T_ABORT:
		blen = enc_abort(&m->abort, body);
		break;
	default:
		/* mig_wire_check_msg() rejected every other type */
		return -EINVAL;
	}

	if (size < MIG_WIRE_HDR_LEN + blen)
		return -ENOSPC;
	put_hdr(buf, m->type, mig_wire_type_flags(m->type), blen,
		mig_crc32c(body, blen));
	memcpy((uint8_t *)buf + MIG_WIRE_HDR_LEN, body, blen);
	return MIG_WIRE_HDR_LEN + blen;
}

int
mig_wire_encode_raw(void *buf, size_t size, uint8_t type, uint16_t flags,
		    const void *body, uint32_t body_len)
{
	if (type == MIG_WIRE_T_NONE || (flags & ~MIG_WIRE_F_ALL) != 0)
		return -EINVAL;
	if (size < MIG_WIRE_HDR_LEN || size - MIG_WIRE_HDR_LEN < body_len)
		return -ENOSPC;
	put_hdr(buf, type, flags, body_len,
		mig_crc32c(body, type == MIG_WIRE_T_CHUNK ?
			   RTE_MIN(body_len, sizeof(struct mig_wire_chunk_le)) :
			   body_len));
	if (body_len > 0)
		memcpy((uint8_t *)buf + MIG_WIRE_HDR_LEN, body, body_len);
	return MIG_WIRE_HDR_LEN + body_len;
}
