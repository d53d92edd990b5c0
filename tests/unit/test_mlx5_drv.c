/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Unit tests of the mlx5 device driver through the device API (mig_dev.h)
 * on emulated firmware, without EAL: the stream format (records, optional
 * and mandatory tags), chunk sizing, read-ahead, pre-copy images, the
 * 4 GiB limit, truncated streams, and open-time errors of every channel.
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

#include <cmocka.h>

#include <rte_errno.h>

#include "mig_dev.h"
#include "mig_fsm.h"
#include "mig_log.h"

#include "mlx5_emu.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define STREAM_MAX (16 * MIB)

struct rec {
	uint64_t size;
	uint32_t flags;
	uint32_t tag;
} __attribute__((packed));

static struct mig_dev *
open_ok(const char *devargs)
{
	struct mig_dev *dev = mig_dev_open(devargs);

	if (dev == NULL)
		fail_msg("open %s: %s", devargs, mig_err_last());
	return dev;
}

static int
wait_io(struct mig_dev *dev, struct mig_io **out)
{
	struct mig_io *done;
	int n;

	do {
		n = mig_dev_poll(dev, &done, 1);
	} while (n == 0);
	if (n < 0)
		return n;
	*out = done;
	return 0;
}

/*
 * Save into @p buf (engine chunks of @p chunk bytes) until the end of
 * stream (STOP_COPY) or "no data now" (PRE_COPY). Returns bytes saved.
 */
static uint64_t
save_some(struct mig_dev *dev, uint8_t *buf, uint64_t at, uint32_t chunk)
{
	struct mig_io io, *done;
	uint64_t n = at;

	for (;;) {
		memset(&io, 0, sizeof(io));
		io.buf = buf + n;
		io.cap = chunk;
		assert_true(n + chunk <= STREAM_MAX);
		assert_int_equal(mig_dev_save_submit(dev, &io), 0);
		assert_int_equal(wait_io(dev, &done), 0);
		assert_ptr_equal(done, &io);
		if (io.status == -ENOMSG)
			break;
		if (io.status != 0)
			fail_msg("save: %d %s", io.status, mig_err_last());
		if (io.len == 0)
			break;
		n += io.len;
	}
	return n - at;
}

/* Load @p len bytes in chunks of @p chunk; first failed status or 0. */
static int
load_all(struct mig_dev *dev, const uint8_t *buf, uint64_t len,
	 uint32_t chunk)
{
	struct mig_io io, *done;
	uint64_t off = 0;

	while (off < len) {
		memset(&io, 0, sizeof(io));
		io.buf = (void *)(uintptr_t)(buf + off);
		io.len = (uint32_t)(len - off < chunk ? len - off : chunk);
		assert_int_equal(mig_dev_load_submit(dev, &io), 0);
		assert_int_equal(wait_io(dev, &done), 0);
		if (io.status != 0)
			return io.status;
		off += io.len;
	}
	return 0;
}

/* STOP_COPY stream of a fresh source device. */
static uint64_t
stream_of(const char *devargs, uint8_t *buf, uint32_t chunk)
{
	struct mig_dev *src = open_ok(devargs);
	uint64_t len;

	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	len = save_some(src, buf, 0, chunk);
	mig_dev_close(src);
	return len;
}

static uint64_t
digest_of(struct mig_dev *dev)
{
	uint64_t d;

	assert_int_equal(mig_dev_digest(dev, &d), 0);
	return d;
}

/* Load a stream into a fresh device and resume it; its digest. */
static int
load_stream(const char *devargs, const uint8_t *buf, uint64_t len,
	    uint32_t chunk, uint64_t *digest)
{
	struct mig_dev *dst = open_ok(devargs);
	int ret;

	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_RUNNING), 0);
	ret = load_all(dst, buf, len, chunk);
	if (ret == 0)
		ret = mig_dev_set_state(dst, MIG_STATE_RUNNING,
					MIG_STATE_ERROR);
	if (ret == 0)
		*digest = digest_of(dst);
	mig_dev_close(dst);
	return ret;
}

static uint64_t
source_digest(const char *devargs)
{
	struct mig_dev *dev = open_ok(devargs);
	uint64_t d = digest_of(dev);

	mig_dev_close(dev);
	return d;
}

