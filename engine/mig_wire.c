/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Wire format v1 frame codec. Layouts and rules: mig_wire.h and
 * doc/wire-format.md.
 *
 * Every on-wire structure is copied with memcpy() into a local, aligned
 * copy of its *_le layout and converted field by field, so the input may
 * have any alignment and the host any byte order. Lengths are checked
 * against the type and the limits in the header decoder, before the body
 * is touched; the body decoder checks them again, so it is safe on its own.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_log.h>

#include "mig_crc.h"
#include "mig_log.h"
#include "mig_wire.h"

RTE_LOG_REGISTER(mig_logtype_wire, mig.wire, INFO);

#define WIRE_ERR(fmt, ...) \
	mig_err_set(mig_logtype_wire, "wire: " fmt, ##__VA_ARGS__)

/* Field offsets the documentation promises. */
_Static_assert(offsetof(struct mig_wire_hdr_le, body_len) == 8, "hdr");
_Static_assert(offsetof(struct mig_wire_hdr_le, body_crc) == 12, "hdr");
_Static_assert(offsetof(struct mig_wire_hdr_le, hdr_crc) == 20, "hdr");
_Static_assert(offsetof(struct mig_wire_hello_le, features) == 8, "hello");
_Static_assert(offsetof(struct mig_wire_hello_le, nonce) == 32, "hello");
_Static_assert(offsetof(struct mig_wire_hello_le, session) == 64, "hello");
_Static_assert(offsetof(struct mig_wire_dev_desc_le, name) == 24, "desc");
_Static_assert(offsetof(struct mig_wire_dev_desc_le, driver) == 88, "desc");
_Static_assert(offsetof(struct mig_wire_chunk_le, index) == 8, "chunk");
_Static_assert(offsetof(struct mig_wire_chunk_le, crc) == 20, "chunk");
_Static_assert(offsetof(struct mig_wire_dev_end_le, digest) == 24, "end");
_Static_assert(offsetof(struct mig_wire_abort_le, step) == 8, "abort");
_Static_assert(MIG_WIRE_REASON_LEN % 8 == 0, "reason area granularity");
_Static_assert(MIG_WIRE_HDR_LEN + MIG_WIRE_ABORT_MAX <= MIG_WIRE_ENCODE_MAX,
	       "encode buffer");
_Static_assert(MIG_WIRE_HDR_LEN + sizeof(struct mig_wire_dev_desc_le) <=
	       MIG_WIRE_ENCODE_MAX, "encode buffer");

/* Encoders validate against the absolute caps. */
static const struct mig_wire_limits wire_caps = {
	.max_chunk = MIG_WIRE_CHUNK_MAX,
	.max_devices = MIG_WIRE_DEVICES_MAX,
	.max_slots = MIG_WIRE_SLOTS_MAX,
	.max_optional = MIG_WIRE_OPTIONAL_MAX,
	.window = MIG_WIRE_WINDOW_MAX,
};

static const char * const type_names[] = {
	[MIG_WIRE_T_NONE] = "NONE",
	[MIG_WIRE_T_HELLO] = "HELLO",
	[MIG_WIRE_T_AUTH] = "AUTH",
	[MIG_WIRE_T_DEV_DESC] = "DEV_DESC",
	[MIG_WIRE_T_CHUNK] = "CHUNK",
	[MIG_WIRE_T_INIT_SENT] = "INIT_SENT",
	[MIG_WIRE_T_SWITCHOVER_ACK] = "SWITCHOVER_ACK",
	[MIG_WIRE_T_CREDIT] = "CREDIT",
	[MIG_WIRE_T_DEV_END] = "DEV_END",
	[MIG_WIRE_T_DONE] = "DONE",
	[MIG_WIRE_T_ABORT] = "ABORT",
};

static const char * const step_names[] = {
	[MIG_WIRE_STEP_NONE] = "none",
	[MIG_WIRE_STEP_HANDSHAKE] = "handshake",
	[MIG_WIRE_STEP_SETUP] = "setup",
	[MIG_WIRE_STEP_PRECOPY] = "pre-copy",
	[MIG_WIRE_STEP_SWITCHOVER] = "switchover",
	[MIG_WIRE_STEP_STOPCOPY] = "stop-copy",
	[MIG_WIRE_STEP_COMMIT] = "commit",
};

const char *
mig_wire_type_name(unsigned int type)
{
	if (type < RTE_DIM(type_names) && type_names[type] != NULL)
		return type_names[type];
	return "UNKNOWN";
}

const char *
mig_wire_step_name(unsigned int step)
{
	if (step < RTE_DIM(step_names) && step_names[step] != NULL)
		return step_names[step];
	return "unknown";
}

uint32_t
mig_wire_crc32c(const void *buf, size_t len)
{
	return mig_crc32c(buf, len);
}

static uint32_t
limit(uint32_t v, uint32_t def, uint32_t cap)
{
	if (v == 0)
		v = def;
	return RTE_MIN(v, cap);
}

void
mig_wire_limits_normalize(struct mig_wire_limits *out,
			  const struct mig_wire_limits *in)
{
	struct mig_wire_limits l = { 0 };

	if (in != NULL)
		l = *in;
	out->max_chunk = limit(l.max_chunk, MIG_WIRE_DEF_MAX_CHUNK,
			       MIG_WIRE_CHUNK_MAX);
	out->max_devices = limit(l.max_devices, MIG_WIRE_DEF_MAX_DEVICES,
				 MIG_WIRE_DEVICES_MAX);
	out->max_slots = limit(l.max_slots, MIG_WIRE_DEF_MAX_SLOTS,
			       MIG_WIRE_SLOTS_MAX);
	out->max_optional = limit(l.max_optional, MIG_WIRE_DEF_MAX_OPTIONAL,
				  MIG_WIRE_OPTIONAL_MAX);
	out->window = rte_align32pow2(limit(l.window, MIG_WIRE_DEF_WINDOW,
					    MIG_WIRE_WINDOW_MAX));
}

/*
 * Strings: a fixed area holding a NUL-terminated string followed by NUL
 * padding up to the end of the area (one canonical encoding).
 */
static int
check_wire_str(const char *what, const char *s, size_t area, bool nonempty)
{
	size_t n = strnlen(s, area);
	size_t i;

	if (n == area) {
		WIRE_ERR("%s: not NUL-terminated within %zu bytes", what, area);
		return -EINVAL;
	}
	if (nonempty && n == 0) {
		WIRE_ERR("%s: empty", what);
		return -EINVAL;
	}
	for (i = n + 1; i < area; i++) {
		if (s[i] != '\0') {
			WIRE_ERR("%s: non-zero byte at offset %zu after the "
				 "terminating NUL", what, i);
			return -EINVAL;
		}
	}
	return 0;
}

/* Host side string (encoder): only termination and emptiness matter. */
static int
check_host_str(const char *what, const char *s, size_t area, bool nonempty)
{
	size_t n = strnlen(s, area);

	if (n == area) {
		WIRE_ERR("%s: not NUL-terminated within %zu bytes", what, area);
		return -EINVAL;
	}
	if (nonempty && n == 0) {
		WIRE_ERR("%s: empty", what);
		return -EINVAL;
	}
	return 0;
}

/* Copy a host string into a wire area with NUL padding. */
static void
put_str(char *dst, const char *src, size_t area)
{
	size_t n = strnlen(src, area - 1);

	memcpy(dst, src, n);
	memset(dst + n, 0, area - n);
}

static int
check_dev(const char *what, uint32_t dev_id, uint32_t special,
	  const struct mig_wire_limits *lim)
{
	if (dev_id == special && special != 0)
		return 0;
	if (dev_id >= lim->max_devices) {
		WIRE_ERR("%s: device id %" PRIu32 " exceeds limit %" PRIu32,
			 what, dev_id, lim->max_devices - 1);
		return -EINVAL;
	}
	return 0;
}

static int
check_reserved(const char *what, uint64_t v)
{
	if (v != 0) {
		WIRE_ERR("%s: reserved field is 0x%" PRIx64 ", must be 0",
			 what, v);
		return -EINVAL;
	}
	return 0;
}

/* Allowed body length range per type (before the limits apply). */
static int
body_range(uint8_t type, const struct mig_wire_limits *lim, uint32_t *min,
	   uint32_t *max)
{
	switch (type) {
	case MIG_WIRE_T_HELLO:
		*min = sizeof(struct mig_wire_hello_le);
		*max = MIG_WIRE_HELLO_MAX;
		return 0;
	case MIG_WIRE_T_AUTH:
		*min = *max = sizeof(struct mig_wire_auth_le);
		return 0;
	case MIG_WIRE_T_DEV_DESC:
		*min = *max = sizeof(struct mig_wire_dev_desc_le);
		return 0;
	case MIG_WIRE_T_CHUNK:
		*min = sizeof(struct mig_wire_chunk_le) + 1;
		*max = sizeof(struct mig_wire_chunk_le) + lim->max_chunk;
		return 0;
	case MIG_WIRE_T_INIT_SENT:
		*min = *max = sizeof(struct mig_wire_init_sent_le);
		return 0;
	case MIG_WIRE_T_SWITCHOVER_ACK:
		*min = *max = sizeof(struct mig_wire_switchover_ack_le);
		return 0;
	case MIG_WIRE_T_CREDIT:
		*min = *max = sizeof(struct mig_wire_credit_le);
		return 0;
	case MIG_WIRE_T_DEV_END:
		*min = *max = sizeof(struct mig_wire_dev_end_le);
		return 0;
	case MIG_WIRE_T_DONE:
		*min = *max = sizeof(struct mig_wire_done_le);
		return 0;
	case MIG_WIRE_T_ABORT:
		*min = sizeof(struct mig_wire_abort_le) + 8;
		*max = MIG_WIRE_ABORT_MAX;
		return 0;
	default:
		return -ENOENT;
	}
}

/* Validate the header fields after its CRC; see mig_wire_hdr_decode(). */
static int
check_hdr(const struct mig_wire_hdr *hdr, const struct mig_wire_limits *lim)
{
	uint32_t min, max;

	if (hdr->version != MIG_WIRE_VERSION) {
		WIRE_ERR("frame version %u not supported (this end speaks "
			 "%u..%u)", hdr->version, MIG_WIRE_VERSION_MIN,
			 MIG_WIRE_VERSION_MAX);
		return -EPROTONOSUPPORT;
	}
	if ((hdr->flags & ~MIG_WIRE_F_ALL) != 0) {
		WIRE_ERR("%s frame: unknown header flags 0x%04x",
			 mig_wire_type_name(hdr->type), hdr->flags);
		return -EINVAL;
	}
	if (hdr->type == MIG_WIRE_T_NONE) {
		WIRE_ERR("frame type 0 is reserved");
		return -EINVAL;
	}
	if (body_range(hdr->type, lim, &min, &max) != 0) {
		if ((hdr->flags & MIG_WIRE_F_OPTIONAL) == 0) {
			WIRE_ERR("unknown mandatory frame type %u", hdr->type);
			return -EPROTONOSUPPORT;
		}
		min = 0;
		max = lim->max_optional;
	}
	if (hdr->body_len < min || hdr->body_len > max) {
		if (hdr->type == MIG_WIRE_T_CHUNK && hdr->body_len > max)
			WIRE_ERR("CHUNK: body length %" PRIu32 " exceeds limit "
				 "%" PRIu32 " (chunk header %zu + max chunk %"
				 PRIu32 ")", hdr->body_len, max,
				 sizeof(struct mig_wire_chunk_le),
				 lim->max_chunk);
		else if (min == max)
			WIRE_ERR("%s: body length %" PRIu32 ", expected %"
				 PRIu32, mig_wire_type_name(hdr->type),
				 hdr->body_len, min);
		else
			WIRE_ERR("%s: body length %" PRIu32 " out of range [%"
				 PRIu32 ", %" PRIu32 "]",
				 mig_wire_type_name(hdr->type), hdr->body_len,
				 min, max);
		return -EMSGSIZE;
	}
	return 0;
}

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
	ret = check_reserved("frame header", rte_le_to_cpu_32(w.reserved));
	if (ret < 0)
		return ret;

	mig_wire_limits_normalize(&l, lim);
	ret = check_hdr(&h, &l);
	if (ret < 0)
		return ret;
	*hdr = h;
	return 0;
}

