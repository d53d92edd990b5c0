/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The state machine against two oracles that do not share its table:
 *  1. the uAPI's rules: the list of arcs a driver implements (comment of
 *     vfio_mig_get_next_state, spec/vfio-variant-driver.md 2.1) and "take
 *     the shortest path, never through a saving state unless both ends are
 *     saving states", solved here by breadth-first search (which must find a
 *     unique shortest path);
 *  2. the first-step table of Linux 6.12 as printed in the spec (2.2) and the
 *     arcs observed by a real driver for combined requests.
 * Every (from, to) pair is checked for every capability combination.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mig_fsm.h"

#define ERR MIG_STATE_ERROR
#define STOP MIG_STATE_STOP
#define RUN MIG_STATE_RUNNING
#define SC MIG_STATE_STOP_COPY
#define RES MIG_STATE_RESUMING
#define RP2P MIG_STATE_RUNNING_P2P
#define PC MIG_STATE_PRE_COPY
#define PCP2P MIG_STATE_PRE_COPY_P2P
#define NS MIG_STATE_COUNT

struct arc {
	enum mig_state from, to;
	uint64_t needs; /* capabilities that must all be present */
	uint64_t lacks; /* capabilities that must all be absent */
};

/* The arcs of the uAPI text, transcribed from the spec. */
static const struct arc g_arcs[] = {
	{ STOP, SC, 0, 0 },
	{ SC, STOP, 0, 0 },
	{ STOP, RES, 0, 0 },
	{ RES, STOP, 0, 0 },
	{ RUN, RP2P, MIG_CAP_P2P, 0 },
	{ RP2P, RUN, MIG_CAP_P2P, 0 },
	{ RP2P, STOP, MIG_CAP_P2P, 0 },
	{ STOP, RP2P, MIG_CAP_P2P, 0 },
	{ RUN, STOP, 0, MIG_CAP_P2P },
	{ STOP, RUN, 0, MIG_CAP_P2P },
	{ RUN, PC, MIG_CAP_PRE_COPY, 0 },
	{ PC, RUN, MIG_CAP_PRE_COPY, 0 },
	{ PC, SC, MIG_CAP_PRE_COPY, MIG_CAP_P2P },
	{ PC, PCP2P, MIG_CAP_PRE_COPY | MIG_CAP_P2P, 0 },
	{ PCP2P, PC, MIG_CAP_PRE_COPY | MIG_CAP_P2P, 0 },
	{ PCP2P, RP2P, MIG_CAP_PRE_COPY | MIG_CAP_P2P, 0 },
	{ PCP2P, SC, MIG_CAP_PRE_COPY | MIG_CAP_P2P, 0 },
	{ RP2P, PCP2P, MIG_CAP_PRE_COPY | MIG_CAP_P2P, 0 },
};

static const uint64_t g_cap_sets[] = {
	MIG_CAP_STOP_COPY,
	MIG_CAP_STOP_COPY | MIG_CAP_P2P,
	MIG_CAP_STOP_COPY | MIG_CAP_PRE_COPY,
	MIG_CAP_STOP_COPY | MIG_CAP_P2P | MIG_CAP_PRE_COPY,
};

static int
oracle_saving(enum mig_state s)
{
	return s == PC || s == PCP2P || s == SC;
}

static int
oracle_exists(uint64_t caps, enum mig_state s)
{
	switch (s) {
	case ERR:
		return 0;
	case RP2P:
		return !!(caps & MIG_CAP_P2P);
	case PC:
		return !!(caps & MIG_CAP_PRE_COPY);
	case PCP2P:
		return (caps & MIG_CAP_P2P) && (caps & MIG_CAP_PRE_COPY);
	default:
		return 1;
	}
}

static int
oracle_arc(uint64_t caps, enum mig_state from, enum mig_state to)
{
	unsigned int i;

	for (i = 0; i < sizeof(g_arcs) / sizeof(g_arcs[0]); i++) {
		if (g_arcs[i].from != from || g_arcs[i].to != to)
			continue;
		if ((caps & g_arcs[i].needs) == g_arcs[i].needs &&
		    !(caps & g_arcs[i].lacks))
			return 1;
	}
	return 0;
}