#define SRC3 "mlx5,pf=drv-s,vf=0,channel=emu,precopy=0,emu_size=3M,emu_page=64K,emu_seed=21,emu_chunk_min=128K,chunk=1M"
#define DST3 "mlx5,pf=drv-d,vf=0,channel=emu,precopy=0,emu_size=3M,emu_page=64K,emu_chunk_min=128K"

static void
test_stream_format(void **state)
{
	uint8_t *s = malloc(STREAM_MAX);
	uint64_t len, off, images = 0, d = 0, sc;
	struct rec r;

	(void)state;
	assert_non_null(s);
	len = stream_of(SRC3, s, 77777);
	/* STOP_COPY_SIZE first: optional, 8 bytes, the chunk buffer size */
	memcpy(&r, s, sizeof(r));
	assert_int_equal(r.tag, 1);
	assert_int_equal(r.flags, 1);
	assert_int_equal(r.size, 8);
	memcpy(&sc, s + 16, 8);
	assert_int_equal(sc, 1 * MIB);
	/* then FW_DATA records, mandatory, each at most a chunk buffer */
	for (off = 24; off < len; off += 16 + r.size) {
		memcpy(&r, s + off, sizeof(r));
		assert_int_equal(r.tag, 0);
		assert_int_equal(r.flags, 0);
		assert_true(r.size > 0 && r.size <= 1 * MIB);
		images++;
	}
	assert_int_equal(off, len);
	/* 3 MiB in 1 MiB buffers of whole 64 KiB pages: 4 chunks */
	assert_int_equal(images, 4);
	assert_int_equal(load_stream(DST3, s, len, 4099, &d), 0);
	assert_int_equal(d, source_digest(SRC3));
	free(s);
}

/* An unknown optional record is skipped, an unknown mandatory one not. */
static void
test_unknown_records(void **state)
{
	uint8_t *s = malloc(STREAM_MAX), *t = malloc(STREAM_MAX);
	struct rec r = { .size = 5, .flags = 1, .tag = 0x55 };
	uint64_t len, d = 0, d0;
	struct mig_dev *dst;
	int ret;

	(void)state;
	assert_non_null(s);
	assert_non_null(t);
	len = stream_of(SRC3, s, 1 * MIB);
	d0 = source_digest(SRC3);
	memcpy(t, s, 24);
	memcpy(t + 24, &r, sizeof(r));
	memcpy(t + 40, "hello", 5);
	memcpy(t + 45, s + 24, len - 24);
	assert_int_equal(load_stream(DST3, t, len + 21, 3333, &d), 0);
	assert_int_equal(d, d0);
	/* the same record, mandatory */
	r.flags = 0;
	memcpy(t + 24, &r, sizeof(r));
	dst = open_ok(DST3);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_RUNNING), 0);
	ret = load_all(dst, t, len + 21, 3333);
	assert_int_equal(ret, -EOPNOTSUPP);
	assert_non_null(strstr(mig_err_last(), "unknown mandatory record tag 85"));
	mig_dev_close(dst);
	free(s);
	free(t);
}

/* A stream cut short never resumes the destination. */
static void
test_truncated(void **state)
{
	uint8_t *s = malloc(STREAM_MAX);
	uint64_t len, fresh = source_digest(DST3);
	struct mig_dev *dst;

	(void)state;
	assert_non_null(s);
	len = stream_of(SRC3, s, 1 * MIB);
	dst = open_ok(DST3);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(load_all(dst, s, len - 100, 65536), 0);
	assert_int_not_equal(mig_dev_set_state(dst, MIG_STATE_RUNNING,
					       MIG_STATE_ERROR), 0);
	assert_non_null(strstr(mig_err_last(), "incomplete stream"));
	assert_int_equal(mig_dev_state(dst), MIG_STATE_RUNNING);
	/* it was reset: fresh state, not the partial one */
	assert_int_equal(digest_of(dst), fresh);
	mig_dev_close(dst);
	/* whole records, but not the last chunk: the firmware refuses */
	len = 24 + 16 + 1 * MIB - 0;
	dst = open_ok(DST3);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_RUNNING), 0);
	{
		struct rec r;

		memcpy(&r, s + 24, sizeof(r));
		len = 24 + 16 + r.size;
	}
	assert_int_equal(load_all(dst, s, len, 65536), 0);
	assert_int_not_equal(mig_dev_set_state(dst, MIG_STATE_RUNNING,
					       MIG_STATE_ERROR), 0);
	assert_non_null(strstr(mig_err_last(), "partial"));
	mig_dev_close(dst);
	free(s);
}

