/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Opening a VFIO device by PCI address through the container/group
 * interface: sysfs tells the driver and the IOMMU group, the group fd is
 * attached to a fresh type1 container (no DMA is ever mapped: migration
 * needs only the device fd), and the group hands out the device fd.
 *
 * Each failure names the step and says what to do, since most of them are
 * set-up mistakes (device unbound, wrong driver, vfio not loaded).
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio_priv.h"

int
mig_vfio_bdf_parse(const char *s, char out[MIG_VFIO_BDF_LEN])
{
	unsigned int dom = 0, bus, dev, fn;
	int n = 0;
	size_t i, len = strlen(s);

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != ':' &&
		    s[i] != '.')
			return -EINVAL;
	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) == 4 &&
	    (size_t)n == len && len == 12) {
		/* DDDD:BB:DD.F */
	} else if (sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &n) == 3 &&
		   (size_t)n == len && len == 7) {
		dom = 0;
	} else {
		return -EINVAL;
	}
	if (dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, MIG_VFIO_BDF_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* Last path component of the symlink @p path into @p out; -errno. */
static int
link_base(const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	base = strrchr(buf, '/');
	base = base != NULL ? base + 1 : buf;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

static int
read_int(const char *path, int *out)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (f == NULL)
		return -errno;
	ok = fscanf(f, "%d", out) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* sysfs: the device exists, is bound to a vfio driver, has a group. */
static int
open_sysfs(const char *name, const char *bdf, const char *sys_root,
	   struct mig_vfio_handle *h)
{
	char dpath[PATH_MAX], p[PATH_MAX + 32], grp[32];
	int ret;

	snprintf(dpath, sizeof(dpath), "%s/bus/pci/devices/%s", sys_root, bdf);
	if (!is_dir(dpath)) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: no PCI device %s (nothing at %s)", name,
			    bdf, dpath);
		return -ENODEV;
	}
	snprintf(p, sizeof(p), "%s/driver", dpath);
	ret = link_base(p, h->driver, sizeof(h->driver));
	if (ret == -ENOENT) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: PCI device %s is not bound to any driver: bind it to vfio-pci or a vfio variant driver (driver_override, then drivers_probe)",
			    name, bdf);
		return -ENODEV;
	}
	if (ret < 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: PCI device %s: cannot read %s: %s", name,
			    bdf, p, strerror(-ret));
		return ret;
	}
	/* every vfio driver registers a vfio-dev class device (Linux >= 6.1) */
	snprintf(p, sizeof(p), "%s/vfio-dev", dpath);
	if (!is_dir(p)) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: PCI device %s is bound to %s, which is not a vfio driver: bind it to vfio-pci or a vfio variant driver",
			    name, bdf, h->driver);
		return -ENODEV;
	}
	snprintf(p, sizeof(p), "%s/iommu_group", dpath);
	ret = link_base(p, grp, sizeof(grp));
	if (ret < 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: PCI device %s has no IOMMU group (%s): enable an IOMMU (intel_iommu=on; in QEMU an intel-iommu device)",
			    name, bdf, strerror(-ret));
		return -ENODEV;
	}
	h->group_id = atoi(grp);
	snprintf(p, sizeof(p), "%s/numa_node", dpath);
	if (read_int(p, &h->numa_node) < 0)
		h->numa_node = -1;
	return 0;
}

