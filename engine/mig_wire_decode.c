/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Wire format v1 frame decoders; see mig_wire.c.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>

#include "mig_crc.h"
#include "mig_wire.h"
#include "mig_wire_priv.h"

int
mig_wire_hdr_decode(const void *buf, size_t len, struct mig_wire_hdr *hdr,
		    const struct mig_wire_limits *lim)
{
	struct mig_wire_limits l;
	struct mig_wire_hdr_le w;
	uint32_t magic, crc, want;
	struct mig_wire_hdr h;
	int ret;

	if (len < sizeof(w))
		return -EAGAIN;
	memcpy(&w, buf, sizeof(w));

	magic = rte_le_to_cpu_32(w.magic);
	if (magic != MIG_WIRE_MAGIC) {
		WIRE_ERR("bad frame magic 0x%08" PRIx32 " (expected 0x%08"
			 PRIx32 " \"MIGW\")", magic, MIG_WIRE_MAGIC);
		return -EPROTO;
	}
	crc = rte_le_to_cpu_32(w.hdr_crc);
	want = mig_crc32c(&w, offsetof(struct mig_wire_hdr_le, hdr_crc));
	if (crc != want) {
		WIRE_ERR("frame header CRC mismatch (got 0x%08" PRIx32
			 ", computed 0x%08" PRIx32 ")", crc, want);
		return -EBADMSG;
	}
	h.version = w.version;
	h.type = w.type;
	h.flags = rte_le_to_cpu_16(w.flags);
	h.body_len = rte_le_to_cpu_32(w.body_len);
	h.body_crc = rte_le_to_cpu_32(w.body_crc);
	ret = mig_wire_check_reserved("frame header",
				      rte_le_to_cpu_32(w.reserved));
	if (ret < 0)
		return ret;

	mig_wire_limits_normalize(&l, lim);
	ret = mig_wire_check_hdr(&h, &l);
	if (ret < 0)
		return ret;
	*hdr = h;
	return 0;
}

/*
 * Body decoders: hdr->body_len has been checked against the type.
 */

static int
dec_hello(const uint8_t *b, struct mig_wire_msg *m,
	  const struct mig_wire_limits *lim)
{
	struct mig_wire_hello_le w;
	struct mig_wire_hello *h = &m->hello;
	int ret;

	/* bytes beyond the v1 layout are extensions of later versions */
	memcpy(&w, b, sizeof(w));
	ret = mig_wire_check_reserved("HELLO", w.reserved0 |
				      rte_le_to_cpu_32(w.reserved1));
	if (ret < 0)
		return ret;
	h->version_min = w.version_min;
	h->version_max = w.version_max;
	h->role = w.role;
	h->chunk_size = rte_le_to_cpu_32(w.chunk_size);
	h->features = rte_le_to_cpu_64(w.features);
	h->slot_count = rte_le_to_cpu_32(w.slot_count);
	h->dev_count = rte_le_to_cpu_32(w.dev_count);
	h->window = rte_le_to_cpu_32(w.window);
	memcpy(h->nonce, w.nonce, sizeof(h->nonce));
	ret = mig_wire_check_wire_str("HELLO session", w.session,
				      sizeof(w.session), false);
	if (ret < 0)
		return ret;
	memcpy(h->session, w.session, sizeof(h->session));
	return mig_wire_check_hello(h, lim);
}

static int
dec_dev_desc(const uint8_t *b, struct mig_wire_msg *m,
	     const struct mig_wire_limits *lim)
{
	struct mig_wire_dev_desc_le w;
	struct mig_wire_dev_desc *d = &m->dev_desc;
	char what[48];
	int ret;

	memcpy(&w, b, sizeof(w));
	d->dev_id = rte_le_to_cpu_32(w.dev_id);
	d->chunk_size = rte_le_to_cpu_32(w.chunk_size);
	d->caps = rte_le_to_cpu_64(w.caps);
	d->state_size = rte_le_to_cpu_64(w.state_size);
	ret = mig_wire_check_dev_desc(d, lim);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "DEV_DESC for device %" PRIu32 ": name",
		 d->dev_id);
	ret = mig_wire_check_wire_str(what, w.name, sizeof(w.name), true);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "DEV_DESC for device %" PRIu32
		 ": driver", d->dev_id);
	ret = mig_wire_check_wire_str(what, w.driver, sizeof(w.driver), false);
	if (ret < 0)
		return ret;
	memcpy(d->name, w.name, sizeof(d->name));
	memcpy(d->driver, w.driver, sizeof(d->driver));
	return 0;
}

