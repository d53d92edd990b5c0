/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _RDMA_PROTO_H_
#define _RDMA_PROTO_H_

/*
 * What the RDMA transport puts on the wire besides the session's frames
 * (doc/transports.md, "rdma"): the connect private data, two transport
 * frames (OPTIONAL types outside the v1 range, framed like every other
 * frame) and the immediate of a chunk write; the signaling and credit
 * batching rules. Pure codecs and arithmetic, no verbs.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "mig_wire.h"
#include "mig_xport.h"

/** Log type "mig.xport.rdma". */
extern int mig_rdma_logtype;

/** "MIGR": first field of the connect and reject private data. */
#define RDMA_PDATA_MAGIC UINT32_C(0x5247494d)
/** Version of this transport's protocol (2: CREDIT entries carry an rkey,
 *  SLOTS flags). */
#define RDMA_PROTO_VERSION 2

/** Destination -> source: the landing slots (QP 0, after connection). */
#define RDMA_T_SLOTS 0x41
/** Destination -> source: slots given back (credits). */
#define RDMA_T_CREDIT 0x42

/** Most QPs in one session. */
#define RDMA_QPS_MAX 16u
/** Most landing slots (a slot number fits the 16 low bits of the
 *  immediate). */
#define RDMA_SLOTS_MAX 1024u

/** Private data of a connect request (and of a reject), 24 bytes. */
struct rdma_pdata_le {
	rte_le32_t magic;     /**< RDMA_PDATA_MAGIC */
	uint8_t version;      /**< RDMA_PROTO_VERSION */
	uint8_t reserved0;
	rte_le16_t qp;        /**< index of this QP in the session */
	rte_le16_t qps;       /**< QPs of the session */
	rte_le16_t reserved1;
	rte_le32_t reason;    /**< reject: positive errno, else 0 */
	rte_le64_t session;   /**< random id shared by the QPs of a session */
};

/** SLOTS body header, 32 bytes, followed by `count` slot entries. */
struct rdma_slots_le {
	rte_le32_t first;     /**< slot number of the first entry */
	rte_le32_t count;     /**< entries in this frame */
	rte_le32_t total;     /**< slots of the session */
	rte_le32_t slot_size; /**< bytes per slot = largest chunk */
	rte_le64_t hdr_addr;  /**< header ring: (total + 1) x RDMA_HDR_STRIDE */
	rte_le32_t hdr_rkey;
	rte_le32_t flags;     /**< RDMA_SLOTS_F_* */
};

/**
 * SLOTS flag: every slot is a memory window of its own, bound to one QP
 * (slot k to QP k % qps, which is the QP the source writes it through)
 * and invalidated when its chunk lands; each grant (SLOTS or CREDIT
 * entry) carries the window's fresh rkey. Without it every slot is in one
 * registration whose rkey never changes.
 */
#define RDMA_SLOTS_F_MW UINT32_C(1)
#define RDMA_SLOTS_F_ALL RDMA_SLOTS_F_MW

/** One CREDIT entry, 8 bytes: a slot given back and its rkey. */
struct rdma_credit_le {
	rte_le16_t slot;
	rte_le16_t reserved;
	rte_le32_t rkey;
};

/** One landing slot, 16 bytes. */
struct rdma_slot_le {
	rte_le64_t addr;
	rte_le32_t rkey;
	rte_le32_t reserved;
};

_Static_assert(sizeof(struct rdma_pdata_le) == 24, "pdata");
_Static_assert(sizeof(struct rdma_slots_le) == 32, "SLOTS");
_Static_assert(sizeof(struct rdma_slot_le) == 16, "slot");
_Static_assert(sizeof(struct rdma_credit_le) == 8, "credit");

/** Bytes per header ring entry (a 48-byte CHUNK frame + chunk header). */
#define RDMA_HDR_STRIDE 64u
_Static_assert(MIG_WIRE_CHUNK_HDR_LEN <= RDMA_HDR_STRIDE, "header stride");

/** Largest transport frame body. */
#define RDMA_BODY_MAX (MIG_XPORT_CTRL_MAX - MIG_WIRE_HDR_LEN)
/** Slot entries per SLOTS frame. */
#define RDMA_SLOTS_PER_FRAME \
	((RDMA_BODY_MAX - (uint32_t)sizeof(struct rdma_slots_le)) / \
	 (uint32_t)sizeof(struct rdma_slot_le))
/** Entries per CREDIT frame (le32 count, then struct rdma_credit_le). */
#define RDMA_CREDITS_PER_FRAME \
	((RDMA_BODY_MAX - 4u) / (uint32_t)sizeof(struct rdma_credit_le))

