/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * kmod_test: drives the VFIO migration uAPI of mig_vfio_pci directly on
 * ivshmem devices in the lab guest; prints TAP (unnumbered, plan last).
 *
 *   kmod_test migrate A B [--stop-copy-only]  A's state into B, checked
 *   kmod_test corrupt A B     damaged streams refused on RESUMING -> STOP
 *   kmod_test reset A B       VFIO_DEVICE_RESET in every session kind
 *   kmod_test fsm A           every (from, to) request vs engine/mig_fsm
 *   kmod_test precopy2 A B on|off|nopre   PRECOPY_INFO v2, REINIT
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "kmod_vfio.h"
#include "mig_fsm.h"

#define CHUNK (1u << 20)
#define PG 4096u

struct stream {
	uint8_t *p;
	size_t len;
	size_t cap;
};

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
fill(struct kv_dev *d, uint64_t seed)
{
	uint64_t *buf = malloc(CHUNK);
	uint64_t off, i;
	int ret = 0;

	if (buf == NULL)
		return -ENOMEM;
	for (off = 0; off < d->bar2_size && ret == 0; off += CHUNK) {
		for (i = 0; i < CHUNK / 8; i++)
			buf[i] = seed ? rnd(&seed) : 0xeeeeeeeeeeeeeeeeULL;
		ret = kv_bar2_rw(d, off, buf, CHUNK < d->bar2_size - off ?
				 CHUNK : d->bar2_size - off, true);
	}
	free(buf);
	return ret;
}

/* 0 if both BAR2s are equal, else the first differing offset + 1. */
static uint64_t
compare(struct kv_dev *a, struct kv_dev *b)
{
	uint8_t *x = malloc(CHUNK), *y = malloc(CHUNK);
	uint64_t off, diff = UINT64_MAX, n, i;

	if (x == NULL || y == NULL)
		goto out;
	for (off = 0; off < a->bar2_size; off += n) {
		n = CHUNK < a->bar2_size - off ? CHUNK : a->bar2_size - off;
		if (kv_bar2_rw(a, off, x, n, false) ||
		    kv_bar2_rw(b, off, y, n, false))
			goto out;
		if (memcmp(x, y, n) != 0) {
			for (i = 0; x[i] == y[i]; i++)
				;
			diff = off + i + 1;
			goto out;
		}
	}
	diff = 0;
out:
	free(x);
	free(y);
	return diff;
}

/* Write all of buf to the resuming fd, in pieces of odd sizes. */
static int
feed(int rfd, const uint8_t *p, size_t len)
{
	size_t done = 0, n;
	ssize_t w;

	while (done < len) {
		n = len - done < 777777 ? len - done : 777777;
		w = write(rfd, p + done, n);
		if (w < 0)
			return -errno;
		done += (size_t)w;
	}
	return 0;
}

/* One read of the saving fd, forwarded to rfd (if >= 0) and/or kept. */
static ssize_t
pump(int sfd, int rfd, struct stream *keep, uint8_t *buf)
{
	ssize_t n = read(sfd, buf, CHUNK);
	int ret;

	if (n < 0)
		return -errno;
	if (n > 0 && rfd >= 0) {
		ret = feed(rfd, buf, (size_t)n);
		if (ret < 0)
			return ret;
	}
	if (n > 0 && keep != NULL) {
		if (keep->len + (size_t)n > keep->cap) {
			keep->cap = (keep->len + (size_t)n) * 2;
			keep->p = realloc(keep->p, keep->cap);
			if (keep->p == NULL)
				return -ENOMEM;
		}
		memcpy(keep->p + keep->len, buf, (size_t)n);
		keep->len += (size_t)n;
	}
	return n;
}

/* Read until read() returns 0; counts bytes. */
static int
drain_to_eof(int sfd, int rfd, struct stream *keep, uint64_t *bytes)
{
	uint8_t *buf = malloc(CHUNK);
	ssize_t n;

	if (buf == NULL)
		return -ENOMEM;
	while ((n = pump(sfd, rfd, keep, buf)) > 0)
		*bytes += (uint64_t)n;
	free(buf);
	return n < 0 ? (int)n : 0;
}

/* ---- writer thread: dirties A's BAR2 until the device refuses ---- */

struct writer {
	struct kv_dev *d;
	pthread_t th;
	atomic_bool pause;
	atomic_bool paused;
	atomic_bool quit;
	atomic_ullong writes;
	int err;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	uint64_t s = 0x9e3779b97f4a7c15ULL, v, off;
	int ret;

	while (!atomic_load(&w->quit)) {
		if (atomic_load(&w->pause)) {
			atomic_store(&w->paused, true);
			usleep(1000);
			continue;
		}
		atomic_store(&w->paused, false);
		v = rnd(&s);
		off = (v % (w->d->bar2_size / 8)) * 8;
		ret = kv_bar2_rw(w->d, off, &v, 8, true);
		if (ret == -EBUSY)
			break;		/* stopped: STOP_COPY */
		if (ret < 0) {
			w->err = ret;
			break;
		}
		atomic_fetch_add(&w->writes, 1);
	}
	return NULL;
}

static bool
writable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* ---- migrate ---- */

