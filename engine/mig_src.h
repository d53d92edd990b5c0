/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SRC_H_
#define _MIG_SRC_H_

/**
 * @file
 * Source side of one device's chunk pipeline:
 *
 *	free buffer -> device save into it -> emit (transport send) -> free
 *
 * Up to @c depth saves are in flight at once (bounded by the device's
 * max_inflight). Completions are taken in submission order, so chunk
 * indexes follow the device's stream; a save that finds no data (-ENOMSG,
 * pre-copy caught up) or the end of the stream (length 0 in STOP_COPY)
 * takes no index. A chunk the emitter cannot take now (-EAGAIN: no credit)
 * stays queued and is offered again on the next poll, so a slow peer
 * throttles the device instead of buffers piling up. The stage never
 * blocks; one thread polls it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "mig_dev.h"
#include "mig_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most saves a stage keeps in flight. */
#define MIG_SRC_DEPTH_MAX 64

/**
 * Hand a ready chunk to the transport. @p hdr has dev_id, flags, index,
 * length and crc set; @p buf holds the payload and must be given back with
 * mig_src_buf_done(@p cookie) once sent. Return 0, -EAGAIN (keep it, offer
 * it again later) or a negative errno (fails the stage).
 */
typedef int (*mig_src_emit_t)(void *ctx, const struct mig_wire_chunk *hdr,
			      void *buf, void *cookie);

struct mig_src_cfg {
	uint32_t dev_id;         /**< id on the wire */
	uint32_t chunk_size;     /**< bytes per save (buffer size) */
	unsigned int depth;      /**< saves in flight, 1..MIG_SRC_DEPTH_MAX */
	void *(*buf_get)(void *ctx);         /**< a free buffer or NULL */
	void (*buf_put)(void *ctx, void *buf);
	void *buf_ctx;
	mig_src_emit_t emit;
	void *emit_ctx;
};

struct mig_src_slot {
	struct mig_io io;
	uint32_t flags;  /**< MIG_WIRE_CHUNK_F_* of the state it was saved in */
	bool busy;       /**< submitted or waiting to be emitted */
	bool done;       /**< device completed it */
	bool has_crc;    /**< crc computed (an emit was refused once) */
	uint32_t crc;    /**< CRC32C of the payload */
};

struct mig_src {
	struct mig_dev *dev;
	struct mig_src_cfg cfg;
	struct mig_src_slot slots[MIG_SRC_DEPTH_MAX];
	unsigned int head;       /**< oldest busy slot (completion order) */
	unsigned int tail;       /**< next slot to submit into */
	unsigned int busy;       /**< busy slots */
	uint64_t next_index;     /**< index of the next chunk with data */
	uint64_t bytes;          /**< payload bytes emitted */
	uint64_t stop_bytes;     /**< of which read in STOP_COPY */
	uint64_t chunks;         /**< chunks emitted */
	uint64_t digest;         /**< mig_wire_digest_add() over emitted chunks */
	uint32_t sent_outstanding; /**< emitted, buffer not yet back */
	bool nodata;             /**< -ENOMSG seen: no pre-copy data now */
	bool eos;                /**< permanent end seen */
	bool hold;               /**< submit nothing new (mark or state change) */
	int error;               /**< sticky error */
};

/** Prepare a stage for @p dev. 0 or -EINVAL (message via mig_err_set). */
int mig_src_init(struct mig_src *s, struct mig_dev *dev,
		 const struct mig_src_cfg *cfg);

/**
 * Submit saves, collect completions, emit ready chunks.
 * @return > 0 work done, 0 idle, or the stage's sticky negative errno.
 */
int mig_src_poll(struct mig_src *s);

/** The transport is done with the buffer of @p cookie. */
void mig_src_buf_done(struct mig_src *s, void *cookie);

/** True when nothing is in flight in the device or waiting to be emitted. */
bool mig_src_quiet(const struct mig_src *s);

/**
 * True when the stream ended (STOP_COPY end seen) and every chunk was
 * emitted and given back.
 */
bool mig_src_finished(const struct mig_src *s);

/** Stop (true) or resume (false) submitting new saves. */
void mig_src_hold(struct mig_src *s, bool hold);

/** Forget a -ENOMSG: the device may have new data (next round / state). */
void mig_src_rearm(struct mig_src *s);

/**
 * Abort path: collect the device's outstanding saves without emitting or
 * submitting anything. Poll until it returns true (the device has no I/O
 * in flight), then mig_src_release().
 */
bool mig_src_drain(struct mig_src *s);

/**
 * Give back every buffer the stage holds (abort path). In-flight device
 * I/O must have been abandoned first (mig_dev_reset() or a drained device).
 */
void mig_src_release(struct mig_src *s);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_SRC_H_ */