/* Read-ahead changes timing, never the records or the loaded state. */
static void
test_readahead_same_stream(void **state)
{
	uint8_t *a = malloc(STREAM_MAX), *b = malloc(STREAM_MAX);
	uint64_t la, lb, off, da = 0, db = 0;
	struct rec ra, rb;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	la = stream_of(SRC3 ",readahead=0", a, 1 * MIB);
	lb = stream_of(SRC3 ",readahead=2", b, 300000);
	assert_int_equal(la, lb);
	for (off = 0; off < la; off += 16 + ra.size) {
		memcpy(&ra, a + off, sizeof(ra));
		memcpy(&rb, b + off, sizeof(rb));
		assert_memory_equal(&ra, &rb, sizeof(ra));
	}
	assert_int_equal(load_stream(DST3, a, la, 65536, &da), 0);
	assert_int_equal(load_stream(DST3, b, lb, 65536, &db), 0);
	assert_int_equal(da, db);
	free(a);
	free(b);
}

/* The firmware minimum wins over a smaller cap. */
static void
test_chunk_size_choice(void **state)
{
	uint8_t *s = malloc(STREAM_MAX);
	uint64_t len, sc, off;
	struct rec r;

	(void)state;
	assert_non_null(s);
	len = stream_of("mlx5,pf=cs,vf=0,channel=emu,precopy=0,emu_size=2M,emu_page=4K,emu_chunk_min=512K,chunk=64K",
			s, 1 * MIB);
	memcpy(&sc, s + 16, 8);
	assert_int_equal(sc, 512 * KIB);
	for (off = 24; off < len; off += 16 + r.size) {
		memcpy(&r, s + off, sizeof(r));
		assert_true(r.size <= 512 * KIB);
	}
	free(s);
}

/* PRE_COPY: initial image, a middle image of dirtied pages, the final. */
static void
test_precopy(void **state)
{
	const char *sa = "mlx5,pf=pc-s,vf=0,channel=emu,emu_size=2M,emu_page=4K,emu_seed=4";
	struct mig_mlx5_emu_pf_cfg pc = { .chunk = true, .tracking = true,
					  .multi_load = true,
					  .chunk_min = 2 * MIB,
					  .mig_state = true };
	uint8_t *s = malloc(STREAM_MAX);
	struct mig_mlx5_emu_pf *pf;
	struct mig_dev_sizes sz;
	struct mig_dev *src;
	struct mig_dev_info info;
	uint64_t len, mid, d = 0, ds;

	(void)state;
	assert_non_null(s);
	src = open_ok(sa);
	pf = mig_mlx5_emu_pf_get("pc-s", &pc);
	assert_non_null(pf);
	mig_dev_info_get(src, &info);
	assert_true(info.caps & MIG_CAP_PRE_COPY);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_query_sizes(src, &sz), 0);
	/* STOP_COPY_SIZE, FW_DATA header, image of 512 pages */
	assert_int_equal(sz.initial_bytes, 24 + 16 + 72 + 512 * (16 + 4096));
	len = save_some(src, s, 0, 100000);
	assert_int_equal(len, sz.initial_bytes);
	assert_int_equal(mig_dev_query_sizes(src, &sz), 0);
	assert_int_equal(sz.initial_bytes, 0);
	assert_int_equal(save_some(src, s, len, 100000), 0);
	assert_int_equal(mig_mlx5_emu_vf_dirty(pf, 1, 7), 0);
	mid = save_some(src, s, len, 100000);
	assert_int_equal(mid, 16 + 72 + 7 * (16 + 4096));
	len += mid;
	assert_int_equal(mig_mlx5_emu_vf_dirty(pf, 1, 3), 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	len += save_some(src, s, len, 100000);
	ds = digest_of(src);
	mig_mlx5_emu_pf_put(pf);
	mig_dev_close(src);
	assert_int_equal(load_stream("mlx5,pf=pc-d,vf=0,channel=emu,emu_size=2M,emu_page=4K",
				     s, len, 65536, &d), 0);
	assert_int_equal(d, ds);
	free(s);
}

