/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The generic device layer (engine/mig_dev.c) against a scripted driver:
 * registration and devargs routing, arcs handed to the driver, state checks,
 * NULL ops, and QEMU's recovery policy on a failed arc.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_errno.h>

#include "mig_dev_driver.h"
#include "mig_log.h"

#define MOCK_MAX_ARCS 32

/* What the mock driver does and saw; reset by setup. */
static struct {
	enum mig_state arcs[MOCK_MAX_ARCS][2];
	unsigned int narcs;
	enum mig_state fail_to[4];      /* arcs into these states fail */
	unsigned int nfail;
	int fail_to_error;              /* failed arc leaves ERROR */
	int reset_fails;
	unsigned int resets;
	char probe_args[128];
	struct mig_io *queue[8];
	unsigned int queued;
} g_mock;

static int
mock_probe(struct mig_dev *dev, const char *args)
{
	snprintf(g_mock.probe_args, sizeof(g_mock.probe_args), "%s", args);
	if (strstr(args, "bad=") != NULL) {
		mig_err_set(mig_logtype_engine, "mock %s: bad key", dev->name);
		return -EINVAL;
	}
	dev->info.caps = strstr(args, "nostop") ? MIG_CAP_P2P : MIG_CAP_ALL;
	dev->info.max_inflight = 2;
	dev->info.chunk_min = 16;
	dev->info.chunk_size = 4096;
	return 0;
}

static int
mock_set_state(struct mig_dev *dev, enum mig_state next)
{
	unsigned int i;

	if (g_mock.narcs < MOCK_MAX_ARCS) {
		g_mock.arcs[g_mock.narcs][0] = dev->state;
		g_mock.arcs[g_mock.narcs][1] = next;
		g_mock.narcs++;
	}
	for (i = 0; i < g_mock.nfail; i++) {
		if (g_mock.fail_to[i] == next) {
			mig_err_set(mig_logtype_engine, "mock: firmware said no");
			return -EIO;
		}
	}
	return 0;
}

static int
mock_get_state(struct mig_dev *dev, enum mig_state *state)
{
	*state = g_mock.fail_to_error ? MIG_STATE_ERROR : dev->state;
	return 0;
}

static int
mock_reset(struct mig_dev *dev)
{
	(void)dev;
	g_mock.resets++;
	g_mock.queued = 0;
	return g_mock.reset_fails ? -EIO : 0;
}

static int
mock_submit(struct mig_dev *dev, struct mig_io *io)
{
	(void)dev;
	io->len = io->flags & MIG_IO_F_SAVE ? 10 : io->len;
	g_mock.queue[g_mock.queued++] = io;
	return 0;
}

static int
mock_poll(struct mig_dev *dev, struct mig_io **done, unsigned int n)
{
	unsigned int i;

	(void)dev;
	n = n < g_mock.queued ? n : g_mock.queued;
	for (i = 0; i < n; i++)
		done[i] = g_mock.queue[i];
	g_mock.queued -= n;
	memmove(g_mock.queue, g_mock.queue + n,
		g_mock.queued * sizeof(g_mock.queue[0]));
	return (int)n;
}

static const struct mig_dev_ops g_mock_ops = {
	.version = MIG_DEV_OPS_VERSION,
	.probe = mock_probe,
	.set_state = mock_set_state,
	.get_state = mock_get_state,
	.save_submit = mock_submit,
	.load_submit = mock_submit,
	.poll = mock_poll,
	.reset = mock_reset,
};

static struct mig_dev_driver g_mock_drv = {
	.params = "bad=<x>",
	.ops = &g_mock_ops,
};
MIG_PMD_REGISTER(mock, g_mock_drv);

/* A driver that implements the bare minimum. */
static int
bare_probe(struct mig_dev *dev, const char *args)
{
	(void)args;
	dev->info.caps = MIG_CAP_STOP_COPY;
	return 0;
}

static int
bare_set_state(struct mig_dev *dev, enum mig_state next)
{
	(void)dev;
	(void)next;
	return 0;
}

static const struct mig_dev_ops g_bare_ops = {
	.version = MIG_DEV_OPS_VERSION,
	.probe = bare_probe,
	.set_state = bare_set_state,
};
static struct mig_dev_driver g_bare_drv = { .ops = &g_bare_ops };
MIG_PMD_REGISTER(bare, g_bare_drv);

/* A driver built against another version of the ops table. */
static const struct mig_dev_ops g_old_ops = {
	.version = MIG_DEV_OPS_VERSION + 1,
	.probe = bare_probe,
	.set_state = bare_set_state,
};
static struct mig_dev_driver g_old_drv = { .ops = &g_old_ops };
MIG_PMD_REGISTER(old, g_old_drv);

static int
setup(void **state)
{
	memset(&g_mock, 0, sizeof(g_mock));
	mig_err_clear();
	*state = mig_dev_open("mock,id=m0");
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	mig_dev_close(*state);
	return 0;
}

