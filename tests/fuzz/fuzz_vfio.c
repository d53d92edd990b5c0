/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * libFuzzer target for what the vfio driver does with the results of
 * read() and write() on a migration data fd: pmd/device/vfio/vfio.c (ops,
 * the uAPI checks of a completed save) over the read() engine of
 * vfio_io.c, both included here. The kernel side is scripted: the
 * VFIO ioctls (vfio_mig.c, vfio_open.c) are stubs that open a data fd on
 * a session arc, and read(), write() and close() on that fd take their
 * results from the input, as the pipes of tests/unit/test_vfio_io.c do
 * from a thread.
 *
 * Input: a 4-byte header, then one event per read() or write() call.
 *   byte 0  bit 0: a RESUMING session (loads, write()); else a saving
 *           session, bit 1: PRE_COPY first (else STOP_COPY from STOP)
 *   byte 1  depth 1 + (byte % 4); chunk 4 KiB << (byte >> 6)
 *   byte 2  completions before PRE_COPY -> STOP_COPY
 *   byte 3  bytes of each load: 1 + byte * 97
 *   events  kkkvvvvv: k 0 short (1 + v bytes), 1 (v + 1) * 64 bytes,
 *           2 all asked, 3 returns 0, 4 ENOMSG, 5 EINTR, 6 an errno
 *           (EIO, EAGAIN, ENODEV, EFAULT), 7 more than asked (asked +
 *           1 + v: a kernel driver bug). Past the script: reads return 0,
 *           writes take all.
 *
 * Invariants, for every completion, from the result the fd gave (a
 * reference model): a save's len never exceeds its buffer and its bytes
 * are the fd's next bytes in order; n > 0 bytes give len n, 0 gives len 0
 * (the end), -ENOMSG stays -ENOMSG in PRE_COPY and is -EPROTO in
 * STOP_COPY, an errno stays that errno, EINTR is retried, a result beyond
 * the buffer is a failure. A load succeeds only when the fd took exactly
 * its bytes (in order, across short writes); write() == 0 or more than
 * asked is a failure. At the end the data fd is closed exactly once.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_log.h>

#include "mig_dev_driver.h"

/* the driver registers itself: keep its ops */
static struct mig_dev_driver *fuzz_drv;

#undef MIG_PMD_REGISTER
#define MIG_PMD_REGISTER(nm, drv)                                              \
	RTE_INIT(fuzz_register_##nm)                                           \
	{                                                                      \
		fuzz_drv = &(drv);                                             \
	}

/* the data fd's read(), write() and close() are the script's */
ssize_t fuzz_read(int fd, void *buf, size_t n);
ssize_t fuzz_write(int fd, const void *buf, size_t n);
int fuzz_close(int fd);
#define read fuzz_read
#define write fuzz_write
#define close fuzz_close
#include "vfio_io.c"
#include "vfio.c"
#undef read
#undef write
#undef close

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DATA_FD 1000
#define DEVICE_FD 999
#define MAX_DEPTH 4
#define FIFO_MAX 4096

/* one read() result, in the order of the calls (EINTR not recorded) */
struct result {
	long res;
	uint64_t pos;   /**< stream offset of the bytes read */
};

static struct {
	const uint8_t *ev;
	size_t nev, next;
	uint64_t rpos;    /**< bytes the fd produced */
	uint64_t wpos;    /**< bytes the fd took */
	struct result fifo[FIFO_MAX];
	unsigned int head, tail;
	bool fd_open;
	unsigned int closes;
	bool bad_write;   /**< the fd took bytes that were not the stream's */
	bool over_write;  /**< a write() returned more than asked */
} F;

static uint8_t
stream_byte(uint64_t pos)
{
	return (uint8_t)((pos >> 8) * 0x9d + pos * 0x3b + 0x66);
}

/*
 * Byte loops, kept out of line and out of coverage tracing
 * (coverage-ignore.txt): the fuzzer learns nothing from them.
 */
static __attribute__((noinline)) void
stream_fill(uint8_t *p, uint64_t pos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = stream_byte(pos + i);
}

/* true when @p p holds the stream's @p n bytes at @p pos */
static __attribute__((noinline)) bool
stream_same(const uint8_t *p, uint64_t pos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != stream_byte(pos + i))
			return false;
	return true;
}

static void
fifo_push(long res, uint64_t pos)
{
	if (F.tail - F.head == FIFO_MAX)
		abort();
	F.fifo[F.tail % FIFO_MAX].res = res;
	F.fifo[F.tail % FIFO_MAX].pos = pos;
	F.tail++;
}

