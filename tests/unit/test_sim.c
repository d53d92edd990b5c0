/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Unit tests of the sim device driver, through the device API (mig_dev.h),
 * without EAL.
 */

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_errno.h>

#include "mig_dev.h"
#include "mig_fsm.h"
#include "mig_log.h"
#include "mig_time.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define NS_PER_MS UINT64_C(1000000)

/* Record sizes of the sim stream (see pmd/device/sim/sim_priv.h). */
#define HDR_LEN 48
#define PAGE_HLEN 16
#define TRAILER_LEN 16

/* An I/O that has not completed in this long is a hang. */
#define IO_TIMEOUT_NS (20 * MIG_NS_PER_S)

static void
sleep_until(uint64_t t)
{
	uint64_t n;

	while ((n = mig_time_ns()) < t) {
		struct timespec ts = {
			.tv_sec = (time_t)((t - n) / MIG_NS_PER_S),
			.tv_nsec = (long)((t - n) % MIG_NS_PER_S),
		};

		nanosleep(&ts, NULL);
	}
}

static uint64_t
image_bytes(uint64_t size, uint64_t page)
{
	return HDR_LEN + (size + page - 1) / page * PAGE_HLEN + size +
	       TRAILER_LEN;
}

static struct mig_dev *
open_ok(const char *devargs)
{
	struct mig_dev *dev = mig_dev_open(devargs);

	if (dev == NULL)
		print_error("mig_dev_open(%s): %s\n", devargs, mig_err_last());
	assert_non_null(dev);
	return dev;
}

static uint64_t
digest_of(struct mig_dev *dev)
{
	uint64_t d = 0;

	assert_int_equal(mig_dev_digest(dev, &d), 0);
	return d;
}

static struct mig_dev_sizes
sizes_of(struct mig_dev *dev)
{
	struct mig_dev_sizes s;

	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(mig_dev_query_sizes(dev, &s), 0);
	return s;
}

/* Poll until @p io completes. */
static void
wait_io(struct mig_dev *dev, struct mig_io *io)
{
	uint64_t deadline = mig_time_ns() + IO_TIMEOUT_NS;
	struct mig_io *done = NULL;
	int n;

	for (;;) {
		n = mig_dev_poll(dev, &done, 1);
		assert_true(n >= 0);
		if (n == 1)
			break;
		assert_true(mig_time_ns() < deadline);
	}
	assert_ptr_equal(done, io);
}

/* One synchronous save; returns the completion status, *len the bytes. */
static int
save_one(struct mig_dev *dev, void *buf, uint32_t cap, uint32_t *len)
{
	struct mig_io io = { .buf = buf, .cap = cap };

	assert_int_equal(mig_dev_save_submit(dev, &io), 0);
	wait_io(dev, &io);
	*len = io.len;
	return io.status;
}

/* One synchronous load; returns the completion status. */
static int
load_one(struct mig_dev *dev, void *buf, uint32_t len)
{
	struct mig_io io = { .buf = buf, .len = len };

	assert_int_equal(mig_dev_load_submit(dev, &io), 0);
	wait_io(dev, &io);
	return io.status;
}

/* Load @p len bytes in pieces of @p piece; first failing status or 0. */
static int
load_pieces(struct mig_dev *dev, uint8_t *buf, uint32_t len, uint32_t piece)
{
	uint32_t off, n;
	int st;

	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		st = load_one(dev, buf + off, n);
		if (st != 0)
			return st;
	}
	return 0;
}

/*
 * Drain @p src (in a saving state) into @p dst (RESUMING) until the end of
 * stream (STOP_COPY) or -ENOMSG (PRE_COPY). Returns the bytes moved; the
 * last save status in *last.
 */
static uint64_t
pump(struct mig_dev *src, struct mig_dev *dst, uint32_t save_chunk,
     uint32_t load_piece, int *last)
{
	uint8_t *buf = malloc(save_chunk);
	uint64_t total = 0;
	uint32_t len;
	int st;

	assert_non_null(buf);
	for (;;) {
		st = save_one(src, buf, save_chunk, &len);
		if (st != 0 || len == 0)
			break;
		total += len;
		if (dst != NULL)
			assert_int_equal(load_pieces(dst, buf, len, load_piece),
					 0);
	}
	free(buf);
	*last = st;
	return total;
}

/* A whole stop-copy migration src -> dst; both end RUNNING/STOP. */
static uint64_t
migrate(struct mig_dev *src, struct mig_dev *dst, uint32_t save_chunk,
	uint32_t load_piece)
{
	uint64_t moved;
	int last;

	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	moved = pump(src, dst, save_chunk, load_piece, &last);
	assert_int_equal(last, 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP,
					   MIG_STATE_RUNNING), 0);
	return moved;
}

