/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _VFIO_PRIV_H_
#define _VFIO_PRIV_H_

/**
 * @file
 * vfio: any kernel VFIO migration v2 device, through the container/group
 * interface (vfio_open.c), the migration feature ioctls (vfio_mig.c) and
 * an I/O engine on the data fd (vfio_io.h). vfio.c holds devargs, probe
 * and the ops table; vfio_workload.c an optional emulated guest writing
 * into a BAR (a test aid).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mig_dev_driver.h"
#include "mig_log.h"
#include "vfio_io.h"

extern int mig_vfio_logtype;

#define VFIO_LOG(level, fmt, ...)                                              \
	MIG_LOG(level, mig_vfio_logtype, fmt, ##__VA_ARGS__)

/** "DDDD:BB:DD.F" and its NUL. */
#define MIG_VFIO_BDF_LEN 13

/** Stop-copy size reported when the kernel cannot tell (QEMU's value). */
#define MIG_VFIO_STOP_COPY_UNKNOWN (UINT64_C(100) << 30)

/** An open VFIO device: container, group and device fds. */
struct mig_vfio_handle {
	int container_fd;
	int group_fd;
	int device_fd;
	int group_id;
	char driver[64];      /**< kernel driver bound to the device */
	bool has_reset;       /**< VFIO_DEVICE_FLAGS_RESET */
	uint32_t num_regions;
	int numa_node;        /**< -1 when unknown */
};

/**
 * Open PCI device @p bdf (canonical form) through the VFIO group of its
 * IOMMU group. @p sys_root and @p dev_root are "/sys" and "/dev" (tests
 * pass a tree of their own). Errors through mig_err_set(), naming
 * @p name, the step and the cause.
 *
 * @return 0, or -ENODEV (no device, no vfio, wrong driver), -EBUSY (the
 *   group is open elsewhere), or another -errno of a failed step.
 */
int mig_vfio_open(const char *name, const char *bdf, const char *sys_root,
		  const char *dev_root, struct mig_vfio_handle *h);

/** Close what mig_vfio_open() opened; fds of -1 are skipped. */
void mig_vfio_close(struct mig_vfio_handle *h);

/**
 * Canonical "DDDD:BB:DD.F" from "DDDD:BB:DD.F" or "BB:DD.F" (domain 0);
 * hex digits any case. 0 or -EINVAL.
 */
int mig_vfio_bdf_parse(const char *s, char out[MIG_VFIO_BDF_LEN]);

/* vfio_mig.c: VFIO_DEVICE_FEATURE and the data fd ioctls; -errno. */
int mig_vfio_mig_caps(int device_fd, uint64_t *caps);
int mig_vfio_mig_set_state(int device_fd, enum mig_state state,
			   int *data_fd);
int mig_vfio_mig_get_state(int device_fd, enum mig_state *state);
int mig_vfio_mig_data_size(int device_fd, uint64_t *stop_copy_length);
/* opt in to PRECOPY_INFO v2 (flags are output, REINIT); -ENOTTY or
 * -EINVAL from kernels and drivers without it */
int mig_vfio_mig_precopy_v2(int device_fd);
int mig_vfio_mig_precopy_info(int data_fd, uint64_t *initial_bytes,
			      uint64_t *dirty_bytes, uint32_t *flags);
int mig_vfio_mig_reset(int device_fd);

/** Emulated guest writes into a region (devargs dirty_rate). */
struct mig_vfio_workload {
	uint64_t rate;        /**< bytes/s, 0 off */
	uint32_t region;      /**< VFIO region index */
	uint64_t region_off;  /**< offset of the region in the device fd */
	uint64_t region_size;
	uint64_t last_ns;
	uint64_t carry;       /**< byte-nanoseconds not yet written */
	uint64_t rng;
	uint64_t written;     /**< bytes written since open */
	uint8_t page[4096];
};

int mig_vfio_workload_init(struct mig_vfio_workload *w, const char *name,
			   int device_fd, uint64_t rate, uint32_t region);
/** Write what the rate owes since the last call; -errno on failure. */
int mig_vfio_workload_tick(struct mig_vfio_workload *w, const char *name,
			   int device_fd);

/** reconfig=1: region 0's first 32-bit register rewritten, bit 0 flipped. */
int mig_vfio_workload_reconfig(const char *name, int device_fd);

/** Devargs, defaults first. */
struct vfio_opts {
	char bdf[MIG_VFIO_BDF_LEN];
	enum mig_vfio_io_kind io;
	uint64_t depth;
	uint64_t chunk;
	uint64_t dirty_rate;
	uint64_t dirty_region;
	uint64_t corrupt_save;  /**< 1-based chunk with data, 0 off */
	uint64_t truncate_save; /**< stop_copy chunks before a false end, 0 off */
	uint64_t reconfig;      /**< 1: a reconfiguration after the first pass */
};

/** Parse devargs (without "vfio,"); errors name the key. 0 or -EINVAL. */
int mig_vfio_parse_args(const char *name, const char *args,
			struct vfio_opts *o);

/** Private data of a vfio device (dev->priv). */
struct vfio_dev {
	struct mig_dev *dev;
	struct vfio_opts o;
	struct mig_vfio_handle h;
	struct mig_vfio_io io;
	struct mig_vfio_workload wl;
	enum mig_state state;  /**< last state the kernel confirmed */
	int data_fd;           /**< data fd of the current session, or -1 */
	bool precopy_v2;       /**< PRECOPY_INFO v2 on: its flags are output */
	bool reconfig_done;    /**< reconfig=1 happened */
	uint64_t saves_with_data;
	uint64_t stop_copy_saves; /**< stop_copy chunks with data */
};

#endif /* _VFIO_PRIV_H_ */
