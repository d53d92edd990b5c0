/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _VFIO_UAPI_H_
#define _VFIO_UAPI_H_

/**
 * @file
 * The VFIO migration v2 uAPI items this driver uses that Linux 6.2 added
 * (PRE_COPY, VFIO_MIG_GET_PRECOPY_INFO, VFIO_DEVICE_FEATURE_MIG_DATA_SIZE):
 * the build host's <linux/vfio.h> may be older (Debian 12's is 6.1). They
 * carry a MIG_VFIO_ prefix so that they never clash with a newer header;
 * tests/unit/test_vfio_uapi.c checks every value and layout against the
 * kernel's own header when one is installed.
 */

#include <stdint.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

/** Capability flag of struct vfio_device_feature_migration. */
#define MIG_VFIO_MIGRATION_PRE_COPY (UINT64_C(1) << 2)

/** Feature index: stop-copy size estimate (GET), any state. */
#define MIG_VFIO_FEATURE_MIG_DATA_SIZE 9

struct mig_vfio_mig_data_size {
	uint64_t stop_copy_length;
} __attribute__((aligned(8)));

/**
 * Feature index (SET, no data): opt in to PRECOPY_INFO v2, where
 * struct mig_vfio_precopy_info.flags is an output (Linux 7.1). Before it
 * the flags field is reserved: drivers echo the caller's value back.
 */
#define MIG_VFIO_FEATURE_MIG_PRECOPY_INFOv2 12

/** PRECOPY_INFO v2 output flag: new initial data is present
 *  (initial_bytes may have grown, dirty_bytes restarts from 0). */
#define MIG_VFIO_PRECOPY_INFO_REINIT (1u << 0)

/** ioctl on the data fd, PRE_COPY states only. */
#define MIG_VFIO_MIG_GET_PRECOPY_INFO _IO(VFIO_TYPE, VFIO_BASE + 21)

struct mig_vfio_precopy_info {
	uint32_t argsz;
	uint32_t flags;
	uint64_t initial_bytes;
	uint64_t dirty_bytes;
} __attribute__((aligned(8)));

_Static_assert(sizeof(struct mig_vfio_mig_data_size) == 8,
	       "mig_vfio_mig_data_size");
_Static_assert(sizeof(struct mig_vfio_precopy_info) == 24,
	       "mig_vfio_precopy_info");

#endif /* _VFIO_UAPI_H_ */
