/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <stdint.h>
#include <string.h>

#include "mig_rate.h"

/* Weight of the newest period in the moving average. */
#define RATE_ALPHA 0.5

void
mig_rate_init(struct mig_rate *r, uint64_t now_ns, uint64_t period_ns)
{
	memset(r, 0, sizeof(*r));
	r->period_ns = period_ns ? period_ns : 1;
	r->start_ns = now_ns;
	r->first_ns = now_ns;
}

static void
rate_close_periods(struct mig_rate *r, uint64_t now_ns)
{
	double sample;
	uint64_t n;

	if (now_ns < r->start_ns + r->period_ns)
		return;
	sample = (double)r->bytes * 1e9 / (double)r->period_ns;
	if (r->bytes > 0)
		r->link_bps = sample >= r->link_bps ? sample :
			r->link_bps - (r->link_bps - sample) / 8;
	r->bps = r->bps == 0 ? sample
			     : RATE_ALPHA * sample + (1 - RATE_ALPHA) * r->bps;
	r->bytes = 0;
	r->start_ns += r->period_ns;
	/* Whole idle periods since then each count as a zero sample. */
	n = (now_ns - r->start_ns) / r->period_ns;
	for (; n > 0 && r->bps > 0; n--)
		r->bps *= 1 - RATE_ALPHA;
	r->start_ns = now_ns - (now_ns - r->start_ns) % r->period_ns;
}

void
mig_rate_add(struct mig_rate *r, uint64_t bytes, uint64_t now_ns)
{
	rate_close_periods(r, now_ns);
	r->bytes += bytes;
	r->total += bytes;
}

double
mig_rate_bps(struct mig_rate *r, uint64_t now_ns)
{
	rate_close_periods(r, now_ns);
	if (r->bps == 0 && now_ns > r->first_ns)
		return (double)r->total * 1e9 / (double)(now_ns - r->first_ns);
	return r->bps;
}

double
mig_rate_link_bps(struct mig_rate *r, uint64_t now_ns)
{
	rate_close_periods(r, now_ns);
	if (r->link_bps == 0)
		return mig_rate_bps(r, now_ns);
	return r->link_bps;
}
