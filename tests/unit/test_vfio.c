/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Unit tests of the vfio device driver that need no VFIO: devargs, PCI
 * addresses, and the error each set-up mistake produces, against a sysfs
 * and /dev tree built in a temporary directory, and against the host's own
 * sysfs through mig_dev_open(). Opening a real device is the lab's job
 * (tests/lab/scenarios/vfio_*.sh); MIG_TEST_VFIO_BDF names one to try here.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_errno.h>

#include "mig_dev.h"
#include "mig_log.h"
#include "vfio_priv.h"

static void
expect_msg(const char *needle)
{
	if (strstr(mig_err_last(), needle) == NULL)
		fail_msg("message '%s' lacks '%s'", mig_err_last(), needle);
}

static void
test_bdf_parse(void **state)
{
	char out[MIG_VFIO_BDF_LEN];

	(void)state;
	assert_int_equal(mig_vfio_bdf_parse("0000:01:00.0", out), 0);
	assert_string_equal(out, "0000:01:00.0");
	assert_int_equal(mig_vfio_bdf_parse("01:1F.7", out), 0);
	assert_string_equal(out, "0000:01:1f.7");
	assert_int_equal(mig_vfio_bdf_parse("ABCD:ef:00.3", out), 0);
	assert_string_equal(out, "abcd:ef:00.3");
	assert_int_equal(mig_vfio_bdf_parse("0000:01:00", out), -EINVAL);
	assert_int_equal(mig_vfio_bdf_parse("0000:01:20.0", out), -EINVAL);
	assert_int_equal(mig_vfio_bdf_parse("0000:01:00.8", out), -EINVAL);
	assert_int_equal(mig_vfio_bdf_parse("00000:01:00.0", out), -EINVAL);
	assert_int_equal(mig_vfio_bdf_parse("0000:01:00.0 ", out), -EINVAL);
	assert_int_equal(mig_vfio_bdf_parse("/0:01:00.0", out), -EINVAL);
	assert_int_equal(mig_vfio_bdf_parse("", out), -EINVAL);
}

static void
test_devargs_ok(void **state)
{
	struct vfio_opts o;

	(void)state;
	assert_int_equal(mig_vfio_parse_args("d", "bdf=01:00.0", &o), 0);
	assert_string_equal(o.bdf, "0000:01:00.0");
	assert_int_equal(o.io, MIG_VFIO_IO_AUTO);
	assert_int_equal(o.depth, 4);
	assert_int_equal(o.chunk, 1 << 20);
	assert_int_equal(o.dirty_rate, 0);
	assert_int_equal(o.dirty_region, 2);
	assert_int_equal(o.corrupt_save, 0);
	assert_int_equal(o.truncate_save, 0);
	assert_int_equal(mig_vfio_parse_args("d",
		"bdf=0000:00:04.0,io=read,depth=16,chunk=256K,dirty_rate=8M,dirty_region=0,corrupt_save=3,truncate_save=5",
		&o), 0);
	assert_string_equal(o.bdf, "0000:00:04.0");
	assert_int_equal(o.io, MIG_VFIO_IO_READ);
	assert_int_equal(o.depth, 16);
	assert_int_equal(o.chunk, 256 << 10);
	assert_int_equal(o.dirty_rate, 8 << 20);
	assert_int_equal(o.dirty_region, 0);
	assert_int_equal(o.corrupt_save, 3);
	assert_int_equal(o.truncate_save, 5);
	assert_int_equal(mig_vfio_parse_args("d", "bdf=01:00.0,io=uring", &o),
			 0);
	assert_int_equal(o.io, MIG_VFIO_IO_URING);
	assert_int_equal(mig_vfio_parse_args("d", "bdf=01:00.0,io=auto", &o),
			 0);
	assert_int_equal(o.io, MIG_VFIO_IO_AUTO);
}

static void
expect_args_error(const char *args, const char *needle)
{
	struct vfio_opts o;

	mig_err_clear();
	assert_int_equal(mig_vfio_parse_args("dev7", args, &o), -EINVAL);
	expect_msg(needle);
	expect_msg("dev7");
}