/*
 * Shortest path by BFS over the arcs, intermediates restricted as the uAPI
 * says; counts the shortest paths so a tie would be caught. Returns the
 * number of arcs, or -1 if the request is invalid / unreachable.
 */
static int
oracle_path(uint64_t caps, enum mig_state cur, enum mig_state target,
	    enum mig_state *path, unsigned int *nshortest)
{
	int dist[NS], prev[NS];
	unsigned int count[NS];
	enum mig_state queue[NS];
	unsigned int head = 0, tail = 0, s, t;
	int both_saving = oracle_saving(cur) && oracle_saving(target);
	int n, i;

	*nshortest = 0;
	if (!oracle_exists(caps, cur) || !oracle_exists(caps, target))
		return -1;
	if (cur == target)
		return 0;
	for (s = 0; s < NS; s++) {
		dist[s] = -1;
		prev[s] = -1;
		count[s] = 0;
	}
	dist[cur] = 0;
	count[cur] = 1;
	queue[tail++] = cur;
	while (head < tail) {
		s = queue[head++];
		/* Only the target may be entered if it is a saving state,
		 * unless the whole request stays within the saving group. */
		if (s != cur && s != target && oracle_saving(s) && !both_saving)
			continue;
		for (t = 0; t < NS; t++) {
			if (!oracle_arc(caps, s, t))
				continue;
			if (dist[t] == -1) {
				dist[t] = dist[s] + 1;
				prev[t] = (int)s;
				count[t] = count[s];
				queue[tail++] = t;
			} else if (dist[t] == dist[s] + 1) {
				count[t] += count[s];
			}
		}
	}
	if (dist[target] < 0)
		return -1;
	/* STOP_COPY -> PRE_COPY(_P2P) is forbidden even though reachable. */
	if (cur == SC && (target == PC || target == PCP2P))
		return -1;
	*nshortest = count[target];
	n = dist[target];
	for (i = n - 1, s = target; i >= 0; i--) {
		path[i] = s;
		s = (unsigned int)prev[s];
	}
	return n;
}

static void
check_caps(uint64_t caps)
{
	enum mig_state path[MIG_FSM_MAX_PATH], opath[NS];
	unsigned int from, to, k, ties;
	int n, on;

	for (from = 0; from < NS; from++) {
		for (to = 0; to < NS; to++) {
			on = oracle_path(caps, from, to, opath, &ties);
			n = mig_fsm_path(caps, from, to, path,
					 MIG_FSM_MAX_PATH);
			if (on < 0) {
				if (n != -EINVAL)
					fail_msg("caps %#llx %s->%s: expected -EINVAL, got %d",
						 (unsigned long long)caps,
						 mig_state_name(from),
						 mig_state_name(to), n);
				continue;
			}
			if (ties != 1 && on > 0)
				fail_msg("oracle: %u shortest paths %s->%s",
					 ties, mig_state_name(from),
					 mig_state_name(to));
			if (n != on)
				fail_msg("caps %#llx %s->%s: %d arcs, oracle %d",
					 (unsigned long long)caps,
					 mig_state_name(from),
					 mig_state_name(to), n, on);
			for (k = 0; k < (unsigned int)n; k++)
				if (path[k] != opath[k])
					fail_msg("caps %#llx %s->%s: step %u is %s, oracle %s",
						 (unsigned long long)caps,
						 mig_state_name(from),
						 mig_state_name(to), k,
						 mig_state_name(path[k]),
						 mig_state_name(opath[k]));
			/* Every step is an arc the driver implements. */
			for (k = 0; k < (unsigned int)n; k++)
				assert_true(oracle_arc(caps,
						       k ? path[k - 1] : from,
						       path[k]));
		}
	}
	/* Single arcs as the FSM reports them equal the arc list. */
	for (from = 0; from < NS; from++)
		for (to = 0; to < NS; to++)
			assert_int_equal(mig_fsm_arc_legal(caps, from, to),
					 oracle_arc(caps, from, to));
}

static void
test_caps_stop_copy(void **state)
{
	(void)state;
	check_caps(g_cap_sets[0]);
}

static void
test_caps_p2p(void **state)
{
	(void)state;
	check_caps(g_cap_sets[1]);
}