/*
 * Field validation shared by the encoder (host struct, absolute caps) and
 * the decoder (after conversion, receive limits).
 */

static int
check_hello(const struct mig_wire_hello *h, const struct mig_wire_limits *lim)
{
	if (h->version_min == 0 || h->version_min > h->version_max) {
		WIRE_ERR("HELLO: bad version range %u..%u", h->version_min,
			 h->version_max);
		return -EINVAL;
	}
	if (h->role != MIG_WIRE_ROLE_SOURCE && h->role != MIG_WIRE_ROLE_DEST) {
		WIRE_ERR("HELLO: bad role %u", h->role);
		return -EINVAL;
	}
	if (h->chunk_size == 0 || h->chunk_size > lim->max_chunk) {
		WIRE_ERR("HELLO: chunk size %" PRIu32 " out of range [1, %"
			 PRIu32 "]", h->chunk_size, lim->max_chunk);
		return -EMSGSIZE;
	}
	if (h->slot_count == 0 || h->slot_count > lim->max_slots) {
		WIRE_ERR("HELLO: slot count %" PRIu32 " out of range [1, %"
			 PRIu32 "]", h->slot_count, lim->max_slots);
		return -EINVAL;
	}
	if (h->dev_count > lim->max_devices) {
		WIRE_ERR("HELLO: device count %" PRIu32 " exceeds limit %"
			 PRIu32, h->dev_count, lim->max_devices);
		return -EINVAL;
	}
	if (h->window == 0 || h->window > MIG_WIRE_WINDOW_MAX) {
		WIRE_ERR("HELLO: reorder window %" PRIu32 " out of range [1, %"
			 PRIu32 "]", h->window, MIG_WIRE_WINDOW_MAX);
		return -EINVAL;
	}
	return 0;
}

