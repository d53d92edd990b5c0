// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * Device DMA logging (VFIO_DEVICE_FEATURE_DMA_LOGGING_START/STOP/REPORT):
 * what a VMM uses to learn which guest pages the device wrote. ivshmem
 * issues no DMA, so the honest report is an empty bitmap; the driver still
 * keeps the logging session (one START at a time, the ranges it covers)
 * so that a VMM's misuse is refused as a device with real logging would
 * refuse it. Independent of the migration state: REPORT works in STOP and
 * STOP_COPY, where QEMU reads the last dirty pages.
 */

#include <linux/interval_tree.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "mvp.h"

/* Empty ranges and ranges not ordered by start are the caller's bugs. */
static int mvp_log_copy_ranges(struct mvp_device *mvdev,
			       struct rb_root_cached *ranges, u32 nnodes)
{
	struct interval_tree_node *node;
	struct mvp_log_range *r;
	u32 n = 0;

	r = kcalloc(nnodes, sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	for (node = interval_tree_iter_first(ranges, 0, ULONG_MAX); node;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		if (n == nnodes || node->last < node->start ||
		    (n && node->start <= r[n - 1].last)) {
			kfree(r);
			return -EINVAL;
		}
		r[n].start = node->start;
		r[n].last = node->last;
		n++;
	}
	if (n != nnodes) {
		kfree(r);
		return -EINVAL;
	}
	mvdev->log_ranges = r;
	mvdev->log_nranges = n;
	return 0;
}

static int mvp_log_start(struct vfio_device *vdev,
			 struct rb_root_cached *ranges, u32 nnodes,
			 u64 *page_size)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	int ret;

	mutex_lock(&mvdev->log_mutex);
	if (mvdev->log_active) {
		dev_err(mvp_dev(mvdev),
			"dma logging start: already started (stop first)\n");
		ret = -EBUSY;
		goto out;
	}
	/* The core checked that every range is aligned to the hint. */
	if (!nnodes || *page_size < SZ_4K || !is_power_of_2(*page_size)) {
		ret = -EINVAL;
		goto out;
	}
	ret = mvp_log_copy_ranges(mvdev, ranges, nnodes);
	if (ret)
		goto out;
	mvdev->log_page_size = *page_size;
	mvdev->log_active = true;
out:
	mutex_unlock(&mvdev->log_mutex);
	return ret;
}

/* Also from close_device; stopping a stopped log is not an error. */
static int mvp_log_stop(struct vfio_device *vdev)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);

	mutex_lock(&mvdev->log_mutex);
	kfree(mvdev->log_ranges);
	mvdev->log_ranges = NULL;
	mvdev->log_nranges = 0;
	mvdev->log_active = false;
	mutex_unlock(&mvdev->log_mutex);
	return 0;
}

/* [iova, last] lies inside the union of the started ranges. */
static bool mvp_log_covers(struct mvp_device *mvdev, unsigned long iova,
			   unsigned long last)
{
	unsigned long pos = iova;
	u32 i;

	for (i = 0; i < mvdev->log_nranges; i++) {
		const struct mvp_log_range *r = &mvdev->log_ranges[i];

		if (r->last < pos)
			continue;
		if (r->start > pos)
			return false;
		if (r->last >= last)
			return true;
		pos = r->last + 1;
	}
	return false;
}

static int mvp_log_read_and_clear(struct vfio_device *vdev,
				  unsigned long iova, unsigned long length,
				  struct iova_bitmap *dirty)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	int ret = 0;

	if (!length)
		return 0;
	mutex_lock(&mvdev->log_mutex);
	if (!mvdev->log_active)
		ret = -EINVAL;
	else if (iova + length - 1 < iova ||
		 !mvp_log_covers(mvdev, iova, iova + length - 1))
		ret = -EINVAL;
	/* No DMA: no page to set in @dirty. */
	mutex_unlock(&mvdev->log_mutex);
	return ret;
}

const struct vfio_log_ops mvp_log_ops = {
	.log_start = mvp_log_start,
	.log_stop = mvp_log_stop,
	.log_read_and_clear = mvp_log_read_and_clear,
};

void mvp_log_close(struct mvp_device *mvdev)
{
	mvp_log_stop(&mvdev->core.vdev);
}
