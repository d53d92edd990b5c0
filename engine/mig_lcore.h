/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_LCORE_H_
#define _MIG_LCORE_H_

/**
 * @file
 * Polled tasks spread over the EAL's worker lcores.
 *
 * A task is a poll function (> 0: it did work, 0: idle) with its
 * argument; the session makes one per device (its save or load stage).
 * mig_lcore_start() deals the tasks round-robin, in order, over the worker
 * lcores that are idle (state WAIT) when it is called: with "-l 0-2"
 * lcore 0 is the main lcore and tasks 0, 2, 4... run on lcore 1, tasks
 * 1, 3, 5... on lcore 2. Each worker polls its tasks in a loop with
 * mig_idle back-off until mig_lcore_stop(). Without a worker lcore ("-l 0")
 * every task stays on the main lcore, whose own loop runs them through
 * mig_lcore_poll_main(): the same code either way.
 *
 * A task never stops its loop: it records its own failure where the main
 * lcore sees it and goes idle. After mig_lcore_stop() returns, every worker
 * has left its loop and the main lcore may touch what the tasks touched.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Poll once: > 0 work done, 0 idle. */
typedef int (*mig_lcore_task_fn)(void *arg);

struct mig_lcore_task {
	mig_lcore_task_fn fn;
	void *arg;
	unsigned int lcore; /**< set by mig_lcore_start(): where it runs */
};

struct mig_lcore_worker;

struct mig_lcore_group {
	struct mig_lcore_task *tasks;
	unsigned int ntasks;
	unsigned int nworkers;           /**< worker lcores running tasks */
	struct mig_lcore_worker *workers;
	uint32_t quit;                   /**< set by mig_lcore_stop() */
};

/**
 * Deal @p n tasks over the idle worker lcores and launch them (the tasks
 * array must outlive the group). @return 0, or -ENOMEM (nothing launched).
 */
int mig_lcore_start(struct mig_lcore_group *g, struct mig_lcore_task *tasks,
		    unsigned int n);

/** Main lcore: poll the tasks that run on it. @return the work done. */
int mig_lcore_poll_main(struct mig_lcore_group *g);

/** Stop every worker and wait for it; idempotent. */
void mig_lcore_stop(struct mig_lcore_group *g);

/** Worker lcores in use by the group. */
unsigned int mig_lcore_workers(const struct mig_lcore_group *g);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_LCORE_H_ */
