/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * I/O engine selection, the completion queue both engines share, and the
 * plain read()/write() engine.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vfio_io.h"

#define IO_DONE MIG_VFIO_IO_DONE
#define IO_OFF MIG_VFIO_IO_OFF

int
mig_vfio_io_kind_parse(const char *s, enum mig_vfio_io_kind *kind)
{
	if (strcasecmp(s, "auto") == 0)
		*kind = MIG_VFIO_IO_AUTO;
	else if (strcasecmp(s, "uring") == 0 || strcasecmp(s, "io_uring") == 0)
		*kind = MIG_VFIO_IO_URING;
	else if (strcasecmp(s, "read") == 0)
		*kind = MIG_VFIO_IO_READ;
	else
		return -EINVAL;
	return 0;
}

int
mig_vfio_io_init(struct mig_vfio_io *io, enum mig_vfio_io_kind kind,
		 unsigned int depth, char *why, size_t why_len)
{
	int ret;

	memset(io, 0, sizeof(*io));
	io->fd = -1;
	why[0] = '\0';
	if (depth == 0 || depth > MIG_VFIO_IO_DEPTH_MAX) {
		snprintf(why, why_len, "depth %u is outside 1..%u", depth,
			 MIG_VFIO_IO_DEPTH_MAX);
		return -EINVAL;
	}
	io->depth = depth;
	if (kind == MIG_VFIO_IO_READ) {
		io->ops = &mig_vfio_io_read_ops;
		return io->ops->init(io);
	}
	io->ops = &mig_vfio_io_uring_ops;
	ret = io->ops->init(io);
	if (ret == 0)
		return 0;
	snprintf(why, why_len, "io_uring is unavailable (%s%s)",
		 strerror(-ret),
		 ret == -EPERM ? ", see sysctl kernel.io_uring_disabled" : "");
	if (kind == MIG_VFIO_IO_URING)
		return ret;
	io->ops = &mig_vfio_io_read_ops;
	return io->ops->init(io);
}

void
mig_vfio_io_fini(struct mig_vfio_io *io)
{
	if (io->ops != NULL)
		io->ops->fini(io);
	io->ops = NULL;
}

const char *
mig_vfio_io_name(const struct mig_vfio_io *io)
{
	return io->ops != NULL ? io->ops->name : "none";
}

void
mig_vfio_io_set_fd(struct mig_vfio_io *io, int fd)
{
	io->fd = fd;
	io->fd_nonblock = false;
}

int
mig_vfio_io_submit(struct mig_vfio_io *io, struct mig_io *mio)
{
	int ret;

	if (io->fd < 0)
		return -EBADF;
	if (io->inflight >= io->depth)
		return -EBUSY;
	mio->drv[IO_DONE] = 0;
	mio->drv[IO_OFF] = 0;
	mio->status = 0;
	if (mio->flags & MIG_IO_F_SAVE)
		mio->len = 0;
	ret = io->ops->submit(io, mio);
	if (ret < 0)
		return ret;
	io->inflight++;
	return 0;
}

int
mig_vfio_io_poll(struct mig_vfio_io *io, struct mig_io **done,
		 unsigned int n)
{
	unsigned int k = 0;
	int ret;

	if (io->inflight == 0)
		return 0;
	ret = io->ops->poll(io, done, n);
	if (ret < 0)
		return ret;
	/* hand out the completed head of the FIFO */
	while (k < n && io->q_head != NULL && io->q_head->drv[IO_DONE]) {
		done[k++] = io->q_head;
		io->q_head = io->q_head->drv_next;
		if (io->q_head == NULL)
			io->q_tail = NULL;
		io->inflight--;
	}
	return (int)k;
}

int
mig_vfio_io_abandon(struct mig_vfio_io *io)
{
	int ret = 0;

	if (io->inflight != 0)
		ret = io->ops->abandon(io);
	io->q_head = NULL;
	io->q_tail = NULL;
	io->inflight = 0;
	return ret;
}

