/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_DEV_H_
#define _MIG_DEV_H_

/**
 * @file
 * Migratable devices: the API the engine and applications use.
 *
 * A device is opened from a devargs string "<driver>,key=value,...", the
 * DPDK way. Its migration state changes through mig_dev_set_state(), which
 * decomposes a request into the single arcs of the VFIO v2 state machine
 * (mig_fsm.h) and applies QEMU's recovery policy on failure. Device data
 * moves in chunks: a save fills a caller buffer with the next bytes of the
 * device's opaque stream, a load feeds the next bytes back; both are
 * submitted and then completed by polling, so that a driver backed by
 * firmware DMA or io_uring never blocks the caller.
 *
 * Stream semantics are the kernel's data fd semantics:
 *  - in PRE_COPY / PRE_COPY_P2P a save that finds no data now completes with
 *    status -ENOMSG (temporary end; more may come as the device dirties);
 *  - in STOP_COPY a save that completes with status 0 and len 0 marks the
 *    permanent end of the stream;
 *  - chunks of one stream are produced in submission order; a load must be
 *    submitted in stream order, and chunk boundaries need not match the
 *    boundaries the source produced.
 *
 * Threading: one thread drives a device at a time (submit, poll and state
 * changes from the same lcore, or handed over with a barrier); drivers take
 * no locks. Different devices may be driven from different lcores.
 *
 * Functions return 0 or a negative errno; the message naming the device,
 * the step and the cause is kept by mig_err_set() (mig_log.h).
 */

#include <stdint.h>

#include "mig_fsm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mig_dev;

/** Static description of an open device. */
struct mig_dev_info {
	const char *name;     /**< instance name (devargs id=, or driver + n) */
	const char *driver;   /**< driver name */
	uint64_t caps;        /**< MIG_CAP_* */
	uint64_t state_size;  /**< nominal size of the device state, 0 unknown */
	uint32_t chunk_size;  /**< preferred chunk (buffer) size */
	uint32_t chunk_min;   /**< smallest buffer a save accepts */
	uint32_t max_inflight; /**< I/Os that may be outstanding at once (>= 1) */
	int socket_id;        /**< NUMA node of the device, SOCKET_ID_ANY if unknown */
};

/**
 * Flag of struct mig_dev_sizes: the device has new initial data since the
 * previous query (VFIO_PRECOPY_INFO_REINIT); initial_bytes counts it, and
 * the stream bytes not yet read before it. Reported once per re-init.
 */
#define MIG_DEV_SIZES_F_REINIT (1u << 0)

/**
 * Flag of struct mig_dev_sizes: the device's owner (the VMM of an offload
 * device, doc/offload.md) has stopped the device and began its stop-copy.
 * A session whose policy follows the owner (mig_policy_cfg.owner) switches
 * over when every device says so.
 */
#define MIG_DEV_SIZES_F_OWNER_STOP (1u << 1)

/** Sizes reported by the device; all are estimates. */
struct mig_dev_sizes {
	uint64_t initial_bytes;   /**< PRE_COPY: initial data still to read */
	uint64_t dirty_bytes;     /**< PRE_COPY: dirty data ready to read */
	uint64_t stop_copy_bytes; /**< data still needed to complete STOP_COPY */
	uint32_t flags;           /**< MIG_DEV_SIZES_F_* */
};

/** Flags of struct mig_io. */
#define MIG_IO_F_SAVE (1u << 0) /**< set by mig_dev_save_submit() */
#define MIG_IO_F_LOAD (1u << 1) /**< set by mig_dev_load_submit() */

/** One chunk of device data on its way in or out of a device. */
struct mig_io {
	void *buf;        /**< caller's buffer */
	uint32_t cap;     /**< save: capacity of buf */
	uint32_t len;     /**< save: bytes produced; load: bytes to load */
	int32_t status;   /**< on completion: 0, -ENOMSG, or -errno */
	uint32_t flags;   /**< MIG_IO_F_* */
	uint64_t index;   /**< caller's chunk index (not interpreted) */
	void *cookie;     /**< caller's */
	uint64_t drv[4];  /**< driver scratch */
	struct mig_io *drv_next; /**< driver queue link */
};

/**
 * Open a device.
 *
 * @param devargs
 *   "<driver>[,key=value,...]", e.g. "sim,size=4G,caps=pre_copy".
 * @return
 *   The device in its initial state (RUNNING), or NULL with rte_errno set
 *   (EINVAL on bad devargs, ENODEV when the driver or the hardware is
 *   missing, positive as DPDK's rte_errno always is) and the reason in
 *   mig_err_last().
 */
struct mig_dev *mig_dev_open(const char *devargs);

/** Close a device; outstanding I/O is abandoned. NULL is a no-op. */
void mig_dev_close(struct mig_dev *dev);

/** Instance name, for messages. */
const char *mig_dev_name(const struct mig_dev *dev);

/** Fill @p info. */
int mig_dev_info_get(const struct mig_dev *dev, struct mig_dev_info *info);