int
mig_wire_chunk_hdr_decode(const struct mig_wire_hdr *hdr, const void *chunk_hdr,
			  struct mig_wire_chunk *c,
			  const struct mig_wire_limits *lim)
{
	struct mig_wire_chunk_le w;
	struct mig_wire_limits l;
	uint32_t crc;
	int ret;

	mig_wire_limits_normalize(&l, lim);
	if (hdr->type != MIG_WIRE_T_CHUNK ||
	    hdr->body_len < sizeof(w)) {
		WIRE_ERR("%s frame of %" PRIu32 " bytes is not a chunk",
			 mig_wire_type_name(hdr->type), hdr->body_len);
		return -EINVAL;
	}
	crc = mig_crc32c(chunk_hdr, sizeof(w));
	if (crc != hdr->body_crc) {
		WIRE_ERR("CHUNK frame: header CRC mismatch (got 0x%08" PRIx32
			 ", computed 0x%08" PRIx32 ")", hdr->body_crc, crc);
		return -EBADMSG;
	}
	memcpy(&w, chunk_hdr, sizeof(w));
	c->dev_id = rte_le_to_cpu_32(w.dev_id);
	c->flags = rte_le_to_cpu_32(w.flags);
	c->index = rte_le_to_cpu_64(w.index);
	c->length = rte_le_to_cpu_32(w.length);
	c->crc = rte_le_to_cpu_32(w.crc);
	c->payload = NULL;
	ret = mig_wire_check_chunk(c, &l);
	if (ret < 0)
		return ret;
	if (c->length != hdr->body_len - sizeof(w)) {
		WIRE_ERR("chunk for device %" PRIu32 " index %" PRIu64
			 ": length %" PRIu32 " does not match the frame (%"
			 PRIu32 " payload bytes)", c->dev_id, c->index,
			 c->length, (uint32_t)(hdr->body_len - sizeof(w)));
		return -EMSGSIZE;
	}
	return 0;
}

static int
dec_chunk(const struct mig_wire_hdr *hdr, const uint8_t *b,
	  struct mig_wire_msg *m, const struct mig_wire_limits *lim)
{
	struct mig_wire_chunk *c = &m->chunk;
	uint32_t crc;
	int ret;

	ret = mig_wire_chunk_hdr_decode(hdr, b, c, lim);
	if (ret < 0)
		return ret;
	b += sizeof(struct mig_wire_chunk_le);
	crc = mig_crc32c(b, c->length);
	if (crc != c->crc) {
		WIRE_ERR("chunk for device %" PRIu32 " index %" PRIu64
			 ": payload CRC mismatch (got 0x%08" PRIx32
			 ", computed 0x%08" PRIx32 ")", c->dev_id, c->index,
			 c->crc, crc);
		return -EBADMSG;
	}
	c->payload = b;
	return 0;
}

static int
dec_abort(const uint8_t *b, uint32_t body_len, struct mig_wire_msg *m,
	  const struct mig_wire_limits *lim)
{
	struct mig_wire_abort_le w;
	struct mig_wire_abort *a = &m->abort;
	const char *reason = (const char *)b + sizeof(w);
	uint32_t area = body_len - sizeof(w);
	int ret;

	memcpy(&w, b, sizeof(w));
	ret = mig_wire_check_reserved("ABORT", rte_le_to_cpu_16(w.reserved0) |
				      rte_le_to_cpu_32(w.reserved1));
	if (ret < 0)
		return ret;
	a->code = (int32_t)rte_le_to_cpu_32(w.code);
	a->dev_id = rte_le_to_cpu_32(w.dev_id);
	a->step = rte_le_to_cpu_16(w.step);
	ret = mig_wire_check_msg(m, lim);
	if (ret < 0)
		return ret;
	ret = mig_wire_check_wire_str("ABORT reason", reason, area, false);
	if (ret < 0)
		return ret;
	if (area != mig_wire_abort_area_len(reason)) {
		WIRE_ERR("ABORT: reason area of %" PRIu32 " bytes for a %zu "
			 "byte reason (expected %" PRIu32 ")", area,
			 strlen(reason), mig_wire_abort_area_len(reason));
		return -EINVAL;
	}
	memset(a->reason, 0, sizeof(a->reason));
	memcpy(a->reason, reason, area);
	return 0;
}

