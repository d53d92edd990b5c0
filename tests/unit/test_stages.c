/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The per-device pipeline stages in one process: a source sim device feeds
 * mig_src, whose chunks travel through an in-memory "link" (FIFO, optionally
 * reordering within a window, with a credit limit) into mig_dst and a
 * destination sim device. The destination's digest must equal the source's.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mig_dev.h"
#include "mig_dst.h"
#include "mig_log.h"
#include "mig_rate.h"
#include "mig_src.h"
#include "mig_time.h"

#define NBUF 32
#define CHUNK (64 * 1024)
#define LINK_MAX 64

/* A bounded buffer pool. */
struct pool {
	void *free[NBUF];
	unsigned int nfree;
	void *mem;
};

static void *
pool_get(void *ctx)
{
	struct pool *p = ctx;

	return p->nfree ? p->free[--p->nfree] : NULL;
}

static void
pool_put(void *ctx, void *buf)
{
	struct pool *p = ctx;

	assert_true(p->nfree < NBUF);
	p->free[p->nfree++] = buf;
}

static void
pool_init(struct pool *p)
{
	unsigned int i;

	p->mem = malloc((size_t)NBUF * CHUNK);
	assert_non_null(p->mem);
	for (i = 0; i < NBUF; i++)
		p->free[i] = (char *)p->mem + (size_t)i * CHUNK;
	p->nfree = NBUF;
}

/* The link between the stages: holds sent chunks until delivered. */
struct link {
	struct mig_wire_chunk hdr[LINK_MAX];
	void *buf[LINK_MAX];
	unsigned int n;
	unsigned int credits;   /* receive buffers: in the link or held */
	unsigned int held;      /* delivered, not yet released */
	int reorder;            /* deliver the newest first */
	int corrupt_at;         /* flip a byte of this index (-1 none) */
	unsigned int blocked;   /* -EAGAIN returned */
	struct mig_src *src;
};

static int
link_emit(void *ctx, const struct mig_wire_chunk *hdr, void *buf,
	  void *cookie)
{
	struct link *l = ctx;

	(void)cookie;
	if (l->n + l->held >= l->credits) {
		l->blocked++;
		return -EAGAIN;
	}
	assert_int_equal(hdr->crc, mig_wire_crc32c(buf, hdr->length));
	l->hdr[l->n] = *hdr;
	l->buf[l->n] = buf;
	l->n++;
	return 0;
}

/* Deliver everything in the link into the destination stage; a payload
 * whose CRC does not match fails the link, as a transport does. */
static int
link_deliver(struct link *l, struct mig_dst *d)
{
	unsigned int i, k;

	for (i = 0; i < l->n; i++) {
		k = l->reorder ? l->n - 1 - i : i;
		if ((int)l->hdr[k].index == l->corrupt_at)
			((uint8_t *)l->buf[k])[l->hdr[k].length / 2] ^= 0x40;
		/* What a transport does on receive: check the payload. */
		if (mig_wire_crc32c(l->buf[k], l->hdr[k].length) !=
		    l->hdr[k].crc) {
			l->corrupt_at = -2; /* detected */
			for (; i < l->n; i++)
				mig_src_buf_done(l->src,
						 l->buf[l->reorder ? l->n - 1 - i
								   : i]);
			l->n = 0;
			return -EBADMSG;
		}
		assert_int_equal(mig_dst_push(d, l->hdr[k].index, l->buf[k],
					      l->hdr[k].length, l->buf[k]),
				 0);
		l->held++;
	}
	l->n = 0;
	return 0;
}

/* Zero-copy in this test: the destination releases the source's buffer. */
static void
dst_release(void *ctx, void *cookie)
{
	struct link *l = ctx;

	l->held--;
	mig_src_buf_done(l->src, cookie);
}

struct rig {
	struct mig_dev *sd, *dd;
	struct mig_src src;
	struct mig_dst dst;
	struct pool pool;
	struct link link;
};

