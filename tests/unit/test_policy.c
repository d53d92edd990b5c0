/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/* The switchover decision and the rate meter that feeds it. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mig_policy.h"
#include "mig_rate.h"
#include "mig_time.h"

#define MS 1000000ull
#define MB 1000000ull

static const struct mig_policy_cfg g_cfg = {
	.downtime_limit_ns = 300 * MS,
	.max_rounds = 10,
	.max_precopy_ns = 60000 * MS,
	.on_limit = MIG_POLICY_ON_LIMIT_SWITCH,
};

static enum mig_policy_verdict
decide(const struct mig_policy_cfg *cfg, uint64_t pending, double bps,
       unsigned int rounds, uint64_t elapsed, unsigned int acks, char *why)
{
	struct mig_policy_input in = {
		.pending_bytes = pending,
		.bandwidth_bps = bps,
		.rounds = rounds,
		.elapsed_ns = elapsed,
		.acks_pending = acks,
	};

	return mig_policy_decide(cfg, &in, why, 256);
}

/* A STOP_COPY-only device of 1000 MB (1000 ms at 1000 MB/s, over the
 * 300 ms limit) with a pre-copy device that has 50 MB left. */
static void
test_fixed_bytes(void **state)
{
	struct mig_policy_cfg fail = g_cfg;
	struct mig_policy_input in = {
		.pending_bytes = 1050 * MB,
		.fixed_bytes = 1000 * MB,
		.bandwidth_bps = 1000.0 * MB,
		.rounds = 1,
		.elapsed_ns = 500 * MS,
	};
	char why[256];

	(void)state;
	/* Pre-copy devices still shrinking: keep going. */
	assert_int_equal(mig_policy_decide(&g_cfg, &in, why, sizeof(why)),
			 MIG_POLICY_CONTINUE);
	/* Converged: waiting cannot meet the limit, switch now. */
	in.converged = 1;
	assert_int_equal(mig_policy_decide(&g_cfg, &in, why, sizeof(why)),
			 MIG_POLICY_SWITCHOVER);
	assert_non_null(strstr(why, "pre-copy converged"));
	assert_non_null(strstr(why, "1000.0 ms on their own"));
	/* ... or fail at once when told to never exceed the limit. */
	fail.on_limit = MIG_POLICY_ON_LIMIT_FAIL;
	assert_int_equal(mig_policy_decide(&fail, &in, why, sizeof(why)),
			 MIG_POLICY_FAIL);
	assert_non_null(strstr(why, "over the limit 300.0 ms"));
	/* A fixed part that fits the limit: pre-copy must meet the limit
	 * (200 + 150 MB = 350 ms > 300 ms), converged or not. */
	in.fixed_bytes = 200 * MB;
	in.pending_bytes = 350 * MB;
	assert_int_equal(mig_policy_decide(&g_cfg, &in, why, sizeof(why)),
			 MIG_POLICY_CONTINUE);
	/* Never before every switchover-ack. */
	in.fixed_bytes = 1000 * MB;
	in.pending_bytes = 1050 * MB;
	in.acks_pending = 1;
	assert_int_equal(mig_policy_decide(&g_cfg, &in, why, sizeof(why)),
			 MIG_POLICY_CONTINUE);
}

/* The destination's backlog counts: 100 MB pending fits 300 ms at
 * 1000 MB/s on its own, not with 250 MB still to load. */
static void
test_inflight_counts(void **state)
{
	struct mig_policy_input in = {
		.pending_bytes = 100 * MB,
		.inflight_bytes = 250 * MB,
		.bandwidth_bps = 1000.0 * MB,
		.rounds = 1,
		.elapsed_ns = 500 * MS,
	};
	char why[256];

	(void)state;
	assert_int_equal(mig_policy_decide(&g_cfg, &in, why, sizeof(why)),
			 MIG_POLICY_CONTINUE);
	assert_non_null(strstr(why, "350.0 ms > limit 300.0 ms"));
	in.inflight_bytes = 150 * MB;
	assert_int_equal(mig_policy_decide(&g_cfg, &in, why, sizeof(why)),
			 MIG_POLICY_SWITCHOVER);
	assert_non_null(strstr(why, "250.0 ms <= limit 300.0 ms"));
	assert_non_null(strstr(why, "+ 150000000 in flight"));
}