static int
precopy_phase(struct kv_dev *a, int sfd, int rfd, uint64_t *bytes)
{
	struct writer w = { .d = a };
	uint64_t init, dirty, last_init = UINT64_MAX, dl;
	uint8_t *buf = malloc(CHUNK);
	bool mono = true, at_end = false;
	unsigned int rounds = 0;
	ssize_t n;
	int ret, sfd2 = -2;

	if (buf == NULL)
		return -ENOMEM;
	ret = kv_precopy_info(sfd, &init, &dirty);
	kv_ok(ret == 0 && init >= a->bar2_size && dirty == 0,
	      "PRECOPY_INFO at start: initial_bytes %llu >= state, dirty 0",
	      (unsigned long long)init);
	ret = kv_data_size(a, &dl);
	kv_ok(ret == 0 && dl > 0, "MIG_DATA_SIZE in PRE_COPY: %llu",
	      (unsigned long long)dl);
	pthread_create(&w.th, NULL, writer_main, &w);

	/* First pass while the writer runs. */
	for (;;) {
		ret = kv_precopy_info(sfd, &init, &dirty);
		if (ret < 0 || init == 0)
			break;
		if (init > last_init)
			mono = false;
		last_init = init;
		n = pump(sfd, rfd, NULL, buf);
		if (n <= 0) {
			ret = n < 0 ? (int)n : -EIO;
			break;
		}
		*bytes += (uint64_t)n;
	}
	kv_ok(ret == 0 && mono, "first pass read with the writer running; "
	      "initial_bytes never grew");

	/* Pause the writer: the stream reaches its temporary end. */
	atomic_store(&w.pause, true);
	while (!atomic_load(&w.paused))
		usleep(1000);
	while ((n = pump(sfd, rfd, NULL, buf)) > 0)
		*bytes += (uint64_t)n;
	ret = kv_precopy_info(sfd, &init, &dirty);
	kv_ok(n == -ENOMSG && ret == 0 && init == 0 && dirty == 0,
	      "temporary end: read gives ENOMSG (%zd), initial 0, dirty 0", n);
	at_end = !writable(sfd, 0);
	atomic_store(&w.pause, false);
	while (atomic_load(&w.writes) < 200 && w.err == 0)
		usleep(1000);
	kv_ok(at_end && writable(sfd, 2000),
	      "poll: not readable at the temporary end, readable after writes");

	/* A few dirty rounds, writer still running. */
	while (rounds < 3) {
		n = pump(sfd, rfd, NULL, buf);
		if (n == -ENOMSG) {
			rounds++;
			usleep(20000);
			continue;
		}
		if (n <= 0)
			break;
		*bytes += (uint64_t)n;
		if (++rounds >= 3)
			break;
	}
	kv_ok(atomic_load(&w.writes) > 200 && w.err == 0,
	      "writer: %llu writes into A during PRE_COPY",
	      (unsigned long long)atomic_load(&w.writes));

	/* Switchover while the writer writes: PRE_COPY -> STOP_COPY. */
	ret = kv_set_state(a, MIG_STATE_STOP_COPY, &sfd2);
	kv_ok(ret == 0 && sfd2 == -1,
	      "PRE_COPY -> STOP_COPY keeps the session (data_fd %d)", sfd2);
	pthread_join(w.th, NULL);
	kv_ok(kv_precopy_info(sfd, &init, &dirty) == -EINVAL,
	      "PRECOPY_INFO in STOP_COPY: EINVAL");
	free(buf);
	return ret;
}

/*
 * The IntrMask of the REGS record of a saved stream (header 32 bytes, then
 * records: 24-byte header {tag le16, flags le16, len le32, ...} + payload),
 * or -1 if it has none.
 */
static int64_t
stream_intrmask(const uint8_t *p, size_t len)
{
	size_t off = 32, rlen;

	while (off + 24 <= len) {
		rlen = (size_t)p[off + 4] | (size_t)p[off + 5] << 8 |
		       (size_t)p[off + 6] << 16 | (size_t)p[off + 7] << 24;
		if (off + 24 + rlen > len)
			break;
		if ((p[off] | p[off + 1] << 8) == 2 && rlen >= 4)
			return (int64_t)((uint32_t)p[off + 24] |
					 (uint32_t)p[off + 25] << 8 |
					 (uint32_t)p[off + 26] << 16 |
					 (uint32_t)p[off + 27] << 24);
		off += 24 + rlen;
	}
	return -1;
}

/* B, resumed and stopped, saved again from STOP: the registers it loaded. */
static void
resave_regs(struct kv_dev *b, uint32_t mask)
{
	struct stream s = { 0 };
	uint64_t bytes = 0;
	int64_t got = -1;
	int sfd = -1, ret;

	ret = kv_set_state(b, MIG_STATE_STOP_COPY, &sfd);
	if (ret == 0)
		ret = drain_to_eof(sfd, -1, &s, &bytes);
	if (ret == 0)
		got = stream_intrmask(s.p, s.len);
	kv_ok(ret == 0 && got == (int64_t)mask,
	      "B resumed then STOP -> STOP_COPY saves the loaded IntrMask "
	      "(0x%llx, expected 0x%x)", (unsigned long long)got, mask);
	kv_ok(kv_set_state(b, MIG_STATE_STOP, NULL) == 0,
	      "B STOP_COPY -> STOP");
	if (sfd >= 0)
		close(sfd);
	free(s.p);
}