static void
assert_err_mentions(const char *what)
{
	const char *msg = mig_err_last();

	if (strstr(msg, what) == NULL)
		print_error("last error \"%s\" does not mention \"%s\"\n", msg,
			    what);
	assert_non_null(strstr(msg, what));
}

/* Resident set size in bytes. */
static uint64_t
rss_bytes(void)
{
	unsigned long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &pages, &rss), 2);
	fclose(f);
	return (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* ------------------------------------------------------------------ tests */

static void
test_open_defaults(void **state)
{
	struct mig_dev *dev = open_ok("sim");
	struct mig_dev_info info;
	struct mig_dev_sizes s;

	(void)state;
	assert_int_equal(mig_dev_info_get(dev, &info), 0);
	assert_int_equal(info.caps, MIG_CAP_ALL);
	assert_int_equal(info.state_size, 64 * MIB);
	assert_int_equal(info.chunk_size, MIB);
	assert_int_equal(info.max_inflight, 4);
	assert_true(info.chunk_min >= 1 && info.chunk_min <= 4096);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	s = sizes_of(dev);
	assert_int_equal(s.stop_copy_bytes, image_bytes(64 * MIB, 64 * KIB));
	mig_dev_close(dev);
}

static void
test_migrate_odd_chunks(void **state)
{
	/* 1001 KiB: the last 4 KiB page is partial */
	struct mig_dev *src = open_ok("sim,size=1001K,page=4K,seed=7");
	struct mig_dev *dst = open_ok("sim,size=1001K,page=4K,seed=9");
	uint64_t moved;

	(void)state;
	assert_int_not_equal(digest_of(src), digest_of(dst));
	moved = migrate(src, dst, 4097, 1000);
	assert_int_equal(moved, image_bytes(1001 * KIB, 4 * KIB));
	assert_int_equal(digest_of(src), digest_of(dst));
	assert_int_equal(mig_dev_state(dst), MIG_STATE_RUNNING);
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_migrate_tiny_pieces(void **state)
{
	struct mig_dev *src = open_ok("sim,size=64K,page=4K,seed=3");
	struct mig_dev *dst = open_ok("sim,size=64K,page=4K,seed=4");

	(void)state;
	/* 1-byte loads and 7-byte saves cross every record boundary */
	migrate(src, dst, 7, 1);
	assert_int_equal(digest_of(src), digest_of(dst));
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_gen_mem_backing(void **state)
{
	struct mig_dev *gen = open_ok("sim,size=8M,page=4K,seed=11");
	struct mig_dev *mem =
		open_ok("sim,size=8M,page=4K,seed=11,backing=mem");
	struct mig_dev *dst_mem =
		open_ok("sim,size=8M,page=4K,seed=12,backing=mem");
	struct mig_dev *dst_gen = open_ok("sim,size=8M,page=4K,seed=13");

	(void)state;
	/* same logical contents, same digest, whatever the backing */
	assert_int_equal(digest_of(gen), digest_of(mem));
	migrate(gen, dst_mem, 65536 + 3, 1 << 20);
	assert_int_equal(digest_of(dst_mem), digest_of(gen));
	migrate(dst_mem, dst_gen, 1 << 20, 4097);
	assert_int_equal(digest_of(dst_gen), digest_of(gen));
	mig_dev_close(gen);
	mig_dev_close(mem);
	mig_dev_close(dst_mem);
	mig_dev_close(dst_gen);
}

static void
test_big_6g(void **state)
{
	struct mig_dev *src = open_ok("sim,size=6G,page=1M,seed=21");
	struct mig_dev *dst = open_ok("sim,size=6G,page=1M,seed=22");
	uint64_t t0, t1, moved;

	(void)state;
	t0 = mig_time_ns();
	moved = migrate(src, dst, 1 << 20, 1 << 20);
	t1 = mig_time_ns();
	assert_int_equal(moved, image_bytes(6 * GIB, MIB));
	assert_int_equal(digest_of(src), digest_of(dst));
	print_message("# 6 GiB saved (generated) and loaded (verified) on one "
		      "thread in %.2f s: %.2f GB/s end to end\n",
		      (double)(t1 - t0) / 1e9,
		      (double)moved / (double)(t1 - t0));
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_huge_64g(void **state)
{
	uint64_t rss0 = rss_bytes();
	struct mig_dev *dev = open_ok("sim,size=64G");
	struct mig_dev_sizes s0, s1;
	uint8_t *buf = malloc(MIB);
	uint32_t len;

	(void)state;
	assert_non_null(buf);
	s0 = sizes_of(dev);
	assert_true(s0.stop_copy_bytes >= 64 * GIB);
	assert_int_equal(s0.stop_copy_bytes, image_bytes(64 * GIB, 64 * KIB));
	(void)digest_of(dev);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	s0 = sizes_of(dev);
	assert_int_equal(s0.initial_bytes, s0.stop_copy_bytes - TRAILER_LEN);
	assert_int_equal(save_one(dev, buf, MIB, &len), 0);
	assert_int_equal(len, MIB);
	s1 = sizes_of(dev);
	assert_int_equal(s1.initial_bytes, s0.initial_bytes - MIB);
	assert_int_equal(s1.stop_copy_bytes, s0.stop_copy_bytes - MIB);
	/* metadata only: far below the 32 MiB budget */
	assert_true(rss_bytes() < rss0 + 32 * MIB);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_RUNNING,
					   MIG_STATE_RUNNING), 0);
	free(buf);
	mig_dev_close(dev);
}

static void
test_precopy_no_dirty(void **state)
{
	struct mig_dev *src = open_ok("sim,size=256K,page=4K,seed=5");
	struct mig_dev *dst = open_ok("sim,size=256K,page=4K,seed=6");
	uint64_t img = image_bytes(256 * KIB, 4 * KIB);
	struct mig_dev_sizes s;
	uint8_t buf[4097];
	uint32_t len;
	int last;

	(void)state;
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	s = sizes_of(src);
	assert_int_equal(s.initial_bytes, img - TRAILER_LEN);
	assert_int_equal(s.dirty_bytes, 0);
	assert_int_equal(s.stop_copy_bytes, img);
	assert_int_equal(pump(src, dst, sizeof(buf), 333, &last),
			 img - TRAILER_LEN);
	assert_int_equal(last, -ENOMSG);
	s = sizes_of(src);
	assert_int_equal(s.initial_bytes, 0);
	assert_int_equal(s.dirty_bytes, 0);
	assert_int_equal(s.stop_copy_bytes, TRAILER_LEN);
	/* still nothing: the temporary end repeats */
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), -ENOMSG);
	assert_int_equal(len, 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, TRAILER_LEN);
	assert_int_equal(load_one(dst, buf, len), 0);
	/* the permanent end, again and again */
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(sizes_of(src).stop_copy_bytes, 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(digest_of(src), digest_of(dst));
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_precopy_dirty(void **state)
{
	/* 64 pages of 64 KiB, about 100 pages dirtied per second */
	struct mig_dev *src =
		open_ok("sim,size=4M,page=64K,seed=31,dirty_rate=6400K");
	struct mig_dev *dst = open_ok("sim,size=4M,page=64K,seed=32");
	struct mig_dev *fresh = open_ok("sim,size=4M,page=64K,seed=31");
	struct mig_dev_sizes s, prev;
	uint8_t *buf = malloc(MIB);
	unsigned int rounds;
	uint32_t len;
	int st = 0, last;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	/* the initial pass: initial_bytes only decreases */
	prev = sizes_of(src);
	assert_true(prev.initial_bytes > 4 * MIB);
	while (prev.initial_bytes > 0) {
		st = save_one(src, buf, 4097, &len);
		assert_int_equal(st, 0);
		assert_true(len > 0);
		assert_int_equal(load_pieces(dst, buf, len, len), 0);
		s = sizes_of(src);
		assert_int_equal(s.initial_bytes,
				 prev.initial_bytes > len ?
				 prev.initial_bytes - len : 0);
		prev = s;
	}
	/* the device keeps writing: dirty data appears */
	sleep_until(mig_time_ns() + 100 * NS_PER_MS);
	s = sizes_of(src);
	assert_int_equal(s.initial_bytes, 0);
	assert_true(s.dirty_bytes >= 64 * KIB + PAGE_HLEN);
	assert_int_equal(s.stop_copy_bytes, s.dirty_bytes + TRAILER_LEN);
	/* catch up until the temporary end (far faster than the dirtying) */
	for (rounds = 0; rounds < 1000; rounds++) {
		pump(src, dst, MIB, MIB, &last);
		if (last == -ENOMSG)
			break;
	}
	assert_int_equal(last, -ENOMSG);
	/* stop-copy: the rest and the trailer */
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	pump(src, dst, 100000, 4097, &last);
	assert_int_equal(last, 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(digest_of(src), digest_of(dst));
	/* and the device really did change while it ran */
	assert_int_not_equal(digest_of(src), digest_of(fresh));
	free(buf);
	mig_dev_close(src);
	mig_dev_close(dst);
	mig_dev_close(fresh);
}

static void
test_dirty_while_running(void **state)
{
	/* 4 KiB pages at 100 KiB/s: one page per 40.96 ms of running */
	const uint64_t page_time = 40960 * 1000;
	struct mig_dev *ref = open_ok("sim,size=1M,page=4K,seed=17");
	struct mig_dev *dev;
	uint64_t t0, d0, d1, d2;

	(void)state;
	t0 = mig_time_ns();
	dev = open_ok("sim,size=1M,page=4K,seed=17,dirty_rate=100K");
	d0 = digest_of(dev);
	if (mig_time_ns() - t0 < page_time)
		assert_int_equal(d0, digest_of(ref));
	sleep_until(mig_time_ns() + 10 * page_time);
	d1 = digest_of(dev);
	assert_int_not_equal(d0, d1);
	/* stopped: no more writes */
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP,
					   MIG_STATE_RUNNING), 0);
	d1 = digest_of(dev);
	sleep_until(mig_time_ns() + 2 * page_time);
	d2 = digest_of(dev);
	assert_int_equal(d1, d2);
	/* reset: fresh contents again */
	t0 = mig_time_ns();
	assert_int_equal(mig_dev_reset(dev), 0);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	d2 = digest_of(dev);
	if (mig_time_ns() - t0 < page_time)
		assert_int_equal(d2, digest_of(ref));
	mig_dev_close(dev);
	mig_dev_close(ref);
}

static void
test_stop_copy_only(void **state)
{
	struct mig_dev *src =
		open_ok("sim,size=1M,page=4K,caps=stop_copy,seed=41");
	struct mig_dev *dst =
		open_ok("sim,size=1M,page=4K,caps=stop_copy,seed=42");
	struct mig_dev_info info;

	(void)state;
	assert_int_equal(mig_dev_info_get(src, &info), 0);
	assert_int_equal(info.caps, MIG_CAP_STOP_COPY);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), -EINVAL);
	assert_int_equal(mig_dev_state(src), MIG_STATE_RUNNING);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING_P2P,
					   MIG_STATE_RUNNING), -EINVAL);
	assert_int_equal(mig_dev_state(src), MIG_STATE_RUNNING);
	migrate(src, dst, 65536, 65536);
	assert_int_equal(digest_of(src), digest_of(dst));
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_bandwidth(void **state)
{
	/* 16 MiB at 128 MiB/s: 125 ms */
	struct mig_dev *dev = open_ok("sim,size=64M,bandwidth=128M");
	const uint64_t xfer = 125 * NS_PER_MS;
	uint32_t cap = 16 * MIB;
	uint8_t *buf = malloc(cap);
	struct mig_io io = { .buf = buf, .cap = cap };
	struct mig_io *done;
	uint64_t t0, t1, t2;
	int n;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	t0 = mig_time_ns();
	assert_int_equal(mig_dev_save_submit(dev, &io), 0);
	t1 = mig_time_ns();
	n = mig_dev_poll(dev, &done, 1);
	/* proven too early only while less than N/B has elapsed */
	if (mig_time_ns() < t0 + xfer)
		assert_int_equal(n, 0);
	/* never seen complete before N/B */
	while ((n = mig_dev_poll(dev, &done, 1)) == 0)
		sleep_until(mig_time_ns() + NS_PER_MS);
	t2 = mig_time_ns();
	assert_int_equal(n, 1);
	assert_ptr_equal(done, &io);
	assert_int_equal(io.status, 0);
	assert_int_equal(io.len, cap);
	assert_true(t2 >= t0 + xfer);

	/* and surely complete once N/B has passed since the submit */
	assert_int_equal(mig_dev_save_submit(dev, &io), 0);
	t1 = mig_time_ns();
	sleep_until(t1 + xfer + NS_PER_MS);
	assert_int_equal(mig_dev_poll(dev, &done, 1), 1);
	free(buf);
	mig_dev_close(dev);
}