int
mig_wire_body_decode(const struct mig_wire_hdr *hdr, const void *body,
		     size_t len, struct mig_wire_msg *m,
		     const struct mig_wire_limits *lim)
{
	const uint8_t *b = body;
	struct mig_wire_limits l;
	uint32_t crc;
	int ret;

	mig_wire_limits_normalize(&l, lim);
	ret = mig_wire_check_hdr(hdr, &l);
	if (ret < 0)
		return ret;
	if (len < hdr->body_len)
		return -EAGAIN;
	m->hdr = *hdr;
	m->type = hdr->type;
	/* CHUNK: its header and its payload have a CRC each. */
	if (hdr->type == MIG_WIRE_T_CHUNK)
		return dec_chunk(hdr, b, m, &l);
	crc = mig_crc32c(b, hdr->body_len);
	if (crc != hdr->body_crc) {
		WIRE_ERR("%s frame: body CRC mismatch (got 0x%08" PRIx32
			 ", computed 0x%08" PRIx32 ")",
			 mig_wire_type_name(hdr->type), hdr->body_crc, crc);
		return -EBADMSG;
	}

	m->hdr = *hdr;
	m->type = hdr->type;
	switch (hdr->type) {
	case MIG_WIRE_T_HELLO:
		return dec_hello(b, m, &l);
	case MIG_WIRE_T_AUTH:
		memcpy(m->auth.hmac, b, sizeof(m->auth.hmac));
		return 0;
	case MIG_WIRE_T_DEV_DESC:
		return dec_dev_desc(b, m, &l);
	case MIG_WIRE_T_INIT_SENT: {
		struct mig_wire_init_sent_le w;

		memcpy(&w, b, sizeof(w));
		m->init_sent.dev_id = rte_le_to_cpu_32(w.dev_id);
		m->init_sent.end_index = rte_le_to_cpu_64(w.end_index);
		ret = mig_wire_check_reserved("INIT_SENT",
					      rte_le_to_cpu_32(w.reserved));
		break;
	}
	case MIG_WIRE_T_SWITCHOVER_ACK: {
		struct mig_wire_switchover_ack_le w;

		memcpy(&w, b, sizeof(w));
		m->switchover_ack.dev_id = rte_le_to_cpu_32(w.dev_id);
		ret = mig_wire_check_reserved("SWITCHOVER_ACK",
					      rte_le_to_cpu_32(w.reserved));
		break;
	}
	case MIG_WIRE_T_CREDIT: {
		struct mig_wire_credit_le w;

		memcpy(&w, b, sizeof(w));
		m->credit.dev_id = rte_le_to_cpu_32(w.dev_id);
		m->credit.credits = rte_le_to_cpu_32(w.credits);
		ret = 0;
		break;
	}
	case MIG_WIRE_T_DEV_END: {
		struct mig_wire_dev_end_le w;

		memcpy(&w, b, sizeof(w));
		m->dev_end.dev_id = rte_le_to_cpu_32(w.dev_id);
		m->dev_end.total_bytes = rte_le_to_cpu_64(w.total_bytes);
		m->dev_end.chunk_count = rte_le_to_cpu_64(w.chunk_count);
		m->dev_end.digest = rte_le_to_cpu_64(w.digest);
		ret = mig_wire_check_reserved("DEV_END",
					      rte_le_to_cpu_32(w.reserved));
		break;
	}
	case MIG_WIRE_T_DONE: {
		struct mig_wire_done_le w;

		memcpy(&w, b, sizeof(w));
		m->done.dev_count = rte_le_to_cpu_32(w.dev_count);
		ret = mig_wire_check_reserved("DONE",
					      rte_le_to_cpu_32(w.reserved));
		break;
	}
	case MIG_WIRE_T_KEEPALIVE: {
		struct mig_wire_keepalive_le w;

		memcpy(&w, b, sizeof(w));
		m->keepalive.seq = rte_le_to_cpu_32(w.seq);
		ret = mig_wire_check_reserved("KEEPALIVE",
					      rte_le_to_cpu_32(w.reserved));
		break;
	}
	case MIG_WIRE_T_ABORT:
		return dec_abort(b, hdr->body_len, m, &l);
	default:
		/*
		 * unknown optional frame (mig_wire_check_hdr() refused
		 * mandatory ones)
		 */
		m->type = MIG_WIRE_T_NONE;
		return 0;
	}
	if (ret < 0)
		return ret;
	return mig_wire_check_msg(m, &l);
}

int
mig_wire_decode(const void *buf, size_t len, struct mig_wire_msg *msg,
		const struct mig_wire_limits *lim)
{
	struct mig_wire_hdr hdr;
	int ret;

	ret = mig_wire_hdr_decode(buf, len, &hdr, lim);
	if (ret < 0)
		return ret;
	msg->hdr = hdr;
	msg->type = MIG_WIRE_T_NONE;
	ret = mig_wire_body_decode(&hdr, (const uint8_t *)buf +
				   MIG_WIRE_HDR_LEN, len - MIG_WIRE_HDR_LEN,
				   msg, lim);
	if (ret < 0)
		return ret;
	/* body_len <= 24 + 16 MiB: no int overflow */
	return (int)(MIG_WIRE_HDR_LEN + hdr.body_len);
}