static int
check_dev_desc(const struct mig_wire_dev_desc *d,
	       const struct mig_wire_limits *lim)
{
	int ret;

	ret = check_dev("DEV_DESC", d->dev_id, 0, lim);
	if (ret < 0)
		return ret;
	if (d->chunk_size == 0 || d->chunk_size > lim->max_chunk) {
		WIRE_ERR("DEV_DESC for device %" PRIu32 ": chunk size %" PRIu32
			 " out of range [1, %" PRIu32 "]", d->dev_id,
			 d->chunk_size, lim->max_chunk);
		return -EMSGSIZE;
	}
	if ((d->caps & ~MIG_WIRE_CAP_ALL) != 0 ||
	    (d->caps & MIG_WIRE_CAP_STOP_COPY) == 0) {
		WIRE_ERR("DEV_DESC for device %" PRIu32 ": bad capabilities 0x%"
			 PRIx64 " (STOP_COPY required, known 0x%" PRIx64 ")",
			 d->dev_id, d->caps, MIG_WIRE_CAP_ALL);
		return -EINVAL;
	}
	return 0;
}

static int
check_chunk(const struct mig_wire_chunk *c, const struct mig_wire_limits *lim)
{
	int ret;

	ret = check_dev("CHUNK", c->dev_id, 0, lim);
	if (ret < 0)
		return ret;
	if (c->flags != MIG_WIRE_CHUNK_F_PRECOPY &&
	    c->flags != MIG_WIRE_CHUNK_F_STOPCOPY) {
		WIRE_ERR("chunk for device %" PRIu32 " index %" PRIu64
			 ": bad flags 0x%" PRIx32 " (exactly one of PRECOPY, "
			 "STOPCOPY)", c->dev_id, c->index, c->flags);
		return -EINVAL;
	}
	if (c->length == 0) {
		WIRE_ERR("chunk for device %" PRIu32 " index %" PRIu64
			 ": empty payload", c->dev_id, c->index);
		return -EMSGSIZE;
	}
	if (c->length > lim->max_chunk) {
		WIRE_ERR("chunk for device %" PRIu32 ": length %" PRIu32
			 " exceeds limit %" PRIu32, c->dev_id, c->length,
			 lim->max_chunk);
		return -EMSGSIZE;
	}
	return 0;
}