static int
migrate_once(struct kv_dev *a, struct kv_dev *b, bool precopy, uint64_t seed)
{
	uint32_t mask = 0x5a5aa5a5, v = 0, st;
	uint64_t bytes = 0, diff, dl = 0;
	int sfd = -1, rfd = -1, ret;
	char c;

	kv_ok(fill(a, seed) == 0 && fill(b, 0) == 0,
	      "A filled (seed %llu), B filled with 0xee",
	      (unsigned long long)seed);
	kv_ok(kv_bar0_rw32(a, 0, &mask, true) == 0 &&
	      kv_bar0_rw32(b, 0, &v, true) == 0, "IntrMask A=0x%x, B=0", mask);
	ret = kv_set_state(b, MIG_STATE_RESUMING, &rfd);
	kv_ok(ret == 0 && rfd >= 0, "B RUNNING -> RESUMING gives a data fd");
	kv_ok(read(rfd, &c, 1) < 0 && errno == EBADF,
	      "resuming fd is write-only (read: EBADF)");
	if (precopy) {
		ret = kv_set_state(a, MIG_STATE_PRE_COPY, &sfd);
		kv_ok(ret == 0 && sfd >= 0, "A RUNNING -> PRE_COPY gives a data fd");
		if (ret == 0)
			precopy_phase(a, sfd, rfd, &bytes);
	} else {
		ret = kv_set_state(a, MIG_STATE_STOP_COPY, &sfd);
		kv_ok(ret == 0 && sfd >= 0,
		      "A RUNNING -> STOP_COPY gives a data fd");
		ret = kv_data_size(a, &dl);
		kv_ok(ret == 0, "MIG_DATA_SIZE at the start of STOP_COPY: %llu",
		      (unsigned long long)dl);
		v = 1;
		kv_ok(kv_bar2_rw(a, 0, &v, 4, true) == -EBUSY,
		      "stopped device refuses a state write (EBUSY)");
	}
	kv_ok(write(sfd, &c, 1) < 0 && errno == EBADF,
	      "saving fd is read-only (write: EBADF)");
	ret = drain_to_eof(sfd, rfd, NULL, &bytes);
	kv_ok(ret == 0 && read(sfd, &c, 1) == 0,
	      "STOP_COPY ends with read() == 0, twice (%llu stream bytes)",
	      (unsigned long long)bytes);
	if (!precopy)
		kv_ok(dl >= bytes, "MIG_DATA_SIZE (%llu) covered the whole "
		      "STOP_COPY stream (%llu)", (unsigned long long)dl,
		      (unsigned long long)bytes);
	kv_ok(kv_bar0_rw32(a, 4, &v, false) == -EBUSY,
	      "stopped device refuses BAR0 reads (IntrStatus clears on read)");
	ret = kv_set_state(b, MIG_STATE_STOP, NULL);
	kv_ok(ret == 0, "B RESUMING -> STOP accepts the stream (%d)", ret);
	diff = compare(a, b);
	if (diff)
		kv_diag("first difference at offset 0x%llx",
			(unsigned long long)(diff - 1));
	kv_ok(diff == 0, "B's BAR2 equals A's at switchover (%llu bytes)",
	      (unsigned long long)a->bar2_size);
	resave_regs(b, mask);
	ret = kv_set_state(a, MIG_STATE_RUNNING, NULL);
	kv_ok(ret == 0 && read(sfd, &c, 1) < 0 && errno == ENODEV,
	      "A back to RUNNING; the old data fd reads ENODEV");
	ret = kv_set_state(b, MIG_STATE_RUNNING, NULL);
	kv_ok(ret == 0 && kv_get_state(b, &st) == 0 &&
	      st == MIG_STATE_RUNNING, "B STOP -> RUNNING");
	v = 0;
	ret = kv_bar0_rw32(b, 0, &v, false);
	kv_ok(ret == 0 && v == mask, "B's IntrMask restored: 0x%x", v);
	close(sfd);
	close(rfd);
	return diff == 0 ? 0 : -EIO;
}

/* ---- ioeventfd ---- */

struct flipper {
	struct vfio_device_ioeventfd *ev;
	uint64_t off[2];
	atomic_bool quit;
};

static void *
flipper_main(void *arg)
{
	struct flipper *f = arg;
	unsigned int i = 0;

	while (!atomic_load(&f->quit))
		__atomic_store_n(&f->ev->offset, f->off[i++ & 1],
				 __ATOMIC_RELAXED);
	return NULL;
}

/*
 * VFIO_DEVICE_IOEVENTFD on the state BARs is refused, also while another
 * thread flips the argument's offset between BAR2 and BAR1 (absent on
 * ivshmem-plain): the core reads the argument again after the driver, so
 * a check of the offset alone lets an ioeventfd onto BAR2 through.
 */
