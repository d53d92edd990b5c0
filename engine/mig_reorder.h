/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_REORDER_H_
#define _MIG_REORDER_H_

/**
 * @file
 * Bounded reorder window: chunks of one device arrive in any order (several
 * TCP streams, several queue pairs) and leave strictly in index order. The
 * window is fixed at creation, so memory never depends on the size of the
 * state; an index beyond it is refused, never buffered.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mig_reorder {
	uint64_t next;   /**< index the consumer waits for */
	uint32_t window; /**< slots; indexes [next, next + window) are accepted */
	uint32_t count;  /**< items held */
	void **slots;
};

/** Prepare @p r for indexes starting at 0; 0 or -EINVAL / -ENOMEM. */
int mig_reorder_init(struct mig_reorder *r, uint32_t window);

/** Release the slots (items still held are the caller's). */
void mig_reorder_fini(struct mig_reorder *r);

/**
 * Hold @p item (not NULL) at @p index.
 *
 * @return 0; -EEXIST if the index was already delivered or is held
 *   (duplicate); -ERANGE if it lies beyond the window; -EINVAL for NULL.
 */
int mig_reorder_insert(struct mig_reorder *r, uint64_t index, void *item);

/** The item at the next index if it has arrived (and advance), else NULL. */
void *mig_reorder_pop(struct mig_reorder *r);

/** Call @p fn on every held item and empty the window (teardown). */
void mig_reorder_drain(struct mig_reorder *r, void (*fn)(void *item,
							 void *arg),
		       void *arg);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_REORDER_H_ */