/* The next scripted result for a call asking @p n bytes; -1 + errno. */
static long
script(size_t n, bool rd)
{
	static const int errs[] = { EIO, EAGAIN, ENODEV, EFAULT };
	uint8_t e, v;

	if (F.next == F.nev)
		return rd ? 0 : (long)n;
	e = F.ev[F.next++];
	v = e & 31;
	switch (e >> 5) {
	case 0:
		return (long)RTE_MIN(n, (size_t)1 + v);
	case 1:
		return (long)RTE_MIN(n, (size_t)(v + 1) * 64);
	case 2:
		return (long)n;
	case 3:
		return 0;
	case 4:
		errno = ENOMSG;
		return -1;
	case 5:
		errno = EINTR;
		return -1;
	case 6:
		errno = errs[v % RTE_DIM(errs)];
		return -1;
	default:
		return (long)n + 1 + v;
	}
}

ssize_t
fuzz_read(int fd, void *buf, size_t n)
{
	long r;
	size_t fill;

	if (fd != DATA_FD || !F.fd_open)
		abort();
	r = script(n, true);
	if (r < 0) {
		if (errno != EINTR)
			fifo_push(-errno, F.rpos);
		return r;
	}
	/* a result beyond the buffer: the kernel wrote only what fits */
	fill = RTE_MIN((size_t)r, n);
	stream_fill(buf, F.rpos, fill);
	fifo_push(r, F.rpos);
	F.rpos += fill;
	return r;
}

ssize_t
fuzz_write(int fd, const void *buf, size_t n)
{
	long r;
	size_t took;

	if (fd != DATA_FD || !F.fd_open)
		abort();
	r = script(n, false);
	if (r < 0)
		return r;
	if ((size_t)r > n)
		F.over_write = true;
	took = RTE_MIN((size_t)r, n);
	if (!stream_same(buf, F.wpos, took))
		F.bad_write = true;
	F.wpos += took;
	return r;
}

int
fuzz_close(int fd)
{
	if (fd != DATA_FD || !F.fd_open)
		abort();
	F.fd_open = false;
	F.closes++;
	return 0;
}

/* ------------------------------------------- the kernel's other side */

const struct mig_vfio_io_ops mig_vfio_io_uring_ops = {
	.name = "uring",
};

int
mig_vfio_open(const char *name, const char *bdf, const char *sys_root,
	      const char *dev_root, struct mig_vfio_handle *h)
{
	memset(h, 0, sizeof(*h));
	h->container_fd = h->group_fd = -1;
	h->device_fd = DEVICE_FD;
	h->numa_node = -1;
	strcpy(h->driver, "fuzz");
	return 0;
}

void
mig_vfio_close(struct mig_vfio_handle *h)
{
	h->device_fd = -1;
}

int
mig_vfio_bdf_parse(const char *s, char out[MIG_VFIO_BDF_LEN])
{
	snprintf(out, MIG_VFIO_BDF_LEN, "%s", "0000:00:01.0");
	return 0;
}

int
mig_vfio_mig_caps(int device_fd, uint64_t *caps)
{
	*caps = MIG_CAP_STOP_COPY | MIG_CAP_PRE_COPY;
	return 0;
}

int
mig_vfio_mig_set_state(int device_fd, enum mig_state state, int *data_fd)
{
	*data_fd = -1;
	if ((state == MIG_STATE_PRE_COPY || state == MIG_STATE_RESUMING ||
	     state == MIG_STATE_STOP_COPY) && !F.fd_open && F.closes == 0) {
		F.fd_open = true;
		*data_fd = DATA_FD;
	}
	return 0;
}

int
mig_vfio_mig_get_state(int device_fd, enum mig_state *state)
{
	*state = MIG_STATE_RUNNING;
	return 0;
}

int
mig_vfio_mig_data_size(int device_fd, uint64_t *stop_copy_length)
{
	*stop_copy_length = 0;
	return 0;
}

int
mig_vfio_mig_precopy_v2(int device_fd)
{
	return -ENOTTY;
}

int
mig_vfio_mig_precopy_info(int data_fd, uint64_t *initial_bytes,
			  uint64_t *dirty_bytes, uint32_t *flags)
{
	*initial_bytes = 0;
	*dirty_bytes = 0;
	*flags = 0;
	return 0;
}

int
mig_vfio_mig_reset(int device_fd)
{
	return 0;
}

int
mig_vfio_workload_init(struct mig_vfio_workload *w, const char *name,
		       int device_fd, uint64_t rate, uint32_t region)
{
	memset(w, 0, sizeof(*w));
	return 0;
}

int
mig_vfio_workload_tick(struct mig_vfio_workload *w, const char *name,
		       int device_fd)
{
	return 0;
}