static void
ioeventfd_refused(struct kv_dev *a)
{
	struct vfio_device_ioeventfd ev = {
		.argsz = sizeof(ev), .flags = VFIO_DEVICE_IOEVENTFD_32,
	};
	struct flipper f = { .ev = &ev };
	unsigned long tries = 0, accepted = 0;
	struct timespec t0, t;
	pthread_t th;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC);
	ev.fd = efd;
	ev.offset = a->bar2_off;
	kv_ok(efd >= 0 && ioctl(a->fd, VFIO_DEVICE_IOEVENTFD, &ev) < 0 &&
	      errno == EINVAL, "ioeventfd on BAR2 refused (EINVAL)");
	ev.offset = a->bar0_off;
	kv_ok(ioctl(a->fd, VFIO_DEVICE_IOEVENTFD, &ev) < 0 && errno == EINVAL,
	      "ioeventfd on BAR0 refused (EINVAL)");
	f.off[0] = a->bar2_off;
	f.off[1] = a->bar0_off + (a->bar2_off - a->bar0_off) / 2; /* BAR1 */
	pthread_create(&th, NULL, flipper_main, &f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* one accepted stays until close_device; it is never signaled */
		if (ioctl(a->fd, VFIO_DEVICE_IOEVENTFD, &ev) == 0)
			accepted++;
		tries++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 5);
	atomic_store(&f.quit, true);
	pthread_join(th, NULL);
	kv_ok(accepted == 0, "ioeventfd with its offset flipping between BAR1 "
	      "and BAR2: %lu of %lu accepted", accepted, tries);
	if (efd >= 0)
		close(efd);
}

static int
cmd_migrate(struct kv_dev *a, struct kv_dev *b, bool stop_copy_only)
{
	bool pre = a->caps & MIG_CAP_PRE_COPY;
	void *m;

	kv_ok(!(a->bar2_flags & VFIO_REGION_INFO_FLAG_MMAP),
	      "BAR2 region info has no MMAP flag");
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd,
		 (off_t)a->bar2_off);
	kv_ok(m == MAP_FAILED, "mmap of BAR2 refused");
	if (m != MAP_FAILED)
		munmap(m, PG);
	ioeventfd_refused(a);
	if (stop_copy_only) {
		kv_ok(!pre, "capabilities lack PRE_COPY (0x%llx)",
		      (unsigned long long)a->caps);
		kv_ok(kv_set_state(a, MIG_STATE_PRE_COPY, NULL) ==
		      -EINVAL, "RUNNING -> PRE_COPY refused (EINVAL)");
	} else {
		kv_ok(pre && (a->caps & MIG_CAP_P2P),
		      "capabilities: STOP_COPY, P2P, PRE_COPY (0x%llx)",
		      (unsigned long long)a->caps);
	}
	return migrate_once(a, b, pre && !stop_copy_only, 12345);
}

/* ---- corrupt ---- */

static size_t
le32(const uint8_t *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
	       (size_t)p[3] << 24;
}

static int
capture(struct kv_dev *a, struct stream *s)
{
	uint64_t bytes = 0;
	int sfd, ret;

	ret = kv_set_state(a, MIG_STATE_STOP_COPY, &sfd);
	if (ret)
		return ret;
	ret = drain_to_eof(sfd, -1, s, &bytes);
	close(sfd);
	if (ret == 0)
		ret = kv_set_state(a, MIG_STATE_RUNNING, NULL);
	return ret;
}

/* Feed @s to B; returns the SET STOP result, *wret the feeding result. */
static int
resume_with(struct kv_dev *b, const uint8_t *p, size_t len, int *wret)
{
	int rfd, ret;

	ret = kv_set_state(b, MIG_STATE_RESUMING, &rfd);
	if (ret)
		return ret;
	*wret = feed(rfd, p, len);
	ret = kv_set_state(b, MIG_STATE_STOP, NULL);
	close(rfd);
	return ret;
}

static void
expect_refused(struct kv_dev *b, const char *what, const uint8_t *p,
	       size_t len)
{
	uint32_t st = 0;
	int wret = 0, ret;

	ret = resume_with(b, p, len, &wret);
	kv_ok(ret < 0 && kv_get_state(b, &st) == 0 &&
	      st == MIG_STATE_RESUMING,
	      "%s: RESUMING -> STOP fails (%s), B stays RESUMING "
	      "(write: %s)", what, strerror(-ret), wret ? strerror(-wret) :
	      "accepted");
	kv_ok(kv_set_state(b, MIG_STATE_RUNNING, NULL) < 0 &&
	      kv_get_state(b, &st) == 0 && st == MIG_STATE_RESUMING,
	      "%s: RESUMING -> RUNNING refused too", what);
	kv_ok(kv_reset(b) == 0 && kv_get_state(b, &st) == 0 &&
	      st == MIG_STATE_RUNNING,
	      "%s: VFIO_DEVICE_RESET returns B to RUNNING", what);
}

static int
cmd_corrupt(struct kv_dev *a, struct kv_dev *b)
{
	struct stream s = { 0 };
	uint8_t *bad;
	int wret = 0, ret;

	ret = fill(a, 777);
	if (ret == 0)
		ret = capture(a, &s);
	kv_ok(ret == 0 && s.len > a->bar2_size,
	      "captured A's STOP_COPY stream: %zu bytes", s.len);
	if (s.len <= a->bar2_size)
		return -EIO;
	bad = malloc(s.len + 16);
	expect_refused(b, "truncated by 100 bytes", s.p, s.len - 100);
	expect_refused(b, "truncated to the header", s.p, 32);
	expect_refused(b, "empty", s.p, 0);
	memcpy(bad, s.p, s.len);
	bad[s.len / 2] ^= 0x01;
	expect_refused(b, "one payload bit flipped", bad, s.len);
	memcpy(bad, s.p, s.len);
	bad[20] ^= 0x80;
	expect_refused(b, "header state_size changed", bad, s.len);
	memcpy(bad, s.p, s.len);
	memcpy(bad + s.len, "garbage!", 8);
	expect_refused(b, "bytes after the END record", bad, s.len + 8);
	/* Drop one whole record (the second): every record is intact. */
	{
		size_t r1 = 32 + 24 + le32(s.p + 32 + 4);
		size_t l2 = 24 + le32(s.p + r1 + 4);

		memcpy(bad, s.p, r1);
		memcpy(bad + r1, s.p + r1 + l2, s.len - r1 - l2);
		expect_refused(b, "one intact record left out", bad,
			       s.len - l2);
	}
	ret = resume_with(b, s.p, s.len, &wret);
	kv_ok(ret == 0 && wret == 0 && compare(a, b) == 0,
	      "the untouched stream is accepted and B equals A");
	kv_set_state(b, MIG_STATE_RUNNING, NULL);
	free(bad);
	free(s.p);
	return 0;
}

