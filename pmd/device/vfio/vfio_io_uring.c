/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * io_uring engine: up to `depth` reads (or writes) of the data fd queued in
 * the kernel at once. Each carries
 *  - IOSQE_ASYNC: a data fd has no non-blocking reads (no FMODE_NOWAIT), so
 *    the inline attempt would only fail and punt to an io-wq worker anyway;
 *  - IOSQE_IO_DRAIN: io-wq workers run requests in parallel, in any order,
 *    and a stream fd gives each read the next bytes, so a read must start
 *    only once every earlier one completed. The stream order is then the
 *    submission order whatever the driver behind the fd does
 *    (tests/unit/test_vfio_io.c fails without it).
 * The offset is -1: the fd is a stream, positions mean nothing.
 *
 * A data fd that supports poll (mlx5's, ours) would turn the PRE_COPY
 * temporary end into a wait: io_uring polls a file without FMODE_NOWAIT
 * for readiness and retries only when readable, so a read that should
 * fail with ENOMSG would wait for new dirty data instead. Reads therefore
 * run on an O_NONBLOCK fd: the worker calls the driver's read at once and
 * ENOMSG comes back as the uAPI says. A driver may then say EAGAIN (data
 * not ready yet, mlx5): such a read consumed nothing and is queued again
 * behind the reads already queued, its place in the completion order
 * moving with it. Writes keep blocking semantics (a resuming fd has no
 * temporary end).
 *
 * io-wq workers inherit the submitting thread's CPU affinity: a polling
 * lcore pinned to one CPU would share it with the worker doing the copy,
 * and the copy would run only when the poller is preempted. The workers
 * are moved to the other CPUs (uring_affinity()).
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liburing.h>

#include "vfio_io.h"

/* abandon: how long the kernel gets to let go of cancelled requests */
#define URING_ABANDON_WAIT_S 10

static struct io_uring *
uring(struct mig_vfio_io *io)
{
	return io->ring;
}

static int
uring_init(struct mig_vfio_io *io)
{
	struct io_uring *ring = calloc(1, sizeof(*ring));
	int ret;

	if (ring == NULL)
		return -ENOMEM;
	/* task work (the start of the next drained request) without an
	 * interrupt: the next peek sees IORING_SQ_TASKRUN and enters */
	ret = io_uring_queue_init(io->depth, ring, IORING_SETUP_COOP_TASKRUN |
				  IORING_SETUP_TASKRUN_FLAG);
	if (ret == -EINVAL)
		ret = io_uring_queue_init(io->depth, ring, 0);
	if (ret < 0) {
		free(ring);
		return ret;
	}
	io->ring = ring;
	return 0;
}

static void
uring_fini(struct mig_vfio_io *io)
{
	if (io->ring == NULL)
		return;
	io_uring_queue_exit(uring(io));
	free(io->ring);
	io->ring = NULL;
}

/* Queue the (rest of the) request @p mio; no submit yet. */
static int
uring_prep(struct mig_vfio_io *io, struct mig_io *mio)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(uring(io));
	uint64_t off = mio->drv[MIG_VFIO_IO_OFF];

	if (sqe == NULL)
		return -EBUSY;
	if (mio->flags & MIG_IO_F_SAVE)
		io_uring_prep_read(sqe, io->fd, mio->buf, mio->cap,
				   (uint64_t)-1);
	else
		io_uring_prep_write(sqe, io->fd, (uint8_t *)mio->buf + off,
				    (unsigned int)(mio->len - off),
				    (uint64_t)-1);
	sqe->flags |= IOSQE_IO_DRAIN | IOSQE_ASYNC;
	io_uring_sqe_set_data(sqe, mio);
	return 0;
}

/*
 * Put this thread's io-wq workers on the CPUs this thread is not pinned
 * to, when there are such CPUs (io-wq is per submitting thread: done at
 * the first submit, from that thread). Best effort.
 */
static void
uring_affinity(struct mig_vfio_io *io)
{
	cpu_set_t self, other;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	io->wq_affinity_set = true;
	if (pthread_getaffinity_np(pthread_self(), sizeof(self), &self) != 0)
		return;
	CPU_ZERO(&other);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		if (!CPU_ISSET(i, &self))
			CPU_SET(i, &other);
	if (CPU_COUNT(&other) > 0)
		io_uring_register_iowq_aff(uring(io), sizeof(other), &other);
}

