/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mig_reorder.h"

#define ITEM(i) ((void *)(uintptr_t)((i) + 1))

static void
test_in_order(void **state)
{
	struct mig_reorder r;
	uint64_t i;

	(void)state;
	assert_int_equal(mig_reorder_init(&r, 4), 0);
	for (i = 0; i < 100; i++) {
		assert_null(mig_reorder_pop(&r));
		assert_int_equal(mig_reorder_insert(&r, i, ITEM(i)), 0);
		assert_ptr_equal(mig_reorder_pop(&r), ITEM(i));
	}
	assert_int_equal(r.count, 0);
	mig_reorder_fini(&r);
}

/* Random permutations within the window come out sorted. */
static void
test_shuffled(void **state)
{
	enum { N = 4096, W = 16 };
	struct mig_reorder r;
	uint64_t order[N], next_out = 0, tmp;
	unsigned int i, j, k;
	void *it;

	(void)state;
	srand(7);
	for (i = 0; i < N; i++)
		order[i] = i;
	/* Shuffle inside blocks of W so every index stays within reach. */
	for (i = 0; i < N; i += W) {
		for (j = W - 1; j > 0; j--) {
			k = (unsigned int)rand() % (j + 1);
			tmp = order[i + j];
			order[i + j] = order[i + k];
			order[i + k] = tmp;
		}
	}
	assert_int_equal(mig_reorder_init(&r, W), 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(mig_reorder_insert(&r, order[i],
						    ITEM(order[i])), 0);
		while ((it = mig_reorder_pop(&r)) != NULL) {
			assert_ptr_equal(it, ITEM(next_out));
			next_out++;
		}
		assert_true(r.count <= W);
	}
	assert_int_equal(next_out, N);
	mig_reorder_fini(&r);
}

static void
test_duplicates_and_range(void **state)
{
	struct mig_reorder r;

	(void)state;
	assert_int_equal(mig_reorder_init(&r, 4), 0);
	assert_int_equal(mig_reorder_insert(&r, 2, ITEM(2)), 0);
	assert_int_equal(mig_reorder_insert(&r, 2, ITEM(2)), -EEXIST);
	assert_int_equal(mig_reorder_insert(&r, 4, ITEM(4)), -ERANGE);
	assert_int_equal(mig_reorder_insert(&r, UINT64_MAX, ITEM(0)),
			 -ERANGE);
	assert_int_equal(mig_reorder_insert(&r, 0, NULL), -EINVAL);
	assert_int_equal(mig_reorder_insert(&r, 0, ITEM(0)), 0);
	assert_ptr_equal(mig_reorder_pop(&r), ITEM(0));
	/* Already delivered: a duplicate, not a new chunk. */
	assert_int_equal(mig_reorder_insert(&r, 0, ITEM(0)), -EEXIST);
	assert_null(mig_reorder_pop(&r));
	assert_int_equal(mig_reorder_insert(&r, 4, ITEM(4)), 0);
	assert_int_equal(mig_reorder_insert(&r, 5, ITEM(5)), -ERANGE);
	mig_reorder_fini(&r);
}

static void
count_item(void *item, void *arg)
{
	(void)item;
	(*(int *)arg)++;
}

static void
test_drain_and_init_errors(void **state)
{
	struct mig_reorder r;
	int n = 0;

	(void)state;
	assert_int_equal(mig_reorder_init(&r, 0), -EINVAL);
	assert_int_equal(mig_reorder_init(&r, UINT32_MAX), -EINVAL);
	assert_int_equal(mig_reorder_init(&r, 8), 0);
	assert_int_equal(mig_reorder_insert(&r, 3, ITEM(3)), 0);
	assert_int_equal(mig_reorder_insert(&r, 7, ITEM(7)), 0);
	mig_reorder_drain(&r, count_item, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r.count, 0);
	assert_int_equal(mig_reorder_insert(&r, 3, ITEM(3)), 0);
	mig_reorder_fini(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_shuffled),
		cmocka_unit_test(test_duplicates_and_range),
		cmocka_unit_test(test_drain_and_init_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