/* ---- reset ---- */

static void
reset_in(struct kv_dev *d, uint32_t state, bool use_fd)
{
	uint8_t buf[4096];
	uint32_t st = 0;
	uint64_t i, di;
	int fd = -1, ret;

	ret = kv_set_state(d, state, &fd);
	if (ret == 0 && use_fd) {
		if (state == MIG_STATE_RESUMING)
			ret = write(fd, buf, 16) == 16 ? 0 : -errno;
		else
			ret = read(fd, buf, sizeof(buf)) > 0 ? 0 : -errno;
	}
	kv_ok(ret == 0, "%s: entered, session in use",
	      mig_state_name((enum mig_state)state));
	ret = kv_reset(d);
	kv_ok(ret == 0 && kv_get_state(d, &st) == 0 &&
	      st == MIG_STATE_RUNNING,
	      "%s: VFIO_DEVICE_RESET -> RUNNING",
	      mig_state_name((enum mig_state)state));
	if (fd >= 0) {
		if (state == MIG_STATE_RESUMING)
			ret = write(fd, buf, 16) < 0 ? errno : 0;
		else
			ret = read(fd, buf, sizeof(buf)) < 0 ? errno : 0;
		kv_ok(ret == ENODEV, "%s: the old data fd gives ENODEV (%s)",
		      mig_state_name((enum mig_state)state), strerror(ret));
		if (state == MIG_STATE_PRE_COPY)
			kv_ok(kv_precopy_info(fd, &i, &di) == -EINVAL,
			      "pre_copy: PRECOPY_INFO after reset: EINVAL");
		close(fd);
	}
	buf[0] = 1;
	kv_ok(kv_bar2_rw(d, 0, buf, 8, true) == 0,
	      "%s: device writable again after reset",
	      mig_state_name((enum mig_state)state));
}

static int
cmd_reset(struct kv_dev *a, struct kv_dev *b)
{
	if (a->caps & MIG_CAP_PRE_COPY) {
		reset_in(a, MIG_STATE_PRE_COPY, true);
		reset_in(a, MIG_STATE_PRE_COPY_P2P, true);
	}
	reset_in(a, MIG_STATE_STOP_COPY, true);
	reset_in(b, MIG_STATE_RESUMING, true);
	reset_in(a, MIG_STATE_STOP, false);
	if (a->caps & MIG_CAP_P2P)
		reset_in(a, MIG_STATE_RUNNING_P2P, false);
	kv_diag("a whole migration after the resets");
	return migrate_once(a, b, a->caps & MIG_CAP_PRE_COPY, 4242);
}

/* ---- fsm conformance ---- */

static bool
opens_session(enum mig_state from, enum mig_state to)
{
	return (from == MIG_STATE_RUNNING && to == MIG_STATE_PRE_COPY) ||
	       (from == MIG_STATE_RUNNING_P2P && to == MIG_STATE_PRE_COPY_P2P) ||
	       (from == MIG_STATE_STOP && to == MIG_STATE_STOP_COPY) ||
	       (from == MIG_STATE_STOP && to == MIG_STATE_RESUMING);
}

/*
 * The states the driver went through for the last SET, from its start
 * (sysfs mig_last_path), compared with @from followed by @path[0..n).
 */
static bool
driver_path_is(struct kv_dev *d, enum mig_state from,
	       const enum mig_state *path, int n, char *got, size_t len)
{
	char file[128], want[64];
	int i, off;
	FILE *f;

	snprintf(file, sizeof(file), "/sys/bus/pci/devices/%s/mig_last_path",
		 d->bdf);
	got[0] = '\0';
	f = fopen(file, "r");
	if (f == NULL)
		return false;
	if (fgets(got, (int)len, f) == NULL)
		got[0] = '\0';
	fclose(f);
	got[strcspn(got, "\n")] = '\0';
	off = snprintf(want, sizeof(want), "%u", from);
	for (i = 0; i < n; i++)
		off += snprintf(want + off, sizeof(want) - (size_t)off, " %u",
				path[i]);
	return strcmp(got, want) == 0;
}

/* Put d in @from with a usable session; a RESUMING session gets @s. */
static int
enter(struct kv_dev *d, enum mig_state from, const struct stream *s, int *fd)
{
	uint32_t st;
	int ret;

	*fd = -1;
	ret = kv_reset(d);
	if (ret == 0)
		ret = kv_get_state(d, &st);
	if (ret == 0 && st != MIG_STATE_RUNNING)
		ret = -EIO;
	if (ret == 0 && from != MIG_STATE_RUNNING)
		ret = kv_set_state(d, from, fd);
	if (ret == 0 && from == MIG_STATE_RESUMING)
		ret = feed(*fd, s->p, s->len);
	return ret;
}