int
mig_vfio_workload_reconfig(const char *name, int device_fd)
{
	return 0;
}

/* ------------------------------------------------------------ harness */

struct slot {
	struct mig_io io;
	uint8_t *buf;
	bool busy;
	bool over;        /**< a write() of this load took more than asked */
};

static struct mig_dev *
dev_open(uint32_t depth, uint32_t chunk)
{
	struct mig_dev *dev = calloc(1, sizeof(*dev));
	char args[128];

	if (dev == NULL || fuzz_drv == NULL)
		abort();
	strcpy(dev->name, "fuzz");
	dev->drv = fuzz_drv;
	dev->priv = calloc(1, fuzz_drv->priv_size);
	if (dev->priv == NULL)
		abort();
	snprintf(args, sizeof(args), "bdf=0000:00:01.0,io=read,depth=%u,chunk=%u",
		 depth, chunk);
	if (fuzz_drv->ops->probe(dev, args) != 0)
		abort();
	return dev;
}

static void
dev_close(struct mig_dev *dev)
{
	fuzz_drv->ops->remove(dev);
	free(dev->priv);
	free(dev);
	/* the data fd was closed, once */
	if (F.fd_open || F.closes != 1)
		abort();
}

static void
set_state(struct mig_dev *dev, enum mig_state s)
{
	if (fuzz_drv->ops->set_state(dev, s) != 0)
		abort();
	dev->state = s;
}

/* A save completed: check it against the fd's result. */
static bool
check_save(const struct mig_io *io, enum mig_state st)
{
	const struct result *r;

	if (F.head == F.tail)
		abort();
	r = &F.fifo[F.head++ % FIFO_MAX];
	if (io->len > io->cap)
		abort();
	if (r->res > (long)io->cap) {
		/* more than the buffer holds: not stream data */
		if (io->status >= 0)
			abort();
		return false;
	}
	if (r->res == -ENOMSG) {
		if (io->len != 0 || io->status != (st == MIG_STATE_STOP_COPY ?
						   -EPROTO : -ENOMSG))
			abort();
		return st != MIG_STATE_STOP_COPY;
	}
	if (r->res < 0) {
		if (io->len != 0 || io->status != r->res)
			abort();
		return false;
	}
	if (io->status != 0 || io->len != (uint32_t)r->res ||
	    !stream_same(io->buf, r->pos, io->len))
		abort();
	return io->len > 0 || st != MIG_STATE_STOP_COPY;
}

static void
run_save(const uint8_t *hdr)
{
	uint32_t depth = 1 + hdr[1] % MAX_DEPTH;
	uint32_t chunk = 4096u << (hdr[1] >> 6);
	struct slot sl[MAX_DEPTH];
	struct mig_io *done[MAX_DEPTH];
	struct mig_dev *dev;
	enum mig_state st;
	unsigned int inflight = 0, completions = 0, i, rounds = 0;
	bool more = true;
	int k, j, ret;

	dev = dev_open(depth, chunk);
	if (hdr[0] & 2) {
		set_state(dev, MIG_STATE_PRE_COPY);
	} else {
		set_state(dev, MIG_STATE_STOP);
		set_state(dev, MIG_STATE_STOP_COPY);
	}
	memset(sl, 0, sizeof(sl));
	for (i = 0; i < depth; i++) {
		/* exact size: a store or load past the chunk is caught */
		sl[i].buf = malloc(chunk);
		if (sl[i].buf == NULL)
			abort();
	}
	while (more || inflight > 0) {
		st = dev->state;
		if (++rounds > F.nev + 64)
			abort();
		for (i = 0; more && i < depth; i++) {
			if (sl[i].busy)
				continue;
			memset(&sl[i].io, 0, sizeof(sl[i].io));
			sl[i].io.buf = sl[i].buf;
			sl[i].io.cap = chunk;
			sl[i].io.flags = MIG_IO_F_SAVE;
			ret = fuzz_drv->ops->save_submit(dev, &sl[i].io);
			if (ret != 0)
				abort();
			sl[i].busy = true;
			inflight++;
		}
		k = fuzz_drv->ops->poll(dev, done, MAX_DEPTH);
		if (k < 0 || (unsigned int)k > inflight)
			abort();
		for (j = 0; j < k; j++) {
			struct slot *s = container_of(done[j], struct slot, io);

			if (!s->busy)
				abort();
			s->busy = false;
			inflight--;
			completions++;
			/* a failure or the end stops the session */
			if (!check_save(done[j], st))
				more = false;
		}
		if (st == MIG_STATE_PRE_COPY && inflight == 0 &&
		    completions >= hdr[2]) {
			set_state(dev, MIG_STATE_STOP_COPY);
			more = true;
		}
		if (F.next == F.nev && st == MIG_STATE_PRE_COPY &&
		    inflight == 0) {
			set_state(dev, MIG_STATE_STOP_COPY);
			more = true;
		}
	}
	/* every read's result was handed out */
	if (F.head != F.tail)
		abort();
	set_state(dev, MIG_STATE_STOP);
	for (i = 0; i < depth; i++)
		free(sl[i].buf);
	dev_close(dev);
}

