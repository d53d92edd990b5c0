/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "mig_policy.h"

#define NS_PER_MS 1000000.0

static enum mig_policy_verdict
policy_say(enum mig_policy_verdict v, char *why, size_t len, const char *fmt,
	   ...) __attribute__((format(printf, 4, 5)));

static enum mig_policy_verdict
policy_say(enum mig_policy_verdict v, char *why, size_t len, const char *fmt,
	   ...)
{
	va_list ap;

	if (why != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return v;
}

enum mig_policy_verdict
mig_policy_decide(const struct mig_policy_cfg *cfg,
		  const struct mig_policy_input *in, char *why, size_t why_len)
{
	int rounds_out = cfg->max_rounds && in->rounds >= cfg->max_rounds;
	int time_out = cfg->max_precopy_ns &&
		       in->elapsed_ns >= cfg->max_precopy_ns;
	double est_ns;

	if (cfg->owner) {
		if (in->owner_stops < in->devices)
			return policy_say(MIG_POLICY_CONTINUE, why, why_len,
					  "the owner stopped %u of %u device(s)",
					  in->owner_stops, in->devices);
		return policy_say(MIG_POLICY_SWITCHOVER, why, why_len,
				  "the owner stopped every device");
	}
	if (in->acks_pending) {
		if (time_out)
			return policy_say(MIG_POLICY_FAIL, why, why_len,
					  "%u device(s) did not acknowledge their initial data within %.0f ms",
					  in->acks_pending,
					  cfg->max_precopy_ns / NS_PER_MS);
		return policy_say(MIG_POLICY_CONTINUE, why, why_len,
				  "waiting for switchover-ack of %u device(s)",
				  in->acks_pending);
	}
	if (in->pending_bytes == 0)
		return policy_say(MIG_POLICY_SWITCHOVER, why, why_len,
				  "nothing pending");
	if (in->bandwidth_bps > 0) {
		est_ns = (double)(in->pending_bytes + in->inflight_bytes) *
			 1e9 / in->bandwidth_bps;
		if (est_ns <= (double)cfg->downtime_limit_ns)
			return policy_say(MIG_POLICY_SWITCHOVER, why, why_len,
					  "estimated downtime %.1f ms <= limit %.1f ms (%" PRIu64
					  " bytes + %" PRIu64
					  " in flight at %.1f MB/s)",
					  est_ns / NS_PER_MS,
					  cfg->downtime_limit_ns / NS_PER_MS,
					  in->pending_bytes, in->inflight_bytes,
					  in->bandwidth_bps / 1e6);
	} else {
		est_ns = -1;
	}
	if (in->fixed_bytes > 0 && in->bandwidth_bps > 0 && in->converged) {
		double fixed_ns = (double)in->fixed_bytes * 1e9 /
				  in->bandwidth_bps;

		if (fixed_ns > (double)cfg->downtime_limit_ns) {
			if (cfg->on_limit == MIG_POLICY_ON_LIMIT_FAIL)
				return policy_say(MIG_POLICY_FAIL, why, why_len,
						  "devices without pre-copy need %.1f ms of stop-copy on their own, over the limit %.1f ms",
						  fixed_ns / NS_PER_MS,
						  cfg->downtime_limit_ns / NS_PER_MS);
			return policy_say(MIG_POLICY_SWITCHOVER, why, why_len,
					  "pre-copy converged; devices without pre-copy need %.1f ms on their own (limit %.1f ms): estimated downtime %.1f ms",
					  fixed_ns / NS_PER_MS,
					  cfg->downtime_limit_ns / NS_PER_MS,
					  est_ns / NS_PER_MS);
		}
	}
	if (rounds_out || time_out) {
		const char *what = rounds_out ? "round" : "time";

		if (cfg->on_limit == MIG_POLICY_ON_LIMIT_FAIL)
			return policy_say(MIG_POLICY_FAIL, why, why_len,
					  "pre-copy %s limit reached without converging (%" PRIu64
					  " bytes pending)",
					  what, in->pending_bytes);
		return policy_say(MIG_POLICY_SWITCHOVER, why, why_len,
				  "pre-copy %s limit reached: switching over with %" PRIu64
				  " bytes pending",
				  what, in->pending_bytes);
	}
	if (est_ns < 0)
		return policy_say(MIG_POLICY_CONTINUE, why, why_len,
				  "bandwidth not measured yet");
	return policy_say(MIG_POLICY_CONTINUE, why, why_len,
			  "estimated downtime %.1f ms > limit %.1f ms",
			  est_ns / NS_PER_MS,
			  cfg->downtime_limit_ns / NS_PER_MS);
}