static void
test_devargs_errors(void **state)
{
	(void)state;
	expect_args_error("", "missing bdf=");
	expect_args_error("io=read", "missing bdf=");
	expect_args_error("bdf=0000:01:00", "bdf=0000:01:00: expected a PCI address");
	expect_args_error("bdf=01:00.0,io=aio", "io=aio: expected auto, uring or read");
	expect_args_error("bdf=01:00.0,depth=0", "depth");
	expect_args_error("bdf=01:00.0,depth=65", "depth");
	expect_args_error("bdf=01:00.0,chunk=1K", "chunk");
	expect_args_error("bdf=01:00.0,chunk=128M", "chunk");
	expect_args_error("bdf=01:00.0,bdf=02:00.0", "given twice");
	expect_args_error("bdf=01:00.0,detph=4", "unknown key 'detph'");
}

/* ------------------------------------------------ fake sysfs and /dev */

struct tree {
	char root[PATH_MAX / 2];
	char sys[PATH_MAX];
	char dev[PATH_MAX];
	char pdev[PATH_MAX + 64];
};

static void
xmkdir(const char *fmt, ...)
{
	char p[PATH_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

static void
xtouch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);

	assert_true(fd >= 0);
	close(fd);
}

static int
tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	const char *tmp = getenv("TMPDIR");

	if (t == NULL)
		return -1;
	snprintf(t->root, sizeof(t->root), "%s/test_vfio.XXXXXX",
		 tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(t->root) == NULL)
		return -1;
	snprintf(t->sys, sizeof(t->sys), "%s/sys", t->root);
	snprintf(t->dev, sizeof(t->dev), "%s/dev", t->root);
	xmkdir("%s", t->sys);
	xmkdir("%s", t->dev);
	xmkdir("%s/bus", t->sys);
	xmkdir("%s/bus/pci", t->sys);
	xmkdir("%s/bus/pci/devices", t->sys);
	xmkdir("%s/bus/pci/drivers", t->sys);
	snprintf(t->pdev, sizeof(t->pdev), "%s/bus/pci/devices/0000:01:00.0",
		 t->sys);
	*state = t;
	return 0;
}

static int
tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static int
tree_open(struct tree *t, struct mig_vfio_handle *h)
{
	mig_err_clear();
	return mig_vfio_open("devA", "0000:01:00.0", t->sys, t->dev, h);
}

static void
test_open_errors(void **state)
{
	struct tree *t = *state;
	struct mig_vfio_handle h;
	char p[PATH_MAX * 2];

	/* 1. no such device */
	assert_int_equal(tree_open(t, &h), -ENODEV);
	expect_msg("vfio devA: no PCI device 0000:01:00.0");
	assert_int_equal(h.device_fd, -1);

	/* 2. present, no driver */
	xmkdir("%s", t->pdev);
	assert_int_equal(tree_open(t, &h), -ENODEV);
	expect_msg("PCI device 0000:01:00.0 is not bound to any driver");
	expect_msg("vfio-pci or a vfio variant driver");

	/* 3. bound to a driver that is not a vfio driver */
	xmkdir("%s/bus/pci/drivers/e1000e", t->sys);
	snprintf(p, sizeof(p), "%s/driver", t->pdev);
	assert_int_equal(symlink("../../drivers/e1000e", p), 0);
	assert_int_equal(tree_open(t, &h), -ENODEV);
	expect_msg("is bound to e1000e, which is not a vfio driver");

	/* 4. a vfio driver, but no IOMMU group */
	xmkdir("%s/vfio-dev", t->pdev);
	assert_int_equal(tree_open(t, &h), -ENODEV);
	expect_msg("has no IOMMU group");

	/* 5. group 7, vfio modules not loaded */
	snprintf(p, sizeof(p), "%s/iommu_group", t->pdev);
	assert_int_equal(symlink("../../../kernel/iommu_groups/7", p), 0);
	assert_int_equal(tree_open(t, &h), -ENODEV);
	expect_msg("vfio/vfio: No such file or directory (the vfio modules are not loaded");

	/* 6. container node, no group node */
	xmkdir("%s/vfio", t->dev);
	snprintf(p, sizeof(p), "%s/vfio/vfio", t->dev);
	xtouch(p);
	assert_int_equal(tree_open(t, &h), -ENOENT);
	expect_msg("PCI device 0000:01:00.0: cannot open its group");
	expect_msg("vfio/7");

	/* 7. nodes that are not VFIO character devices */
	snprintf(p, sizeof(p), "%s/vfio/7", t->dev);
	xtouch(p);
	assert_int_equal(tree_open(t, &h), -ENOTTY);
	expect_msg("VFIO_GROUP_GET_STATUS failed");
	assert_int_equal(h.group_fd, -1);
	assert_int_equal(h.container_fd, -1);
}

