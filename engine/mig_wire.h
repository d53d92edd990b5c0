/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_WIRE_H_
#define _MIG_WIRE_H_

/**
 * @file
 * Wire format v1 between a migration source and destination
 * (doc/wire-format.md is the normative description).
 *
 * Every message is a 24-byte frame header followed by a body of
 * `body_len` bytes. All integers are little-endian, every layout has
 * explicit padding ("reserved" fields, zero on the wire) and its size is
 * checked at compile time. Two layers:
 *
 * - the frame codec in this file: encoders writing into a caller buffer, a
 *   header decoder, a body decoder (zero copy for CHUNK payloads) and a
 *   convenience decoder for contiguous buffers. It validates one frame:
 *   magic, header CRC, version, type, flags, lengths against limits
 *   (before any length is used), body CRC, field values, strings,
 *   payload CRC;
 * - the session checker in mig_wire_rx.h, which validates the sequence of
 *   frames (order, duplicates, reorder window, end-of-device totals).
 *
 * Errors are negative errno values; each failure also records a one-line
 * message for mig_err_last() and logs it on the "mig.wire" log type:
 *
 * | errno            | meaning                                             |
 * |------------------|-----------------------------------------------------|
 * | -EAGAIN          | not enough bytes yet (header or body incomplete)    |
 * | -EPROTO          | not a frame of ours (bad magic)                     |
 * | -EPROTONOSUPPORT | frame version or mandatory frame type unknown       |
 * | -EBADMSG         | header, body or payload CRC mismatch                |
 * | -EMSGSIZE        | a length out of range for its type or over a limit  |
 * | -EINVAL          | a field value is invalid (reserved bits, strings..) |
 * | -ENOSPC          | encoder: the output buffer is too small             |
 *
 * Nothing here needs the EAL.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "mig_hash.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Log type "mig.wire" (codec and session checker). */
extern int mig_logtype_wire;

/** Frame magic: the bytes "MIGW" read as a little-endian u32. */
#define MIG_WIRE_MAGIC UINT32_C(0x5747494d)
/** Frame format version implemented here. */
#define MIG_WIRE_VERSION 1
/** Lowest version this implementation can speak (HELLO negotiation). */
#define MIG_WIRE_VERSION_MIN 1
/** Highest version this implementation can speak (HELLO negotiation). */
#define MIG_WIRE_VERSION_MAX 1

/** Frame header flag: a receiver that does not know the type skips it. */
#define MIG_WIRE_F_OPTIONAL (1u << 0)
/** All header flags defined by version 1. */
#define MIG_WIRE_F_ALL MIG_WIRE_F_OPTIONAL

/** Frame types. 0 is reserved and never valid on the wire. */
enum mig_wire_type {
	MIG_WIRE_T_NONE = 0,       /**< decoded unknown optional frame */
	MIG_WIRE_T_HELLO = 1,      /**< both ways, first frame */
	MIG_WIRE_T_AUTH = 2,       /**< both ways, HMAC over peer's nonce */
	MIG_WIRE_T_DEV_DESC = 3,   /**< source -> destination */
	MIG_WIRE_T_CHUNK = 4,      /**< source -> destination */
	MIG_WIRE_T_INIT_SENT = 5,  /**< source -> destination */
	MIG_WIRE_T_SWITCHOVER_ACK = 6, /**< destination -> source */
	MIG_WIRE_T_CREDIT = 7,     /**< destination -> source */
	MIG_WIRE_T_DEV_END = 8,    /**< source -> destination */
	MIG_WIRE_T_DONE = 9,       /**< destination -> source */
	MIG_WIRE_T_ABORT = 10,     /**< both ways, any time */
	/** both ways, sent OPTIONAL: "alive, nothing to send" (source, while
	 *  pre-copy waits) and its echo (destination) */
	MIG_WIRE_T_KEEPALIVE = 11,
};
/** Highest frame type defined by version 1. */
#define MIG_WIRE_T_MAX MIG_WIRE_T_KEEPALIVE

/** Roles (HELLO.role). */
enum mig_wire_role {
	MIG_WIRE_ROLE_SOURCE = 1,
	MIG_WIRE_ROLE_DEST = 2,
};