static void
test_caps_pre_copy(void **state)
{
	(void)state;
	check_caps(g_cap_sets[2]);
}

static void
test_caps_all(void **state)
{
	(void)state;
	check_caps(g_cap_sets[3]);
}

/* No STOP_COPY: not a migratable device; every request is refused. */
static void
test_caps_without_stop_copy(void **state)
{
	enum mig_state next;
	unsigned int from, to;

	(void)state;
	for (from = 0; from < NS; from++)
		for (to = 0; to < NS; to++)
			assert_int_equal(mig_fsm_next(MIG_CAP_P2P |
							      MIG_CAP_PRE_COPY,
						      from, to, &next),
					 -EINVAL);
}

/* The 6.12 first-step table printed in spec/vfio-variant-driver.md 2.2. */
static void
test_kernel_table(void **state)
{
	static const uint8_t rows[] = { STOP, RUN, PC, PCP2P, SC, RES, RP2P };
	static const uint8_t cols[] = { STOP, RUN, SC, RES, RP2P, PC, PCP2P };
	static const uint8_t tbl[7][7] = {
		/* STOP */ { STOP, RP2P, SC, RES, RP2P, RP2P, RP2P },
		/* RUN */ { RP2P, RUN, RP2P, RP2P, RP2P, PC, RP2P },
		/* PC */ { RUN, RUN, PCP2P, RUN, RUN, PC, PCP2P },
		/* PCP2P */ { RP2P, RP2P, SC, RP2P, RP2P, PC, PCP2P },
		/* SC */ { STOP, STOP, SC, STOP, STOP, ERR, ERR },
		/* RES */ { STOP, STOP, STOP, RES, STOP, STOP, STOP },
		/* RP2P */ { STOP, RUN, STOP, STOP, RP2P, RUN, PCP2P },
	};
	enum mig_state next;
	unsigned int r, c;
	int ret;

	(void)state;
	for (r = 0; r < 7; r++) {
		for (c = 0; c < 7; c++) {
			ret = mig_fsm_next(MIG_CAP_ALL, rows[r], cols[c], &next);
			if (tbl[r][c] == ERR) {
				assert_int_equal(ret, -EINVAL);
				continue;
			}
			assert_int_equal(ret, 0);
			if (next != tbl[r][c])
				fail_msg("%s->%s: first step %s, kernel %s",
					 mig_state_name(rows[r]),
					 mig_state_name(cols[c]),
					 mig_state_name(next),
					 mig_state_name(tbl[r][c]));
		}
	}
}

/* Arcs a real driver saw (spec 2.2, flags STOP_COPY|P2P|PRE_COPY). */
static void
test_observed_paths(void **state)
{
	static const struct {
		enum mig_state from, to;
		int n;
		enum mig_state path[3];
	} obs[] = {
		{ PC, SC, 2, { PCP2P, SC } },
		{ SC, RUN, 3, { STOP, RP2P, RUN } },
		{ RUN, RES, 3, { RP2P, STOP, RES } },
		{ RES, RUN, 3, { STOP, RP2P, RUN } },
	};
	enum mig_state path[MIG_FSM_MAX_PATH];
	unsigned int i;
	int k, n;

	(void)state;
	for (i = 0; i < sizeof(obs) / sizeof(obs[0]); i++) {
		n = mig_fsm_path(MIG_CAP_ALL, obs[i].from, obs[i].to, path,
				 MIG_FSM_MAX_PATH);
		assert_int_equal(n, obs[i].n);
		for (k = 0; k < n; k++)
			assert_int_equal(path[k], obs[i].path[k]);
	}
}

static void
test_error_state(void **state)
{
	enum mig_state next;
	unsigned int s;

	(void)state;
	for (s = 0; s < NS; s++) {
		/* ERROR is never a target, and nothing leaves it but reset. */
		assert_int_equal(mig_fsm_next(MIG_CAP_ALL, s, ERR, &next),
				 -EINVAL);
		assert_int_equal(mig_fsm_next(MIG_CAP_ALL, ERR, s, &next),
				 -EINVAL);
	}
	assert_int_equal(mig_fsm_next(MIG_CAP_ALL, 8, RUN, &next), -EINVAL);
	assert_int_equal(mig_fsm_next(MIG_CAP_ALL, RUN, 99, &next), -EINVAL);
}