/*
 * RUNNING_P2P -> PRE_COPY_P2P, the arc Linux's mlx5 driver takes with a
 * tracked SAVE of the initiator-suspended function: its stream loads
 * whole, and PRE_COPY_P2P -> RUNNING_P2P leaves pre-copy again.
 */
static void
test_precopy_from_p2p(void **state)
{
	const char *sa = "mlx5,pf=p2p-s,vf=0,channel=emu,emu_size=1M,emu_page=4K,emu_seed=9";
	uint8_t *s = malloc(STREAM_MAX);
	struct mig_dev *src;
	uint64_t len, d = 0, ds;

	(void)state;
	assert_non_null(s);
	src = open_ok(sa);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING_P2P,
					   MIG_STATE_RUNNING), 0);
	if (mig_dev_set_state(src, MIG_STATE_PRE_COPY_P2P,
			      MIG_STATE_RUNNING) != 0)
		fail_msg("RUNNING_P2P -> PRE_COPY_P2P: %s", mig_err_last());
	len = save_some(src, s, 0, 100000);
	assert_true(len > 1 * MIB);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	len += save_some(src, s, len, 100000);
	ds = digest_of(src);
	mig_dev_close(src);
	assert_int_equal(load_stream("mlx5,pf=p2p-d,vf=0,channel=emu,emu_size=1M,emu_page=4K",
				     s, len, 65536, &d), 0);
	assert_int_equal(d, ds);
	/* and back out of pre-copy, the function still initiator-suspended */
	src = open_ok(sa);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING_P2P,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY_P2P,
					   MIG_STATE_RUNNING), 0);
	save_some(src, s, 0, 100000);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING_P2P,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	mig_dev_close(src);
	free(s);
}

/* Leaving pre-copy back to RUNNING works and the device runs on. */
static void
test_precopy_abort(void **state)
{
	struct mig_dev *src = open_ok("mlx5,pf=pa,vf=0,channel=emu,emu_size=1M,emu_page=4K");
	uint8_t *s = malloc(STREAM_MAX);

	(void)state;
	assert_non_null(s);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	save_some(src, s, 0, 65536);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	/* and a second migration attempt starts cleanly */
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	mig_dev_close(src);
	free(s);
}

static void
test_4g_limit(void **state)
{
	struct mig_dev *src = open_ok("mlx5,pf=lim,vf=0,channel=emu,precopy=0,emu_chunk=0,emu_size=5G,emu_page=1M");
	int ret;

	(void)state;
	ret = mig_dev_set_state(src, MIG_STATE_STOP_COPY, MIG_STATE_RUNNING);
	assert_int_equal(ret, -EFBIG);
	assert_non_null(strstr(mig_err_last(),
			       "exceeds the 4 GiB single-image limit"));
	assert_int_equal(mig_dev_state(src), MIG_STATE_RUNNING);
	mig_dev_close(src);
}

/* Virtual memory of this process, bytes (/proc/self/status VmSize). */
static uint64_t
vm_size(void)
{
	char line[128];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmSize: %" SCNu64, &kb) == 1)
			break;
	fclose(f);
	assert_true(kb > 0);
	return kb * KIB;
}

/*
 * A record header declaring a 4 GiB - 1 image commits no more than a
 * small staging buffer: it grows as the payload arrives. (It used to be
 * mapped and registered whole at the header.)
 */
