/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _VFIO_IO_H_
#define _VFIO_IO_H_

/**
 * @file
 * I/O engines of the vfio driver: move chunks between caller buffers and a
 * migration data fd, behind a small ops table so that the driver never asks
 * which engine it drives.
 *
 *  - uring: several reads (or writes) in flight through io_uring, run by
 *    the kernel's io-wq workers. A data fd is a stream whose reads cannot
 *    run in parallel without losing the stream order, so every request
 *    carries IOSQE_IO_DRAIN: the kernel starts it only once all earlier
 *    ones have completed. The caller's thread never blocks while the
 *    kernel copies the device state; the next read is already queued when
 *    one completes. Reads set O_NONBLOCK on the fd (vfio_io_uring.c).
 *  - read: plain read()/write() in the submit call, completed at the next
 *    poll (the QEMU way, one chunk at a time).
 *
 * Completion semantics are those of the fd, mapped onto struct mig_io:
 * a read of n > 0 bytes completes with len n and status 0, the end of file
 * with len 0 and status 0, a failure with status -errno (-ENOMSG is the
 * PRE_COPY temporary end of stream). A write completes with status 0 once
 * all io->len bytes are written; a short write is continued while it is the
 * only write in flight, and fails with -EIO otherwise (later data may
 * already be in the fd, the stream order is lost).
 *
 * The engines know nothing about VFIO, so the host tests drive them on
 * pipes and files.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mig_dev.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Engine selection (devargs io=). */
enum mig_vfio_io_kind {
	MIG_VFIO_IO_AUTO = 0, /**< uring when the kernel allows it, else read */
	MIG_VFIO_IO_URING,
	MIG_VFIO_IO_READ,
};

/** Most requests an engine keeps in flight. */
#define MIG_VFIO_IO_DEPTH_MAX 64

struct mig_vfio_io;

/** The operations of an I/O engine. */
struct mig_vfio_io_ops {
	const char *name;
	/** Set up for @p io->depth requests; -errno when unavailable. */
	int (*init)(struct mig_vfio_io *io);
	void (*fini)(struct mig_vfio_io *io);
	/** Start @p mio (MIG_IO_F_SAVE: read, MIG_IO_F_LOAD: write). */
	int (*submit)(struct mig_vfio_io *io, struct mig_io *mio);
	/** Collect up to @p n completions, in submission order. */
	int (*poll)(struct mig_vfio_io *io, struct mig_io **done,
		    unsigned int n);
	/** Cancel what is in flight and wait until the kernel let go of it. */
	int (*abandon)(struct mig_vfio_io *io);
};

/** Private to the engines; embedded in the driver's device. */
struct mig_vfio_io {
	const struct mig_vfio_io_ops *ops;
	int fd;                  /**< data fd, -1 when none */
	unsigned int depth;      /**< requests in flight at most */
	unsigned int inflight;   /**< submitted, not yet returned by poll */
	struct mig_io *q_head;   /**< completed or in flight, FIFO */
	struct mig_io *q_tail;
	void *ring;              /**< struct io_uring (uring engine) */
	bool fd_nonblock;        /**< uring: O_NONBLOCK set on fd */
	bool wq_affinity_set;    /**< uring: io-wq workers placed */
	char errmsg[160];        /**< cause of the last failed request */
};

/**
 * Set up an engine of @p kind with @p depth requests in flight.
 *
 * @param why
 *   Receives the reason when AUTO fell back from uring to read, or why
 *   the requested engine is unavailable; "" otherwise.
 * @return 0, -EINVAL (bad depth), or the -errno of the unavailable engine.
 */
int mig_vfio_io_init(struct mig_vfio_io *io, enum mig_vfio_io_kind kind,
		     unsigned int depth, char *why, size_t why_len);

/** Release the engine (nothing may be in flight: abandon first). */
void mig_vfio_io_fini(struct mig_vfio_io *io);

/** Engine name, "uring" or "read". */
const char *mig_vfio_io_name(const struct mig_vfio_io *io);

/** Use @p fd (-1: none) for the next requests; nothing may be in flight. */
void mig_vfio_io_set_fd(struct mig_vfio_io *io, int fd);

/** Start a read (MIG_IO_F_SAVE in mio->flags) or a write (MIG_IO_F_LOAD). */
int mig_vfio_io_submit(struct mig_vfio_io *io, struct mig_io *mio);

/** Completions in submission order; 0 when none is ready. */
int mig_vfio_io_poll(struct mig_vfio_io *io, struct mig_io **done,
		     unsigned int n);

/** Abandon everything in flight (never returned by poll). */
int mig_vfio_io_abandon(struct mig_vfio_io *io);

/** Parse "auto", "uring" or "read"; 0 or -EINVAL. */
int mig_vfio_io_kind_parse(const char *s, enum mig_vfio_io_kind *kind);

/* engines, for mig_vfio_io_init() */
extern const struct mig_vfio_io_ops mig_vfio_io_uring_ops;
extern const struct mig_vfio_io_ops mig_vfio_io_read_ops;

/* shared by the engines: mig_io driver scratch words */
#define MIG_VFIO_IO_DONE 0 /**< drv[]: completed, waiting to be polled */
#define MIG_VFIO_IO_OFF 1  /**< drv[]: bytes of a write already written */

void mig_vfio_io_enqueue(struct mig_vfio_io *io, struct mig_io *mio);
void mig_vfio_io_complete_read(struct mig_vfio_io *io, struct mig_io *mio,
			       long res);
bool mig_vfio_io_wrote(struct mig_vfio_io *io, struct mig_io *mio,
		       uint64_t res);

#ifdef __cplusplus
}
#endif

#endif /* _VFIO_IO_H_ */