/** @name Feature bits (HELLO.features); the session uses the intersection. */
/**@{*/
#define MIG_WIRE_FEAT_AUTH (UINT64_C(1) << 0)       /**< AUTH after HELLO */
#define MIG_WIRE_FEAT_PRECOPY (UINT64_C(1) << 1)    /**< pre-copy phase */
#define MIG_WIRE_FEAT_SWITCHOVER_ACK (UINT64_C(1) << 2) /**< wait for acks */
#define MIG_WIRE_FEAT_CREDIT (UINT64_C(1) << 3)     /**< CREDIT flow control */
#define MIG_WIRE_FEAT_P2P (UINT64_C(1) << 4)        /**< P2P quiesce */
#define MIG_WIRE_FEAT_RDMA (UINT64_C(1) << 5)       /**< RDMA data path */
#define MIG_WIRE_FEAT_ALL (UINT64_C(0x3f))          /**< known in v1 */
/**@}*/

/**
 * @name Device capabilities (DEV_DESC.caps).
 * Same values as the VFIO_MIGRATION_* uAPI flags and MIG_CAP_*.
 */
/**@{*/
#define MIG_WIRE_CAP_STOP_COPY (UINT64_C(1) << 0) /**< mandatory */
#define MIG_WIRE_CAP_P2P (UINT64_C(1) << 1)
#define MIG_WIRE_CAP_PRE_COPY (UINT64_C(1) << 2)
#define MIG_WIRE_CAP_ALL (UINT64_C(0x7))
/**@}*/

/** @name CHUNK flags: exactly one phase bit is set. */
/**@{*/
#define MIG_WIRE_CHUNK_F_PRECOPY (1u << 0)  /**< read during pre-copy */
#define MIG_WIRE_CHUNK_F_STOPCOPY (1u << 1) /**< read during stop-copy */
#define MIG_WIRE_CHUNK_F_ALL (MIG_WIRE_CHUNK_F_PRECOPY | \
			      MIG_WIRE_CHUNK_F_STOPCOPY)
/**@}*/

/** dev_id meaning "every device" (SWITCHOVER_ACK, CREDIT). */
#define MIG_WIRE_DEV_ALL UINT32_C(0xffffffff)
/** dev_id meaning "no particular device" (ABORT). */
#define MIG_WIRE_DEV_NONE UINT32_C(0xffffffff)

/** Session steps carried by ABORT.step (informative, any value accepted). */
enum mig_wire_step {
	MIG_WIRE_STEP_NONE = 0,
	MIG_WIRE_STEP_HANDSHAKE = 1,
	MIG_WIRE_STEP_SETUP = 2,
	MIG_WIRE_STEP_PRECOPY = 3,
	MIG_WIRE_STEP_SWITCHOVER = 4,
	MIG_WIRE_STEP_STOPCOPY = 5,
	MIG_WIRE_STEP_COMMIT = 6,
};

/** @name Sizes and absolute caps. */
/**@{*/
#define MIG_WIRE_NONCE_LEN 32   /**< HELLO.nonce */
#define MIG_WIRE_HMAC_LEN 32    /**< AUTH.hmac (HMAC-SHA256) */
#define MIG_WIRE_SESSION_LEN 32 /**< HELLO.session, NUL-terminated */
#define MIG_WIRE_NAME_LEN 64    /**< DEV_DESC.name, NUL-terminated */
#define MIG_WIRE_DRIVER_LEN 32  /**< DEV_DESC.driver, NUL-terminated */
#define MIG_WIRE_REASON_LEN 200 /**< ABORT.reason area, NUL included */
/** Absolute cap of one CHUNK payload (16 MiB). */
#define MIG_WIRE_CHUNK_MAX (UINT32_C(16) << 20)
/** Absolute cap of the device count and device ids. */
#define MIG_WIRE_DEVICES_MAX UINT32_C(4096)
/** Absolute cap of HELLO.slot_count and of one CREDIT grant. */
#define MIG_WIRE_SLOTS_MAX UINT32_C(65536)
/** Absolute cap of the per-device reorder window, in chunks. */
#define MIG_WIRE_WINDOW_MAX UINT32_C(65536)
/** Longest HELLO body (v1 layout plus extensions of later versions). */
#define MIG_WIRE_HELLO_MAX UINT32_C(1024)
/** Absolute cap of the body of an unknown optional frame. */
#define MIG_WIRE_OPTIONAL_MAX (UINT32_C(1) << 20)
/**@}*/

/*
 * On-wire layouts (little-endian, naturally aligned, explicit padding).
 * Use the encoders and decoders below rather than these structures.
 */

