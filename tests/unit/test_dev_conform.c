/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The conformance aids of the device layer (engine/mig_dev_conform.c), used
 * by dpdk-migrate --check: the state a device reports, and requests it
 * decomposes itself, against a scripted driver and one without the ops.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mig_dev_driver.h"
#include "mig_log.h"

/* What the scripted device does; reset by setup. */
static struct {
	enum mig_state actual;   /* the state it reports */
	int request_error;       /* a request fails with this, 0 none */
	enum mig_state path[4];  /* the path it tells, after its start */
	unsigned int npath;
	unsigned int requests;
} g_dev;

static int
conf_probe(struct mig_dev *dev, const char *args)
{
	(void)args;
	dev->info.caps = MIG_CAP_STOP_COPY;
	dev->info.max_inflight = 1;
	dev->info.chunk_size = 4096;
	return 0;
}

static int
conf_set_state(struct mig_dev *dev, enum mig_state next)
{
	(void)dev;
	g_dev.actual = next;
	return 0;
}

static int
conf_get_state(struct mig_dev *dev, enum mig_state *state)
{
	(void)dev;
	*state = g_dev.actual;
	return 0;
}

static int
conf_request(struct mig_dev *dev, enum mig_state target,
	     enum mig_state *path, unsigned int max)
{
	unsigned int i;

	g_dev.requests++;
	if (g_dev.request_error != 0) {
		mig_err_set(mig_logtype_engine, "conf %s: refused", dev->name);
		return g_dev.request_error;
	}
	path[0] = dev->state;
	for (i = 0; i < g_dev.npath && i + 1 < max; i++)
		path[i + 1] = g_dev.path[i];
	g_dev.actual = target;
	return g_dev.npath ? (int)i + 1 : 0;
}

static int
conf_submit(struct mig_dev *dev, struct mig_io *io)
{
	(void)dev;
	(void)io;
	return 0;
}

static const struct mig_dev_ops g_conf_ops = {
	.version = MIG_DEV_OPS_VERSION,
	.probe = conf_probe,
	.set_state = conf_set_state,
	.get_state = conf_get_state,
	.save_submit = conf_submit,
	.request_state = conf_request,
};
static struct mig_dev_driver g_conf_drv = { .ops = &g_conf_ops };
MIG_PMD_REGISTER(conf, g_conf_drv);

/* Neither get_state nor request_state. */
static const struct mig_dev_ops g_plain_ops = {
	.version = MIG_DEV_OPS_VERSION,
	.probe = conf_probe,
	.set_state = conf_set_state,
};
static struct mig_dev_driver g_plain_drv = { .ops = &g_plain_ops };
MIG_PMD_REGISTER(plain, g_plain_drv);

static int
setup(void **state)
{
	memset(&g_dev, 0, sizeof(g_dev));
	g_dev.actual = MIG_STATE_RUNNING;
	mig_err_clear();
	*state = mig_dev_open("conf,id=c0");
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	mig_dev_close(*state);
	return 0;
}

static void
test_state_read_is_the_device_s(void **state)
{
	struct mig_dev *dev = *state;
	enum mig_state s;

	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP,
					   MIG_STATE_ERROR), 0);
	/* the device did not do what it said: the engine learns it */
	g_dev.actual = MIG_STATE_RUNNING;
	assert_int_equal(mig_dev_state_read(dev, &s), 0);
	assert_int_equal(s, MIG_STATE_RUNNING);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
}

static void
test_request_path(void **state)
{
	struct mig_dev *dev = *state;
	enum mig_state path[8];

	g_dev.path[0] = MIG_STATE_STOP;
	g_dev.path[1] = MIG_STATE_STOP_COPY;
	g_dev.npath = 2;
	/* no decomposition by the engine: one request */
	assert_int_equal(mig_dev_request_state(dev, MIG_STATE_STOP_COPY, path,
					       8), 3);
	assert_int_equal(g_dev.requests, 1);
	assert_int_equal(path[0], MIG_STATE_RUNNING);
	assert_int_equal(path[2], MIG_STATE_STOP_COPY);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_STOP_COPY);
	/* a device that cannot tell its path */
	g_dev.npath = 0;
	assert_int_equal(mig_dev_request_state(dev, MIG_STATE_STOP, path, 8),
			 0);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_STOP);
}

static void
test_request_refused_reads_state(void **state)
{
	struct mig_dev *dev = *state;
	enum mig_state path[8];

	/* even a state the caps lack reaches the device, which refuses it */
	g_dev.request_error = -EINVAL;
	g_dev.actual = MIG_STATE_STOP;
	assert_int_equal(mig_dev_request_state(dev, MIG_STATE_PRE_COPY, path,
					       8), -EINVAL);
	assert_int_equal(g_dev.requests, 1);
	assert_string_equal(mig_err_last(), "conf c0: refused");
	/* the engine's view is what the device reports after the failure */
	assert_int_equal(mig_dev_state(dev), MIG_STATE_STOP);
}

static void
test_request_busy(void **state)
{
	struct mig_dev *dev = *state;
	enum mig_state path[8];
	char buf[16];
	struct mig_io io = { .buf = buf, .cap = sizeof(buf) };

	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(mig_dev_save_submit(dev, &io), 0);
	assert_int_equal(mig_dev_request_state(dev, MIG_STATE_STOP, path, 8),
			 -EBUSY);
	assert_int_equal(g_dev.requests, 0);
}

static void
test_without_ops(void **state)
{
	enum mig_state path[8], s;
	struct mig_dev *dev;

	(void)state;
	dev = mig_dev_open("plain,id=p0");
	assert_non_null(dev);
	assert_int_equal(mig_dev_state_read(dev, &s), -ENOTSUP);
	assert_non_null(strstr(mig_err_last(), "read state: not supported"));
	assert_int_equal(mig_dev_request_state(dev, MIG_STATE_STOP, path, 8),
			 -ENOTSUP);
	assert_non_null(strstr(mig_err_last(), "driver plain cannot"));
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	mig_dev_close(dev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_read_is_the_device_s,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request_refused_reads_state,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_busy, setup,
						teardown),
		cmocka_unit_test(test_without_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
