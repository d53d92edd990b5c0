/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The VFIO migration v2 ioctls: VFIO_DEVICE_FEATURE (MIGRATION,
 * MIG_DEVICE_STATE, MIG_DATA_SIZE) on the device fd, PRECOPY_INFO on the
 * data fd, and VFIO_DEVICE_RESET. Plain wrappers returning -errno; the
 * driver words the messages.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

#include "vfio_priv.h"
#include "vfio_uapi.h"

/* struct vfio_device_feature followed by at most 16 bytes of payload */
struct feature_buf {
	struct vfio_device_feature hdr;
	uint64_t data[2];
};

_Static_assert(offsetof(struct feature_buf, data) ==
		       sizeof(struct vfio_device_feature),
	       "feature payload must follow the header");

static int
feature(int fd, uint32_t flags, void *data, size_t len)
{
	struct feature_buf fb;

	memset(&fb, 0, sizeof(fb));
	fb.hdr.argsz = (uint32_t)(sizeof(fb.hdr) + len);
	fb.hdr.flags = flags;
	if (len > 0)
		memcpy(fb.data, data, len);
	if (ioctl(fd, VFIO_DEVICE_FEATURE, &fb) < 0)
		return -errno;
	if (len > 0)
		memcpy(data, fb.data, len);
	return 0;
}

int
mig_vfio_mig_caps(int device_fd, uint64_t *caps)
{
	struct vfio_device_feature_migration m = { 0 };
	int ret;

	ret = feature(device_fd,
		      VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION,
		      &m, sizeof(m));
	if (ret == 0)
		*caps = m.flags;
	return ret;
}

int
mig_vfio_mig_set_state(int device_fd, enum mig_state state, int *data_fd)
{
	struct vfio_device_feature_mig_state s = {
		.device_state = (uint32_t)state,
		.data_fd = -1,
	};
	int ret;

	ret = feature(device_fd,
		      VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		      &s, sizeof(s));
	*data_fd = ret == 0 ? s.data_fd : -1;
	return ret;
}

int
mig_vfio_mig_get_state(int device_fd, enum mig_state *state)
{
	struct vfio_device_feature_mig_state s = { .data_fd = -1 };
	int ret;

	ret = feature(device_fd,
		      VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		      &s, sizeof(s));
	if (ret == 0)
		*state = (enum mig_state)s.device_state;
	return ret;
}

int
mig_vfio_mig_data_size(int device_fd, uint64_t *stop_copy_length)
{
	struct mig_vfio_mig_data_size ds = { 0 };
	int ret;

	ret = feature(device_fd,
		      VFIO_DEVICE_FEATURE_GET | MIG_VFIO_FEATURE_MIG_DATA_SIZE,
		      &ds, sizeof(ds));
	if (ret == 0)
		*stop_copy_length = ds.stop_copy_length;
	return ret;
}

int
mig_vfio_mig_precopy_v2(int device_fd)
{
	return feature(device_fd,
		       VFIO_DEVICE_FEATURE_SET |
			       MIG_VFIO_FEATURE_MIG_PRECOPY_INFOv2,
		       NULL, 0);
}

int
mig_vfio_mig_precopy_info(int data_fd, uint64_t *initial_bytes,
			  uint64_t *dirty_bytes, uint32_t *flags)
{
	/* flags zeroed: without the v2 opt-in drivers echo them back */
	struct mig_vfio_precopy_info pi = { .argsz = sizeof(pi) };

	if (ioctl(data_fd, MIG_VFIO_MIG_GET_PRECOPY_INFO, &pi) < 0)
		return -errno;
	*initial_bytes = pi.initial_bytes;
	*dirty_bytes = pi.dirty_bytes;
	*flags = pi.flags;
	return 0;
}

int
mig_vfio_mig_reset(int device_fd)
{
	if (ioctl(device_fd, VFIO_DEVICE_RESET) < 0)
		return -errno;
	return 0;
}
