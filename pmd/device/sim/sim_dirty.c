/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Dirtying workload of the sim device and dirty tracking.
 *
 * While the device runs (RUNNING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P) it
 * "writes" dirty_rate bytes per second: whole pages picked by a
 * deterministic PRNG get a new version. The work is applied lazily, from the
 * monotonic time elapsed since the last op, so nothing runs in the
 * background. During a pre-copy session a page dirtied after the initial
 * pass sent it gets a dirty bit and will be sent again.
 */

#include <stdint.h>

#include "sim_priv.h"


static bool
sim_state_dirties(enum mig_state s)
{
	return s == MIG_STATE_RUNNING || s == MIG_STATE_RUNNING_P2P ||
	       s == MIG_STATE_PRE_COPY || s == MIG_STATE_PRE_COPY_P2P;
}

/* splitmix64 step */
static uint64_t
sim_rng_next(uint64_t *state)
{
	*state += SIM_WORD_STEP;
	return mig_mix64(*state);
}

/* Restart the clock of the workload (time before now is not owed). */
void
mig_sim_dirty_start(struct sim_dev *sd, uint64_t now_ns)
{
	sd->dirty_last_ns = now_ns;
	sd->dirty_carry = 0;
}

void
mig_sim_dirty_page(struct sim_dev *sd, uint64_t page)
{
	struct sim_saver *sv = &sd->sv;

	sd->ver[page]++;
	sd->pages_dirtied++;
	if (sd->o.backing == SIM_BACKING_MEM)
		mig_sim_fill_page(sd, page);
	/* tracking: only pages the session has sent (or is sending) */
	if (sv->active && !sv->stop_copy && page < sv->init_next &&
	    !sim_bit_test(sd->dirty, page)) {
		sim_bit_set(sd->dirty, page);
		sv->ndirty++;
		sv->dirty_bytes += SIM_PAGE_HLEN + sim_page_len(sd, page);
	}
}

void
mig_sim_dirty_advance(struct sim_dev *sd, uint64_t now_ns)
{
	unsigned __int128 owed;
	uint64_t unit, pages, dt;

	if (now_ns <= sd->dirty_last_ns)
		return;
	dt = now_ns - sd->dirty_last_ns;
	sd->dirty_last_ns = now_ns;
	if (sd->o.dirty_rate == 0 || !sim_state_dirties(sd->state))
		return;
	/* byte-nanoseconds owed; one page is page * 1e9 of them */
	unit = sd->o.page * MIG_NS_PER_S;
	owed = (unsigned __int128)sd->o.dirty_rate * dt + sd->dirty_carry;
	if (owed / unit >= sd->npages) {
		/* more than one page per page: cap the work, drop the rest */
		pages = sd->npages;
		sd->dirty_carry = 0;
	} else {
		pages = (uint64_t)(owed / unit);
		sd->dirty_carry = (uint64_t)(owed % unit);
	}
	while (pages-- > 0) {
		uint64_t r = sim_rng_next(&sd->rng);
		uint64_t page =
			(uint64_t)(((unsigned __int128)r * sd->npages) >> 64);

		mig_sim_dirty_page(sd, page);
	}
}