static void
test_stage_bounded(void **state)
{
	struct rec r = { .size = UINT32_MAX, .flags = 0, .tag = 0 };
	uint64_t len = sizeof(r) + 3 * MIB, before, grown, d;
	uint8_t *s = calloc(1, len);
	struct mig_dev *dst;

	(void)state;
	assert_non_null(s);
	memcpy(s, &r, sizeof(r));
	dst = open_ok(DST3);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_RUNNING), 0);
	before = vm_size();
	assert_int_equal(load_all(dst, s, len, 65536), 0);
	grown = vm_size() - before;
	/* 3 MiB of payload: a buffer of at most twice that (and its MTT) */
	if (grown > 16 * MIB)
		fail_msg("staging grew the process by %" PRIu64 " bytes for 3 MiB of payload",
			 grown);
	assert_int_not_equal(mig_dev_set_state(dst, MIG_STATE_RUNNING,
					       MIG_STATE_ERROR), 0);
	assert_non_null(strstr(mig_err_last(), "incomplete stream"));
	mig_dev_close(dst);
	free(s);
	/* without the STOP_COPY_SIZE hint, a 3 MiB image grows its buffer
	 * twice on the way and still loads whole */
	s = malloc(STREAM_MAX);
	assert_non_null(s);
	len = stream_of(SRC3, s, 1 * MIB);
	memcpy(&r, s, sizeof(r));
	assert_int_equal(r.tag, 1); /* STOP_COPY_SIZE first */
	assert_int_equal(load_stream(DST3, s + 24, len - 24, 65536, &d), 0);
	assert_int_equal(d, source_digest(SRC3));
	free(s);
}

static void
open_fails(const char *devargs, int err, const char *what)
{
	struct mig_dev *dev = mig_dev_open(devargs);

	if (dev != NULL) {
		mig_dev_close(dev);
		fail_msg("%s opened", devargs);
	}
	assert_int_equal(rte_errno, err);
	if (strstr(mig_err_last(), what) == NULL)
		fail_msg("%s: '%s' lacks '%s'", devargs, mig_err_last(), what);
}

static void
test_open_errors(void **state)
{
	(void)state;
	open_fails("mlx5,pf=0000:99:00.0,vf=0,channel=vfio", ENODEV,
		   "channel=vfio: no mlx5 PF 0000:99:00.0 driven through VFIO");
	open_fails("mlx5,pf=0000:99:00.0,vf=0", ENODEV, "vfio-pci");
	open_fails("mlx5,pf=0000:99:00.0,vf=0,channel=kernel", ENODEV,
		   "channel=kernel: cannot open /dev/mig_mlx5");
	open_fails("mlx5,vf=0,channel=emu", EINVAL, "pf=<PCI address");
	open_fails("mlx5,pf=x,vf=0,vhca_id=3,channel=emu", EINVAL,
		   "exactly one of vf");
	open_fails("mlx5,pf=x,vf=0,channel=vfio,emu_size=1G", EINVAL,
		   "emu_size is only valid with channel=emu");
	open_fails("mlx5,pf=x,vf=0,channel=rdma", EINVAL,
		   "channel=rdma: expected vfio, kernel or emu");
	open_fails("mlx5,pf=x,vf=0,channel=emu,emu_migratable=0", ENOTSUP,
		   "is not migratable");
	open_fails("mlx5,pf=x,vf=0,channel=emu,readahead=9", EINVAL,
		   "readahead");
}

/* Page-multiple SAVE sizes; stop-copy buffer max(required, min(cap, total)). */
static void
test_upstream_sizes(void **state)
{
	const uint64_t img = 72 + 512 * (16 + 4096);
	uint8_t *s = malloc(STREAM_MAX);
	uint64_t len, sc, d = 0;

	(void)state;
	assert_non_null(s);
	/* chunk mode, cap 8 MiB above the 2 MiB state: the total, in pages */
	len = stream_of("mlx5,pf=us-s,vf=0,channel=emu,precopy=0,emu_size=2M,emu_page=4K,emu_seed=8,emu_chunk_min=512K",
			s, 1 * MIB);
	memcpy(&sc, s + 16, 8);
	assert_int_equal(sc, (img + 4095) & ~UINT64_C(4095));
	assert_int_equal(load_stream("mlx5,pf=us-d,vf=0,channel=emu,emu_size=2M,emu_page=4K,emu_chunk_min=512K",
				     s, len, 65536, &d), 0);
	free(s);
}

/* No chunk mode, pre-copy: the stop-copy buffer has 10 % headroom. */
static void
test_precopy_headroom(void **state)
{
	const uint64_t img = 72 + 256 * (16 + 4096);
	struct mig_dev *src = open_ok("mlx5,pf=hr,vf=0,channel=emu,emu_chunk=0,emu_size=1M,emu_page=4K");
	uint8_t *s = malloc(STREAM_MAX);
	uint64_t sc;

	(void)state;
	assert_non_null(s);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	save_some(src, s, 0, 65536);
	memcpy(&sc, s + 16, 8);
	assert_int_equal(sc, (img + img / 10 + 4095) & ~UINT64_C(4095));
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	mig_dev_close(src);
	free(s);
}