/** Frame header, 24 bytes. */
struct mig_wire_hdr_le {
	rte_le32_t magic;     /**< MIG_WIRE_MAGIC */
	uint8_t version;      /**< MIG_WIRE_VERSION */
	uint8_t type;         /**< enum mig_wire_type */
	rte_le16_t flags;     /**< MIG_WIRE_F_* */
	rte_le32_t body_len;  /**< bytes after the header */
	rte_le32_t body_crc;  /**< CRC32C of the body (CHUNK: of its
			       *   24-byte chunk header, the payload has
			       *   its own CRC) */
	rte_le32_t reserved;  /**< 0 */
	rte_le32_t hdr_crc;   /**< CRC32C of bytes 0..19 */
};

/** HELLO body (v1 part), 96 bytes. */
struct mig_wire_hello_le {
	uint8_t version_min;
	uint8_t version_max;
	uint8_t role;
	uint8_t reserved0;
	rte_le32_t chunk_size;
	rte_le64_t features;
	rte_le32_t slot_count;
	rte_le32_t dev_count;
	rte_le32_t window;
	rte_le32_t reserved1;
	uint8_t nonce[MIG_WIRE_NONCE_LEN];
	char session[MIG_WIRE_SESSION_LEN];
};

/** AUTH body, 32 bytes. */
struct mig_wire_auth_le {
	uint8_t hmac[MIG_WIRE_HMAC_LEN];
};

/** DEV_DESC body, 120 bytes. */
struct mig_wire_dev_desc_le {
	rte_le32_t dev_id;
	rte_le32_t chunk_size;
	rte_le64_t caps;
	rte_le64_t state_size;
	char name[MIG_WIRE_NAME_LEN];
	char driver[MIG_WIRE_DRIVER_LEN];
};

/** CHUNK body header, 24 bytes, followed by `length` payload bytes. */
struct mig_wire_chunk_le {
	rte_le32_t dev_id;
	rte_le32_t flags;
	rte_le64_t index;
	rte_le32_t length;
	rte_le32_t crc;
};

/** INIT_SENT body, 16 bytes. */
struct mig_wire_init_sent_le {
	rte_le32_t dev_id;
	rte_le32_t reserved;
	rte_le64_t end_index;
};

/** SWITCHOVER_ACK body, 8 bytes. */
struct mig_wire_switchover_ack_le {
	rte_le32_t dev_id;
	rte_le32_t reserved;
};

/** CREDIT body, 8 bytes. */
struct mig_wire_credit_le {
	rte_le32_t dev_id;
	rte_le32_t credits;
};

/** DEV_END body, 32 bytes. */
struct mig_wire_dev_end_le {
	rte_le32_t dev_id;
	rte_le32_t reserved;
	rte_le64_t total_bytes;
	rte_le64_t chunk_count;
	rte_le64_t digest;
};

/** DONE body, 8 bytes. */
struct mig_wire_done_le {
	rte_le32_t dev_count;
	rte_le32_t reserved;
};

/** KEEPALIVE body, 8 bytes. */
struct mig_wire_keepalive_le {
	rte_le32_t seq;
	rte_le32_t reserved;
};

/** ABORT body fixed part, 16 bytes, followed by the reason area. */
struct mig_wire_abort_le {
	rte_le32_t code;
	rte_le32_t dev_id;
	rte_le16_t step;
	rte_le16_t reserved0;
	rte_le32_t reserved1;
};

_Static_assert(sizeof(struct mig_wire_hdr_le) == 24, "frame header");
_Static_assert(sizeof(struct mig_wire_hello_le) == 96, "HELLO");
_Static_assert(sizeof(struct mig_wire_auth_le) == 32, "AUTH");
_Static_assert(sizeof(struct mig_wire_dev_desc_le) == 120, "DEV_DESC");
_Static_assert(sizeof(struct mig_wire_chunk_le) == 24, "CHUNK");
_Static_assert(sizeof(struct mig_wire_init_sent_le) == 16, "INIT_SENT");
_Static_assert(sizeof(struct mig_wire_switchover_ack_le) == 8, "SW_ACK");
_Static_assert(sizeof(struct mig_wire_credit_le) == 8, "CREDIT");
_Static_assert(sizeof(struct mig_wire_dev_end_le) == 32, "DEV_END");
_Static_assert(sizeof(struct mig_wire_done_le) == 8, "DONE");
_Static_assert(sizeof(struct mig_wire_keepalive_le) == 8, "KEEPALIVE");
_Static_assert(sizeof(struct mig_wire_abort_le) == 16, "ABORT");