static int
cmd_fsm(struct kv_dev *a)
{
	enum mig_state path[MIG_FSM_MAX_PATH], from, to;
	unsigned int checked = 0, mismatches = 0;
	struct stream s = { 0 };
	uint64_t caps = a->caps;
	int n, ret, fd, fd2;
	bool legal, ok, fd_ok;
	uint32_t st;
	char capstr[64], got[64];
	char c;

	ret = capture(a, &s);
	kv_ok(ret == 0, "a valid stream of A for RESUMING sessions (%zu bytes)",
	      s.len);
	mig_caps_str(caps, capstr, sizeof(capstr));
	for (from = MIG_STATE_STOP; from < MIG_STATE_COUNT; from++) {
		if (!mig_state_supported(caps, from))
			continue;
		for (to = MIG_STATE_ERROR; to <= MIG_STATE_COUNT; to++) {
			ret = enter(a, from, &s, &fd);
			if (ret) {
				kv_ok(false, "cannot enter %s: %s",
				      mig_state_name(from), strerror(-ret));
				mismatches++;
				continue;
			}
			n = mig_fsm_path(caps, from, to, path,
					 MIG_FSM_MAX_PATH);
			legal = n >= 0;
			ret = kv_set_state(a, to, &fd2);
			st = UINT32_MAX;
			kv_get_state(a, &st);
			if (legal) {
				fd_ok = n > 0 && opens_session(
					n > 1 ? path[n - 2] : from, to) ?
					fd2 >= 0 : fd2 == -1;
				ok = ret == 0 && st == to && fd_ok;
				/* A new session must be of the right kind. */
				if (ok && fd2 >= 0 && to == MIG_STATE_RESUMING)
					ok = read(fd2, &c, 1) < 0 &&
					     errno == EBADF;
				else if (ok && fd2 >= 0)
					ok = read(fd2, &c, 1) == 1;
			} else {
				ok = ret == -EINVAL && st == from;
			}
			/* The arcs the driver executed, one by one. */
			if (!driver_path_is(a, from, path, legal ? n : 0,
					    got, sizeof(got))) {
				ok = false;
				kv_diag("driver went through '%s'", got);
			}
			checked++;
			if (!ok) {
				mismatches++;
				kv_diag("MISMATCH %s -> %s: engine says %s, "
					"kernel %s, state %u, data_fd %d",
					mig_state_name(from),
					to < MIG_STATE_COUNT ?
					mig_state_name(to) : "8 (invalid)",
					legal ? "legal" : "illegal",
					ret ? strerror(-ret) : "ok", st, fd2);
			}
			if (fd2 >= 0)
				close(fd2);
			if (fd >= 0)
				close(fd);
		}
	}
	kv_reset(a);
	kv_ok(mismatches == 0, "fsm conformance (%s): %u arcs checked (result, "
	      "state, data fd, arcs the driver executed), %u mismatches",
	      capstr, checked, mismatches);
	printf("# conformance caps=%s arcs=%u mismatches=%u\n", capstr,
	       checked, mismatches);
	free(s.p);
	return 0;
}

/* ---- memory decoding off (QEMU's destination before its config) ---- */

/* Set or clear the memory-space bit of the user's command register. */
static int
decode(struct kv_dev *d, bool on)
{
	uint16_t cmd;
	int ret;

	ret = kv_cfg_rw16(d, PCI_COMMAND, &cmd, false);
	if (ret)
		return ret;
	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	return kv_cfg_rw16(d, PCI_COMMAND, &cmd, true);
}

/*
 * QEMU's destination: the device goes RUNNING -> RESUMING, takes the
 * stream and leaves RESUMING while its VM has not restored the PCI
 * command register yet (config comes after the data): memory decoding is
 * off all along, in the user's view. The state must still land in BAR2.
 * The source side too: A is saved with decoding off.
 */