static void
test_latency_pipelined(void **state)
{
	/* 30 ms per command, 4 in flight overlap */
	struct mig_dev *dev = open_ok("sim,size=1M,page=4K,latency=30000");
	const uint64_t lat = 30 * NS_PER_MS;
	struct mig_io io[4], *done[4];
	uint8_t buf[4][1024];
	uint64_t t0, t1;
	unsigned int i;
	int n;

	(void)state;
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	t0 = mig_time_ns();
	for (i = 0; i < 4; i++) {
		memset(&io[i], 0, sizeof(io[i]));
		io[i].buf = buf[i];
		io[i].cap = sizeof(buf[i]);
		io[i].index = i;
		assert_int_equal(mig_dev_save_submit(dev, &io[i]), 0);
	}
	t1 = mig_time_ns();
	assert_int_equal(mig_dev_inflight(dev), 4);
	n = mig_dev_poll(dev, done, 4);
	if (mig_time_ns() < t0 + lat)
		assert_int_equal(n, 0);
	/* all four within one latency of the last submit, in order */
	sleep_until(t1 + lat + NS_PER_MS);
	n += mig_dev_poll(dev, done + n, 4 - n);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++) {
		assert_ptr_equal(done[i], &io[i]);
		assert_int_equal(io[i].status, 0);
		assert_int_equal(io[i].len, sizeof(buf[i]));
	}
	mig_dev_close(dev);
}