static void
test_open_routes_args(void **state)
{
	struct mig_dev *dev;
	struct mig_dev_info info;

	(void)state;
	dev = mig_dev_open("mock,a=1,id=dev7,b=2");
	assert_non_null(dev);
	assert_string_equal(mig_dev_name(dev), "dev7");
	assert_string_equal(g_mock.probe_args, "a=1,b=2");
	assert_int_equal(mig_dev_info_get(dev, &info), 0);
	assert_string_equal(info.driver, "mock");
	assert_int_equal(info.max_inflight, 2);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	mig_dev_close(dev);
}

static void
test_open_errors(void **state)
{
	(void)state;
	assert_null(mig_dev_open("nosuch,size=1"));
	assert_int_equal(rte_errno, ENODEV);
	assert_non_null(strstr(mig_err_last(), "no such driver"));
	assert_non_null(strstr(mig_err_last(), "nosuch"));

	assert_null(mig_dev_open("mock,bad=1"));
	assert_int_equal(rte_errno, EINVAL);
	assert_non_null(strstr(mig_err_last(), "bad key"));

	assert_null(mig_dev_open("old"));
	assert_int_equal(rte_errno, ENOTSUP);
	assert_non_null(strstr(mig_err_last(), "version"));

	assert_null(mig_dev_open("mock,nostop=1"));
	assert_int_equal(rte_errno, ENOTSUP);
	assert_non_null(strstr(mig_err_last(), "STOP_COPY"));

	assert_null(mig_dev_open(""));
	assert_null(mig_dev_open(NULL));
}

static void
test_default_names_unique(void **state)
{
	struct mig_dev *a, *b;

	(void)state;
	a = mig_dev_open("bare");
	b = mig_dev_open("bare");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(mig_dev_name(a), mig_dev_name(b));
	mig_dev_close(a);
	mig_dev_close(b);
}

static void
test_arcs_reach_driver(void **state)
{
	struct mig_dev *dev = *state;

	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RESUMING);
	assert_int_equal(g_mock.narcs, 3);
	assert_int_equal(g_mock.arcs[0][1], MIG_STATE_RUNNING_P2P);
	assert_int_equal(g_mock.arcs[1][1], MIG_STATE_STOP);
	assert_int_equal(g_mock.arcs[2][0], MIG_STATE_STOP);
	assert_int_equal(g_mock.arcs[2][1], MIG_STATE_RESUMING);
	/* Same state: no arc at all. */
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(g_mock.narcs, 3);
}

static void
test_forbidden_request_touches_nothing(void **state)
{
	struct mig_dev *dev = *state;

	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_ERROR), 0);
	g_mock.narcs = 0;
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_ERROR), -EINVAL);
	assert_int_equal(g_mock.narcs, 0);
	assert_int_equal(g_mock.resets, 0);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_STOP_COPY);
	assert_non_null(strstr(mig_err_last(), "stop_copy -> pre_copy"));
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_ERROR,
					   MIG_STATE_ERROR), -EINVAL);
}

/* Failure with a recovery state: recover there, report the first error. */
static void
test_recover_to_given_state(void **state)
{
	struct mig_dev *dev = *state;

	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_ERROR), 0);
	g_mock.fail_to[g_mock.nfail++] = MIG_STATE_STOP_COPY;
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), -EIO);
	/* PRE_COPY -> PRE_COPY_P2P worked, -> STOP_COPY failed, then the
	 * device went back PRE_COPY_P2P -> RUNNING_P2P -> RUNNING. */
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	assert_int_equal(g_mock.resets, 0);
	assert_non_null(strstr(mig_err_last(), "device m0"));
	assert_non_null(strstr(mig_err_last(), "arc to stop_copy failed"));
	assert_non_null(strstr(mig_err_last(), "firmware said no"));
	assert_non_null(strstr(mig_err_last(), "device now running"));
}

/* Recovery itself fails: reset. */
static void
test_recover_fails_then_reset(void **state)
{
	struct mig_dev *dev = *state;

	g_mock.fail_to[g_mock.nfail++] = MIG_STATE_STOP_COPY;
	g_mock.fail_to[g_mock.nfail++] = MIG_STATE_RUNNING;
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), -EIO);
	assert_int_equal(g_mock.resets, 1);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	assert_non_null(strstr(mig_err_last(), "running (reset)"));
}

/* recover == ERROR means "reset on failure" (QEMU's _or_reset). */
static void
test_recover_error_means_reset(void **state)
{
	struct mig_dev *dev = *state;

	g_mock.fail_to[g_mock.nfail++] = MIG_STATE_STOP;
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP,
					   MIG_STATE_ERROR), -EIO);
	assert_int_equal(g_mock.resets, 1);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
}

