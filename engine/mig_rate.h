/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_RATE_H_
#define _MIG_RATE_H_

/**
 * @file
 * Throughput meter: bytes per second over sampling periods, smoothed with
 * an exponentially weighted moving average. Feeds the switchover decision
 * (pending bytes / bandwidth) and the progress line (rate, ETA).
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mig_rate {
	uint64_t period_ns;   /**< sampling period */
	uint64_t start_ns;    /**< start of the current period */
	uint64_t bytes;       /**< bytes in the current period */
	uint64_t total;       /**< bytes since init */
	uint64_t first_ns;    /**< time of init */
	double bps;           /**< smoothed rate, 0 until one period elapsed */
	double link_bps;      /**< capacity estimate, see mig_rate_link_bps() */
};

/** Start measuring at @p now_ns with periods of @p period_ns (> 0). */
void mig_rate_init(struct mig_rate *r, uint64_t now_ns, uint64_t period_ns);

/** Account @p bytes moved at @p now_ns. */
void mig_rate_add(struct mig_rate *r, uint64_t bytes, uint64_t now_ns);

/**
 * Smoothed bytes/s as of @p now_ns (closes elapsed periods, idle ones
 * count as zero). Until the first period ends, the average since init.
 */
double mig_rate_bps(struct mig_rate *r, uint64_t now_ns);

/**
 * What the path can move when it has work, in bytes/s, as of @p now_ns:
 * the switchover decision's bandwidth. Unlike mig_rate_bps() it ignores
 * periods that moved nothing (a source that caught up in pre-copy is idle,
 * not slow), rises at once to a faster period and falls by 1/8 of the gap
 * per slower busy period. Until the first period ends, mig_rate_bps().
 */
double mig_rate_link_bps(struct mig_rate *r, uint64_t now_ns);


#ifdef __cplusplus
}
#endif

#endif /* _MIG_RATE_H_ */