/** Frame header size. */
#define MIG_WIRE_HDR_LEN ((uint32_t)sizeof(struct mig_wire_hdr_le))
/** Frame header + CHUNK header: what mig_wire_encode_chunk_hdr() writes. */
#define MIG_WIRE_CHUNK_HDR_LEN \
	(MIG_WIRE_HDR_LEN + (uint32_t)sizeof(struct mig_wire_chunk_le))
/** Largest ABORT body. */
#define MIG_WIRE_ABORT_MAX \
	((uint32_t)sizeof(struct mig_wire_abort_le) + MIG_WIRE_REASON_LEN)
/** A buffer this large holds any frame written by mig_wire_encode(). */
#define MIG_WIRE_ENCODE_MAX 256

/*
 * Decoded (host order) representations.
 */

/** Decoded frame header. */
struct mig_wire_hdr {
	uint8_t version;
	uint8_t type;       /**< raw type byte, maybe unknown */
	uint16_t flags;     /**< MIG_WIRE_F_* */
	uint32_t body_len;  /**< validated against the type and the limits */
	uint32_t body_crc;  /**< checked by mig_wire_body_decode() */
};

/** HELLO: first frame in both directions. */
struct mig_wire_hello {
	uint8_t version_min;   /**< lowest version the sender speaks, >= 1 */
	uint8_t version_max;   /**< highest version the sender speaks */
	uint8_t role;          /**< enum mig_wire_role */
	uint32_t chunk_size;   /**< session chunk size (slot size), bytes */
	uint64_t features;     /**< MIG_WIRE_FEAT_*, unknown bits allowed */
	uint32_t slot_count;   /**< landing slots (destination) / buffers */
	uint32_t dev_count;    /**< devices in the session */
	uint32_t window;       /**< per-device reorder window it accepts */
	uint8_t nonce[MIG_WIRE_NONCE_LEN]; /**< challenge for the peer's AUTH */
	char session[MIG_WIRE_SESSION_LEN]; /**< session id, NUL-terminated */
};

/** AUTH: HMAC over the peer's nonce (computed by the session code). */
struct mig_wire_auth {
	uint8_t hmac[MIG_WIRE_HMAC_LEN];
};

/** DEV_DESC: one device of the session. */
struct mig_wire_dev_desc {
	uint32_t dev_id;       /**< < HELLO.dev_count */
	uint32_t chunk_size;   /**< largest CHUNK payload for this device */
	uint64_t caps;         /**< MIG_WIRE_CAP_*, STOP_COPY mandatory */
	uint64_t state_size;   /**< expected state size, bytes (estimate) */
	char name[MIG_WIRE_NAME_LEN];     /**< non-empty, NUL-terminated */
	char driver[MIG_WIRE_DRIVER_LEN]; /**< NUL-terminated */
};

/** CHUNK header; the payload follows it in the frame. */
struct mig_wire_chunk {
	uint32_t dev_id;
	uint32_t flags;        /**< one of MIG_WIRE_CHUNK_F_PRECOPY/STOPCOPY */
	uint64_t index;        /**< position in the device's stream, from 0 */
	uint32_t length;       /**< payload bytes, 1..limits.max_chunk */
	uint32_t crc;          /**< mig_wire_crc32c() of the payload */
	/** Decoder: points at the payload inside the input (no copy). */
	const void *payload;
};

/** INIT_SENT: chunks [0, end_index) are the device's initial data. */
struct mig_wire_init_sent {
	uint32_t dev_id;
	uint64_t end_index;
};

/** SWITCHOVER_ACK: initial data loaded (dev_id or MIG_WIRE_DEV_ALL). */
struct mig_wire_switchover_ack {
	uint32_t dev_id;
};

/** CREDIT: the sender may send @p credits more chunks. */
struct mig_wire_credit {
	uint32_t dev_id;       /**< device or MIG_WIRE_DEV_ALL (shared pool) */
	uint32_t credits;      /**< 1..limits.max_slots */
};

/** DEV_END: the device's stream is complete. */
struct mig_wire_dev_end {
	uint32_t dev_id;
	uint64_t total_bytes;  /**< sum of payload lengths */
	uint64_t chunk_count;  /**< chunks, indexes 0..chunk_count-1 */
	uint64_t digest;       /**< mig_wire_digest_add() over all chunks */
};

