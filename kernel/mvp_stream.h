/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/* Copyright(c) 2026 dpdk-migrate authors */

#ifndef _MVP_STREAM_H_
#define _MVP_STREAM_H_

/*
 * The migration stream of mig_vfio_pci (little endian, doc/drivers/kernel.md):
 *
 *   stream header | record | record | ... | END record
 *
 * Every record is a record header followed by `len` payload bytes. The
 * record CRC (crc32_le, seed ~0) covers the record header with its crc
 * field zeroed and the payload. The END record's payload carries the
 * number of records before it, the number of stream bytes before it and
 * the CRC of all those bytes, so a truncated, reordered or spliced stream
 * is rejected even when each record is intact.
 */

#include <linux/types.h>

#define MVP_STREAM_MAGIC 0x5350564dU /* "MVPS" */
#define MVP_STREAM_VERSION_MAJOR 1
#define MVP_STREAM_VERSION_MINOR 0

/* Largest record payload. */
#define MVP_REC_MAX (64 * 1024)
/* Largest MVP_REC_REGS payload of a backend (for size estimates). */
#define MVP_REGS_MAX 64

struct mvp_stream_hdr {
	__le32 magic;
	__le16 major;
	__le16 minor;
	__le16 vendor;		/* PCI identity of the saving device */
	__le16 device;
	__le32 page_size;	/* granularity of MVP_REC_DATA addresses */
	__le64 state_size;	/* bytes of device memory state */
	__le32 flags;		/* MVP_HDR_F_* */
	__le32 crc;		/* over this header with crc = 0 */
};

#define MVP_HDR_F_PRE_COPY (1U << 0)	/* saved through PRE_COPY */
#define MVP_HDR_F_OFFLOAD (1U << 1)	/* offload: one OFFLOAD record */

/* Record tags. */
enum mvp_rec_tag {
	MVP_REC_DATA = 1,	/* addr = offset in the state memory */
	MVP_REC_REGS = 2,	/* device registers, backend defined */
	MVP_REC_END = 3,	/* struct mvp_rec_end */
	MVP_REC_OFFLOAD = 4,	/* struct mvp_rec_offload */
};

/* A reader may skip a record with an unknown tag only if this is set. */
#define MVP_REC_F_OPTIONAL (1U << 0)

struct mvp_rec_hdr {
	__le16 tag;
	__le16 flags;
	__le32 len;
	__le64 addr;
	__le32 crc;
	__le32 rsvd;
};

struct mvp_rec_end {
	__le64 records;
	__le64 bytes;
	__le32 stream_crc;
	__le32 rsvd;
};

/*
 * Offload mode: the VMM's data fd carries a stream with MVP_HDR_F_OFFLOAD
 * made of exactly this record and END; the state itself (the bulk, an
 * ordinary stream) travels through the agents (mig_vfio_offload.h).
 */
struct mvp_rec_offload {
	__le64 token;		/* session token the agents were given */
	__le16 vendor;		/* PCI identity of the saving device */
	__le16 device;
	__le32 flags;		/* MVP_HDR_F_* of the bulk stream */
	__le64 state_size;	/* bytes of device memory state */
	__le64 bytes;		/* bulk stream bytes, END record included */
	__le64 digest;		/* bulk stream CRC before its END record */
	__le64 rsvd;
};

/* Bytes of the data fd's stream in offload mode. */
#define MVP_OFF_STREAM_LEN (sizeof(struct mvp_stream_hdr) + \
			    2 * sizeof(struct mvp_rec_hdr) + \
			    sizeof(struct mvp_rec_offload) + \
			    sizeof(struct mvp_rec_end))

/* What a backend produces or consumes: one record without its framing. */
struct mvp_record {
	u16 tag;
	u16 flags;
	u32 len;
	u64 addr;
	bool initial;	/* saving: part of the first pass (not on the wire) */
};

u32 mvp_crc(u32 crc, const void *p, size_t len);
void mvp_stream_hdr_fill(struct mvp_stream_hdr *h, u16 vendor, u16 device,
			 u64 state_size, u32 flags);
int mvp_stream_hdr_check(const struct mvp_stream_hdr *h, u16 vendor,
			 u16 device, u64 state_size);
void mvp_rec_hdr_fill(struct mvp_rec_hdr *h, const struct mvp_record *rec,
		      const void *payload);
int mvp_rec_hdr_check(const struct mvp_rec_hdr *h, struct mvp_record *rec);
int mvp_rec_payload_check(const struct mvp_rec_hdr *h, const void *payload);
void mvp_offload_stream_fill(u8 *buf, const struct mvp_rec_offload *off);

#endif /* _MVP_STREAM_H_ */