/* A driver that lands in ERROR cannot be recovered by arcs: reset. */
static void
test_driver_error_state(void **state)
{
	struct mig_dev *dev = *state;

	g_mock.fail_to[g_mock.nfail++] = MIG_STATE_RUNNING_P2P;
	g_mock.fail_to_error = 1;
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP,
					   MIG_STATE_RUNNING), -EIO);
	assert_int_equal(g_mock.resets, 1);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
}

/* Reset fails too: the device is in ERROR and says so. */
static void
test_reset_fails(void **state)
{
	struct mig_dev *dev = *state;

	g_mock.fail_to[g_mock.nfail++] = MIG_STATE_RUNNING_P2P;
	g_mock.reset_fails = 1;
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP,
					   MIG_STATE_ERROR), -EIO);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_ERROR);
	assert_non_null(strstr(mig_err_last(), "reset failed"));
	/* From ERROR only a reset helps. */
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), -EIO);
	assert_non_null(strstr(mig_err_last(), "reset it first"));
	g_mock.reset_fails = 0;
	assert_int_equal(mig_dev_reset(dev), 0);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
}

static void
test_io_state_checks(void **state)
{
	struct mig_dev *dev = *state;
	char buf[64];
	struct mig_io io = { .buf = buf, .cap = sizeof(buf) }, io2 = io,
		      io3 = io, *done[4];

	/* No saving outside saving states, no load outside RESUMING. */
	assert_int_equal(mig_dev_save_submit(dev, &io), -EINVAL);
	assert_non_null(strstr(mig_err_last(), "not a saving state"));
	io.len = 8;
	assert_int_equal(mig_dev_load_submit(dev, &io), -EINVAL);

	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_ERROR), 0);
	io.cap = 8; /* below chunk_min */
	assert_int_equal(mig_dev_save_submit(dev, &io), -EINVAL);
	assert_non_null(strstr(mig_err_last(), "minimum"));
	io.cap = sizeof(buf);
	assert_int_equal(mig_dev_save_submit(dev, &io), 0);
	assert_int_equal(mig_dev_save_submit(dev, &io2), 0);
	assert_int_equal(mig_dev_save_submit(dev, &io3), -EBUSY);
	assert_int_equal(mig_dev_inflight(dev), 2);
	/* No state change with I/O outstanding. */
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_ERROR), -EBUSY);
	assert_int_equal(mig_dev_poll(dev, done, 4), 2);
	assert_ptr_equal(done[0], &io);
	assert_int_equal(io.len, 10);
	assert_int_equal(mig_dev_inflight(dev), 0);
	assert_int_equal(mig_dev_poll(dev, done, 4), 0);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_ERROR), 0);
}

static void
test_reset_abandons_io(void **state)
{
	struct mig_dev *dev = *state;
	char buf[64];
	struct mig_io io = { .buf = buf, .cap = sizeof(buf) };

	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(mig_dev_save_submit(dev, &io), 0);
	assert_int_equal(mig_dev_reset(dev), 0);
	assert_int_equal(mig_dev_inflight(dev), 0);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
}

static void
test_null_ops_enotsup(void **state)
{
	struct mig_dev_sizes sz;
	struct mig_dev *dev;
	uint64_t digest;
	char buf[16];
	struct mig_io io = { .buf = buf, .cap = sizeof(buf) };

	(void)state;
	dev = mig_dev_open("bare,id=nulls");
	assert_non_null(dev);
	assert_int_equal(mig_dev_query_sizes(dev, &sz), -ENOTSUP);
	/* the message is this error's, never an older one */
	mig_err_set(mig_logtype_engine, "an older, unrelated message");
	assert_int_equal(mig_dev_digest(dev, &digest), -ENOTSUP);
	assert_string_equal(mig_err_last(),
			    "device nulls: digest: not supported by driver bare");
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_ERROR), 0);
	mig_err_clear();
	assert_int_equal(mig_dev_save_submit(dev, &io), -ENOTSUP);
	assert_non_null(strstr(mig_err_last(), "save: not supported"));
	assert_int_equal(mig_dev_reset(dev), -ENOTSUP);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_ERROR);
	mig_dev_close(dev);
}

static void
count_driver(const char *name, const char *params, void *arg)
{
	(void)params;
	if (strcmp(name, "mock") == 0 || strcmp(name, "sim") == 0)
		(*(int *)arg)++;
}

static void
test_driver_list(void **state)
{
	int n = 0;

	(void)state;
	mig_dev_driver_foreach(count_driver, &n);
	/* The mock from this file and sim, linked whole from the library. */
	assert_int_equal(n, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_routes_args),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_default_names_unique),
		cmocka_unit_test_setup_teardown(test_arcs_reach_driver, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_forbidden_request_touches_nothing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_recover_to_given_state,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_fails_then_reset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_error_means_reset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_error_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reset_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_io_state_checks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reset_abandons_io, setup,
						teardown),
		cmocka_unit_test(test_null_ops_enotsup),
		cmocka_unit_test(test_driver_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