/* Chunk mode: PRE_COPY of a VF over 4 GiB (every QUERY has the chunk bit). */
static void
test_precopy_over_4g(void **state)
{
	struct mig_dev *src = open_ok("mlx5,pf=p5g,vf=0,channel=emu,emu_size=5G,emu_page=1M,emu_chunk_min=4M");
	uint8_t *s = malloc(STREAM_MAX);
	struct mig_dev_sizes sz;
	struct mig_io io, *done;
	struct rec r;

	(void)state;
	assert_non_null(s);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_query_sizes(src, &sz), 0);
	/* the initial image is the first 8 MiB piece of the state */
	assert_true(sz.initial_bytes > 4 * MIB);
	assert_true(sz.initial_bytes <= 24 + 16 + 8 * MIB);
	assert_true(sz.stop_copy_bytes > 4 * MIB);
	memset(&io, 0, sizeof(io));
	io.buf = s;
	io.cap = 16 * MIB;
	assert_int_equal(mig_dev_save_submit(src, &io), 0);
	assert_int_equal(wait_io(src, &done), 0);
	assert_int_equal(io.status, 0);
	memcpy(&r, s + 24, sizeof(r));
	assert_int_equal(r.tag, 0);
	assert_true(r.size > 4 * MIB && r.size <= 8 * MIB);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	mig_dev_close(src);
	free(s);
}

/* BAD_RES_STATE on the initial tracked SAVE: full final image, loads. */
static void
test_fallback_initial(void **state)
{
	const char *sa = "mlx5,pf=fi-s,vf=0,channel=emu,emu_size=1M,emu_page=4K,emu_seed=9,emu_fail_precopy=1";
	struct mig_dev *src = open_ok(sa);
	uint8_t *s = malloc(STREAM_MAX);
	struct mig_dev_sizes sz;
	uint64_t len, d = 0, ds;

	(void)state;
	assert_non_null(s);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	len = save_some(src, s, 0, 65536);
	assert_int_equal(len, 24); /* STOP_COPY_SIZE only */
	assert_int_equal(mig_dev_query_sizes(src, &sz), 0);
	assert_int_equal(sz.initial_bytes, 0);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	len += save_some(src, s, len, 65536);
	ds = digest_of(src);
	mig_dev_close(src);
	assert_int_equal(load_stream("mlx5,pf=fi-d,vf=0,channel=emu,emu_size=1M,emu_page=4K",
				     s, len, 65536, &d), 0);
	assert_int_equal(d, ds);
	free(s);
}

/* Migration needs migration_multi_load and migration_tracking_state. */
static void
test_cap_gate(void **state)
{
	struct mig_dev *dev;
	struct mig_dev_info info;

	(void)state;
	open_fails("mlx5,pf=g1,vf=0,channel=emu,emu_tracking=0", ENOTSUP,
		   "lacks migration_tracking_state");
	open_fails("mlx5,pf=g2,vf=0,channel=emu,emu_multi_load=0", ENOTSUP,
		   "lacks migration_multi_load");
	/* then always PRE_COPY */
	dev = open_ok("mlx5,pf=g3,vf=0,channel=emu,emu_chunk=0");
	mig_dev_info_get(dev, &info);
	assert_true(info.caps & MIG_CAP_PRE_COPY);
	mig_dev_close(dev);
}

