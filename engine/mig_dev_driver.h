/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_DEV_DRIVER_H_
#define _MIG_DEV_DRIVER_H_

/**
 * @file
 * Device driver SDK: the ops table a device driver implements and the
 * registration macro.
 *
 * The generic layer (mig_dev.c) checks states and arguments before calling
 * an op, turns a NULL op into -ENOTSUP and walks the state machine; a driver
 * executes single legal arcs only.
 */

#include <stddef.h>
#include <sys/queue.h>

#include <rte_common.h>

#include "mig_dev.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of struct mig_dev_ops; a table of another version is refused. */
#define MIG_DEV_OPS_VERSION 2

/** Longest instance name. */
#define MIG_DEV_NAME_MAX 64

/** An open device, as the generic layer and its driver see it. */
struct mig_dev {
	char name[MIG_DEV_NAME_MAX];
	const struct mig_dev_driver *drv;
	enum mig_state state;     /**< maintained by the generic layer */
	struct mig_dev_info info; /**< filled by the driver's probe */
	unsigned int inflight;    /**< maintained by the generic layer */
	uint64_t reinits;         /**< MIG_DEV_SIZES_F_REINIT seen (generic) */
	void *priv;               /**< drv->priv_size bytes, zeroed */
};

/**
 * Parse @p args ("key=value,..." without the driver name; may be "") and
 * bring the device up in RUNNING. Fill dev->info (caps, chunk_size,
 * chunk_min, max_inflight, state_size, socket_id). dev->name is set already
 * (from id= if the driver accepts it, see mig_devargs.h). Errors through
 * mig_err_set(), naming the key.
 */
typedef int (*mig_dev_probe_t)(struct mig_dev *dev, const char *args);

/** Release everything probe acquired. */
typedef void (*mig_dev_remove_t)(struct mig_dev *dev);

/**
 * Execute one legal arc dev->state -> @p next. On failure return -errno;
 * the device is then in dev->state unless the driver has get_state.
 */
typedef int (*mig_dev_set_state_t)(struct mig_dev *dev, enum mig_state next);

/** Read the device's actual state (VFIO GET), after a failed arc. */
typedef int (*mig_dev_get_state_t)(struct mig_dev *dev,
				   enum mig_state *state);

/** Fill sizes; initial/dirty only meaningful in PRE_COPY states. */
typedef int (*mig_dev_query_sizes_t)(struct mig_dev *dev,
				     struct mig_dev_sizes *sizes);

/** Queue a save or a load; complete it through poll. */
typedef int (*mig_dev_submit_t)(struct mig_dev *dev, struct mig_io *io);

/** Return up to @p n completed I/Os, in any order. */
typedef int (*mig_dev_poll_t)(struct mig_dev *dev, struct mig_io **done,
			      unsigned int n);

/** Back to RUNNING with fresh state; abandon outstanding I/O. */
typedef int (*mig_dev_reset_t)(struct mig_dev *dev);

/** Digest of the internal state (verification aid). */
typedef int (*mig_dev_digest_t)(struct mig_dev *dev, uint64_t *digest);

/**
 * Optional, for conformance checks: ask the device itself to go from
 * dev->state to @p target in one request, decomposing a combination arc
 * the way the device does (VFIO: one SET, the kernel walks the arcs).
 * Store the states the device reports having entered, its start first, in
 * @p path (at most @p max) and return their number, or 0 when the device
 * cannot tell its path. On failure return -errno.
 */
typedef int (*mig_dev_request_state_t)(struct mig_dev *dev,
				       enum mig_state target,
				       enum mig_state *path, unsigned int max);

/** The owner's news and current job (devices another process owns). */
typedef int (*mig_dev_owner_get_t)(struct mig_dev *dev,
				   struct mig_dev_owner *owner);

/** End the owner's current job with @p status (0 or -errno). */
typedef int (*mig_dev_owner_end_t)(struct mig_dev *dev, int status);

/** The operations of a device driver. */
struct mig_dev_ops {
	uint32_t version; /**< MIG_DEV_OPS_VERSION */
	mig_dev_probe_t probe;
	mig_dev_remove_t remove;
	mig_dev_set_state_t set_state;
	mig_dev_get_state_t get_state;
	mig_dev_query_sizes_t query_sizes;
	mig_dev_submit_t save_submit;
	mig_dev_submit_t load_submit;
	mig_dev_poll_t poll;
	mig_dev_reset_t reset;
	mig_dev_digest_t digest;
	mig_dev_request_state_t request_state;
	mig_dev_owner_get_t owner_get;
	mig_dev_owner_end_t owner_end;
};

/** A device driver. */
struct mig_dev_driver {
	TAILQ_ENTRY(mig_dev_driver) next;
	const char *name;       /**< set by MIG_PMD_REGISTER */
	const char *params;     /**< "key=<what> ..." for --list-drivers */
	size_t priv_size;       /**< bytes of dev->priv */
	const struct mig_dev_ops *ops;
};

/** Add @p drv to the list mig_dev_open() searches. */
void mig_dev_driver_register(struct mig_dev_driver *drv);

/** Register a device driver under the name @p nm at load time. */
#define MIG_PMD_REGISTER(nm, drv)                                              \
	RTE_INIT(mig_pmd_register_##nm)                                        \
	{                                                                      \
		(drv).name = RTE_STR(nm);                                      \
		mig_dev_driver_register(&(drv));                               \
	}

#ifdef __cplusplus
}
#endif

#endif /* _MIG_DEV_DRIVER_H_ */