/* The request that hangs Linux 6.12.95 must return at once. */
static void
test_stop_copy_to_pre_copy(void **state)
{
	enum mig_state next, path[MIG_FSM_MAX_PATH];

	(void)state;
	assert_int_equal(mig_fsm_next(MIG_CAP_ALL, SC, PC, &next), -EINVAL);
	assert_int_equal(mig_fsm_next(MIG_CAP_ALL, SC, PCP2P, &next), -EINVAL);
	assert_int_equal(mig_fsm_next(MIG_CAP_STOP_COPY | MIG_CAP_PRE_COPY,
				      SC, PC, &next),
			 -EINVAL);
	assert_int_equal(mig_fsm_path(MIG_CAP_ALL, SC, PC, path,
				      MIG_FSM_MAX_PATH),
			 -EINVAL);
}

static void
test_path_capacity(void **state)
{
	enum mig_state path[2];

	(void)state;
	assert_int_equal(mig_fsm_path(MIG_CAP_ALL, SC, RUN, path, 2), -E2BIG);
	assert_int_equal(mig_fsm_path(MIG_CAP_ALL, RUN, RUN, path, 2), 0);
}

static void
test_names(void **state)
{
	enum mig_state s;
	unsigned int i;

	(void)state;
	for (i = 0; i < NS; i++) {
		assert_int_equal(mig_state_parse(mig_state_name(i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(mig_state_parse("PRE-COPY-P2P", &s), 0);
	assert_int_equal(s, PCP2P);
	assert_int_equal(mig_state_parse("precopy", &s), -EINVAL);
	assert_int_equal(mig_state_parse("", &s), -EINVAL);
	assert_string_equal(mig_state_name(42), "invalid");
}

static void
test_caps_strings(void **state)
{
	uint64_t caps = 0;
	char buf[64];

	(void)state;
	assert_int_equal(mig_caps_parse("pre_copy+p2p", &caps), 0);
	assert_int_equal(caps, MIG_CAP_ALL);
	assert_string_equal(mig_caps_str(caps, buf, sizeof(buf)),
			    "stop_copy+pre_copy+p2p");
	assert_int_equal(mig_caps_parse("stop_copy", &caps), 0);
	assert_int_equal(caps, MIG_CAP_STOP_COPY);
	assert_int_equal(mig_caps_parse("P2P|stop_copy", &caps), 0);
	assert_int_equal(caps, MIG_CAP_STOP_COPY | MIG_CAP_P2P);
	assert_int_equal(mig_caps_parse("pre_copy+", &caps), -EINVAL);
	assert_int_equal(mig_caps_parse("postcopy", &caps), -EINVAL);
	assert_int_equal(mig_caps_parse("", &caps), -EINVAL);
	assert_string_equal(mig_caps_str(0, buf, sizeof(buf)), "none");
}

static void
test_saving_and_supported(void **state)
{
	(void)state;
	assert_true(mig_state_is_saving(PC));
	assert_true(mig_state_is_saving(PCP2P));
	assert_true(mig_state_is_saving(SC));
	assert_false(mig_state_is_saving(RES));
	assert_false(mig_state_supported(MIG_CAP_STOP_COPY, RP2P));
	assert_false(mig_state_supported(MIG_CAP_STOP_COPY | MIG_CAP_P2P,
					 PCP2P));
	assert_true(mig_state_supported(MIG_CAP_ALL, PCP2P));
	assert_false(mig_state_supported(MIG_CAP_ALL, ERR));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_stop_copy),
		cmocka_unit_test(test_caps_p2p),
		cmocka_unit_test(test_caps_pre_copy),
		cmocka_unit_test(test_caps_all),
		cmocka_unit_test(test_caps_without_stop_copy),
		cmocka_unit_test(test_kernel_table),
		cmocka_unit_test(test_observed_paths),
		cmocka_unit_test(test_error_state),
		cmocka_unit_test(test_stop_copy_to_pre_copy),
		cmocka_unit_test(test_path_capacity),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_caps_strings),
		cmocka_unit_test(test_saving_and_supported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