static int
check_dev_end(const struct mig_wire_dev_end *e,
	      const struct mig_wire_limits *lim)
{
	uint64_t min_chunks;
	int ret;

	ret = check_dev("DEV_END", e->dev_id, 0, lim);
	if (ret < 0)
		return ret;
	/* every chunk holds 1..max_chunk bytes */
	min_chunks = e->total_bytes / lim->max_chunk +
		(e->total_bytes % lim->max_chunk != 0);
	if (e->chunk_count > e->total_bytes || e->chunk_count < min_chunks) {
		WIRE_ERR("DEV_END for device %" PRIu32 ": %" PRIu64
			 " bytes cannot be carried by %" PRIu64 " chunks",
			 e->dev_id, e->total_bytes, e->chunk_count);
		return -EINVAL;
	}
	return 0;
}

static int
check_msg(const struct mig_wire_msg *m, const struct mig_wire_limits *lim)
{
	int ret;

	switch (m->type) {
	case MIG_WIRE_T_HELLO:
		ret = check_hello(&m->hello, lim);
		if (ret == 0)
			ret = check_host_str("HELLO session", m->hello.session,
					     MIG_WIRE_SESSION_LEN, false);
		return ret;
	case MIG_WIRE_T_AUTH:
		return 0;
	case MIG_WIRE_T_DEV_DESC:
		ret = check_dev_desc(&m->dev_desc, lim);
		if (ret == 0)
			ret = check_host_str("DEV_DESC name", m->dev_desc.name,
					     MIG_WIRE_NAME_LEN, true);
		if (ret == 0)
			ret = check_host_str("DEV_DESC driver",
					     m->dev_desc.driver,
					     MIG_WIRE_DRIVER_LEN, false);
		return ret;
	case MIG_WIRE_T_CHUNK:
		return check_chunk(&m->chunk, lim);
	case MIG_WIRE_T_INIT_SENT:
		return check_dev("INIT_SENT", m->init_sent.dev_id, 0, lim);
	case MIG_WIRE_T_SWITCHOVER_ACK:
		return check_dev("SWITCHOVER_ACK", m->switchover_ack.dev_id,
				 MIG_WIRE_DEV_ALL, lim);
	case MIG_WIRE_T_CREDIT:
		ret = check_dev("CREDIT", m->credit.dev_id, MIG_WIRE_DEV_ALL,
				lim);
		if (ret == 0 && (m->credit.credits == 0 ||
				 m->credit.credits > lim->max_slots)) {
			WIRE_ERR("CREDIT: %" PRIu32 " credits out of range "
				 "[1, %" PRIu32 "]", m->credit.credits,
				 lim->max_slots);
			ret = -EINVAL;
		}
		return ret;
	case MIG_WIRE_T_DEV_END:
		return check_dev_end(&m->dev_end, lim);
	case MIG_WIRE_T_DONE:
		if (m->done.dev_count > lim->max_devices) {
			WIRE_ERR("DONE: device count %" PRIu32 " exceeds "
				 "limit %" PRIu32, m->done.dev_count,
				 lim->max_devices);
			return -EINVAL;
		}
		return 0;
	case MIG_WIRE_T_ABORT:
		if (m->abort.code >= 0 || m->abort.code < -4095) {
			WIRE_ERR("ABORT: code %" PRId32 " is not a negative "
				 "errno", m->abort.code);
			return -EINVAL;
		}
		return check_dev("ABORT", m->abort.dev_id, MIG_WIRE_DEV_NONE,
				 lim);
	default:
		WIRE_ERR("cannot encode frame type %u", m->type);
		return -EINVAL;
	}
}