/* migration_state INIT: REINIT through the engine, new initial data. */
static void
test_reinit(void **state)
{
	const char *sa = "mlx5,pf=ri-s,vf=0,channel=emu,emu_size=1M,emu_page=4K,emu_seed=13,emu_reinit=1";
	const uint64_t img = 72 + 256 * (16 + 4096);
	struct mig_dev *src = open_ok(sa);
	uint8_t *s = malloc(STREAM_MAX);
	struct mig_dev_sizes sz;
	uint64_t len, d = 0, ds;

	(void)state;
	assert_non_null(s);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_query_sizes(src, &sz), 0);
	assert_int_equal(sz.flags & MIG_DEV_SIZES_F_REINIT, 0);
	/* the initial image, then the first incremental QUERY re-inits */
	len = save_some(src, s, 0, 65536);
	assert_int_equal(len, 24 + 16 + img + 16 + img);
	assert_int_equal(mig_dev_query_sizes(src, &sz), 0);
	assert_int_equal(sz.flags & MIG_DEV_SIZES_F_REINIT,
			 MIG_DEV_SIZES_F_REINIT);
	assert_int_equal(sz.initial_bytes, 0);
	assert_int_equal(mig_dev_query_sizes(src, &sz), 0);
	assert_int_equal(sz.flags, 0); /* reported once */
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	len += save_some(src, s, len, 65536);
	ds = digest_of(src);
	mig_dev_close(src);
	assert_int_equal(load_stream("mlx5,pf=ri-d,vf=0,channel=emu,emu_size=1M,emu_page=4K",
				     s, len, 65536, &d), 0);
	assert_int_equal(d, ds);
	free(s);
}

/* next_required_umem_size grows chunk after chunk: buffers follow. */
static void
test_chunk_growth(void **state)
{
	uint8_t *s = malloc(STREAM_MAX);
	uint64_t len, off, d = 0, prev = 0;
	unsigned int grew = 0;
	struct rec r;

	(void)state;
	assert_non_null(s);
	len = stream_of("mlx5,pf=cg-s,vf=0,channel=emu,precopy=0,emu_size=4M,emu_page=4K,emu_seed=14,emu_chunk_min=128K,emu_chunk_grow=64K,chunk=64K",
			s, 1 * MIB);
	for (off = 24; off < len; off += 16 + r.size) {
		memcpy(&r, s + off, sizeof(r));
		if (r.size > prev + 32 * KIB)
			grew++;
		prev = r.size;
	}
	assert_true(grew >= 3);
	assert_int_equal(load_stream("mlx5,pf=cg-d,vf=0,channel=emu,emu_size=4M,emu_page=4K,emu_chunk_min=128K,emu_chunk_grow=64K",
				     s, len, 65536, &d), 0);
	free(s);
}

/* Leaving pre-copy: the cleanup SAVE is sized from its QUERY. */
static void
test_abort_sized(void **state)
{
	struct mig_mlx5_emu_pf_cfg pc = { .chunk = true, .tracking = true,
					  .multi_load = true,
					  .chunk_min = 2 * MIB,
					  .mig_state = true };
	struct mig_dev *src = open_ok("mlx5,pf=as,vf=0,channel=emu,emu_size=1M,emu_page=4K");
	uint8_t *s = malloc(STREAM_MAX);
	struct mig_mlx5_emu_pf *pf = mig_mlx5_emu_pf_get("as", &pc);

	(void)state;
	assert_non_null(s);
	assert_non_null(pf);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	save_some(src, s, 0, 65536);
	/* 10 dirty pages: the cleanup QUERY asks for more than a page */
	assert_int_equal(mig_mlx5_emu_vf_dirty(pf, 1, 10), 0);
	if (mig_dev_set_state(src, MIG_STATE_RUNNING, MIG_STATE_ERROR) != 0)
		fail_msg("leaving pre-copy: %s", mig_err_last());
	assert_int_equal(mig_dev_state(src), MIG_STATE_RUNNING);
	mig_mlx5_emu_pf_put(pf);
	mig_dev_close(src);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_format),
		cmocka_unit_test(test_unknown_records),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_readahead_same_stream),
		cmocka_unit_test(test_chunk_size_choice),
		cmocka_unit_test(test_precopy),
		cmocka_unit_test(test_precopy_from_p2p),
		cmocka_unit_test(test_precopy_abort),
		cmocka_unit_test(test_4g_limit),
		cmocka_unit_test(test_stage_bounded),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_upstream_sizes),
		cmocka_unit_test(test_precopy_headroom),
		cmocka_unit_test(test_precopy_over_4g),
		cmocka_unit_test(test_fallback_initial),
		cmocka_unit_test(test_cap_gate),
		cmocka_unit_test(test_reinit),
		cmocka_unit_test(test_chunk_growth),
		cmocka_unit_test(test_abort_sized),
	};

	return cmocka_run_group_tests_name("mlx5_drv", tests, NULL, NULL);
}