static void
rig_open(struct rig *r, const char *src_args, const char *dst_args,
	 unsigned int credits, unsigned int window)
{
	struct mig_src_cfg sc = {
		.dev_id = 0, .chunk_size = CHUNK, .depth = 4,
		.buf_get = pool_get, .buf_put = pool_put,
		.buf_ctx = &r->pool, .emit = link_emit, .emit_ctx = &r->link,
	};
	struct mig_dst_cfg dc = {
		.dev_id = 0, .window = window, .depth = 4,
		.release = dst_release, .release_ctx = &r->link,
	};

	memset(r, 0, sizeof(*r));
	pool_init(&r->pool);
	r->link.credits = credits;
	r->link.corrupt_at = -1;
	r->link.src = &r->src;
	r->sd = mig_dev_open(src_args);
	r->dd = mig_dev_open(dst_args);
	assert_non_null(r->sd);
	assert_non_null(r->dd);
	assert_int_equal(mig_src_init(&r->src, r->sd, &sc), 0);
	assert_int_equal(mig_dst_init(&r->dst, r->dd, &dc), 0);
	assert_int_equal(mig_dev_set_state(r->dd, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
}

static void
rig_close(struct rig *r)
{
	mig_dst_fini(&r->dst);
	mig_dev_close(r->sd);
	mig_dev_close(r->dd);
	free(r->pool.mem);
}

/* Poll both stages until @p done says so; bounded by a deadline. */
static int
rig_run(struct rig *r, int (*done)(struct rig *r))
{
	uint64_t deadline = mig_time_ns() + 20ull * 1000000000ull;
	int ret;

	while (!done(r)) {
		ret = mig_src_poll(&r->src);
		if (ret < 0)
			return ret;
		ret = link_deliver(&r->link, &r->dst);
		if (ret < 0)
			return ret;
		ret = mig_dst_poll(&r->dst);
		if (ret < 0)
			return ret;
		if (mig_time_ns() > deadline)
			fail_msg("stages made no progress within 20 s");
	}
	return 0;
}

static int
precopy_caught_up(struct rig *r)
{
	return r->src.nodata && mig_src_quiet(&r->src) && r->link.n == 0 &&
	       mig_dst_idle(&r->dst);
}

static int
stream_done(struct rig *r)
{
	return mig_src_finished(&r->src) && mig_dst_idle(&r->dst);
}

static void
migrate(struct rig *r, int precopy)
{
	uint64_t sdig, ddig;

	if (precopy) {
		assert_int_equal(mig_dev_set_state(r->sd, MIG_STATE_PRE_COPY,
						   MIG_STATE_RUNNING), 0);
		assert_int_equal(rig_run(r, precopy_caught_up), 0);
		assert_true(r->src.chunks > 0);
		assert_true(r->src.nodata);
	}
	assert_true(mig_src_quiet(&r->src));
	assert_int_equal(mig_dev_set_state(r->sd, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	mig_src_rearm(&r->src);
	assert_int_equal(rig_run(r, stream_done), 0);
	assert_int_equal(mig_dev_set_state(r->dd, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(r->dst.loaded_chunks, r->src.chunks);
	assert_int_equal(r->dst.loaded_bytes, r->src.bytes);
	assert_int_equal(mig_dev_digest(r->sd, &sdig), 0);
	assert_int_equal(mig_dev_digest(r->dd, &ddig), 0);
	assert_int_equal(sdig, ddig);
	/* Every buffer came home. */
	assert_int_equal(r->pool.nfree, NBUF);
}

static void
test_stop_copy_only(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r, "sim,size=8M,page=4K,caps=stop_copy,seed=3",
		 "sim,size=8M,page=4K,caps=stop_copy", 16, 16);
	migrate(&r, 0);
	rig_close(&r);
}

static void
test_precopy_dirtying(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r, "sim,size=16M,page=4K,caps=pre_copy,dirty_rate=64M,seed=9",
		 "sim,size=16M,page=4K,caps=pre_copy", 16, 16);
	migrate(&r, 1);
	rig_close(&r);
}

/* Chunks delivered newest first still load in order. */
static void
test_reordered_delivery(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r, "sim,size=8M,page=4K,caps=pre_copy,seed=5",
		 "sim,size=8M,page=4K,caps=pre_copy", 8, 8);
	r.link.reorder = 1;
	migrate(&r, 1);
	rig_close(&r);
}

/* A link with one credit throttles the source: nothing is lost. */
static void
test_backpressure(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r, "sim,size=4M,page=4K,caps=stop_copy,seed=2",
		 "sim,size=4M,page=4K,caps=stop_copy", 1, 4);
	migrate(&r, 0);
	assert_true(r.link.blocked > 0);
	rig_close(&r);
}

/* Device latency and depth: loads and saves overlap. */
static void
test_slow_devices(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r, "sim,size=2M,page=4K,caps=stop_copy,latency=200,depth=2",
		 "sim,size=2M,page=4K,caps=stop_copy,latency=300,depth=1", 8,
		 8);
	migrate(&r, 0);
	rig_close(&r);
}

static void
test_save_failure(void **state)
{
	struct rig r;
	int ret;

	(void)state;
	rig_open(&r, "sim,id=srcdev,size=4M,page=4K,caps=stop_copy,fail_save=3",
		 "sim,size=4M,page=4K,caps=stop_copy", 16, 16);
	assert_int_equal(mig_dev_set_state(r.sd, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	ret = rig_run(&r, stream_done);
	assert_int_equal(ret, -EIO);
	assert_non_null(strstr(mig_err_last(), "device srcdev: save of chunk"));
	rig_close(&r);
}

static void
test_load_failure(void **state)
{
	struct rig r;
	int ret;

	(void)state;
	rig_open(&r, "sim,size=4M,page=4K,caps=stop_copy",
		 "sim,id=dstdev,size=4M,page=4K,caps=stop_copy,fail_load=2",
		 16, 16);
	assert_int_equal(mig_dev_set_state(r.sd, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	ret = rig_run(&r, stream_done);
	assert_true(ret < 0);
	assert_non_null(strstr(mig_err_last(), "device dstdev: load of chunk"));
	rig_close(&r);
}

/* A chunk corrupted on the link is caught by its CRC and fails the
 * migration; the destination, which never saw the whole stream, refuses
 * RESUMING -> STOP and is reset; every buffer comes back. */
static void
test_corrupted_chunk(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r, "sim,size=4M,page=4K,caps=stop_copy",
		 "sim,id=hole,size=4M,page=4K,caps=stop_copy", 16, 16);
	r.link.corrupt_at = 5;
	assert_int_equal(mig_dev_set_state(r.sd, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(rig_run(&r, stream_done), -EBADMSG);
	assert_int_equal(r.link.corrupt_at, -2);
	assert_true(r.dst.loaded_chunks <= 5);
	/* Abort: drain the devices, then the destination refuses to commit. */
	while (mig_dev_inflight(r.dd) || r.dst.inflight)
		assert_true(mig_dst_poll(&r.dst) >= 0);
	while (!mig_src_drain(&r.src))
		;
	assert_true(mig_dev_set_state(r.dd, MIG_STATE_STOP,
				      MIG_STATE_ERROR) < 0);
	assert_non_null(strstr(mig_err_last(), "device hole"));
	assert_int_equal(mig_dev_state(r.dd), MIG_STATE_RUNNING);
	assert_int_equal(mig_dev_set_state(r.sd, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	mig_dst_fini(&r.dst);
	mig_src_release(&r.src);
	assert_int_equal(r.pool.nfree, NBUF);
	mig_dev_close(r.sd);
	mig_dev_close(r.dd);
	free(r.pool.mem);
}

static void
test_duplicate_and_window(void **state)
{
	struct mig_dst_cfg dc = { .window = 4, .depth = 1,
				  .release = dst_release };
	struct mig_dev *dd;
	struct mig_dst d;
	char buf[8];

	(void)state;
	dd = mig_dev_open("sim,id=w,size=1M,caps=stop_copy");
	assert_non_null(dd);
	dc.release_ctx = NULL;
	assert_int_equal(mig_dst_init(&d, dd, &dc), 0);
	assert_int_equal(mig_dst_push(&d, 9, buf, 8, NULL), -ERANGE);
	assert_non_null(strstr(mig_err_last(), "device w: chunk 9 is beyond"));
	mig_dst_fini(&d);
	assert_int_equal(mig_dst_init(&d, dd, &dc), 0);
	assert_int_equal(mig_dst_push(&d, 1, buf, 8, NULL), 0);
	assert_int_equal(mig_dst_push(&d, 1, buf, 8, NULL), -EEXIST);
	assert_non_null(strstr(mig_err_last(), "received twice"));
	/* The error is sticky. */
	assert_int_equal(mig_dst_poll(&d), -EEXIST);
	d.reorder.count = 0; /* nothing to release: cookies are NULL */
	mig_dst_fini(&d);
	mig_dev_close(dd);
}

/* Push link entry @p k into the destination stage, as link_deliver() does. */
static void
link_push_one(struct link *l, struct mig_dst *d, unsigned int k)
{
	assert_int_equal(mig_dst_push(d, l->hdr[k].index, l->buf[k],
				      l->hdr[k].length, l->buf[k]), 0);
	l->held++;
}

/*
 * A chunk the window admits never takes the entry of a chunk still in use:
 * with one load in the device and the next chunk popped but stalled, chunk
 * stalled + window is inside the window and must not overwrite the
 * stalled chunk (it did when entries were indexed by index % window: the
 * wrong data was loaded and one buffer released twice).
 */
static void
test_window_entry_reuse(void **state)
{
	const unsigned int window = 4, early = 6;
	struct rig r;
	unsigned int k;
	uint64_t sdig, ddig;

	(void)state;
	rig_open(&r, "sim,size=1M,page=4K,caps=stop_copy",
		 "sim,id=reuse,size=1M,page=4K,caps=stop_copy,depth=1,latency=20ms",
		 early, window);
	assert_int_equal(mig_dev_set_state(r.sd, MIG_STATE_STOP_COPY,
					   MIG_STATE_RUNNING), 0);
	while (r.link.n < early)
		assert_true(mig_src_poll(&r.src) >= 0);
	for (k = 0; k < early; k++)
		assert_int_equal(r.link.hdr[k].index, k);

	link_push_one(&r.link, &r.dst, 0);
	assert_true(mig_dst_poll(&r.dst) >= 0);  /* chunk 0 loading */
	link_push_one(&r.link, &r.dst, 1);
	assert_true(mig_dst_poll(&r.dst) >= 0);  /* chunk 1 stalls */
	assert_int_equal(r.dst.inflight, 1);
	assert_non_null(r.dst.stalled);
	assert_int_equal(r.dst.stalled->index, 1);
	/* 1 + window: inside the window, since chunk 1 has left it */
	link_push_one(&r.link, &r.dst, 1 + window);
	assert_int_equal(r.dst.stalled->index, 1);
	for (k = 2; k < early; k++)
		if (k != 1 + window)
			link_push_one(&r.link, &r.dst, k);
	/* the rest of the stream as a well-behaved source sends it */
	assert_int_equal(r.link.n, early);
	r.link.n = 0;
	r.link.credits = window;
	assert_int_equal(rig_run(&r, stream_done), 0);
	assert_int_equal(mig_dev_set_state(r.dd, MIG_STATE_RUNNING,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(r.dst.loaded_chunks, r.src.chunks);
	assert_int_equal(mig_dev_digest(r.sd, &sdig), 0);
	assert_int_equal(mig_dev_digest(r.dd, &ddig), 0);
	assert_int_equal(sdig, ddig);
	assert_int_equal(r.pool.nfree, NBUF);
	rig_close(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_copy_only),
		cmocka_unit_test(test_precopy_dirtying),
		cmocka_unit_test(test_reordered_delivery),
		cmocka_unit_test(test_backpressure),
		cmocka_unit_test(test_slow_devices),
		cmocka_unit_test(test_save_failure),
		cmocka_unit_test(test_load_failure),
		cmocka_unit_test(test_corrupted_chunk),
		cmocka_unit_test(test_duplicate_and_window),
		cmocka_unit_test(test_window_entry_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