static void
test_fits_downtime(void **state)
{
	char why[256];

	(void)state;
	/* 100 MB at 1000 MB/s = 100 ms <= 300 ms. */
	assert_int_equal(decide(&g_cfg, 100 * MB, 1000.0 * MB, 1, 0, 0, why),
			 MIG_POLICY_SWITCHOVER);
	assert_non_null(strstr(why, "100.0 ms <= limit 300.0 ms"));
	/* Exactly at the limit switches. */
	assert_int_equal(decide(&g_cfg, 300 * MB, 1000.0 * MB, 1, 0, 0, why),
			 MIG_POLICY_SWITCHOVER);
	/* 400 MB = 400 ms > 300 ms: keep going. */
	assert_int_equal(decide(&g_cfg, 400 * MB, 1000.0 * MB, 1, 0, 0, why),
			 MIG_POLICY_CONTINUE);
	assert_non_null(strstr(why, "400.0 ms > limit"));
	assert_int_equal(decide(&g_cfg, 0, 0, 0, 0, 0, why),
			 MIG_POLICY_SWITCHOVER);
	assert_int_equal(decide(&g_cfg, 1, 0, 0, 0, 0, why),
			 MIG_POLICY_CONTINUE);
	assert_non_null(strstr(why, "not measured"));
}

/* Never before every device acknowledged its initial data. */
static void
test_switchover_ack(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(decide(&g_cfg, 0, 1000.0 * MB, 1, 0, 2, why),
			 MIG_POLICY_CONTINUE);
	assert_non_null(strstr(why, "switchover-ack of 2"));
	/* Not even at the round limit. */
	assert_int_equal(decide(&g_cfg, 0, 1000.0 * MB, 50, 0, 1, why),
			 MIG_POLICY_CONTINUE);
	/* At the time limit it fails rather than switch unloaded. */
	assert_int_equal(decide(&g_cfg, 0, 1000.0 * MB, 1, 60000 * MS, 1, why),
			 MIG_POLICY_FAIL);
	assert_non_null(strstr(why, "did not acknowledge"));
}

static void
test_limits(void **state)
{
	struct mig_policy_cfg fail = g_cfg;
	char why[256];

	(void)state;
	fail.on_limit = MIG_POLICY_ON_LIMIT_FAIL;
	assert_int_equal(decide(&g_cfg, 900 * MB, 1000.0 * MB, 10, 0, 0, why),
			 MIG_POLICY_SWITCHOVER);
	assert_non_null(strstr(why, "round limit"));
	assert_int_equal(decide(&fail, 900 * MB, 1000.0 * MB, 10, 0, 0, why),
			 MIG_POLICY_FAIL);
	assert_non_null(strstr(why, "without converging"));
	assert_int_equal(decide(&g_cfg, 900 * MB, 1000.0 * MB, 1,
				60000 * MS, 0, why),
			 MIG_POLICY_SWITCHOVER);
	assert_non_null(strstr(why, "time limit"));
	/* Converged beats limits. */
	assert_int_equal(decide(&fail, 1 * MB, 1000.0 * MB, 10, 0, 0, why),
			 MIG_POLICY_SWITCHOVER);
	/* Unlimited rounds and time: continue forever. */
	fail.max_rounds = 0;
	fail.max_precopy_ns = 0;
	assert_int_equal(decide(&fail, 900 * MB, 1000.0 * MB, 100000,
				UINT64_MAX, 0, why),
			 MIG_POLICY_CONTINUE);
	/* A NULL reason buffer is fine. */
	assert_int_equal(mig_policy_decide(&g_cfg,
					   &(struct mig_policy_input){ 0 },
					   NULL, 0),
			 MIG_POLICY_SWITCHOVER);
}

