/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_TIME_H_
#define _MIG_TIME_H_

/**
 * @file
 * The one clock of the engine and its drivers: CLOCK_MONOTONIC in
 * nanoseconds. Deadlines, rates, emulated latencies and timestamps in the
 * statistics all read it, so any two of them can be compared.
 */

#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Nanoseconds in a second. */
#define MIG_NS_PER_S UINT64_C(1000000000)

/** CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t
mig_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MIG_NS_PER_S + (uint64_t)ts.tv_nsec;
}

#ifdef __cplusplus
}
#endif

#endif /* _MIG_TIME_H_ */
