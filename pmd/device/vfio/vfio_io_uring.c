/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * io_uring engine: up to `depth` reads (or writes) of the data fd queued in
 * the kernel at once, each with IOSQE_IO_DRAIN so that the kernel starts
 * it only after every earlier request completed: the stream order of the
 * fd is the submission order, whatever the driver behind the fd does. The
 * offset is -1 (the fd is a stream; the kernel ignores positions).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liburing.h>

#include "vfio_io.h"

/* user_data of the cancel request (requests carry their mig_io) */
#define URING_CANCEL_TAG 0
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
	/* one more entry than depth: the cancel of abandon */
	ret = io_uring_queue_init(io->depth + 1, ring, 0);
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
	sqe->flags |= IOSQE_IO_DRAIN;
	io_uring_sqe_set_data(sqe, mio);
	return 0;
}

static int
uring_submit(struct mig_vfio_io *io, struct mig_io *mio)
{
	int ret;

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
	} else {
		mio->drv[MIG_VFIO_IO_OFF] += (uint64_t)res;
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
		if (mio != URING_CANCEL_TAG) {
			if (mio->flags & MIG_IO_F_SAVE) {
				mig_vfio_io_complete_read(mio, cqe->res);
				if (cqe->res < 0 && cqe->res != -ENOMSG)
					snprintf(io->errmsg, sizeof(io->errmsg),
						 "read of %u bytes: %s",
						 mio->cap, strerror(-cqe->res));
			} else {
				uring_write_done(io, mio, cqe->res);
			}
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

static int
uring_abandon(struct mig_vfio_io *io)
{
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct mig_io *mio;
	unsigned int waited = 0;

	if (uring_pending(io) == 0)
		return 0;
	sqe = io_uring_get_sqe(uring(io));
	if (sqe != NULL) {
		io_uring_prep_cancel(sqe, NULL, IORING_ASYNC_CANCEL_ANY);
		io_uring_sqe_set_data(sqe, URING_CANCEL_TAG);
		io_uring_submit(uring(io));
	}
	while (uring_pending(io) != 0) {
		if (io_uring_wait_cqe_timeout(uring(io), &cqe, &ts) != 0) {
			if (++waited >= URING_ABANDON_WAIT_S) {
				snprintf(io->errmsg, sizeof(io->errmsg),
					 "%u requests still in the kernel after %u s of cancelling",
					 uring_pending(io), waited);
				return -ETIMEDOUT;
			}
			continue;
		}
		mio = io_uring_cqe_get_data(cqe);
		if (mio != URING_CANCEL_TAG)
			mio->drv[MIG_VFIO_IO_DONE] = 1;
		io_uring_cqe_seen(uring(io), cqe);
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
