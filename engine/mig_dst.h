/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_DST_H_
#define _MIG_DST_H_

/**
 * @file
 * Destination side of one device's chunk pipeline:
 *
 *	chunk received (slot) -> reorder window -> device load, in index
 *	order -> slot released (credit back to the source)
 *
 * Chunks may arrive in any order within the window; they are loaded
 * strictly in index order, up to @c depth loads in flight. Memory is the
 * window, never the size of the state. A duplicate or an index beyond the
 * window fails the stage with a message naming the device and the index.
 */

#include <stdbool.h>
#include <stdint.h>

#include "mig_dev.h"
#include "mig_reorder.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MIG_DST_DEPTH_MAX 64

/** Give a landed buffer back to the transport (credits the peer). */
typedef void (*mig_dst_release_t)(void *ctx, void *cookie);

struct mig_dst_cfg {
	uint32_t dev_id;
	uint32_t window;        /**< chunks held out of order, at most */
	unsigned int depth;     /**< loads in flight, 1..MIG_DST_DEPTH_MAX */
	mig_dst_release_t release;
	void *release_ctx;
};

/** A chunk from its push until its load completes. */
struct mig_dst_item {
	void *buf;
	void *cookie;
	uint64_t index;
	uint32_t len;
	struct mig_dst_item *next_free;
};

struct mig_dst {
	struct mig_dev *dev;
	struct mig_dst_cfg cfg;
	struct mig_reorder reorder;
	/**
	 * window + depth + 1 entries: a chunk keeps its entry while it waits
	 * in the window, stalls, and loads, and gets it back on completion,
	 * so a chunk the window admits never reuses a busy entry.
	 */
	struct mig_dst_item *items;
	struct mig_dst_item *free_items;
	struct mig_io ios[MIG_DST_DEPTH_MAX];
	struct mig_dst_item *io_item[MIG_DST_DEPTH_MAX];
	unsigned int inflight;
	struct mig_dst_item *stalled; /**< popped, load not accepted yet */
	uint64_t loaded_chunks;     /**< chunks loaded, all below this index */
	uint64_t loaded_bytes;
	int error;
};

int mig_dst_init(struct mig_dst *d, struct mig_dev *dev,
		 const struct mig_dst_cfg *cfg);

/** Free the window; buffers still held are released first. */
void mig_dst_fini(struct mig_dst *d);

/**
 * Accept a received chunk. @return 0, or -EEXIST (duplicate) / -ERANGE
 * (beyond the window), which also fail the stage.
 */
int mig_dst_push(struct mig_dst *d, uint64_t index, void *buf, uint32_t len,
		 void *cookie);

/**
 * Submit loads in order and complete them.
 * @return > 0 work done, 0 idle, or the stage's sticky negative errno.
 */
int mig_dst_poll(struct mig_dst *d);

/** True when every pushed chunk has been loaded and released. */
bool mig_dst_idle(const struct mig_dst *d);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_DST_H_ */
