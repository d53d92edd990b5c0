/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_POLICY_H_
#define _MIG_POLICY_H_

/**
 * @file
 * Switchover decision during pre-copy.
 *
 * Switch over when the stop-copy estimate (the data still needed to
 * complete STOP_COPY, which already includes pending pre-copy data: it is
 * not added twice) divided by the measured bandwidth fits the downtime
 * limit, and never while a destination device has not acknowledged that
 * its initial data is loaded (switchover-ack). When the round or time
 * limit is reached without converging, switch anyway or fail, as
 * configured. Initial data that is never acknowledged fails the migration
 * at the time limit, whatever the configuration: switching over then
 * would put the destination's load time inside the downtime.
 *
 * Devices without pre-copy (STOP_COPY only) move their whole state during
 * the downtime whatever pre-copy does: their bytes count in the pending
 * bytes (the downtime estimate stays honest) and are also given apart as
 * fixed_bytes. When those bytes alone already take longer than the limit
 * at the measured bandwidth, no number of rounds can meet the limit; more
 * rounds only help while they still shrink what the pre-copy devices have
 * left. So once the pre-copy devices have converged (a round completed
 * and their remaining bytes did not shrink over the last one), the policy
 * switches over (on_limit switch) or fails at once (on_limit fail) instead
 * of waiting for the round or time limit. When the fixed part fits the
 * limit, the limit is met by pre-copy as usual.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum mig_policy_on_limit {
	MIG_POLICY_ON_LIMIT_SWITCH = 0, /**< switch over anyway */
	MIG_POLICY_ON_LIMIT_FAIL,       /**< abort the migration */
};

struct mig_policy_cfg {
	uint64_t downtime_limit_ns; /**< target downtime */
	unsigned int max_rounds;    /**< pre-copy rounds, 0 = unlimited */
	uint64_t max_precopy_ns;    /**< pre-copy time, 0 = unlimited */
	enum mig_policy_on_limit on_limit;
	/** The devices' owner decides (offload, doc/offload.md): switch
	 *  over when every device reports that its owner stopped it
	 *  (owner_stops == devices), never before, and no limit applies:
	 *  the owner runs its own. */
	int owner;
};

struct mig_policy_input {
	uint64_t pending_bytes;    /**< sum of the devices' stop-copy estimates */
	/** bytes already sent that the destination has not loaded yet (its
	 *  backlog: loaded, in order, before any stop-copy byte) */
	uint64_t inflight_bytes;
	/** part of pending_bytes from devices without pre-copy */
	uint64_t fixed_bytes;
	double bandwidth_bps;      /**< measured, 0 if not known yet */
	/** completed pre-copy rounds (every pre-copy device caught up),
	 *  what max_rounds limits */
	unsigned int rounds;
	/** the pre-copy devices' remaining bytes stopped shrinking */
	int converged;
	uint64_t elapsed_ns;       /**< since pre-copy started */
	unsigned int acks_pending; /**< devices without switchover-ack */
	unsigned int devices;      /**< devices in the session (owner mode) */
	/** devices whose owner stopped them (MIG_DEV_SIZES_F_OWNER_STOP) */
	unsigned int owner_stops;
};

enum mig_policy_verdict {
	MIG_POLICY_CONTINUE = 0,
	MIG_POLICY_SWITCHOVER,
	MIG_POLICY_FAIL,
};

/**
 * Decide; @p why (may be NULL) receives a one-line reason such as
 * "estimated downtime 12 ms <= limit 300 ms".
 */
enum mig_policy_verdict mig_policy_decide(const struct mig_policy_cfg *cfg,
					  const struct mig_policy_input *in,
					  char *why, size_t why_len);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_POLICY_H_ */