static int
cmd_decode(struct kv_dev *a, struct kv_dev *b)
{
	uint32_t mask = 0x3c3cc3c3, v = 0, st;
	uint64_t bytes = 0, diff;
	uint16_t cmd = 0;
	int sfd = -1, rfd = -1, ret;

	kv_ok(fill(a, 777) == 0 && fill(b, 0) == 0,
	      "A filled (seed 777), B filled with 0xee");
	kv_ok(kv_bar0_rw32(a, 0, &mask, true) == 0 &&
	      kv_bar0_rw32(b, 0, &v, true) == 0, "IntrMask A=0x%x, B=0", mask);
	ret = decode(b, false);
	kv_ok(ret == 0 && kv_cfg_rw16(b, PCI_COMMAND, &cmd, false) == 0 &&
	      !(cmd & PCI_COMMAND_MEMORY),
	      "B's command register: memory decoding off (0x%x)", cmd);
	kv_ok(kv_bar2_rw(b, 0, &v, 4, false) == -EIO,
	      "B's BAR2 refuses the user's read while decoding is off (EIO)");
	ret = kv_set_state(b, MIG_STATE_RESUMING, &rfd);
	kv_ok(ret == 0 && rfd >= 0,
	      "B RUNNING -> STOP -> RESUMING with decoding off (%d)", ret);
	ret = decode(a, false);
	kv_ok(ret == 0, "A's memory decoding off too");
	ret = kv_set_state(a, MIG_STATE_STOP_COPY, &sfd);
	kv_ok(ret == 0 && sfd >= 0,
	      "A RUNNING -> STOP_COPY with decoding off (%d)", ret);
	if (ret == 0 && rfd >= 0) {
		ret = drain_to_eof(sfd, rfd, NULL, &bytes);
		kv_ok(ret == 0, "A's stream into B with decoding off "
		      "(%llu bytes, %d)", (unsigned long long)bytes, ret);
	}
	ret = kv_set_state(b, MIG_STATE_STOP, NULL);
	kv_ok(ret == 0, "B RESUMING -> STOP with decoding off (%d)", ret);
	kv_ok(kv_cfg_rw16(b, PCI_COMMAND, &cmd, false) == 0 &&
	      !(cmd & PCI_COMMAND_MEMORY),
	      "B's command register still has decoding off (0x%x)", cmd);
	kv_ok(decode(a, true) == 0 && decode(b, true) == 0,
	      "decoding back on (the VM's config restore)");
	diff = compare(a, b);
	if (diff)
		kv_diag("first difference at offset 0x%llx",
			(unsigned long long)(diff - 1));
	kv_ok(diff == 0, "B's BAR2 equals A's (%llu bytes)",
	      (unsigned long long)a->bar2_size);
	ret = kv_set_state(b, MIG_STATE_RUNNING, NULL);
	kv_ok(ret == 0 && kv_get_state(b, &st) == 0 &&
	      st == MIG_STATE_RUNNING, "B STOP -> RUNNING");
	v = 0;
	ret = kv_bar0_rw32(b, 0, &v, false);
	kv_ok(ret == 0 && v == mask, "B's IntrMask restored: 0x%x", v);
	kv_ok(kv_set_state(a, MIG_STATE_RUNNING, NULL) == 0,
	      "A STOP_COPY -> RUNNING");
	if (sfd >= 0)
		close(sfd);
	if (rfd >= 0)
		close(rfd);
	return diff == 0 ? 0 : -EIO;
}

/* ---- device DMA logging ---- */

static int
dl_start(struct kv_dev *d, uint64_t page_size,
	 struct vfio_device_feature_dma_logging_range *r, uint32_t n)
{
	struct vfio_device_feature_dma_logging_control c = {
		.page_size = page_size, .num_ranges = n,
		.ranges = (uintptr_t)r,
	};

	return kv_feature(d, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_DMA_LOGGING_START, &c, sizeof(c));
}

static int
dl_stop(struct kv_dev *d)
{
	uint64_t none = 0;

	return kv_feature(d, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, &none, 0);
}

static int
dl_report(struct kv_dev *d, uint64_t iova, uint64_t len, uint64_t *bitmap)
{
	struct vfio_device_feature_dma_logging_report r = {
		.iova = iova, .length = len, .page_size = PG,
		.bitmap = (uintptr_t)bitmap,
	};

	return kv_feature(d, VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &r, sizeof(r));
}