static void
test_depth1_busy(void **state)
{
	struct mig_dev *dev = open_ok("sim,size=1M,page=4K,depth=1");
	struct mig_dev_info info;
	uint8_t b1[4096], b2[4096];
	struct mig_io io1 = { .buf = b1, .cap = sizeof(b1) };
	struct mig_io io2 = { .buf = b2, .cap = sizeof(b2) };

	(void)state;
	assert_int_equal(mig_dev_info_get(dev, &info), 0);
	assert_int_equal(info.max_inflight, 1);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_save_submit(dev, &io1), 0);
	assert_int_equal(mig_dev_save_submit(dev, &io2), -EBUSY);
	/* the FSM waits for outstanding I/O too */
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP,
					   MIG_STATE_RUNNING), -EBUSY);
	wait_io(dev, &io1);
	assert_int_equal(mig_dev_save_submit(dev, &io2), 0);
	wait_io(dev, &io2);
	/* the stream continues where the first save stopped */
	assert_int_equal(io1.len, sizeof(b1));
	assert_int_equal(io2.len, sizeof(b2));
	mig_dev_close(dev);
}

static void
test_fail_arc(void **state)
{
	struct mig_dev *dev;

	(void)state;
	dev = open_ok("sim,fail_arc=running-pre_copy");
	mig_err_clear();
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), -EIO);
	assert_err_mentions("fail_arc");
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	mig_dev_close(dev);

	dev = open_ok("sim,size=1M,page=4K,fail_arc=pre_copy_p2p-stop_copy");
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), -EIO);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	/* the device still works: a new session from STOP */
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	mig_dev_close(dev);

	/* the failed arc leaves the device in ERROR: reset to RUNNING */
	dev = open_ok("sim,size=1M,page=4K,fail_arc=pre_copy_p2p-stop_copy,"
		      "fail_arc_error=1");
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), -EIO);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	mig_dev_close(dev);

	/* arcs of a STOP_COPY-only device (no P2P) */
	dev = open_ok("sim,caps=stop_copy,fail_arc=stop-running");
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_RUNNING,
					   MIG_STATE_RUNNING), -EIO);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	mig_dev_close(dev);
}

