/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_launch.h>

#include "mig_idle.h"
#include "mig_lcore.h"
#include "mig_log.h"

struct mig_lcore_worker {
	struct mig_lcore_group *g;
	unsigned int lcore;
	bool launched;
	unsigned int ntask;
	struct mig_lcore_task **task;
};

static int
lcore_worker_main(void *arg)
{
	struct mig_lcore_worker *w = arg;
	struct mig_idle idle;
	unsigned int i;
	int work;

	mig_idle_thread_init();
	mig_idle_init(&idle);
	while (!__atomic_load_n(&w->g->quit, __ATOMIC_ACQUIRE)) {
		work = 0;
		for (i = 0; i < w->ntask; i++)
			work += w->task[i]->fn(w->task[i]->arg);
		mig_idle_step(&idle, work);
	}
	return 0;
}

int
mig_lcore_start(struct mig_lcore_group *g, struct mig_lcore_task *tasks,
		unsigned int n)
{
	unsigned int lcore, i, k, nw = 0, main_lcore = rte_get_main_lcore();
	struct mig_lcore_worker *w;

	memset(g, 0, sizeof(*g));
	g->tasks = tasks;
	g->ntasks = n;
	for (i = 0; i < n; i++)
		tasks[i].lcore = main_lcore;
	RTE_LCORE_FOREACH_WORKER(lcore)
		if (rte_eal_get_lcore_state(lcore) == WAIT)
			nw++;
	if (nw > n)
		nw = n;
	if (nw == 0)
		return 0;
	g->workers = calloc(nw, sizeof(*g->workers));
	if (g->workers == NULL)
		return -ENOMEM;
	g->nworkers = nw;
	k = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (k == nw)
			break;
		if (rte_eal_get_lcore_state(lcore) != WAIT)
			continue;
		w = &g->workers[k++];
		w->g = g;
		w->lcore = lcore;
		w->task = calloc(n / nw + 1, sizeof(*w->task));
		if (w->task == NULL) {
			mig_lcore_stop(g);
			return -ENOMEM;
		}
	}
	for (i = 0; i < n; i++) {
		w = &g->workers[i % nw];
		w->task[w->ntask++] = &tasks[i];
		tasks[i].lcore = w->lcore;
	}
	for (k = 0; k < nw; k++) {
		w = &g->workers[k];
		if (rte_eal_remote_launch(lcore_worker_main, w, w->lcore) == 0) {
			w->launched = true;
			continue;
		}
		/* Taken meanwhile: its tasks run on the main lcore. */
		MIG_LOG(WARNING, mig_logtype_engine,
			"lcore %u busy: its tasks run on the main lcore",
			w->lcore);
		for (i = 0; i < w->ntask; i++)
			w->task[i]->lcore = main_lcore;
		w->ntask = 0;
	}
	return 0;
}

int
mig_lcore_poll_main(struct mig_lcore_group *g)
{
	unsigned int i, self = rte_lcore_id();
	int work = 0;

	for (i = 0; i < g->ntasks; i++)
		if (g->tasks[i].lcore == self)
			work += g->tasks[i].fn(g->tasks[i].arg);
	return work;
}

void
mig_lcore_stop(struct mig_lcore_group *g)
{
	unsigned int k;

	__atomic_store_n(&g->quit, 1, __ATOMIC_RELEASE);
	for (k = 0; g->workers != NULL && k < g->nworkers; k++) {
		if (g->workers[k].launched)
			rte_eal_wait_lcore(g->workers[k].lcore);
		g->workers[k].launched = false;
	}
	/* What the workers wrote is visible from here on. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	/* Every task belongs to the main lcore now. */
	for (k = 0; k < g->ntasks; k++)
		g->tasks[k].lcore = rte_lcore_id();
	for (k = 0; g->workers != NULL && k < g->nworkers; k++)
		free(g->workers[k].task);
	free(g->workers);
	g->workers = NULL;
	g->nworkers = 0;
}

unsigned int
mig_lcore_workers(const struct mig_lcore_group *g)
{
	return g->nworkers;
}