/*
 * Encoders.
 */

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

static uint32_t
abort_area_len(const char *reason)
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

	ret = check_chunk(c, &wire_caps);
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

int
mig_wire_encode(void *buf, size_t size, const struct mig_wire_msg *m)
{
	uint8_t body[MIG_WIRE_ABORT_MAX];
	uint32_t blen;
	int ret;

	if (m->type == MIG_WIRE_T_CHUNK)
		return mig_wire_encode_chunk_hdr(buf, size, &m->chunk);
	ret = check_msg(m, &wire_caps);
	if (ret < 0)
		return ret;

	memset(body, 0, sizeof(body));
	switch (m->type) {
	case MIG_WIRE_T_HELLO: {
		struct mig_wire_hello_le w = { 0 };

		w.version_min = m->hello.version_min;
		w.version_max = m->hello.version_max;
		w.role = m->hello.role;
		w.chunk_size = rte_cpu_to_le_32(m->hello.chunk_size);
		w.features = rte_cpu_to_le_64(m->hello.features);
		w.slot_count = rte_cpu_to_le_32(m->hello.slot_count);
		w.dev_count = rte_cpu_to_le_32(m->hello.dev_count);
		w.window = rte_cpu_to_le_32(m->hello.window);
		memcpy(w.nonce, m->hello.nonce, sizeof(w.nonce));
		put_str(w.session, m->hello.session, sizeof(w.session));
		blen = sizeof(w);
		memcpy(body, &w, blen);
		break;
	}
	case MIG_WIRE_T_AUTH:
		blen = sizeof(struct mig_wire_auth_le);
		memcpy(body, m->auth.hmac, blen);
		break;
	case MIG_WIRE_T_DEV_DESC: {
		struct mig_wire_dev_desc_le w;

		w.dev_id = rte_cpu_to_le_32(m->dev_desc.dev_id);
		w.chunk_size = rte_cpu_to_le_32(m->dev_desc.chunk_size);
		w.caps = rte_cpu_to_le_64(m->dev_desc.caps);
		w.state_size = rte_cpu_to_le_64(m->dev_desc.state_size);
		put_str(w.name, m->dev_desc.name, sizeof(w.name));
		put_str(w.driver, m->dev_desc.driver, sizeof(w.driver));
		blen = sizeof(w);
		memcpy(body, &w, blen);
		break;
	}
	case MIG_WIRE_T_INIT_SENT: {
		struct mig_wire_init_sent_le w;

		w.dev_id = rte_cpu_to_le_32(m->init_sent.dev_id);
		w.reserved = 0;
		w.end_index = rte_cpu_to_le_64(m->init_sent.end_index);
		blen = sizeof(w);
		memcpy(body, &w, blen);
		break;
	}
	case MIG_WIRE_T_SWITCHOVER_ACK: {
		struct mig_wire_switchover_ack_le w;

		w.dev_id = rte_cpu_to_le_32(m->switchover_ack.dev_id);
		w.reserved = 0;
		blen = sizeof(w);
		memcpy(body, &w, blen);
		break;
	}
	case MIG_WIRE_T_CREDIT: {
		struct mig_wire_credit_le w;

		w.dev_id = rte_cpu_to_le_32(m->credit.dev_id);
		w.credits = rte_cpu_to_le_32(m->credit.credits);
		blen = sizeof(w);
		memcpy(body, &w, blen);
		break;
	}
	case MIG_WIRE_T_DEV_END: {
		struct mig_wire_dev_end_le w;

		w.dev_id = rte_cpu_to_le_32(m->dev_end.dev_id);
		w.reserved = 0;
		w.total_bytes = rte_cpu_to_le_64(m->dev_end.total_bytes);
		w.chunk_count = rte_cpu_to_le_64(m->dev_end.chunk_count);
		w.digest = rte_cpu_to_le_64(m->dev_end.digest);
		blen = sizeof(w);
		memcpy(body, &w, blen);
		break;
	}
	case MIG_WIRE_T_DONE: {
		struct mig_wire_done_le w;

		w.dev_count = rte_cpu_to_le_32(m->done.dev_count);
		w.reserved = 0;
		blen = sizeof(w);
		memcpy(body, &w, blen);
		break;
	}
	case MIG_WIRE_T_ABORT: {
		struct mig_wire_abort_le w;
		uint32_t area = abort_area_len(m->abort.reason);

		w.code = rte_cpu_to_le_32((uint32_t)m->abort.code);
		w.dev_id = rte_cpu_to_le_32(m->abort.dev_id);
		w.step = rte_cpu_to_le_16(m->abort.step);
		w.reserved0 = 0;
		w.reserved1 = 0;
		memcpy(body, &w, sizeof(w));
		/* body is zeroed: the copy leaves the NUL padding */
		memcpy(body + sizeof(w), m->abort.reason,
		       strnlen(m->abort.reason, MIG_WIRE_REASON_LEN - 1));
		blen = sizeof(w) + area;
		break;
	}
	default:
		/* check_msg() rejected every other type */
		return -EINVAL;
	}

	if (size < MIG_WIRE_HDR_LEN + blen)
		return -ENOSPC;
	put_hdr(buf, m->type, 0, blen, mig_crc32c(body, blen));
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
	ret = check_reserved("HELLO", w.reserved0 |
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
	ret = check_wire_str("HELLO session", w.session, sizeof(w.session),
			     false);
	if (ret < 0)
		return ret;
	memcpy(h->session, w.session, sizeof(h->session));
	return check_hello(h, lim);
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
	ret = check_dev_desc(d, lim);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "DEV_DESC for device %" PRIu32 ": name",
		 d->dev_id);
	ret = check_wire_str(what, w.name, sizeof(w.name), true);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "DEV_DESC for device %" PRIu32
		 ": driver", d->dev_id);
	ret = check_wire_str(what, w.driver, sizeof(w.driver), false);
	if (ret < 0)
		return ret;
	memcpy(d->name, w.name, sizeof(d->name));
	memcpy(d->driver, w.driver, sizeof(d->driver));
	return 0;
}

