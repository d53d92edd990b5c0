/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * An emulated guest writing into one region of the device (devargs
 * dirty_rate, dirty_region), for tests: pseudo-random 4 KiB pages at random
 * page offsets, written through the device fd as QEMU forwards a guest's
 * trapped BAR writes, so that the variant driver sees (and dirty-tracks)
 * every write. Paced by elapsed time at each driver call. And (devarg
 * reconfig) a guest reconfiguring the device once during pre-copy.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "mig_hash.h"
#include "mig_time.h"
#include "vfio_priv.h"

#define WL_PAGE 4096u
/* at most this many pages per call, the rest of the debt is dropped */
#define WL_BURST 256u

int
mig_vfio_workload_init(struct mig_vfio_workload *w, const char *name,
		       int device_fd, uint64_t rate, uint32_t region)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = region };

	memset(w, 0, sizeof(*w));
	if (rate == 0)
		return 0;
	if (ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: dirty_region=%u: VFIO_DEVICE_GET_REGION_INFO failed: %s",
			    name, region, strerror(errno));
		return -errno;
	}
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_WRITE) || ri.size < WL_PAGE) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: dirty_region=%u: region is not writable or smaller than a page (size %" PRIu64 ")",
			    name, region, (uint64_t)ri.size);
		return -EINVAL;
	}
	w->rate = rate;
	w->region = region;
	w->region_off = ri.offset;
	w->region_size = ri.size;
	w->rng = mig_mix64(rate ^ ri.size);
	return 0;
}

static uint64_t
wl_next(struct mig_vfio_workload *w)
{
	w->rng = mig_mix64(w->rng + UINT64_C(0x9e3779b97f4a7c15));
	return w->rng;
}

int
mig_vfio_workload_tick(struct mig_vfio_workload *w, const char *name,
		       int device_fd)
{
	uint64_t now, dt, pages, page, i, k;
	ssize_t n;

	if (w->rate == 0)
		return 0;
	now = mig_time_ns();
	if (w->last_ns == 0)
		w->last_ns = now;
	dt = now - w->last_ns;
	w->last_ns = now;
	if (dt > MIG_NS_PER_S)
		dt = MIG_NS_PER_S;
	w->carry += w->rate * dt;
	pages = w->carry / (WL_PAGE * MIG_NS_PER_S);
	w->carry -= pages * WL_PAGE * MIG_NS_PER_S;
	if (pages > WL_BURST)
		pages = WL_BURST;
	for (i = 0; i < pages; i++) {
		page = wl_next(w) % (w->region_size / WL_PAGE);
		for (k = 0; k < WL_PAGE / 8; k++) {
			uint64_t v = wl_next(w);

			memcpy(w->page + k * 8, &v, 8);
		}
		n = pwrite(device_fd, w->page, WL_PAGE,
			   (off_t)(w->region_off + page * WL_PAGE));
		if (n != (ssize_t)WL_PAGE) {
			mig_err_set(mig_vfio_logtype,
				    "vfio %s: workload: write of region %u page %" PRIu64 " failed: %s",
				    name, w->region, page,
				    n < 0 ? strerror(errno) : "short write");
			return n < 0 ? -errno : -EIO;
		}
		w->written += WL_PAGE;
	}
	return 0;
}

/*
 * A guest reconfiguring its device: the first 32-bit register of region 0
 * (BAR0) rewritten with bit 0 flipped. On mig_vfio_pci (ivshmem's
 * IntrMask) the driver then announces new initial data (REINIT).
 */
int
mig_vfio_workload_reconfig(const char *name, int device_fd)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = 0 };
	const char *step = "VFIO_DEVICE_GET_REGION_INFO";
	uint32_t v;
	ssize_t n;

	if (ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		goto fail;
	step = "read";
	n = pread(device_fd, &v, sizeof(v), (off_t)ri.offset);
	if (n != (ssize_t)sizeof(v))
		goto fail_short;
	v ^= 1;
	step = "write";
	n = pwrite(device_fd, &v, sizeof(v), (off_t)ri.offset);
	if (n != (ssize_t)sizeof(v))
		goto fail_short;
	VFIO_LOG(INFO, "vfio %s: reconfig: region 0 register 0 set to 0x%x",
		 name, v);
	return 0;
fail_short:
	if (n >= 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: reconfig: %s of region 0 register 0: short transfer",
			    name, step);
		return -EIO;
	}
fail:
	mig_err_set(mig_vfio_logtype,
		    "vfio %s: reconfig: %s of region 0 failed: %s", name, step,
		    strerror(errno));
	return -errno;
}
