/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Polled tasks on EAL lcores (mig_lcore) and the idle back-off (mig_idle),
 * on a real EAL with three lcores on the host's CPUs (--no-huge).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "mig_idle.h"
#include "mig_lcore.h"

#define NTASKS 5

struct probe {
	uint64_t polls;
	unsigned int lcore;  /* where the last poll ran */
	int busy;            /* what the poll returns */
};

static int
probe_poll(void *arg)
{
	struct probe *p = arg;

	__atomic_store_n(&p->lcore, rte_lcore_id(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->polls, 1, __ATOMIC_RELAXED);
	return p->busy;
}

static void
wait_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void
setup_tasks(struct mig_lcore_task *t, struct probe *p, int busy)
{
	unsigned int i;

	memset(p, 0, sizeof(*p) * NTASKS);
	for (i = 0; i < NTASKS; i++) {
		p[i].lcore = RTE_MAX_LCORE;
		p[i].busy = busy;
		t[i].fn = probe_poll;
		t[i].arg = &p[i];
	}
}

/* Tasks dealt round-robin over the worker lcores, each polled there. */
static void
test_dealt_round_robin(void **state)
{
	struct mig_lcore_task t[NTASKS];
	struct probe p[NTASKS];
	struct mig_lcore_group g;
	unsigned int i, lcore, workers[RTE_MAX_LCORE], nw = 0;

	(void)state;
	RTE_LCORE_FOREACH_WORKER(lcore)
		workers[nw++] = lcore;
	assert_int_equal(nw, 2);
	setup_tasks(t, p, 1);
	assert_int_equal(mig_lcore_start(&g, t, NTASKS), 0);
	assert_int_equal(mig_lcore_workers(&g), 2);
	for (i = 0; i < NTASKS; i++)
		assert_int_equal(t[i].lcore, workers[i % nw]);
	/* Nothing runs on the main lcore. */
	assert_int_equal(mig_lcore_poll_main(&g), 0);
	wait_ms(50);
	mig_lcore_stop(&g);
	for (i = 0; i < NTASKS; i++) {
		assert_true(p[i].polls > 0);
		assert_int_equal(p[i].lcore, workers[i % nw]);
	}
	/* Stopped: the workers are free for the next group. */
	RTE_LCORE_FOREACH_WORKER(lcore)
		assert_int_equal(rte_eal_get_lcore_state(lcore), WAIT);
	mig_lcore_stop(&g); /* idempotent */
}

static int
hog(void *arg)
{
	while (!__atomic_load_n((int *)arg, __ATOMIC_ACQUIRE))
		wait_ms(1);
	return 0;
}

/* No idle worker: everything runs on the main lcore, through the same
 * poll functions. */
static void
test_no_worker_main_lcore(void **state)
{
	struct mig_lcore_task t[NTASKS];
	struct probe p[NTASKS];
	struct mig_lcore_group g;
	unsigned int i, lcore;
	int quit = 0;

	(void)state;
	RTE_LCORE_FOREACH_WORKER(lcore)
		assert_int_equal(rte_eal_remote_launch(hog, &quit, lcore), 0);
	setup_tasks(t, p, 1);
	assert_int_equal(mig_lcore_start(&g, t, NTASKS), 0);
	assert_int_equal(mig_lcore_workers(&g), 0);
	assert_int_equal(mig_lcore_poll_main(&g), NTASKS);
	assert_int_equal(mig_lcore_poll_main(&g), NTASKS);
	for (i = 0; i < NTASKS; i++) {
		assert_int_equal(t[i].lcore, rte_get_main_lcore());
		assert_int_equal(p[i].polls, 2);
		assert_int_equal(p[i].lcore, rte_get_main_lcore());
	}
	mig_lcore_stop(&g);
	__atomic_store_n(&quit, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
}

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Idle tasks: the workers sleep instead of spinning (far less CPU than
 * wall time), and still poll often (bounded latency). */
static void
test_idle_workers_sleep(void **state)
{
	struct mig_lcore_task t[NTASKS];
	struct probe p[NTASKS];
	struct mig_lcore_group g;
	double cpu;

	(void)state;
	setup_tasks(t, p, 0);
	assert_int_equal(mig_lcore_start(&g, t, NTASKS), 0);
	wait_ms(20);
	cpu = cpu_s();
	wait_ms(500);
	cpu = cpu_s() - cpu;
	mig_lcore_stop(&g);
	/* Two spinning workers would use 1 s of CPU in 0.5 s. */
	print_message("# two idle workers used %.3f s of CPU in 0.5 s\n", cpu);
	assert_true(cpu < 0.25);
	/* At most 128 us + slack between polls: thousands in 0.5 s. */
	assert_true(p[0].polls > 1000);
}

/* The back-off: spin, then sleeps doubling to the bound; work resets. */
static void
test_idle_backoff(void **state)
{
	struct mig_idle b;
	unsigned int i;

	(void)state;
	mig_idle_init(&b);
	for (i = 0; i < MIG_IDLE_SPIN; i++)
		mig_idle_step(&b, 0);
	assert_int_equal(b.sleeps, 0);
	mig_idle_step(&b, 0);
	assert_int_equal(b.sleeps, 1);
	assert_int_equal(b.sleep_us, 2 * MIG_IDLE_SLEEP_MIN_US);
	for (i = 0; i < 10; i++)
		mig_idle_step(&b, 0);
	assert_int_equal(b.sleeps, 11);
	assert_int_equal(b.sleep_us, MIG_IDLE_SLEEP_MAX_US);
	mig_idle_step(&b, 3);
	assert_int_equal(b.turns, 0);
	assert_int_equal(b.sleep_us, MIG_IDLE_SLEEP_MIN_US);
	mig_idle_step(&b, 0);
	assert_int_equal(b.sleeps, 11);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dealt_round_robin),
		cmocka_unit_test(test_no_worker_main_lcore),
		cmocka_unit_test(test_idle_workers_sleep),
		cmocka_unit_test(test_idle_backoff),
	};
	char prefix[64], lcores[64];
	char *argv[16];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int argc = 0, ret;

	/* Three lcores on the first two CPUs (one if there is one). */
	snprintf(lcores, sizeof(lcores), "--lcores=0@0,1@%d,2@%d",
		 ncpu > 1 ? 1 : 0, ncpu > 1 ? 1 : 0);
	snprintf(prefix, sizeof(prefix), "mig-test-lcore-%d", (int)getpid());
	argv[argc++] = "test_lcore";
	argv[argc++] = lcores;
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--no-huge";
	argv[argc++] = "-m";
	argv[argc++] = "32";
	argv[argc++] = "--file-prefix";
	argv[argc++] = prefix;
	argv[argc++] = "--log-level=lib.eal:warning";
	argv[argc] = NULL;
	rte_openlog_stream(stderr);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "test_lcore: cannot initialise EAL: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