static bool
all_zero(const uint64_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/*
 * The DMA logging features as QEMU uses them (PROBE, START with the
 * guest's ranges, REPORT in RUNNING, STOP_COPY and STOP, STOP), and the
 * misuse the vfio core leaves to the driver. --off: dma_log=0 offers
 * none of them.
 */
static int
cmd_dmalog(struct kv_dev *a, bool off)
{
	struct vfio_device_feature_dma_logging_range r[3] = {
		{ .iova = 0, .length = 0x100000 },
		{ .iova = 0x100000, .length = 0x100000 },
		{ .iova = 0x10000000, .length = 0x400000 },
	};
	struct vfio_device_feature_dma_logging_range bad[2];
	/* 0x400000 bytes of 4 KiB pages: 1024 bits */
	uint64_t bitmap[16];
	int sfd = -1, ret;

	ret = kv_feature(a, VFIO_DEVICE_FEATURE_PROBE |
			 VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_DMA_LOGGING_START, bitmap, 0);
	if (off) {
		kv_ok(ret == -ENOTTY,
		      "dma_log=0: PROBE of DMA_LOGGING_START gives ENOTTY (%d)",
		      ret);
		kv_ok(dl_start(a, PG, r, 1) == -ENOTTY,
		      "dma_log=0: START gives ENOTTY");
		return 0;
	}
	kv_ok(ret == 0, "PROBE of DMA_LOGGING_START succeeds (%d)", ret);
	ret = dl_report(a, 0, 0x100000, bitmap);
	kv_ok(ret == -EINVAL || ret == -EOPNOTSUPP,
	      "REPORT before START fails (%d)", ret);
	kv_ok(dl_stop(a) == 0, "STOP before START: no error");
	kv_ok(dl_start(a, PG, r, 0) == -EINVAL, "START without ranges: EINVAL");
	bad[0] = (struct vfio_device_feature_dma_logging_range){ 0x800, PG };
	kv_ok(dl_start(a, PG, bad, 1) == -EINVAL,
	      "START with an unaligned range: EINVAL");
	bad[0] = (struct vfio_device_feature_dma_logging_range){ 0, 0x3000 };
	bad[1] = (struct vfio_device_feature_dma_logging_range){ 0x2000, PG };
	kv_ok(dl_start(a, PG, bad, 2) == -EINVAL,
	      "START with overlapping ranges: EINVAL");
	kv_ok(dl_start(a, 3 * PG, r, 1) == -EINVAL,
	      "START with a page size not a power of two: EINVAL");
	ret = dl_start(a, PG, r, 3);
	kv_ok(ret == 0, "START with 3 ranges (%d)", ret);
	kv_ok(dl_start(a, PG, r, 3) == -EBUSY,
	      "a second START without STOP: EBUSY");
	memset(bitmap, 0, sizeof(bitmap));
	ret = dl_report(a, 0, 0x200000, bitmap);
	if (ret == -EOPNOTSUPP) {
		/* 6.12's core reports through iova_bitmap, absent without
		 * CONFIG_IOMMUFD_DRIVER: no REPORT reaches any driver.
		 */
		kv_ok(true, "REPORT # SKIP the vfio core cannot report "
		      "(EOPNOTSUPP: kernel without CONFIG_IOMMUFD_DRIVER)");
		ret = kv_set_state(a, MIG_STATE_STOP_COPY, &sfd);
		kv_ok(ret == 0, "A RUNNING -> STOP_COPY (%d)", ret);
		ret = kv_set_state(a, MIG_STATE_STOP, NULL);
		kv_ok(ret == 0, "A STOP_COPY -> STOP (%d)", ret);
	} else {
		kv_ok(ret == 0 && all_zero(bitmap, 8), "REPORT over two "
		      "adjacent ranges in RUNNING: empty (%d)", ret);
		kv_ok(dl_report(a, 0x100000, 0x200000, bitmap) == -EINVAL,
		      "REPORT past the end of the ranges: EINVAL");
		kv_ok(dl_report(a, 0x0ff00000, 0x200000, bitmap) == -EINVAL,
		      "REPORT starting outside the ranges: EINVAL");
		ret = kv_set_state(a, MIG_STATE_STOP_COPY, &sfd);
		kv_ok(ret == 0, "A RUNNING -> STOP_COPY (%d)", ret);
		memset(bitmap, 0, sizeof(bitmap));
		ret = dl_report(a, 0x10000000, 0x400000, bitmap);
		kv_ok(ret == 0 && all_zero(bitmap, 16),
		      "REPORT in STOP_COPY: empty (%d)", ret);
		ret = kv_set_state(a, MIG_STATE_STOP, NULL);
		kv_ok(ret == 0, "A STOP_COPY -> STOP (%d)", ret);
		ret = dl_report(a, 0x10000000, 0x400000, bitmap);
		kv_ok(ret == 0 && all_zero(bitmap, 16),
		      "REPORT in STOP: empty (%d)", ret);
	}
	kv_ok(dl_stop(a) == 0, "STOP");
	ret = dl_report(a, 0, 0x100000, bitmap);
	kv_ok(ret == -EINVAL || ret == -EOPNOTSUPP,
	      "REPORT after STOP fails (%d)", ret);
	kv_ok(dl_start(a, PG, r, 2) == 0 && dl_stop(a) == 0,
	      "START again after STOP, then STOP");
	kv_ok(kv_set_state(a, MIG_STATE_RUNNING, NULL) == 0,
	      "A STOP -> RUNNING");
	if (sfd >= 0)
		close(sfd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct kv_dev a, b;
	const char *cmd = argc > 1 ? argv[1] : "";
	bool two = strcmp(cmd, "fsm") != 0 && strcmp(cmd, "dmalog") != 0;
	int ret;

	if (argc < (two ? 4 : 3)) {
		fprintf(stderr, "usage: %s migrate|corrupt|reset A B "
			"[--stop-copy-only] | decode A B | fsm A | "
			"dmalog A [--off] | precopy2 A B on|off|nopre\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = kv_open(&a, argv[2]);
	kv_ok(ret == 0, "open %s: %s", argv[2], strerror(-ret));
	if (two && ret == 0) {
		ret = kv_open(&b, argv[3]);
		kv_ok(ret == 0 && b.bar2_size == a.bar2_size,
		      "open %s: %s", argv[3], strerror(-ret));
	}
	if (ret == 0) {
		kv_diag("A %s caps 0x%llx BAR2 %llu bytes", a.bdf,
			(unsigned long long)a.caps,
			(unsigned long long)a.bar2_size);
		if (strcmp(cmd, "migrate") == 0)
			cmd_migrate(&a, &b, argc > 4 &&
				    strcmp(argv[4], "--stop-copy-only") == 0);
		else if (strcmp(cmd, "corrupt") == 0)
			cmd_corrupt(&a, &b);
		else if (strcmp(cmd, "reset") == 0)
			cmd_reset(&a, &b);
		else if (strcmp(cmd, "fsm") == 0)
			cmd_fsm(&a);
		else if (strcmp(cmd, "decode") == 0)
			cmd_decode(&a, &b);
		else if (strcmp(cmd, "dmalog") == 0)
			cmd_dmalog(&a, argc > 3 &&
				   strcmp(argv[3], "--off") == 0);
		else if (strcmp(cmd, "precopy2") == 0)
			cmd_precopy2(&a, &b, argc > 4 ? argv[4] : "");
		else
			kv_ok(false, "unknown command '%s'", cmd);
	}
	return kv_tap_plan();
}