static void
test_fail_save(void **state)
{
	struct mig_dev *src = open_ok("sim,size=1M,page=4K,fail_save=3");
	struct mig_dev *dst = open_ok("sim,size=1M,page=4K,seed=2");
	uint8_t buf[65536];
	uint32_t len;

	(void)state;
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), 0);
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), 0);
	mig_err_clear();
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), -EIO);
	assert_int_equal(len, 0);
	assert_err_mentions("fail_save");
	/* the session is broken for good */
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), -EIO);
	/* back to RUNNING, then a new attempt works */
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING,
					   MIG_STATE_RUNNING), 0);
	migrate(src, dst, sizeof(buf), sizeof(buf));
	assert_int_equal(digest_of(src), digest_of(dst));
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_fail_load(void **state)
{
	struct mig_dev *src = open_ok("sim,size=1M,page=4K");
	struct mig_dev *dst = open_ok("sim,size=1M,page=4K,fail_load=2");
	uint8_t buf[65536];
	uint32_t len;

	(void)state;
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), 0);
	assert_int_equal(load_one(dst, buf, len), 0);
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), 0);
	mig_err_clear();
	assert_int_equal(load_one(dst, buf, len), -EIO);
	assert_err_mentions("fail_load");
	mig_err_clear();
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_STOP,
					   MIG_STATE_RESUMING), -EINVAL);
	assert_err_mentions("fail_load");
	assert_int_not_equal(mig_dev_state(dst), MIG_STATE_RUNNING);
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
corrupt_case(const char *src_args, const char *dst_args, uint32_t chunk)
{
	struct mig_dev *src = open_ok(src_args);
	struct mig_dev *dst = open_ok(dst_args);
	uint8_t *buf = malloc(chunk);
	uint32_t len;
	int st = 0;

	assert_non_null(buf);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	mig_err_clear();
	for (;;) {
		/* the source believes every save succeeded */
		assert_int_equal(save_one(src, buf, chunk, &len), 0);
		if (len == 0)
			break;
		st = load_one(dst, buf, len);
		if (st != 0)
			break;
	}
	assert_int_equal(st, -EBADMSG);
	assert_err_mentions("corrupt");
	assert_err_mentions("page");
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_STOP,
					   MIG_STATE_RESUMING), -EINVAL);
	assert_int_not_equal(mig_dev_state(dst), MIG_STATE_RUNNING);
	free(buf);
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_corrupt_save(void **state)
{
	(void)state;
	corrupt_case("sim,size=1M,page=4K,corrupt_save=2",
		     "sim,size=1M,page=4K", 65536);
	/* the first save holds only the header: the flip moves on */
	corrupt_case("sim,size=1M,page=4K,corrupt_save=1",
		     "sim,size=1M,page=4K,backing=mem", 40);
}