/** Current state as last known to the engine. */
enum mig_state mig_dev_state(const struct mig_dev *dev);

/**
 * Move the device to @p target through legal single arcs.
 *
 * On a failed arc QEMU's policy applies: if @p recover is ERROR the device is
 * reset (to RUNNING); otherwise the device is moved to @p recover, and reset
 * if that fails too. The original error is returned in all cases.
 *
 * @return 0; -EINVAL for a request the state machine forbids (no arc is
 *   taken); -EBUSY while I/O is outstanding; or the driver's error.
 */
int mig_dev_set_state(struct mig_dev *dev, enum mig_state target,
		      enum mig_state recover);

/** Query initial/dirty bytes (PRE_COPY states only) and the stop-copy size. */
int mig_dev_query_sizes(struct mig_dev *dev, struct mig_dev_sizes *sizes);

/**
 * Submit a save of the next bytes of the stream into io->buf (io->cap bytes
 * at most). Valid in PRE_COPY, PRE_COPY_P2P and STOP_COPY.
 *
 * @return 0 (complete it with mig_dev_poll()), -EBUSY if max_inflight I/Os
 *   are outstanding, -EINVAL in another state or if io->cap < chunk_min.
 */
int mig_dev_save_submit(struct mig_dev *dev, struct mig_io *io);

/**
 * Submit a load of io->len bytes, the next bytes of the stream. Valid in
 * RESUMING.
 */
int mig_dev_load_submit(struct mig_dev *dev, struct mig_io *io);

/**
 * Collect completed I/Os.
 *
 * @return Number of I/Os stored in @p done (0 if none is complete yet), or a
 *   negative errno.
 */
int mig_dev_poll(struct mig_dev *dev, struct mig_io **done, unsigned int n);

/**
 * Reset the device to RUNNING with a fresh state, as VFIO_DEVICE_RESET does.
 * Outstanding I/O is abandoned (never returned by mig_dev_poll()).
 */
int mig_dev_reset(struct mig_dev *dev);

/**
 * Digest of the device's current internal state, for verification (sim
 * devices). -ENOTSUP where the device cannot tell.
 */
int mig_dev_digest(struct mig_dev *dev, uint64_t *digest);

/** What the owner of an offload device is doing with it. */
enum mig_dev_owner_job {
	MIG_DEV_OWNER_IDLE = 0, /**< no migration */
	MIG_DEV_OWNER_SAVE,     /**< the owner saves it: a source session */
	MIG_DEV_OWNER_RESUME,   /**< the owner resumes it: a destination one */
};

/**
 * The view of a device that another process owns (the VMM of an offload
 * device): it drives the migration states, the engine moves the data.
 */
struct mig_dev_owner {
	enum mig_state state;    /**< the state the owner's arc entered last */
	enum mig_dev_owner_job job;
	uint64_t job_id;         /**< changes with every job the owner starts */
	uint64_t token;          /**< the owner's session token (0 unknown) */
	int32_t aborted;         /**< -errno of the owner's last abort, or 0 */
	uint64_t lost;           /**< owner events the device dropped */
};

/**
 * Take the owner's news (events) and describe what it does now.
 *
 * @return 0; -ENOTSUP for a device that has no owner besides the engine.
 */
int mig_dev_owner_get(struct mig_dev *dev, struct mig_dev_owner *owner);

/**
 * Tell the owner how its current job ended: 0, the state was delivered and
 * loaded on the peer (source) or loaded and verified (destination), or
 * -errno, it failed and the owner's arc must fail. A job already ended is
 * not reported twice.
 *
 * @return 0, -ENOTSUP without an owner, or the owner's refusal.
 */
int mig_dev_owner_end(struct mig_dev *dev, int status);

/** Number of I/Os submitted and not yet returned by mig_dev_poll(). */
unsigned int mig_dev_inflight(const struct mig_dev *dev);

/**
 * Conformance aid: read the state the device itself reports (VFIO GET) and
 * make it the engine's view.
 *
 * @return 0, -ENOTSUP when the driver cannot tell, or -errno.
 */
int mig_dev_state_read(struct mig_dev *dev, enum mig_state *state);

/**
 * Conformance aid: send @p target to the device as one request, without
 * the engine's decomposition or its up-front checks, so that the device's
 * own handling of combination arcs and of states it lacks can be observed.
 * No recovery on failure; the engine's view is then re-read.
 *
 * @param path
 *   The states the device reports having entered, its start first.
 * @return
 *   Number of states in @p path (0 when the device cannot tell its path),
 *   -ENOTSUP when the driver has no such request, or the device's -errno.
 */
int mig_dev_request_state(struct mig_dev *dev, enum mig_state target,
			  enum mig_state *path, unsigned int max);

/**
 * Call @p fn for every registered driver with its name and parameter
 * string; for --list-drivers.
 */
void mig_dev_driver_foreach(void (*fn)(const char *name, const char *params,
				       void *arg),
			    void *arg);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_DEV_H_ */