/** DONE: destination devices are running (migration committed). */
struct mig_wire_done {
	uint32_t dev_count;    /**< devices running, == HELLO.dev_count */
};

/** KEEPALIVE: the source's sequence number, echoed by the destination. */
struct mig_wire_keepalive {
	uint32_t seq;
};

/** ABORT: the sender gives up; the reason is for humans. */
struct mig_wire_abort {
	int32_t code;          /**< negative errno, -4095..-1 */
	uint32_t dev_id;       /**< device or MIG_WIRE_DEV_NONE */
	uint16_t step;         /**< enum mig_wire_step */
	char reason[MIG_WIRE_REASON_LEN]; /**< NUL-terminated */
};

/** A decoded frame: a union tagged by @p type. */
struct mig_wire_msg {
	struct mig_wire_hdr hdr;
	/** hdr.type when known; MIG_WIRE_T_NONE for a skipped optional frame */
	uint8_t type;
	union {
		struct mig_wire_hello hello;
		struct mig_wire_auth auth;
		struct mig_wire_dev_desc dev_desc;
		struct mig_wire_chunk chunk;
		struct mig_wire_init_sent init_sent;
		struct mig_wire_switchover_ack switchover_ack;
		struct mig_wire_credit credit;
		struct mig_wire_dev_end dev_end;
		struct mig_wire_done done;
		struct mig_wire_abort abort;
		struct mig_wire_keepalive keepalive;
	};
};

/**
 * Receive limits. A field left 0 takes its default; every field is
 * clamped to its absolute cap (MIG_WIRE_*_MAX).
 */
struct mig_wire_limits {
	uint32_t max_chunk;    /**< CHUNK payload, default MIG_WIRE_CHUNK_MAX */
	uint32_t max_devices;  /**< dev_count and dev ids, default 256 */
	uint32_t max_slots;    /**< HELLO slot_count, CREDIT, default 4096 */
	uint32_t max_optional; /**< unknown optional body, default 64 KiB */
	uint32_t window;       /**< rx reorder window (chunks), default 256,
				*   rounded up to a power of two */
};

/** @name Defaults of struct mig_wire_limits. */
/**@{*/
#define MIG_WIRE_DEF_MAX_CHUNK MIG_WIRE_CHUNK_MAX
#define MIG_WIRE_DEF_MAX_DEVICES UINT32_C(256)
#define MIG_WIRE_DEF_MAX_SLOTS UINT32_C(4096)
#define MIG_WIRE_DEF_MAX_OPTIONAL UINT32_C(65536)
#define MIG_WIRE_DEF_WINDOW UINT32_C(256)
/**@}*/

/**
 * Fill @p out with @p in (NULL: all defaults) after applying defaults to
 * zero fields, clamping to the absolute caps and rounding the window up
 * to a power of two. The codec does this itself on every call.
 */
void mig_wire_limits_normalize(struct mig_wire_limits *out,
			       const struct mig_wire_limits *in);

/** Name of a frame type ("HELLO", ..., "UNKNOWN"). */
const char *mig_wire_type_name(unsigned int type);

/**
 * Header flags mig_wire_encode() writes on a frame of @p type: OPTIONAL on
 * the types a peer of an earlier release may not know and must skip
 * (KEEPALIVE), 0 on the others. A receiver that knows the type accepts
 * it with or without OPTIONAL.
 */
uint16_t mig_wire_type_flags(unsigned int type);

/** Name of a session step ("handshake", ..., "unknown"). */
const char *mig_wire_step_name(unsigned int step);

/**
 * Standard CRC32C (init ~0, final xor ~0; 0xE3069283 for "123456789") of
 * a CHUNK payload, computed with rte_hash_crc(). See mig_crc.h.
 */
uint32_t mig_wire_crc32c(const void *buf, size_t len);

/**
 * Add one chunk to a device stream digest (DEV_END.digest), starting
 * from 0. The digest is a sum modulo 2^64, so the order in which chunks
 * are added does not matter; the index is part of each term, so a chunk
 * delivered at the wrong index changes it.
 */
static inline uint64_t
mig_wire_digest_add(uint64_t digest, uint64_t index, uint32_t length,
		    uint32_t crc)
{
	uint64_t t = mig_mix64(index + UINT64_C(0x9e3779b97f4a7c15));

	return digest + mig_mix64(t ^ (((uint64_t)length << 32) | crc));
}

