/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The vfio driver's own definitions of the Linux >= 6.2 migration uAPI
 * (pmd/device/vfio/vfio_uapi.h) and the engine's state and capability
 * numbers, checked against the newest kernel uAPI header installed
 * (linux-headers-*, found by tests/meson.build and included first; the
 * installed <linux/vfio.h> is kept out).
 */

#ifdef MIG_KERNEL_VFIO_H
/* a kernel source tree header: not passed through headers_install */
#define __user
#include MIG_KERNEL_VFIO_H
/* keep the build host's (installed, maybe older) copy out */
#define VFIO_H
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mig_fsm.h"
#include "vfio_uapi.h"

#ifdef MIG_KERNEL_VFIO_H

static void
test_constants(void **state)
{
	(void)state;
	assert_int_equal(MIG_VFIO_MIGRATION_PRE_COPY, VFIO_MIGRATION_PRE_COPY);
	assert_int_equal(MIG_VFIO_FEATURE_MIG_DATA_SIZE,
			 VFIO_DEVICE_FEATURE_MIG_DATA_SIZE);
	assert_int_equal(MIG_VFIO_MIG_GET_PRECOPY_INFO,
			 VFIO_MIG_GET_PRECOPY_INFO);
	assert_int_equal(MIG_CAP_STOP_COPY, VFIO_MIGRATION_STOP_COPY);
	assert_int_equal(MIG_CAP_P2P, VFIO_MIGRATION_P2P);
	assert_int_equal(MIG_CAP_PRE_COPY, VFIO_MIGRATION_PRE_COPY);
}

static void
test_states(void **state)
{
	(void)state;
	assert_int_equal(MIG_STATE_ERROR, VFIO_DEVICE_STATE_ERROR);
	assert_int_equal(MIG_STATE_STOP, VFIO_DEVICE_STATE_STOP);
	assert_int_equal(MIG_STATE_RUNNING, VFIO_DEVICE_STATE_RUNNING);
	assert_int_equal(MIG_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP_COPY);
	assert_int_equal(MIG_STATE_RESUMING, VFIO_DEVICE_STATE_RESUMING);
	assert_int_equal(MIG_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING_P2P);
	assert_int_equal(MIG_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY);
	assert_int_equal(MIG_STATE_PRE_COPY_P2P,
			 VFIO_DEVICE_STATE_PRE_COPY_P2P);
	assert_int_equal(MIG_STATE_COUNT, VFIO_DEVICE_STATE_NR);
}

static void
test_layouts(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct mig_vfio_precopy_info),
			 sizeof(struct vfio_precopy_info));
	assert_int_equal(offsetof(struct mig_vfio_precopy_info, argsz),
			 offsetof(struct vfio_precopy_info, argsz));
	assert_int_equal(offsetof(struct mig_vfio_precopy_info, flags),
			 offsetof(struct vfio_precopy_info, flags));
	assert_int_equal(offsetof(struct mig_vfio_precopy_info, initial_bytes),
			 offsetof(struct vfio_precopy_info, initial_bytes));
	assert_int_equal(offsetof(struct mig_vfio_precopy_info, dirty_bytes),
			 offsetof(struct vfio_precopy_info, dirty_bytes));
	assert_int_equal(_Alignof(struct mig_vfio_precopy_info),
			 _Alignof(struct vfio_precopy_info));
	assert_int_equal(sizeof(struct mig_vfio_mig_data_size),
			 sizeof(struct vfio_device_feature_mig_data_size));
	assert_int_equal(_Alignof(struct mig_vfio_mig_data_size),
			 _Alignof(struct vfio_device_feature_mig_data_size));
	/* vfio_mig.c puts the payload right after the 8-byte header */
	assert_int_equal(sizeof(struct vfio_device_feature), 8);
	assert_int_equal(sizeof(struct vfio_device_feature_migration), 8);
	assert_int_equal(sizeof(struct vfio_device_feature_mig_state), 8);
	assert_int_equal(offsetof(struct vfio_device_feature_mig_state,
				  data_fd), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* no kernel header */

static void
test_skipped(void **state)
{
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		{ .name = "test_uapi # SKIP no kernel uAPI header (install linux-headers-*)",
		  .test_func = test_skipped },
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