static void
test_rate_steady(void **state)
{
	struct mig_rate r;
	uint64_t t = 1000 * MS;
	unsigned int i;

	(void)state;
	mig_rate_init(&r, t, 100 * MS);
	/* Before the first period ends: the plain average. */
	mig_rate_add(&r, 5 * MB, t + 50 * MS);
	assert_true(mig_rate_bps(&r, t + 50 * MS) > 99.0 * MB &&
		    mig_rate_bps(&r, t + 50 * MS) < 101.0 * MB);
	/* 10 MB every 100 ms = 100 MB/s. */
	for (i = 1; i <= 20; i++)
		mig_rate_add(&r, 10 * MB, t + i * 100 * MS + 1);
	assert_true(mig_rate_bps(&r, t + 2100 * MS) > 95.0 * MB);
	assert_true(mig_rate_bps(&r, t + 2100 * MS) < 105.0 * MB);
	assert_int_equal(r.total, 205 * MB);
}

static void
test_rate_link(void **state)
{
	struct mig_rate r;
	uint64_t t = 0;
	double link;

	(void)state;
	mig_rate_init(&r, t, 100 * MS);
	/* Caught-up pre-copy: bursts of 10 MB (100 MB/s) between idle
	 * periods; then a slower busy period pulls it down by 1/8 of the gap,
	 * a faster one raises it at once. */
	mig_rate_add(&r, 10 * MB, t + 10 * MS);
	mig_rate_add(&r, 10 * MB, t + 510 * MS);
	link = mig_rate_link_bps(&r, t + 3000 * MS);
	assert_true(link > 99.0 * MB && link < 101.0 * MB);
	mig_rate_add(&r, 2 * MB, t + 3010 * MS);
	link = mig_rate_link_bps(&r, t + 3100 * MS);
	assert_true(link > 89.0 * MB && link < 91.0 * MB);
	mig_rate_add(&r, 20 * MB, t + 3110 * MS);
	link = mig_rate_link_bps(&r, t + 3200 * MS);
	assert_true(link > 199.0 * MB && link < 201.0 * MB);
	/* Nothing measured yet: the plain average, as mig_rate_bps(). */
	mig_rate_init(&r, t, 100 * MS);
	mig_rate_add(&r, 5 * MB, t + 50 * MS);
	assert_true(mig_rate_link_bps(&r, t + 50 * MS) ==
		    mig_rate_bps(&r, t + 50 * MS));
}

static void
test_rate_idle_decays(void **state)
{
	struct mig_rate r;
	uint64_t t = 0;
	double busy;

	(void)state;
	mig_rate_init(&r, t, 100 * MS);
	mig_rate_add(&r, 10 * MB, t + 10 * MS);
	busy = mig_rate_bps(&r, t + 100 * MS);
	assert_true(busy > 0);
	/* A stall lowers the estimate instead of freezing it. */
	assert_true(mig_rate_bps(&r, t + 1000 * MS) < busy / 100);
	/* ... but not what the path can move when it has work. */
	assert_true(mig_rate_link_bps(&r, t + 1000 * MS) == busy);
	assert_true(mig_time_ns() > 0);
}

/* Owner mode (offload): only the owner's stop of every device switches
 * over; estimates, acknowledgements and limits do not. */
static void
test_owner(void **state)
{
	struct mig_policy_cfg cfg = g_cfg;
	struct mig_policy_input in = {
		.pending_bytes = 0,
		.rounds = 100,
		.elapsed_ns = 120000 * MS,
		.acks_pending = 1,
		.devices = 2,
		.owner_stops = 1,
	};
	char why[256];

	(void)state;
	cfg.owner = 1;
	cfg.on_limit = MIG_POLICY_ON_LIMIT_FAIL;
	assert_int_equal(mig_policy_decide(&cfg, &in, why, sizeof(why)),
			 MIG_POLICY_CONTINUE);
	assert_non_null(strstr(why, "stopped 1 of 2"));
	in.owner_stops = 2;
	assert_int_equal(mig_policy_decide(&cfg, &in, why, sizeof(why)),
			 MIG_POLICY_SWITCHOVER);
	/* Without owner mode the same input fails on the time limit. */
	cfg.owner = 0;
	assert_int_equal(mig_policy_decide(&cfg, &in, why, sizeof(why)),
			 MIG_POLICY_FAIL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inflight_counts),
		cmocka_unit_test(test_fits_downtime),
		cmocka_unit_test(test_fixed_bytes),
		cmocka_unit_test(test_switchover_ack),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_rate_steady),
		cmocka_unit_test(test_rate_idle_decays),
		cmocka_unit_test(test_rate_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
