// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * PRECOPY_INFO v2 and VFIO_PRECOPY_INFO_REINIT (Linux 7.1 uAPI, used by
 * QEMU 11.1), for a 6.12 core that lacks them.
 *
 * Drivers of the v1 era echo the caller's vfio_precopy_info.flags back,
 * so flags carry nothing until the user opts in with a SET of
 * VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 (feature 12, no data). In 7.1
 * the core answers that feature; on 6.12 it reaches the driver's
 * device_feature op, served here. The opt-in lasts until the device is
 * closed, as the 7.1 core clears it on the last close.
 *
 * Once opted in, the driver reports REINIT when new initial data is on
 * the stream: initial_bytes starts again from a new value and dirty_bytes
 * is relative to it. The trigger here is a reconfiguration of the device
 * during PRE_COPY: a write to ivshmem's IntrMask, the register that
 * configures which interrupt sources are live. The device's image as the
 * destination prepares it before switchover (switchover-ack) then
 * belongs to the old configuration, so the first pass over BAR2 starts
 * again at the next PRECOPY_INFO, which carries REINIT; stream bytes
 * already staged count as initial, since they come first. Without the
 * opt-in nothing restarts and the info's flags stay 0.
 */

#include <linux/module.h>
#include <linux/vfio.h>

#include "mvp.h"

/* Linux 7.1 include/uapi/linux/vfio.h; absent from the 6.12 headers. */
#ifndef VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2
#define VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 12
#endif
#ifndef VFIO_PRECOPY_INFO_REINIT
#define VFIO_PRECOPY_INFO_REINIT (1 << 0)
#endif

static bool precopy_v2 = true;
module_param(precopy_v2, bool, 0444);
MODULE_PARM_DESC(precopy_v2,
		 "offer VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 and REINIT (default 1; 0 = as the 6.12 core: ENOTTY)");

/* The device's device_feature op: feature 12 here, the rest to the core. */
int mvp_device_feature(struct vfio_device *vdev, u32 flags,
		       void __user *arg, size_t argsz)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	int ret;

	if ((flags & VFIO_DEVICE_FEATURE_MASK) !=
	    VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 || !precopy_v2)
		return vfio_pci_core_ioctl_feature(vdev, flags, arg, argsz);
	/* As the 7.1 core: only a device with PRE_COPY; SET, no data. */
	if (!(vdev->migration_flags & VFIO_MIGRATION_PRE_COPY))
		return -EINVAL;
	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET, 0);
	if (ret != 1)
		return ret;
	WRITE_ONCE(mvdev->precopy_v2, true);
	return 0;
}

/* close_device: the next user starts without the opt-in. */
void mvp_precopy_close(struct mvp_device *mvdev)
{
	WRITE_ONCE(mvdev->precopy_v2, false);
}

/*
 * The user reconfigured the device (region write path, any lock but
 * ours). Only noted here: the restart needs the file's lock, taken by
 * the next PRECOPY_INFO.
 */
void mvp_precopy_reconfigured(struct mvp_device *mvdev)
{
	bool noted = false;

	spin_lock(&mvdev->track_lock);
	if (mvdev->notify_migf && READ_ONCE(mvdev->precopy_v2)) {
		mvdev->notify_migf->reinit = true;
		noted = true;
	}
	spin_unlock(&mvdev->track_lock);
	if (noted)
		dev_dbg(mvp_dev(mvdev),
			"precopy: device reconfigured, initial data again\n");
}

/*
 * [file] PRECOPY_INFO of a live PRE_COPY file: the output flags, after
 * restarting the first pass if a reconfiguration is pending.
 */
u32 mvp_precopy_info_flags(struct mvp_migf *migf)
{
	struct mvp_device *mvdev = migf->mvdev;
	bool reinit = false;

	lockdep_assert_held(&migf->lock);
	if (!READ_ONCE(mvdev->precopy_v2))
		return 0;
	spin_lock(&mvdev->track_lock);
	reinit = migf->reinit;
	migf->reinit = false;
	spin_unlock(&mvdev->track_lock);
	if (!reinit)
		return 0;
	migf->be->save_restart(migf->be_ctx);
	migf->staged_initial = true;
	return VFIO_PRECOPY_INFO_REINIT;
}
