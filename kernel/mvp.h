/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/* Copyright(c) 2026 dpdk-migrate authors */

#ifndef _MVP_H_
#define _MVP_H_

#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/vfio_pci_core.h>
#include <linux/wait.h>

#include "mvp_backend.h"
#include "mvp_offload.h"
#include "mvp_stream.h"

/*
 * Lock order (doc/drivers/kernel.md):
 *   state_mutex -> io_rwsem -> core memory_lock
 *   state_mutex -> migf->lock -> core memory_lock
 *   state_mutex -> off.lock -> migf->lock (mvp_offload.h)
 *   reset_lock and track_lock are spinlocks, innermost.
 *   log_mutex is taken alone.
 * reset_done() runs under memory_lock (write) and never blocks on
 * state_mutex or a file lock: it defers (mvp_state_mutex_unlock()).
 * Nothing copies to or from user memory under memory_lock, and no
 * page-fault path takes io_rwsem (the owned regions are never mmap'ed).
 */
#define MVP_PATH_MAX 8

/* A DMA logging range, inclusive (mvp_log.c). */
struct mvp_log_range {
	unsigned long start;
	unsigned long last;
};

struct mvp_device {
	struct vfio_pci_core_device core;	/* first: vfio_alloc_device() */
	const struct mvp_backend_ops *be;
	void *be_priv;

	struct mutex state_mutex;
	enum vfio_device_mig_state mig_state;
	struct mvp_migf *saving_migf;
	struct mvp_migf *resuming_migf;

	/* States entered by the last SET, from its start (sysfs mig_last_path). */
	u8 path[MVP_PATH_MAX];
	unsigned int path_len;

	spinlock_t reset_lock;
	bool deferred_reset;

	/* Device-changing region access is allowed only while running. */
	struct rw_semaphore io_rwsem;
	bool running;

	/* The saving file whose pollers a device change wakes. */
	spinlock_t track_lock;
	struct mvp_migf *notify_migf;

	/* DMA logging session (mvp_log.c), under log_mutex. */
	struct mutex log_mutex;
	bool log_active;
	u32 log_nranges;
	struct mvp_log_range *log_ranges;	/* sorted by start */
	u64 log_page_size;

	/* Offload mode (mvp_offload.c). */
	struct mvp_off_dev off;
	/* PRECOPY_INFO v2 opted in (mvp_precopy.c). */
	bool precopy_v2;
};

enum mvp_migf_kind {
	MVP_MIGF_SAVE,
	MVP_MIGF_RESUME,
};

/* One data transfer session: the data fd. */
struct mvp_migf {
	struct file *filp;
	struct mvp_device *mvdev;	/* not used once disabled or aborted */
	const struct mvp_backend_ops *be;
	enum mvp_migf_kind kind;
	struct mutex lock;
	wait_queue_head_t poll_wait;
	bool disabled;			/* under lock; -ENODEV from then on */
	bool aborted;			/* by reset; READ_ONCE, no lock */
	int error;			/* sticky -errno of the stream */
	void *be_ctx;

	/* Framing state (under lock). */
	u8 *buf;			/* record header + payload staging */
	size_t buf_len;
	size_t buf_pos;
	u64 records;
	u64 bytes;
	u32 crc;			/* of the stream bytes so far */
	u32 digest;			/* crc before the END record */

	/* Saving. */
	bool precopy;
	bool final;			/* device stopped: STOP_COPY */
	bool hdr_done;
	bool end_done;
	bool staged_initial;		/* staged bytes belong to the first pass */
	unsigned int fault_end_reads;	/* mvp_fault.c */
	bool reinit;			/* under track_lock: reconfigured */

	/* Resuming. */
	unsigned int phase;		/* MVP_PHASE_* */
	struct mvp_record rec;
	bool complete;			/* END record checked */

	struct mvp_off_sess off;	/* offload mode (mvp_offload.c) */
};

static inline struct mvp_device *mvp_from_vdev(struct vfio_device *vdev)
{
	return container_of(vdev, struct mvp_device, core.vdev);
}

static inline struct device *mvp_dev(struct mvp_device *mvdev)
{
	return &mvdev->core.pdev->dev;
}

/* mvp_fsm.c: control plane. */
extern const struct vfio_migration_ops mvp_mig_ops;
extern const struct attribute_group *mvp_dev_groups[];
void mvp_state_mutex_unlock(struct mvp_device *mvdev);
void mvp_reset_done(struct mvp_device *mvdev);
void mvp_close_files(struct mvp_device *mvdev);

/* mvp_file.c: data fds. */
struct mvp_migf *mvp_save_file_create(struct mvp_device *mvdev, bool precopy);
struct mvp_migf *mvp_resume_file_create(struct mvp_device *mvdev);
void mvp_file_disable(struct mvp_migf *migf);
void mvp_file_abort(struct mvp_migf *migf);
void mvp_save_file_final(struct mvp_migf *migf);
int mvp_resume_file_end(struct mvp_migf *migf);
u64 mvp_save_file_stop_copy_len(struct mvp_migf *migf);
ssize_t mvp_save_file_pull(struct mvp_migf *migf, char __user *ubuf,
			   size_t len, u64 *offset, bool *end, u64 *initial,
			   u64 *dirty);
ssize_t mvp_resume_file_write(struct mvp_migf *migf, const char __user *ubuf,
			      size_t len);
int mvp_file_release(struct inode *inode, struct file *filp);
long mvp_save_file_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg);
void mvp_notify_change(struct mvp_device *mvdev);

/*
 * Device-changing region access: returns false (refuse with -EBUSY) while
 * the device is stopped; a stop arc waits for accesses in flight.
 */
static inline bool mvp_io_begin(struct mvp_device *mvdev)
{
	down_read(&mvdev->io_rwsem);
	if (mvdev->running)
		return true;
	up_read(&mvdev->io_rwsem);
	return false;
}

static inline void mvp_io_end(struct mvp_device *mvdev)
{
	up_read(&mvdev->io_rwsem);
}

/* mvp_log.c: device DMA logging (always an empty report). */
extern const struct vfio_log_ops mvp_log_ops;
void mvp_log_close(struct mvp_device *mvdev);

/* mvp_precopy.c: PRECOPY_INFO v2 and REINIT. */
int mvp_device_feature(struct vfio_device *vdev, u32 flags,
		       void __user *arg, size_t argsz);
void mvp_precopy_close(struct mvp_device *mvdev);
void mvp_precopy_reconfigured(struct mvp_device *mvdev);
u32 mvp_precopy_info_flags(struct mvp_migf *migf);

/* mvp_main.c */
bool mvp_memory_enabled(struct mvp_device *mvdev);
bool mvp_pci_owns(struct pci_dev *pdev);

#endif /* _MVP_H_ */