void
mig_vfio_io_enqueue(struct mig_vfio_io *io, struct mig_io *mio)
{
	mio->drv_next = NULL;
	if (io->q_tail != NULL)
		io->q_tail->drv_next = mio;
	else
		io->q_head = mio;
	io->q_tail = mio;
}

/*
 * Map a read's result onto the mig_io; -ENOMSG stays a status. read()
 * never returns more than it was asked: a kernel driver that does has not
 * put those bytes in the buffer, so the read fails (-EIO) rather than
 * hand out bytes past the buffer as stream data.
 */
void
mig_vfio_io_complete_read(struct mig_vfio_io *io, struct mig_io *mio,
			  long res)
{
	if (res > (long)mio->cap) {
		mio->len = 0;
		mio->status = -EIO;
		snprintf(io->errmsg, sizeof(io->errmsg),
			 "read of %u bytes returned %ld, more than asked (kernel driver bug)",
			 mio->cap, res);
	} else if (res >= 0) {
		mio->len = (uint32_t)res;
		mio->status = 0;
	} else {
		mio->len = 0;
		mio->status = (int32_t)res;
		if (res != -ENOMSG)
			snprintf(io->errmsg, sizeof(io->errmsg),
				 "read of %u bytes: %s", mio->cap,
				 strerror((int)-res));
	}
	mio->drv[IO_DONE] = 1;
}

/*
 * A write of a load took @p res more bytes; false, with the failure in
 * mio->status and io->errmsg, when it claims more than it was asked (a
 * kernel driver bug: what the fd holds is unknown from there).
 */
bool
mig_vfio_io_wrote(struct mig_vfio_io *io, struct mig_io *mio, uint64_t res)
{
	uint64_t left = mio->len - mio->drv[IO_OFF];

	if (res > left) {
		mio->status = -EIO;
		snprintf(io->errmsg, sizeof(io->errmsg),
			 "write of %" PRIu64 " bytes returned %" PRIu64 ", more than asked (kernel driver bug)",
			 left, res);
		return false;
	}
	mio->drv[IO_OFF] += res;
	return true;
}

/* ------------------------------------------------------------ read() */

static int
io_read_init(struct mig_vfio_io *io)
{
	(void)io;
	return 0;
}

static void
io_read_fini(struct mig_vfio_io *io)
{
	(void)io;
}

static int
io_read_submit(struct mig_vfio_io *io, struct mig_io *mio)
{
	const uint8_t *p = mio->buf;
	ssize_t n;

	if (mio->flags & MIG_IO_F_SAVE) {
		do {
			n = read(io->fd, mio->buf, mio->cap);
		} while (n < 0 && errno == EINTR);
		mig_vfio_io_complete_read(io, mio, n < 0 ? -errno : n);
	} else {
		while (mio->drv[IO_OFF] < mio->len) {
			n = write(io->fd, p + mio->drv[IO_OFF],
				  mio->len - mio->drv[IO_OFF]);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				mio->status = n < 0 ? -errno : -EIO;
				snprintf(io->errmsg, sizeof(io->errmsg),
					 "write of %u bytes: %s",
					 mio->len, n < 0 ? strerror(errno) :
					 "the fd took no bytes");
				break;
			}
			if (!mig_vfio_io_wrote(io, mio, (uint64_t)n))
				break;
		}
		mio->drv[IO_DONE] = 1;
	}
	mig_vfio_io_enqueue(io, mio);
	return 0;
}

static int
io_read_poll(struct mig_vfio_io *io, struct mig_io **done, unsigned int n)
{
	(void)io;
	(void)done;
	(void)n;
	return 0;
}

static int
io_read_abandon(struct mig_vfio_io *io)
{
	(void)io;
	return 0;
}

const struct mig_vfio_io_ops mig_vfio_io_read_ops = {
	.name = "read",
	.init = io_read_init,
	.fini = io_read_fini,
	.submit = io_read_submit,
	.poll = io_read_poll,
	.abandon = io_read_abandon,
};
