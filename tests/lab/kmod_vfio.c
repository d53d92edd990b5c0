/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "kmod_vfio.h"

static int g_container = -1;
static bool g_iommu_set;
static unsigned int g_tests, g_failed;

void
kv_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	g_tests++;
	if (!cond)
		g_failed++;
	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void
kv_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int
kv_tap_plan(void)
{
	printf("1..%u\n", g_tests);
	return g_failed ? 1 : 0;
}

static int
kv_group_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return atoi(basename(link));
}

static int
kv_region(struct kv_dev *d, unsigned int index, uint64_t *off,
	  uint64_t *size, uint32_t *flags)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return -errno;
	*off = ri.offset;
	if (size)
		*size = ri.size;
	if (flags)
		*flags = ri.flags;
	return 0;
}

int
kv_feature(struct kv_dev *d, uint32_t flags, void *data, size_t len)
{
	uint8_t buf[sizeof(struct vfio_device_feature) + 64];
	struct vfio_device_feature *f = (void *)buf;

	memset(buf, 0, sizeof(buf));
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	memcpy(f->data, data, len);
	if (ioctl(d->fd, VFIO_DEVICE_FEATURE, f) < 0)
		return -errno;
	memcpy(data, f->data, len);
	return 0;
}

int
kv_open(struct kv_dev *d, const char *bdf)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_device_feature_migration mig = { 0 };
	char path[64];
	int grp, ret;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	grp = kv_group_of(bdf);
	if (grp < 0)
		return grp;
	if (g_container < 0) {
		g_container = open("/dev/vfio/vfio", O_RDWR);
		if (g_container < 0)
			return -errno;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	d->group_fd = open(path, O_RDWR);
	if (d->group_fd < 0)
		return -errno;
	if (ioctl(d->group_fd, VFIO_GROUP_GET_STATUS, &st) < 0 ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EPERM;
	if (!(st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET)) {
		if (ioctl(d->group_fd, VFIO_GROUP_SET_CONTAINER,
			  &g_container) < 0)
			return -errno;
		/* The first group selects the IOMMU model; later ones join. */
		if (!g_iommu_set &&
		    ioctl(g_container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
			return -errno;
		g_iommu_set = true;
	}
	d->fd = ioctl(d->group_fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0)
		return -errno;
	ret = kv_region(d, VFIO_PCI_BAR0_REGION_INDEX, &d->bar0_off, NULL,
			NULL);
	if (ret == 0)
		ret = kv_region(d, VFIO_PCI_CONFIG_REGION_INDEX, &d->cfg_off,
				NULL, NULL);
	if (ret == 0)
		ret = kv_region(d, VFIO_PCI_BAR2_REGION_INDEX, &d->bar2_off,
				&d->bar2_size, &d->bar2_flags);
	if (ret == 0)
		ret = kv_feature(d, VFIO_DEVICE_FEATURE_GET |
				 VFIO_DEVICE_FEATURE_MIGRATION,
				 &mig, sizeof(mig));
	d->caps = mig.flags;
	return ret;
}

void
kv_close(struct kv_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->group_fd > 0) {
		ioctl(d->group_fd, VFIO_GROUP_UNSET_CONTAINER);
		close(d->group_fd);
	}
	d->fd = -1;
	d->group_fd = -1;
}

int
kv_set_state(struct kv_dev *d, uint32_t state, int *data_fd)
{
	struct vfio_device_feature_mig_state ms = { .device_state = state,
						    .data_fd = -1 };
	int ret;

	ret = kv_feature(d, VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &ms, sizeof(ms));
	if (data_fd)
		*data_fd = ret == 0 ? ms.data_fd : -1;
	else if (ret == 0 && ms.data_fd >= 0)
		close(ms.data_fd);
	return ret;
}

int
kv_get_state(struct kv_dev *d, uint32_t *state)
{
	struct vfio_device_feature_mig_state ms = { 0 };
	int ret;

	ret = kv_feature(d, VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &ms, sizeof(ms));
	*state = ms.device_state;
	return ret;
}

int
kv_data_size(struct kv_dev *d, uint64_t *len)
{
	struct vfio_device_feature_mig_data_size ds = { 0 };
	int ret;

	ret = kv_feature(d, VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &ds, sizeof(ds));
	*len = ds.stop_copy_length;
	return ret;
}

int
kv_precopy_info(int data_fd, uint64_t *initial, uint64_t *dirty)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };

	if (ioctl(data_fd, VFIO_MIG_GET_PRECOPY_INFO, &info) < 0)
		return -errno;
	*initial = info.initial_bytes;
	*dirty = info.dirty_bytes;
	return 0;
}

int
kv_reset(struct kv_dev *d)
{
	return ioctl(d->fd, VFIO_DEVICE_RESET) < 0 ? -errno : 0;
}

int
kv_bar2_rw(struct kv_dev *d, uint64_t off, void *buf, size_t len, bool write)
{
	ssize_t n;

	if (write)
		n = pwrite(d->fd, buf, len, (off_t)(d->bar2_off + off));
	else
		n = pread(d->fd, buf, len, (off_t)(d->bar2_off + off));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int
kv_bar0_rw32(struct kv_dev *d, uint64_t off, uint32_t *val, bool write)
{
	ssize_t n;

	if (write)
		n = pwrite(d->fd, val, 4, (off_t)(d->bar0_off + off));
	else
		n = pread(d->fd, val, 4, (off_t)(d->bar0_off + off));
	if (n < 0)
		return -errno;
	return n == 4 ? 0 : -EIO;
}

int
kv_cfg_rw16(struct kv_dev *d, uint64_t off, uint16_t *val, bool write)
{
	ssize_t n;

	if (write)
		n = pwrite(d->fd, val, 2, (off_t)(d->cfg_off + off));
	else
		n = pread(d->fd, val, 2, (off_t)(d->cfg_off + off));
	if (n < 0)
		return -errno;
	return n == 2 ? 0 : -EIO;
}