/* --------------------------------------------------- the host's sysfs */

static void
test_host_no_device(void **state)
{
	(void)state;
	mig_err_clear();
	assert_null(mig_dev_open("vfio,id=gone,bdf=ffff:ff:1f.7"));
	assert_int_equal(rte_errno, ENODEV);
	expect_msg("vfio gone: no PCI device ffff:ff:1f.7");
}

static void
test_host_bad_args(void **state)
{
	(void)state;
	mig_err_clear();
	assert_null(mig_dev_open("vfio,id=x,bdf=1:2:3"));
	assert_int_equal(rte_errno, EINVAL);
	expect_msg("bdf=1:2:3");
}

/* A host PCI device bound to a driver that is not vfio (found by main). */
static char g_plain_bdf[256];
static char g_plain_drv[256];

static bool
find_plain_device(void)
{
	char p[PATH_MAX], drv[PATH_MAX], vd[PATH_MAX];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 12)
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver",
			 de->d_name);
		n = readlink(p, drv, sizeof(drv) - 1);
		snprintf(vd, sizeof(vd), "/sys/bus/pci/devices/%s/vfio-dev",
			 de->d_name);
		if (n <= 0 || stat(vd, &st) == 0)
			continue;
		drv[n] = '\0';
		snprintf(g_plain_bdf, sizeof(g_plain_bdf), "%s", de->d_name);
		snprintf(g_plain_drv, sizeof(g_plain_drv), "%s",
			 strrchr(drv, '/') + 1);
		closedir(d);
		return true;
	}
	if (d != NULL)
		closedir(d);
	return false;
}

static void
test_host_not_vfio(void **state)
{
	char args[320];

	(void)state;
	snprintf(args, sizeof(args), "vfio,id=h,bdf=%s", g_plain_bdf);
	mig_err_clear();
	assert_null(mig_dev_open(args));
	assert_int_equal(rte_errno, ENODEV);
	expect_msg("which is not a vfio driver");
	expect_msg(g_plain_drv);
}

/* A real VFIO device, when the environment names one. */
static void
test_real_device(void **state)
{
	const char *bdf = getenv("MIG_TEST_VFIO_BDF");
	struct mig_dev_info info;
	struct mig_dev_sizes sz;
	struct mig_dev *dev;
	char args[96];

	(void)state;
	snprintf(args, sizeof(args), "vfio,bdf=%s", bdf);
	dev = mig_dev_open(args);
	if (dev == NULL)
		fail_msg("%s: %s", args, mig_err_last());
	assert_int_equal(mig_dev_info_get(dev, &info), 0);
	assert_true(info.caps & MIG_CAP_STOP_COPY);
	assert_int_equal(mig_dev_query_sizes(dev, &sz), 0);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	mig_dev_close(dev);
}

static void
test_skipped(void **state)
{
	(void)state;
}

/* TAP "ok N - name # SKIP why" (cmocka's skip() prints "not ok"). */
static struct CMUnitTest
skip_if(struct CMUnitTest t, const char *why, char *buf, size_t len)
{
	if (why != NULL) {
		snprintf(buf, len, "%s # SKIP %s", t.name, why);
		t.name = buf;
		t.test_func = test_skipped;
	}
	return t;
}

int
main(void)
{
	static char skip1[256], skip2[256];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bdf_parse),
		cmocka_unit_test(test_devargs_ok),
		cmocka_unit_test(test_devargs_errors),
		cmocka_unit_test_setup_teardown(test_open_errors, tree_setup,
						tree_teardown),
		cmocka_unit_test(test_host_no_device),
		cmocka_unit_test(test_host_bad_args),
		skip_if((struct CMUnitTest)cmocka_unit_test(test_host_not_vfio),
			find_plain_device() ? NULL :
			"no host PCI device bound to a non-vfio driver",
			skip1, sizeof(skip1)),
		skip_if((struct CMUnitTest)cmocka_unit_test(test_real_device),
			getenv("MIG_TEST_VFIO_BDF") != NULL &&
			access("/dev/vfio/vfio", F_OK) == 0 ? NULL :
			"no VFIO here (MIG_TEST_VFIO_BDF names a device bound to a vfio migration driver; the lab scenarios cover this)",
			skip2, sizeof(skip2)),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