/* Reads need O_NONBLOCK (see above); once per fd. */
static int
uring_nonblock(struct mig_vfio_io *io)
{
	int fl;

	if (io->fd_nonblock)
		return 0;
	fl = fcntl(io->fd, F_GETFL);
	if (fl < 0 || fcntl(io->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		snprintf(io->errmsg, sizeof(io->errmsg),
			 "fcntl(O_NONBLOCK) on the data fd: %s",
			 strerror(errno));
		return -errno;
	}
	io->fd_nonblock = true;
	return 0;
}

static int
uring_submit(struct mig_vfio_io *io, struct mig_io *mio)
{
	int ret;

	if (!io->wq_affinity_set)
		uring_affinity(io);
	if (mio->flags & MIG_IO_F_SAVE) {
		ret = uring_nonblock(io);
		if (ret < 0)
			return ret;
	}
	ret = uring_prep(io, mio);
	if (ret < 0)
		return ret;
	ret = io_uring_submit(uring(io));
	if (ret < 0) {
		snprintf(io->errmsg, sizeof(io->errmsg),
			 "io_uring_submit: %s", strerror(-ret));
		return ret;
	}
	mig_vfio_io_enqueue(io, mio);
	return 0;
}

/* A write completed with @p res: done, continued, or failed. */
static void
uring_write_done(struct mig_vfio_io *io, struct mig_io *mio, int res)
{
	if (res < 0) {
		mio->status = res;
		snprintf(io->errmsg, sizeof(io->errmsg),
			 "write of %u bytes: %s", mio->len, strerror(-res));
	} else if (mig_vfio_io_wrote(io, mio, (uint64_t)res)) {
		if (mio->drv[MIG_VFIO_IO_OFF] < mio->len) {
			if (res > 0 && io->q_tail == mio &&
			    uring_prep(io, mio) == 0 &&
			    io_uring_submit(uring(io)) >= 0)
				return; /* alone in flight: write the rest */
			mio->status = -EIO;
			snprintf(io->errmsg, sizeof(io->errmsg),
				 "short write (%u of %u bytes)%s",
				 (unsigned int)mio->drv[MIG_VFIO_IO_OFF],
				 mio->len, res > 0 ?
				 " with later writes already in flight: the stream order is lost (use io=read)" :
				 ": the fd took no bytes");
		}
	}
	mio->drv[MIG_VFIO_IO_DONE] = 1;
}

/*
 * A read found no data ready (EAGAIN, it took nothing): queue it again; it
 * now comes after everything queued, in the kernel and in the FIFO.
 */
static int
uring_requeue(struct mig_vfio_io *io, struct mig_io *mio)
{
	struct mig_io **pp = &io->q_head, *prev = NULL;

	while (*pp != mio) {
		prev = *pp;
		pp = &(*pp)->drv_next;
	}
	*pp = mio->drv_next;
	if (io->q_tail == mio)
		io->q_tail = prev;
	if (uring_prep(io, mio) < 0 || io_uring_submit(uring(io)) < 0) {
		/* put it back where it was, to complete with the EAGAIN */
		mio->drv_next = *pp;
		*pp = mio;
		if (mio->drv_next == NULL)
			io->q_tail = mio;
		return -EAGAIN;
	}
	mig_vfio_io_enqueue(io, mio);
	return 0;
}

static int
uring_poll(struct mig_vfio_io *io, struct mig_io **done,
		     unsigned int n)
{
	struct io_uring_cqe *cqe;
	struct mig_io *mio;

	(void)done;
	(void)n;
	while (io_uring_peek_cqe(uring(io), &cqe) == 0) {
		mio = io_uring_cqe_get_data(cqe);
		if ((mio->flags & MIG_IO_F_SAVE) && cqe->res == -EAGAIN &&
		    uring_requeue(io, mio) == 0) {
			io_uring_cqe_seen(uring(io), cqe);
			continue;
		}
		if (mio->flags & MIG_IO_F_SAVE) {
			mig_vfio_io_complete_read(io, mio, cqe->res);
		} else {
			uring_write_done(io, mio, cqe->res);
		}
		io_uring_cqe_seen(uring(io), cqe);
	}
	return 0;
}

static unsigned int
uring_pending(const struct mig_vfio_io *io)
{
	const struct mig_io *m;
	unsigned int k = 0;

	for (m = io->q_head; m != NULL; m = m->drv_next)
		if (!m->drv[MIG_VFIO_IO_DONE])
			k++;
	return k;
}

/* Mark what completed; the number of CQEs seen. */
static unsigned int
uring_reap(struct mig_vfio_io *io)
{
	struct io_uring_cqe *cqe;
	struct mig_io *mio;
	unsigned int k = 0;

	while (io_uring_peek_cqe(uring(io), &cqe) == 0) {
		mio = io_uring_cqe_get_data(cqe);
		mio->drv[MIG_VFIO_IO_DONE] = 1;
		io_uring_cqe_seen(uring(io), cqe);
		k++;
	}
	return k;
}

/*
 * Cancel synchronously, over and over: a cancel request of our own would
 * queue behind the drained reads, and a cancel reaches only the request
 * the kernel has started, after which the next drained one starts (when
 * this task runs its task work, io_uring_get_events()).
 */
static int
uring_abandon(struct mig_vfio_io *io)
{
	struct __kernel_timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	struct io_uring_sync_cancel_reg reg;
	struct io_uring_cqe *cqe;
	unsigned int rounds = 0;
	int ret;

	while (uring_pending(io) != 0) {
		if (++rounds > URING_ABANDON_WAIT_S * 100) {
			snprintf(io->errmsg, sizeof(io->errmsg),
				 "%u requests still in the kernel after %u s of cancelling",
				 uring_pending(io), URING_ABANDON_WAIT_S);
			return -ETIMEDOUT;
		}
		memset(&reg, 0, sizeof(reg));
		reg.fd = -1;
		reg.flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
		reg.timeout.tv_sec = -1;
		reg.timeout.tv_nsec = -1;
		ret = io_uring_register_sync_cancel(uring(io), &reg);
		if (ret < 0 && ret != -ENOENT && ret != -EALREADY) {
			snprintf(io->errmsg, sizeof(io->errmsg),
				 "IORING_REGISTER_SYNC_CANCEL: %s",
				 strerror(-ret));
			return ret;
		}
		io_uring_get_events(uring(io));
		if (uring_reap(io) == 0 &&
		    io_uring_wait_cqe_timeout(uring(io), &cqe, &ts) == 0)
			uring_reap(io);
	}
	return 0;
}

const struct mig_vfio_io_ops mig_vfio_io_uring_ops = {
	.name = "uring",
	.init = uring_init,
	.fini = uring_fini,
	.submit = uring_submit,
	.poll = uring_poll,
	.abandon = uring_abandon,
};