/* A type1 container with the group in it. */
static int
open_container(const char *name, const char *bdf, const char *dev_root,
	       struct mig_vfio_handle *h)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	char p[PATH_MAX];
	int ret, iommu;

	snprintf(p, sizeof(p), "%s/vfio/vfio", dev_root);
	h->container_fd = open(p, O_RDWR | O_CLOEXEC);
	if (h->container_fd < 0) {
		ret = -errno;
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: cannot open %s: %s%s", name, p,
			    strerror(-ret), ret == -ENOENT ?
			    " (the vfio modules are not loaded: modprobe vfio-pci)" : "");
		return ret == -ENOENT ? -ENODEV : ret;
	}
	snprintf(p, sizeof(p), "%s/vfio/%d", dev_root, h->group_id);
	h->group_fd = open(p, O_RDWR | O_CLOEXEC);
	if (h->group_fd < 0) {
		ret = -errno;
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: PCI device %s: cannot open its group %s: %s%s",
			    name, bdf, p, strerror(-ret), ret == -EBUSY ?
			    " (another process holds the group)" : "");
		return ret;
	}
	if (ioctl(h->group_fd, VFIO_GROUP_GET_STATUS, &gs) < 0) {
		ret = -errno;
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: %s: VFIO_GROUP_GET_STATUS failed: %s",
			    name, p, strerror(-ret));
		return ret;
	}
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: group %d of PCI device %s is not viable: every device of the group must be bound to a vfio driver or none",
			    name, h->group_id, bdf);
		return -EBUSY;
	}
	if (ioctl(h->container_fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: the kernel's VFIO API version is not %d",
			    name, VFIO_API_VERSION);
		return -ENOTSUP;
	}
	iommu = ioctl(h->container_fd, VFIO_CHECK_EXTENSION,
		      VFIO_TYPE1v2_IOMMU) > 0 ? VFIO_TYPE1v2_IOMMU :
						VFIO_TYPE1_IOMMU;
	if (ioctl(h->group_fd, VFIO_GROUP_SET_CONTAINER,
		  &h->container_fd) < 0) {
		ret = -errno;
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: group %d: VFIO_GROUP_SET_CONTAINER failed: %s",
			    name, h->group_id, strerror(-ret));
		return ret;
	}
	if (ioctl(h->container_fd, VFIO_SET_IOMMU, iommu) < 0) {
		ret = -errno;
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: group %d: VFIO_SET_IOMMU(type1) failed: %s%s",
			    name, h->group_id, strerror(-ret), ret == -EPERM ?
			    " (no interrupt remapping: intremap=on on QEMU's intel-iommu, or vfio_iommu_type1.allow_unsafe_interrupts=1)" : "");
		return ret;
	}
	return 0;
}

static int
open_device(const char *name, const char *bdf, struct mig_vfio_handle *h)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	int ret;

	h->device_fd = ioctl(h->group_fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (h->device_fd < 0) {
		ret = -errno;
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: PCI device %s: VFIO_GROUP_GET_DEVICE_FD failed: %s%s",
			    name, bdf, strerror(-ret), ret == -EBUSY ?
			    " (the device is open elsewhere)" : "");
		return ret;
	}
	if (ioctl(h->device_fd, VFIO_DEVICE_GET_INFO, &di) < 0) {
		ret = -errno;
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: PCI device %s: VFIO_DEVICE_GET_INFO failed: %s",
			    name, bdf, strerror(-ret));
		return ret;
	}
	h->has_reset = (di.flags & VFIO_DEVICE_FLAGS_RESET) != 0;
	h->num_regions = di.num_regions;
	return 0;
}

int
mig_vfio_open(const char *name, const char *bdf, const char *sys_root,
	      const char *dev_root, struct mig_vfio_handle *h)
{
	int ret;

	memset(h, 0, sizeof(*h));
	h->container_fd = -1;
	h->group_fd = -1;
	h->device_fd = -1;
	h->numa_node = -1;
	ret = open_sysfs(name, bdf, sys_root, h);
	if (ret == 0)
		ret = open_container(name, bdf, dev_root, h);
	if (ret == 0)
		ret = open_device(name, bdf, h);
	if (ret < 0)
		mig_vfio_close(h);
	return ret;
}

void
mig_vfio_close(struct mig_vfio_handle *h)
{
	if (h->device_fd >= 0)
		close(h->device_fd);
	if (h->group_fd >= 0)
		close(h->group_fd);
	if (h->container_fd >= 0)
		close(h->container_fd);
	h->device_fd = -1;
	h->group_fd = -1;
	h->container_fd = -1;
}
