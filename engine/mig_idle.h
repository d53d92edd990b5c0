/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_IDLE_H_
#define _MIG_IDLE_H_

/**
 * @file
 * Back-off of a polling loop that finds no work.
 *
 * A poll loop calls mig_idle_step() once per turn with the work it did.
 * While work keeps coming the call costs nothing. After a turn without
 * work the loop spins with rte_pause() for MIG_IDLE_SPIN turns (a chunk
 * that arrives then is seen within about a microsecond), then sleeps,
 * starting at MIG_IDLE_SLEEP_MIN_US and doubling up to
 * MIG_IDLE_SLEEP_MAX_US, so that an idle lcore gives its CPU to the other
 * busy threads and processes of the machine (two migration processes on a
 * two-core host) instead of spinning them off it. The latency added to
 * work that arrives while the loop sleeps is bounded by
 * MIG_IDLE_SLEEP_MAX_US plus the kernel's timer slack (lowered to 1 us by
 * mig_idle_thread_init()).
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Idle turns spent spinning with rte_pause() before sleeping. */
#define MIG_IDLE_SPIN 256u
/** First sleep, microseconds. */
#define MIG_IDLE_SLEEP_MIN_US 8u
/** Longest sleep, microseconds: the bound on the added latency. */
#define MIG_IDLE_SLEEP_MAX_US 128u

struct mig_idle {
	uint32_t turns;    /**< consecutive turns without work */
	uint32_t sleep_us; /**< next sleep */
	uint64_t sleeps;   /**< statistics: sleeps taken */
};

/** Start with no idle history. */
void mig_idle_init(struct mig_idle *b);

/**
 * One turn of a poll loop did @p work (> 0: busy). Busy: returns at once.
 * Idle: pauses or sleeps as described above.
 */
void mig_idle_step(struct mig_idle *b, int work);

/** Per-thread setup of a polling thread: 1 us timer slack. */
void mig_idle_thread_init(void);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_IDLE_H_ */
