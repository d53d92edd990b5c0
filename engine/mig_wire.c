/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Wire format v1 frame codec. Layouts and rules: mig_wire.h and
 * doc/wire-format.md.
 *
 * This file: type and step names, limits, and the validation shared by the
 * encoder (mig_wire_encode.c) and the decoder (mig_wire_decode.c).
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
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "mig_crc.h"
#include "mig_wire.h"
#include "mig_wire_priv.h"

RTE_LOG_REGISTER(mig_logtype_wire, mig.wire, INFO);

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
	[MIG_WIRE_T_KEEPALIVE] = "KEEPALIVE",
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

uint16_t
mig_wire_type_flags(unsigned int type)
{
	return type == MIG_WIRE_T_KEEPALIVE ? MIG_WIRE_F_OPTIONAL : 0;
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
int
mig_wire_check_wire_str(const char *what, const char *s, size_t area,
			bool nonempty)
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

int
mig_wire_check_reserved(const char *what, uint64_t v)
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
	case MIG_WIRE_T_KEEPALIVE:
		*min = *max = sizeof(struct mig_wire_keepalive_le);
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
int
mig_wire_check_hdr(const struct mig_wire_hdr *hdr,
		   const struct mig_wire_limits *lim)
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

/*
 * Field validation shared by the encoder (host struct, absolute caps) and
 * the decoder (after conversion, receive limits).
 */

int
mig_wire_check_hello(const struct mig_wire_hello *h,
		     const struct mig_wire_limits *lim)
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

int
mig_wire_check_dev_desc(const struct mig_wire_dev_desc *d,
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

int
mig_wire_check_chunk(const struct mig_wire_chunk *c,
		     const struct mig_wire_limits *lim)
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

int
mig_wire_check_msg(const struct mig_wire_msg *m,
		   const struct mig_wire_limits *lim)
{
	int ret;

	switch (m->type) {
	case MIG_WIRE_T_HELLO:
		ret = mig_wire_check_hello(&m->hello, lim);
		if (ret == 0)
			ret = check_host_str("HELLO session", m->hello.session,
					     MIG_WIRE_SESSION_LEN, false);
		return ret;
	case MIG_WIRE_T_AUTH:
		return 0;
	case MIG_WIRE_T_DEV_DESC:
		ret = mig_wire_check_dev_desc(&m->dev_desc, lim);
		if (ret == 0)
			ret = check_host_str("DEV_DESC name", m->dev_desc.name,
					     MIG_WIRE_NAME_LEN, true);
		if (ret == 0)
			ret = check_host_str("DEV_DESC driver",
					     m->dev_desc.driver,
					     MIG_WIRE_DRIVER_LEN, false);
		return ret;
	case MIG_WIRE_T_CHUNK:
		return mig_wire_check_chunk(&m->chunk, lim);
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
	case MIG_WIRE_T_KEEPALIVE:
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