/**
 * Encode a whole frame for @p msg (selected by msg->type; msg->hdr is
 * ignored) into @p buf. For CHUNK only the frame header and the chunk
 * header are written (see mig_wire_encode_chunk_hdr()). The message is
 * validated as the decoder would (against the absolute caps); strings
 * are NUL-padded on the wire, ABORT.reason is truncated to 199 chars.
 *
 * @return bytes written, -ENOSPC if @p size is too small, -EINVAL or
 *   -EMSGSIZE if the message is invalid.
 */
int mig_wire_encode(void *buf, size_t size, const struct mig_wire_msg *msg);

/**
 * Encode the frame header and chunk header of a CHUNK
 * (MIG_WIRE_CHUNK_HDR_LEN bytes). The payload (c->length bytes, whose
 * CRC c->crc the caller computed with mig_wire_crc32c()) is sent right
 * after it, e.g. with writev() or an RDMA WRITE; c->payload is ignored.
 *
 * @return MIG_WIRE_CHUNK_HDR_LEN, -ENOSPC, -EINVAL or -EMSGSIZE.
 */
int mig_wire_encode_chunk_hdr(void *buf, size_t size,
			      const struct mig_wire_chunk *c);

/**
 * Encode a frame with an arbitrary type, header flags and body, without
 * validating the body (extensions, optional frames, tests).
 *
 * @return bytes written, -ENOSPC, or -EINVAL (type 0, unknown flags).
 */
int mig_wire_encode_raw(void *buf, size_t size, uint8_t type, uint16_t flags,
			const void *body, uint32_t body_len);

/**
 * Decode and validate a frame header: magic, header CRC, version, flags,
 * type (unknown mandatory types are rejected, unknown optional ones are
 * accepted), and body length against the type and @p lim, so that the
 * caller can safely read hdr->body_len more bytes.
 *
 * @param lim NULL for the defaults.
 * @return 0, -EAGAIN if @p len < MIG_WIRE_HDR_LEN, or a negative errno.
 */
int mig_wire_hdr_decode(const void *buf, size_t len, struct mig_wire_hdr *hdr,
			const struct mig_wire_limits *lim);

/**
 * Decode and check the 24-byte chunk header of a CHUNK frame whose frame
 * header @p hdr was decoded by mig_wire_hdr_decode(): the body CRC (which
 * covers the chunk header), the fields, and the payload length against the
 * frame. For receivers that read the payload separately, straight into a
 * buffer; the payload CRC (c->crc) is then theirs to check.
 *
 * @return 0, -EBADMSG (CRC), -EINVAL (fields), -EMSGSIZE (length).
 */
int mig_wire_chunk_hdr_decode(const struct mig_wire_hdr *hdr,
			      const void *chunk_hdr, struct mig_wire_chunk *c,
			      const struct mig_wire_limits *lim);

/**
 * Decode and validate the body of a frame whose header was decoded by
 * mig_wire_hdr_decode(). Only hdr->body_len bytes of @p body are read.
 * For CHUNK, msg->chunk.payload points into @p body and the payload CRC
 * is checked. An unknown optional frame gives msg->type MIG_WIRE_T_NONE.
 *
 * @return 0, -EAGAIN if @p len < hdr->body_len, or a negative errno.
 */
int mig_wire_body_decode(const struct mig_wire_hdr *hdr, const void *body,
			 size_t len, struct mig_wire_msg *msg,
			 const struct mig_wire_limits *lim);

/**
 * Decode one frame from a contiguous buffer. When the header is valid
 * but the body incomplete, msg->hdr is filled and -EAGAIN returned, so
 * the caller knows how many bytes the frame needs.
 *
 * @return bytes consumed (header + body), -EAGAIN, or a negative errno.
 */
int mig_wire_decode(const void *buf, size_t len, struct mig_wire_msg *msg,
		    const struct mig_wire_limits *lim);

/**
 * Version and feature negotiation: the highest version both HELLOs
 * support, and the intersection of their features.
 *
 * @return 0, or -EPROTONOSUPPORT when the version ranges do not overlap.
 */
int mig_wire_negotiate(const struct mig_wire_hello *local,
		       const struct mig_wire_hello *peer, uint8_t *version,
		       uint64_t *features);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_WIRE_H_ */