static void
test_incomplete_stream(void **state)
{
	struct mig_dev *src = open_ok("sim,size=1M,page=4K");
	struct mig_dev *dst = open_ok("sim,size=1M,page=4K");
	uint64_t img = image_bytes(MIB, 4 * KIB);
	uint8_t *stream = malloc(img);
	uint32_t len;

	(void)state;
	assert_non_null(stream);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(save_one(src, stream, (uint32_t)img, &len), 0);
	assert_int_equal(len, img);

	/* half the stream */
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(load_one(dst, stream, (uint32_t)(img / 2)), 0);
	mig_err_clear();
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_STOP,
					   MIG_STATE_RESUMING), -EINVAL);
	assert_err_mentions("incomplete");
	assert_int_not_equal(mig_dev_state(dst), MIG_STATE_RUNNING);

	/* everything but the trailer */
	assert_int_equal(mig_dev_reset(dst), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(load_one(dst, stream, (uint32_t)(img - TRAILER_LEN)),
			 0);
	mig_err_clear();
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_STOP,
					   MIG_STATE_RESUMING), -EINVAL);
	assert_err_mentions("trailer");

	/* the whole stream: accepted */
	assert_int_equal(mig_dev_reset(dst), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(load_pieces(dst, stream, (uint32_t)img, 4097), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(digest_of(src), digest_of(dst));

	/* a stream is not accepted twice in a row, nor trailing bytes */
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(load_one(dst, stream, (uint32_t)img), 0);
	assert_int_equal(load_one(dst, stream, 10), -EBADMSG);
	assert_err_mentions("after the end");
	free(stream);
	mig_dev_close(src);
	mig_dev_close(dst);
}

/* Streams that parse but do not rebuild the source's state. */
static void
test_missing_or_stale_pages(void **state)
{
	/* 256 pages of 4 KiB, about 250 pages dirtied per second */
	struct mig_dev *src =
		open_ok("sim,size=1M,page=4K,seed=51,dirty_rate=1M");
	struct mig_dev *dst = open_ok("sim,size=1M,page=4K,seed=52");
	const uint64_t rec = PAGE_HLEN + 4 * KIB;
	uint64_t img = image_bytes(MIB, 4 * KIB);
	uint8_t *init = malloc(img), *rest = malloc(img);
	uint64_t ilen, rlen;
	uint32_t len;
	int st;

	(void)state;
	assert_non_null(init);
	assert_non_null(rest);
	/* the initial pass, then dirty pages, then the trailer */
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	for (ilen = 0; ilen < img - TRAILER_LEN; ilen += len) {
		st = save_one(src, init + ilen, (uint32_t)(img - TRAILER_LEN -
							   ilen), &len);
		assert_int_equal(st, 0);
	}
	assert_int_equal(ilen, img - TRAILER_LEN);
	sleep_until(mig_time_ns() + 100 * NS_PER_MS);
	assert_true(sizes_of(src).dirty_bytes >= rec);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	for (rlen = 0;; rlen += len) {
		assert_int_equal(save_one(src, rest + rlen,
					  (uint32_t)(img - rlen), &len), 0);
		if (len == 0)
			break;
	}
	assert_true(rlen >= rec + TRAILER_LEN);
	assert_int_equal((rlen - TRAILER_LEN) % rec, 0);

	/* the dirty pages are lost: stale versions, digest mismatch */
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(load_pieces(dst, init, (uint32_t)ilen, 65536), 0);
	assert_int_equal(load_one(dst, rest + rlen - TRAILER_LEN,
				  TRAILER_LEN), 0);
	mig_err_clear();
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_STOP,
					   MIG_STATE_RESUMING), -EINVAL);
	assert_err_mentions("digest");

	/* page 5's record is cut out of the initial pass */
	assert_int_equal(mig_dev_reset(dst), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(load_one(dst, init, (uint32_t)(HDR_LEN + 5 * rec)),
			 0);
	assert_int_equal(load_one(dst, init + HDR_LEN + 6 * rec,
				  (uint32_t)(ilen - HDR_LEN - 6 * rec)), 0);
	assert_int_equal(load_one(dst, rest, (uint32_t)rlen), 0);
	mig_err_clear();
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_STOP,
					   MIG_STATE_RESUMING), -EINVAL);
	assert_err_mentions("page 5 missing");

	/* everything, in order: accepted */
	assert_int_equal(mig_dev_reset(dst), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(load_pieces(dst, init, (uint32_t)ilen, 9999), 0);
	assert_int_equal(load_pieces(dst, rest, (uint32_t)rlen, 9999), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(digest_of(src), digest_of(dst));
	free(init);
	free(rest);
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_geometry_mismatch(void **state)
{
	struct mig_dev *src = open_ok("sim,size=1M,page=4K");
	struct mig_dev *dst = open_ok("sim,size=2M,page=4K");
	struct mig_dev *dst2 = open_ok("sim,size=1M,page=8K");
	uint8_t buf[4096];
	uint32_t len;

	(void)state;
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(save_one(src, buf, sizeof(buf), &len), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	mig_err_clear();
	assert_int_equal(load_one(dst, buf, len), -EBADMSG);
	assert_err_mentions("size 1048576, this device is 2097152");
	assert_int_equal(mig_dev_set_state(dst2, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	mig_err_clear();
	assert_int_equal(load_one(dst2, buf, len), -EBADMSG);
	assert_err_mentions("page size");
	/* garbage instead of a stream */
	assert_int_equal(mig_dev_reset(dst2), 0);
	assert_int_equal(mig_dev_set_state(dst2, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(load_one(dst2, buf, 100), -EBADMSG);
	assert_err_mentions("tag");
	mig_dev_close(src);
	mig_dev_close(dst);
	mig_dev_close(dst2);
}

/*
 * The header's flags and reserved words and the trailer's reserved word
 * are 0 in format version 1: a stream with any of them set is refused
 * (found by tests/fuzz/fuzz_sim, a bit flip in the flags was loaded).
 */
static void
test_reserved_fields(void **state)
{
	/* header: flags at byte 12, reserved at 40; trailer: reserved at 4 */
	static const uint32_t at[] = { 12, 15, 40, 47, 4 };
	uint8_t *stream = malloc(image_bytes(64 * 1024, 4096));
	struct mig_dev *src, *dst;
	uint32_t len, total, i;
	uint64_t trl;

	(void)state;
	assert_non_null(stream);
	src = open_ok("sim,size=64K,page=4K");
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	total = 0;
	do {
		assert_int_equal(save_one(src, stream + total, 8192, &len), 0);
		total += len;
	} while (len > 0);
	assert_int_equal(total, image_bytes(64 * 1024, 4096));
	trl = total - 16;
	for (i = 0; i < RTE_DIM(at); i++) {
		uint64_t off = i < 4 ? at[i] : trl + at[i];

		dst = open_ok("sim,size=64K,page=4K");
		assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
						   MIG_STATE_ERROR), 0);
		stream[off] ^= 0x10;
		mig_err_clear();
		assert_int_equal(load_one(dst, stream, total), -EBADMSG);
		assert_err_mentions("must be 0");
		stream[off] ^= 0x10;
		mig_dev_close(dst);
	}
	/* unchanged, the stream loads */
	dst = open_ok("sim,size=64K,page=4K");
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(load_one(dst, stream, total), 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_STOP,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(digest_of(dst), digest_of(src));
	mig_dev_close(src);
	mig_dev_close(dst);
	free(stream);
}

static void
test_reset_abandons_io(void **state)
{
	struct mig_dev *dev =
		open_ok("sim,size=1M,page=4K,latency=10s,seed=8");
	struct mig_dev *ref = open_ok("sim,size=1M,page=4K,seed=8");
	uint8_t buf[4096];
	struct mig_io io = { .buf = buf, .cap = sizeof(buf) };
	struct mig_io *done;

	(void)state;
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_save_submit(dev, &io), 0);
	assert_int_equal(mig_dev_poll(dev, &done, 1), 0);
	assert_int_equal(mig_dev_reset(dev), 0);
	assert_int_equal(mig_dev_inflight(dev), 0);
	assert_int_equal(mig_dev_poll(dev, &done, 1), 0);
	assert_int_equal(mig_dev_state(dev), MIG_STATE_RUNNING);
	assert_int_equal(digest_of(dev), digest_of(ref));
	mig_dev_close(dev);
	mig_dev_close(ref);
}

static void
test_bad_devargs(void **state)
{
	static const struct {
		const char *args;
		const char *key;
	} bad[] = {
		{ "sim,bogus=1", "bogus" },
		{ "sim,size=12Q", "size" },
		{ "sim,size=0", "size" },
		{ "sim,size=2T", "size" },
		{ "sim,page=3000", "page" },
		{ "sim,page=2M", "page" },
		{ "sim,seed=x", "seed" },
		{ "sim,caps=warp", "caps" },
		{ "sim,backing=disk", "backing" },
		{ "sim,backing=mem,size=2G", "backing" },
		{ "sim,dirty_rate=fast", "dirty_rate" },
		{ "sim,latency=soon", "latency" },
		{ "sim,bandwidth=-1", "bandwidth" },
		{ "sim,depth=0", "depth" },
		{ "sim,chunk=0", "chunk" },
		{ "sim,fail_arc=running-flying", "fail_arc" },
		{ "sim,fail_arc=running", "fail_arc" },
		{ "sim,fail_arc=running-stop_copy", "fail_arc" },
		{ "sim,caps=stop_copy,fail_arc=running-running_p2p",
		  "fail_arc" },
		{ "sim,fail_arc_error=maybe", "fail_arc_error" },
		{ "sim,fail_save=-3", "fail_save" },
		{ "sim,fail_load=x", "fail_load" },
		{ "sim,corrupt_save=1.5", "corrupt_save" },
		{ "sim,size=1T,page=4K", "page" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		struct mig_dev *dev;

		mig_err_clear();
		rte_errno = 0;
		dev = mig_dev_open(bad[i].args);
		if (dev != NULL)
			print_error("%s was accepted\n", bad[i].args);
		assert_null(dev);
		assert_true(rte_errno == EINVAL || rte_errno == -EINVAL);
		assert_err_mentions(bad[i].key);
	}
}

static void
test_good_devargs(void **state)
{
	struct mig_dev *dev;
	struct mig_dev_info info;

	(void)state;
	dev = open_ok("sim,size=1K,page=4K,seed=0x10,caps=pre_copy,"
		      "backing=mem,dirty_rate=0,latency=1ms,bandwidth=10G,"
		      "depth=8,chunk=256K,fail_arc=stop-stop_copy,"
		      "fail_arc_error=yes,fail_save=0,fail_load=0,"
		      "corrupt_save=0");
	assert_int_equal(mig_dev_info_get(dev, &info), 0);
	assert_int_equal(info.caps, MIG_CAP_STOP_COPY | MIG_CAP_PRE_COPY);
	assert_int_equal(info.state_size, KIB);
	assert_int_equal(info.max_inflight, 8);
	assert_int_equal(info.chunk_size, 256 * KIB);
	assert_int_equal(sizes_of(dev).stop_copy_bytes, image_bytes(KIB, KIB));
	mig_dev_close(dev);
	dev = open_ok("sim,caps=p2p+pre_copy,fail_arc=pre-copy-p2p->stop-copy");
	mig_dev_close(dev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_defaults),
		cmocka_unit_test(test_good_devargs),
		cmocka_unit_test(test_bad_devargs),
		cmocka_unit_test(test_migrate_odd_chunks),
		cmocka_unit_test(test_migrate_tiny_pieces),
		cmocka_unit_test(test_gen_mem_backing),
		cmocka_unit_test(test_huge_64g),
		cmocka_unit_test(test_big_6g),
		cmocka_unit_test(test_precopy_no_dirty),
		cmocka_unit_test(test_precopy_dirty),
		cmocka_unit_test(test_dirty_while_running),
		cmocka_unit_test(test_stop_copy_only),
		cmocka_unit_test(test_bandwidth),
		cmocka_unit_test(test_latency_pipelined),
		cmocka_unit_test(test_depth1_busy),
		cmocka_unit_test(test_fail_arc),
		cmocka_unit_test(test_fail_save),
		cmocka_unit_test(test_fail_load),
		cmocka_unit_test(test_corrupt_save),
		cmocka_unit_test(test_incomplete_stream),
		cmocka_unit_test(test_missing_or_stale_pages),
		cmocka_unit_test(test_geometry_mismatch),
		cmocka_unit_test(test_reserved_fields),
		cmocka_unit_test(test_reset_abandons_io),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
