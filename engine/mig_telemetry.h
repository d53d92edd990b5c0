/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_TELEMETRY_H_
#define _MIG_TELEMETRY_H_

/**
 * @file
 * DPDK telemetry endpoints of a migration (doc/watching.md), registered
 * at start-up and answered from the last sample a session observer
 * published (every MIG_TELEMETRY_PERIOD_NS), so that a query never
 * touches a running session:
 *
 *   /mig/session         role, phase, bytes, rate, elapsed, pending,
 *                        estimated downtime, rounds, ...
 *   /mig/devs            the device names, in session order
 *   /mig/dev,<id|name>   one device: state, bytes, chunks, pending,
 *                        dirty, rate, lcore
 *   /mig/xport           the transport: streams, in flight, credits,
 *                        errors, counters
 *
 * Queries run on DPDK's telemetry thread; a lock guards the sample. One
 * session at a time per process is published (the last attached).
 */

#include "mig_session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Sampling period of the telemetry observer. */
#define MIG_TELEMETRY_PERIOD_NS (50ull * 1000ull * 1000ull)

/**
 * Publish the session about to run in role @p role ("source",
 * "destination", "agent") over @p ndev devices named @p names (copied).
 * @return the observer to put in mig_session_cfg.observers.
 */
const struct mig_session_observer *
mig_telemetry_attach(const char *role, char *const *names, unsigned int ndev);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_TELEMETRY_H_ */
