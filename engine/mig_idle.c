/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_pause.h>

#include "mig_idle.h"

void
mig_idle_init(struct mig_idle *b)
{
	memset(b, 0, sizeof(*b));
	b->sleep_us = MIG_IDLE_SLEEP_MIN_US;
}

void
mig_idle_step(struct mig_idle *b, int work)
{
	struct timespec ts;

	if (work > 0) {
		b->turns = 0;
		b->sleep_us = MIG_IDLE_SLEEP_MIN_US;
		return;
	}
	if (b->turns < MIG_IDLE_SPIN) {
		b->turns++;
		rte_pause();
		return;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = (long)b->sleep_us * 1000;
	nanosleep(&ts, NULL);
	b->sleeps++;
	if (b->sleep_us < MIG_IDLE_SLEEP_MAX_US)
		b->sleep_us *= 2;
}

void
mig_idle_thread_init(void)
{
	/* Short sleeps mean what they say (the default slack is 50 us). */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
}
