/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/* Copyright(c) 2026 dpdk-migrate authors */

#ifndef _MVP_BACKEND_H_
#define _MVP_BACKEND_H_

/*
 * The data plane of mig_vfio_pci: what a device type provides to the
 * control plane (mvp_fsm.c: states, locking, reset, file lifetimes, fd
 * semantics and stream framing).
 *
 * A backend knows how to reach the device's state (a memory BAR here, a
 * firmware command channel for mlx5) and produces or consumes records;
 * it never sees a state number or a file. Calls made with the state mutex
 * held are marked [state]; calls made with a migration file's lock held
 * are marked [file]. None of them may take the state mutex.
 */

#include <linux/types.h>

#include "mvp_stream.h"

struct mvp_device;

struct mvp_backend_ops {
	const char *name;

	/* After vfio_pci_core_enable() / before vfio_pci_core_disable(). */
	int (*open)(struct mvp_device *mvdev);
	void (*close)(struct mvp_device *mvdev);

	/*
	 * Device regions the backend serves itself (the state BAR): never
	 * mmap'able, no ioeventfd, every access through region_rw().
	 */
	bool (*owns_region)(struct mvp_device *mvdev, unsigned int index);
	/* Changes go between mvp_io_begin() and mvp_io_end(). */
	ssize_t (*region_rw)(struct mvp_device *mvdev, unsigned int index,
			     char __user *buf, size_t count, loff_t off,
			     bool iswrite);

	/* [state] Device stops changing its state (RUNNING_P2P -> STOP). */
	int (*stop)(struct mvp_device *mvdev);
	/* Device was reset (FLR, bus reset): forget stopped-state snapshots. */
	void (*reset)(struct mvp_device *mvdev);

	/* Bytes of device memory state (stream header's state_size). */
	u64 (*state_size)(struct mvp_device *mvdev);

	/*
	 * Saving. save_begin() [state] returns a session context: every
	 * piece of state is pending, and with @track the backend records
	 * later changes as dirty. save_detach() [state, or reset path:
	 * no sleeping] stops tracking; save_free() frees the context once
	 * the file is gone.
	 */
	void *(*save_begin)(struct mvp_device *mvdev, bool track);
	void (*save_detach)(struct mvp_device *mvdev, void *ctx);
	void (*save_free)(void *ctx);
	/*
	 * [file] Fill one record's payload into @buf (@cap bytes). With
	 * @final the device is stopped and everything still pending,
	 * registers included, must come out. Returns payload bytes (the
	 * record in @rec), 0 when nothing is pending now, or -errno.
	 */
	int (*save_next)(struct mvp_device *mvdev, void *ctx,
			 struct mvp_record *rec, void *buf, size_t cap,
			 bool final);
	/* [file] Start the first pass again: everything pending. */
	void (*save_restart)(void *ctx);
	/* [file] Payload bytes pending: first pass / re-dirtied. */
	void (*save_pending)(void *ctx, u64 *initial, u64 *dirty);

	/* Resuming: [state] begin, [file] records, [state] validate+apply. */
	void *(*load_begin)(struct mvp_device *mvdev);
	int (*load_record)(struct mvp_device *mvdev, void *ctx,
			   const struct mvp_record *rec, const void *payload);
	int (*load_end)(struct mvp_device *mvdev, void *ctx);
	void (*load_free)(void *ctx);
};

extern const struct mvp_backend_ops mvp_ivshmem_ops;

#endif /* _MVP_BACKEND_H_ */
