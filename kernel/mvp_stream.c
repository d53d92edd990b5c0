// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/* Stream framing: header and record encode/check. No device access. */

#include <linux/build_bug.h>
#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/mm.h>

#include "mvp_stream.h"

static_assert(sizeof(struct mvp_stream_hdr) == 32);
static_assert(sizeof(struct mvp_rec_hdr) == 24);
static_assert(sizeof(struct mvp_rec_end) == 24);
static_assert(sizeof(struct mvp_rec_offload) == 48);

u32 mvp_crc(u32 crc, const void *p, size_t len)
{
	return crc32_le(crc, p, len);
}

static u32 mvp_stream_hdr_crc(const struct mvp_stream_hdr *h)
{
	struct mvp_stream_hdr tmp = *h;

	tmp.crc = 0;
	return mvp_crc(~0U, &tmp, sizeof(tmp));
}

void mvp_stream_hdr_fill(struct mvp_stream_hdr *h, u16 vendor, u16 device,
			 u64 state_size, u32 flags)
{
	h->magic = cpu_to_le32(MVP_STREAM_MAGIC);
	h->major = cpu_to_le16(MVP_STREAM_VERSION_MAJOR);
	h->minor = cpu_to_le16(MVP_STREAM_VERSION_MINOR);
	h->vendor = cpu_to_le16(vendor);
	h->device = cpu_to_le16(device);
	h->page_size = cpu_to_le32(PAGE_SIZE);
	h->state_size = cpu_to_le64(state_size);
	h->flags = cpu_to_le32(flags);
	h->crc = cpu_to_le32(mvp_stream_hdr_crc(h));
}

int mvp_stream_hdr_check(const struct mvp_stream_hdr *h, u16 vendor,
			 u16 device, u64 state_size)
{
	if (le32_to_cpu(h->magic) != MVP_STREAM_MAGIC)
		return -EINVAL;
	if (le32_to_cpu(h->crc) != mvp_stream_hdr_crc(h))
		return -EINVAL;
	if (le16_to_cpu(h->major) != MVP_STREAM_VERSION_MAJOR)
		return -EOPNOTSUPP;
	if (le16_to_cpu(h->vendor) != vendor ||
	    le16_to_cpu(h->device) != device ||
	    le32_to_cpu(h->page_size) != PAGE_SIZE ||
	    le64_to_cpu(h->state_size) != state_size)
		return -EINVAL;
	return 0;
}

static u32 mvp_rec_crc(const struct mvp_rec_hdr *h, const void *payload)
{
	struct mvp_rec_hdr tmp = *h;
	u32 crc;

	tmp.crc = 0;
	crc = mvp_crc(~0U, &tmp, sizeof(tmp));
	return mvp_crc(crc, payload, le32_to_cpu(h->len));
}

void mvp_rec_hdr_fill(struct mvp_rec_hdr *h, const struct mvp_record *rec,
		      const void *payload)
{
	h->tag = cpu_to_le16(rec->tag);
	h->flags = cpu_to_le16(rec->flags);
	h->len = cpu_to_le32(rec->len);
	h->addr = cpu_to_le64(rec->addr);
	h->rsvd = 0;
	h->crc = cpu_to_le32(mvp_rec_crc(h, payload));
}

/* Checks what can be checked before the payload arrives. */
int mvp_rec_hdr_check(const struct mvp_rec_hdr *h, struct mvp_record *rec)
{
	rec->tag = le16_to_cpu(h->tag);
	rec->flags = le16_to_cpu(h->flags);
	rec->len = le32_to_cpu(h->len);
	rec->addr = le64_to_cpu(h->addr);
	if (rec->len > MVP_REC_MAX || h->rsvd != 0)
		return -EINVAL;
	return 0;
}

int mvp_rec_payload_check(const struct mvp_rec_hdr *h, const void *payload)
{
	return le32_to_cpu(h->crc) == mvp_rec_crc(h, payload) ? 0 : -EILSEQ;
}

/*
 * The data fd's whole stream in offload mode (MVP_OFF_STREAM_LEN bytes):
 * header with MVP_HDR_F_OFFLOAD, the OFFLOAD record, END.
 */
void mvp_offload_stream_fill(u8 *buf, const struct mvp_rec_offload *off)
{
	struct mvp_stream_hdr *h = (struct mvp_stream_hdr *)buf;
	struct mvp_rec_hdr *rh = (struct mvp_rec_hdr *)(h + 1);
	struct mvp_rec_hdr *eh = (struct mvp_rec_hdr *)((u8 *)(rh + 1) + sizeof(*off));
	struct mvp_rec_end *end = (struct mvp_rec_end *)(eh + 1);
	struct mvp_record rec = {
		.tag = MVP_REC_OFFLOAD,
		.len = sizeof(*off),
	};
	size_t len;

	mvp_stream_hdr_fill(h, le16_to_cpu(off->vendor),
			    le16_to_cpu(off->device),
			    le64_to_cpu(off->state_size),
			    (le32_to_cpu(off->flags) & MVP_HDR_F_PRE_COPY) |
			    MVP_HDR_F_OFFLOAD);
	memcpy(rh + 1, off, sizeof(*off));
	mvp_rec_hdr_fill(rh, &rec, rh + 1);
	len = (u8 *)eh - buf;
	end->records = cpu_to_le64(1);
	end->bytes = cpu_to_le64(len);
	end->stream_crc = cpu_to_le32(mvp_crc(~0U, buf, len));
	end->rsvd = 0;
	rec.tag = MVP_REC_END;
	rec.len = sizeof(*end);
	mvp_rec_hdr_fill(eh, &rec, end);
}