/** Decoded private data. */
struct rdma_pdata {
	uint16_t qp;
	uint16_t qps;
	uint32_t reason;
	uint64_t session;
};

/** Decoded SLOTS header. */
struct rdma_slots {
	uint32_t first;
	uint32_t count;
	uint32_t total;
	uint32_t slot_size;
	uint64_t hdr_addr;
	uint32_t hdr_rkey;
	uint32_t flags;
};

/** One decoded slot. */
struct rdma_slot_desc {
	uint64_t addr;
	uint32_t rkey;
};

/** One decoded CREDIT entry. */
struct rdma_credit {
	uint16_t slot;
	uint32_t rkey;
};

/** Immediate of a chunk write: sequence (per QP) and slot number. */
static inline uint32_t
rdma_imm(uint16_t seq, uint16_t slot)
{
	return ((uint32_t)seq << 16) | slot;
}

static inline uint16_t
rdma_imm_seq(uint32_t imm)
{
	return (uint16_t)(imm >> 16);
}

static inline uint16_t
rdma_imm_slot(uint32_t imm)
{
	return (uint16_t)(imm & 0xffff);
}

/**
 * Largest cq_mod (chunks per signaled chunk write) for a send queue of
 * @p tx_depth work requests: a chunk takes two and one is kept for the
 * flush write, so that two signaled batches fit in the queue and the
 * source keeps posting while the first one completes. Without it the
 * signaled chunk of a batch never fits and only the idle flush write
 * retires the queue. @return @p cq_mod clamped to 1..(tx_depth - 1) / 4.
 */
uint32_t mig_rdma_cq_mod_clamp(uint32_t cq_mod, uint32_t tx_depth);

/** CREDIT frames of fewer than RDMA_CREDIT_FRAMES_MAX-th of the window at
 *  most one at a time: see mig_rdma_credit_due(). */
#define RDMA_CREDIT_FRAMES_MAX 64u

/**
 * Destination: whether @p npending released slots go back to the source
 * now, @p granted being the slots it holds (not written yet) of @p nslots.
 * A batch (a quarter of the window) goes at once; when the source holds a
 * quarter or less, or when the destination is @p idle (its poll found no
 * completion: nothing more is coming to fill a batch soon, and the source
 * reads the slots it does not hold as its backlog), smaller frames go too,
 * but none of fewer than nslots / RDMA_CREDIT_FRAMES_MAX slots unless the
 * source holds none.
 * Each CREDIT frame uses up one of the source's receives until the source
 * takes it, and the source may take none while it has credits left; the
 * slots of frames not taken yet are distinct, so at most
 * RDMA_CREDIT_FRAMES_MAX + 1 frames are outstanding and the source's
 * RDMA_CTRL_RECV (128) receives never run out (no RNR).
 */
bool mig_rdma_credit_due(uint32_t npending, uint32_t granted, uint32_t nslots,
			 bool idle);

void mig_rdma_pdata_encode(struct rdma_pdata_le *out, const struct rdma_pdata *in);

/**
 * Decode @p len bytes of private data (a peer may append more).
 * @return 0, or -EPROTO (message set) when it is not ours.
 */
int mig_rdma_pdata_decode(const void *buf, size_t len, struct rdma_pdata *out);

/**
 * Encode a SLOTS frame with @p s->count entries of @p e
 * (at most RDMA_SLOTS_PER_FRAME). @return frame bytes, or < 0.
 */
int mig_rdma_slots_encode(void *buf, size_t size, const struct rdma_slots *s,
			  const struct rdma_slot_desc *e);

/**
 * Decode the body of a SLOTS frame (header checked by the caller with
 * mig_wire_hdr_decode() and mig_wire_body_decode()); entries go to @p e
 * (RDMA_SLOTS_PER_FRAME of room).
 * @return 0, or -EPROTO with the message set.
 */
int mig_rdma_slots_decode(const void *body, uint32_t len, struct rdma_slots *s,
			  struct rdma_slot_desc *e);

/** Encode a CREDIT frame of @p n entries (1..RDMA_CREDITS_PER_FRAME). */
int mig_rdma_credit_encode(void *buf, size_t size, const struct rdma_credit *c,
			   uint32_t n);

/**
 * Decode the body of a CREDIT frame into @p c (RDMA_CREDITS_PER_FRAME
 * of room). @return the count, or -EPROTO with the message set.
 */
int mig_rdma_credit_decode(const void *body, uint32_t len, struct rdma_credit *c);

#endif /* _RDMA_PROTO_H_ */
