/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _KMOD_VFIO_H_
#define _KMOD_VFIO_H_

/*
 * Minimal VFIO migration v2 client for the kernel module's lab tests:
 * container/group setup, the migration feature ioctls, region access and
 * TAP output. Everything returns 0 or a negative errno.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

/* Debian 12's linux-libc-dev is 6.1: the 6.2+ uAPI pieces used here. */
#ifndef VFIO_MIG_GET_PRECOPY_INFO
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};
#define VFIO_MIG_GET_PRECOPY_INFO _IO(VFIO_TYPE, VFIO_BASE + 21)
#endif
#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
#endif

struct kv_dev {
	char bdf[32];
	int group_fd;
	int fd;
	uint64_t caps;		/* VFIO_MIGRATION_* */
	uint64_t cfg_off;
	uint64_t bar0_off;
	uint64_t bar2_off;
	uint64_t bar2_size;
	uint32_t bar2_flags;
};

int kv_open(struct kv_dev *d, const char *bdf);
void kv_close(struct kv_dev *d);

int kv_set_state(struct kv_dev *d, uint32_t state, int *data_fd);
int kv_get_state(struct kv_dev *d, uint32_t *state);
int kv_data_size(struct kv_dev *d, uint64_t *len);
int kv_precopy_info(int data_fd, uint64_t *initial, uint64_t *dirty);
int kv_reset(struct kv_dev *d);

/* Region access through the device fd; short transfers are errors. */
int kv_bar2_rw(struct kv_dev *d, uint64_t off, void *buf, size_t len,
	       bool write);
int kv_bar0_rw32(struct kv_dev *d, uint64_t off, uint32_t *val, bool write);
int kv_cfg_rw16(struct kv_dev *d, uint64_t off, uint16_t *val, bool write);

/* VFIO_DEVICE_FEATURE with an argument of @len bytes (in and out). */
int kv_feature(struct kv_dev *d, uint32_t flags, void *data, size_t len);

/* TAP without numbers; kv_tap_plan() prints the trailing plan. */
void kv_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kv_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kv_tap_plan(void);		/* returns 0 if nothing failed, else 1 */

/* kmod_precopy.c: kmod_test precopy2 A B on|off|nopre. */
void cmd_precopy2(struct kv_dev *a, struct kv_dev *b, const char *mode);

#endif /* _KMOD_VFIO_H_ */