static void
run_load(const uint8_t *hdr)
{
	uint32_t depth = 1 + hdr[1] % MAX_DEPTH;
	uint32_t len = 1 + hdr[3] * 97u;
	struct slot sl[MAX_DEPTH];
	struct mig_io *done[MAX_DEPTH];
	struct mig_dev *dev;
	uint64_t pos = 0, ok = 0;
	unsigned int inflight = 0, i, rounds = 0;
	bool more = true, failed = false;
	int k, j;

	dev = dev_open(depth, 4096);
	set_state(dev, MIG_STATE_STOP);
	set_state(dev, MIG_STATE_RESUMING);
	memset(sl, 0, sizeof(sl));
	for (i = 0; i < depth; i++) {
		sl[i].buf = malloc(len);
		if (sl[i].buf == NULL)
			abort();
	}
	while (more || inflight > 0) {
		if (++rounds > F.nev + 64)
			abort();
		for (i = 0; more && i < depth && F.next < F.nev; i++) {
			if (sl[i].busy)
				continue;
			stream_fill(sl[i].buf, pos, len);
			pos += len;
			memset(&sl[i].io, 0, sizeof(sl[i].io));
			sl[i].io.buf = sl[i].buf;
			sl[i].io.len = len;
			sl[i].io.flags = MIG_IO_F_LOAD;
			F.over_write = false;
			if (fuzz_drv->ops->load_submit(dev, &sl[i].io) != 0)
				abort();
			/* the read() engine writes in the submit call */
			sl[i].over = F.over_write;
			sl[i].busy = true;
			inflight++;
		}
		if (F.next == F.nev)
			more = false;
		k = fuzz_drv->ops->poll(dev, done, MAX_DEPTH);
		if (k < 0 || (unsigned int)k > inflight)
			abort();
		for (j = 0; j < k; j++) {
			struct slot *s = container_of(done[j], struct slot, io);

			s->busy = false;
			inflight--;
			/* write() said it took more than asked: a failure */
			if (s->over && done[j]->status >= 0)
				abort();
			if (done[j]->status < 0) {
				failed = true;
				more = false;
				continue;
			}
			if (done[j]->status != 0)
				abort();
			ok += len;
		}
	}
	/* the loads that all succeeded are in the fd, whole and in order */
	if (!failed && (F.wpos != ok || F.bad_write))
		abort();
	set_state(dev, MIG_STATE_STOP);
	for (i = 0; i < depth; i++)
		free(sl[i].buf);
	dev_close(dev);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* errors are expected by the thousand: do not print them */
	rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	memset(&F, 0, sizeof(F));
	F.ev = data + 4;
	F.nev = size - 4;
	if (data[0] & 1)
		run_load(data);
	else
		run_save(data);
	return 0;
}

#ifdef FUZZ_GEN
#include "fuzz_seeds.h"

static void
make(void)
{
	/* PRE_COPY: data, ENOMSG, data, short, then STOP_COPY to the end */
	static const uint8_t precopy[] = {
		2, 1, 3, 0,
		0x4f, 0x80, 0x40, 0x05, 0x80, 0x4f, 0x41, 0x60,
	};
	/* STOP_COPY, depth 4, EINTR between reads, an EIO */
	static const uint8_t errors[] = {
		0, 3, 0, 0,
		0x4f, 0xa0, 0x42, 0x0f, 0xa0, 0xa0, 0x4f, 0xc0,
	};
	/* STOP_COPY: ENOMSG is a protocol error there */
	static const uint8_t enomsg[] = { 0, 0, 0, 0, 0x4f, 0x80 };
	/* loads of 195 bytes: short writes, EINTR, all, 0 */
	static const uint8_t load[] = {
		1, 1, 0, 2,
		0x1f, 0xa0, 0x40, 0x1f, 0x1f, 0x40, 0x40, 0x40, 0x60,
	};

	fuzz_seed_add("save-pre-copy", precopy, sizeof(precopy));
	fuzz_seed_add("save-errors", errors, sizeof(errors));
	fuzz_seed_add("save-enomsg-stop-copy", enomsg, sizeof(enomsg));
	fuzz_seed_add("load-short-writes", load, sizeof(load));
}

FUZZ_SEEDS_MAIN(make)
#endif