static int
dec_chunk(const uint8_t *b, uint32_t body_len, struct mig_wire_msg *m,
	  const struct mig_wire_limits *lim)
{
	struct mig_wire_chunk_le w;
	struct mig_wire_chunk *c = &m->chunk;
	uint32_t crc;
	int ret;

	memcpy(&w, b, sizeof(w));
	c->dev_id = rte_le_to_cpu_32(w.dev_id);
	c->flags = rte_le_to_cpu_32(w.flags);
	c->index = rte_le_to_cpu_64(w.index);
	c->length = rte_le_to_cpu_32(w.length);
	c->crc = rte_le_to_cpu_32(w.crc);
	c->payload = NULL;
	ret = check_chunk(c, lim);
	if (ret < 0)
		return ret;
	if (c->length != body_len - sizeof(w)) {
		WIRE_ERR("chunk for device %" PRIu32 " index %" PRIu64
			 ": length %" PRIu32 " does not match the frame (%"
			 PRIu32 " payload bytes)", c->dev_id, c->index,
			 c->length, (uint32_t)(body_len - sizeof(w)));
		return -EMSGSIZE;
	}
	crc = mig_crc32c(b + sizeof(w), c->length);
	if (crc != c->crc) {
		WIRE_ERR("chunk for device %" PRIu32 " index %" PRIu64
			 ": payload CRC mismatch (got 0x%08" PRIx32
			 ", computed 0x%08" PRIx32 ")", c->dev_id, c->index,
			 c->crc, crc);
		return -EBADMSG;
	}
	c->payload = b + sizeof(w);
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
	ret = check_reserved("ABORT", rte_le_to_cpu_16(w.reserved0) |
			     rte_le_to_cpu_32(w.reserved1));
	if (ret < 0)
		return ret;
	a->code = (int32_t)rte_le_to_cpu_32(w.code);
	a->dev_id = rte_le_to_cpu_32(w.dev_id);
	a->step = rte_le_to_cpu_16(w.step);
	ret = check_msg(m, lim);
	if (ret < 0)
		return ret;
	ret = check_wire_str("ABORT reason", reason, area, false);
	if (ret < 0)
		return ret;
	if (area != abort_area_len(reason)) {
		WIRE_ERR("ABORT: reason area of %" PRIu32 " bytes for a %zu "
			 "byte reason (expected %" PRIu32 ")", area,
			 strlen(reason), abort_area_len(reason));
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
	ret = check_hdr(hdr, &l);
	if (ret < 0)
		return ret;
	if (len < hdr->body_len)
		return -EAGAIN;
	/* CHUNK: the chunk header; its payload has its own CRC */
	crc = mig_crc32c(b, hdr->type == MIG_WIRE_T_CHUNK ?
			 sizeof(struct mig_wire_chunk_le) : hdr->body_len);
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
	case MIG_WIRE_T_CHUNK:
		return dec_chunk(b, hdr->body_len, m, &l);
	case MIG_WIRE_T_INIT_SENT: {
		struct mig_wire_init_sent_le w;

		memcpy(&w, b, sizeof(w));
		m->init_sent.dev_id = rte_le_to_cpu_32(w.dev_id);
		m->init_sent.end_index = rte_le_to_cpu_64(w.end_index);
		ret = check_reserved("INIT_SENT",
				     rte_le_to_cpu_32(w.reserved));
		break;
	}
	case MIG_WIRE_T_SWITCHOVER_ACK: {
		struct mig_wire_switchover_ack_le w;

		memcpy(&w, b, sizeof(w));
		m->switchover_ack.dev_id = rte_le_to_cpu_32(w.dev_id);
		ret = check_reserved("SWITCHOVER_ACK",
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
		ret = check_reserved("DEV_END", rte_le_to_cpu_32(w.reserved));
		break;
	}
	case MIG_WIRE_T_DONE: {
		struct mig_wire_done_le w;

		memcpy(&w, b, sizeof(w));
		m->done.dev_count = rte_le_to_cpu_32(w.dev_count);
		ret = check_reserved("DONE", rte_le_to_cpu_32(w.reserved));
		break;
	}
	case MIG_WIRE_T_ABORT:
		return dec_abort(b, hdr->body_len, m, &l);
	default:
		/* unknown optional frame (check_hdr() refused mandatory) */
		m->type = MIG_WIRE_T_NONE;
		return 0;
	}
	if (ret < 0)
		return ret;
	return check_msg(m, &l);
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

int
mig_wire_negotiate(const struct mig_wire_hello *local,
		   const struct mig_wire_hello *peer, uint8_t *version,
		   uint64_t *features)
{
	uint8_t lo = RTE_MAX(local->version_min, peer->version_min);
	uint8_t hi = RTE_MIN(local->version_max, peer->version_max);

	if (lo > hi || hi == 0) {
		WIRE_ERR("no common protocol version (this end %u..%u, peer "
			 "%u..%u)", local->version_min, local->version_max,
			 peer->version_min, peer->version_max);
		return -EPROTONOSUPPORT;
	}
	if (version != NULL)
		*version = hi;
	if (features != NULL)
		*features = local->features & peer->features;
	return 0;
}
