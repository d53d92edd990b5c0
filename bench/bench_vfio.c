/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Reading the whole STOP_COPY stream of one VFIO migration device, timed
 * from the SET to STOP_COPY to the end of the stream, four ways in the same
 * run, rounds interleaved:
 *
 *   uring   the vfio driver, io=uring, depth reads in flight, pool buffers
 *   read    the vfio driver, io=read (one read() per chunk), pool buffers
 *   engine  the engine's source stage (mig_src: vfio io=uring, or the
 *           io given with -e, hugepage pool buffers, CRC32C of every
 *           chunk), the transport replaced by a sink that gives each
 *           buffer straight back
 *   qemu    QEMU's way: one 1 MiB malloc'd buffer, read() until 0
 *
 * and prints throughputs and the ratios uring/read and engine/qemu. The
 * device is taken back to RUNNING between rounds (outside the timing).
 * With -i N the polling loops sleep N us whenever a poll finds nothing
 * (default: they spin, as an lcore does).
 *
 *	bench_vfio <EAL args> -- -b BDF [-r rounds] [-c chunk] [-d depth]
 *	    [-i idle_us] [-e uring|read]
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "mig_dev.h"
#include "mig_devargs.h"
#include "mig_log.h"
#include "mig_pool.h"
#include "mig_rate.h"
#include "mig_src.h"
#include "mig_time.h"
#include "vfio_priv.h"

#define QEMU_BUF (1u << 20)

static unsigned int g_idle_us;

/* A poll found nothing: spin on, or give the CPU away (-i). */
static void
bench_idle(void)
{
	if (g_idle_us != 0)
		usleep(g_idle_us);
}

struct bench {
	char bdf[MIG_VFIO_BDF_LEN];
	uint64_t chunk;
	uint64_t depth;
	struct mig_pool *pool;
	const char *engine_io;	/* the engine row's io= */
};

struct result {
	uint64_t ns;
	uint64_t bytes;
};

static struct mig_dev *
bench_open(const struct bench *b, const char *io)
{
	char args[160];
	struct mig_dev *dev;

	snprintf(args, sizeof(args), "vfio,id=bench,bdf=%s,io=%s,depth=%" PRIu64 ",chunk=%" PRIu64,
		 b->bdf, io, b->depth, b->chunk);
	dev = mig_dev_open(args);
	if (dev == NULL)
		fprintf(stderr, "bench_vfio: %s: %s\n", args, mig_err_last());
	return dev;
}

static int
bench_back(struct mig_dev *dev)
{
	int ret = mig_dev_set_state(dev, MIG_STATE_RUNNING, MIG_STATE_ERROR);

	if (ret < 0)
		fprintf(stderr, "bench_vfio: back to running: %s\n",
			mig_err_last());
	return ret;
}

/* The driver alone: depth saves in flight until the end of the stream. */
static int
run_dev(const struct bench *b, const char *io, struct result *r)
{
	struct mig_io ios[MIG_VFIO_IO_DEPTH_MAX], *done[16];
	struct mig_dev *dev = bench_open(b, io);
	unsigned int i, next = 0, busy = 0;
	uint64_t t0;
	bool eos = false;
	int k, j, ret = 0;

	if (dev == NULL)
		return -ENODEV;
	memset(ios, 0, sizeof(ios));
	for (i = 0; i < b->depth; i++) {
		if (mig_pool_get(b->pool, &ios[i].buf) < 0)
			return -ENOBUFS;
		ios[i].cap = (uint32_t)b->chunk;
	}
	t0 = mig_time_ns();
	ret = mig_dev_set_state(dev, MIG_STATE_STOP_COPY, MIG_STATE_RUNNING);
	while (ret == 0 && (!eos || busy > 0)) {
		while (!eos && busy < b->depth &&
		       mig_dev_save_submit(dev, &ios[next]) == 0) {
			next = (next + 1) % b->depth;
			busy++;
		}
		k = mig_dev_poll(dev, done, 16);
		if (k < 0)
			ret = k;
		else if (k == 0)
			bench_idle();
		for (j = 0; j < k && ret == 0; j++) {
			busy--;
			if (done[j]->status < 0)
				ret = done[j]->status;
			else if (done[j]->len == 0)
				eos = true;
			r->bytes += done[j]->len;
		}
	}
	r->ns += mig_time_ns() - t0;
	if (ret < 0)
		fprintf(stderr, "bench_vfio: io=%s: %s\n", io, mig_err_last());
	else
		ret = bench_back(dev);
	for (i = 0; i < b->depth; i++)
		mig_pool_put(b->pool, ios[i].buf);
	mig_dev_close(dev);
	return ret;
}

/* The engine's source stage with a sink for a transport. */
struct sink {
	struct mig_src *s;
	void *cookies[MIG_SRC_DEPTH_MAX * 2];
	unsigned int n;
};

static void *
sink_buf_get(void *ctx)
{
	void *buf;

	return mig_pool_get(ctx, &buf) == 0 ? buf : NULL;
}

static void
sink_buf_put(void *ctx, void *buf)
{
	mig_pool_put(ctx, buf);
}

static int
sink_emit(void *ctx, const struct mig_wire_chunk *hdr, void *buf,
	  void *cookie)
{
	struct sink *k = ctx;

	(void)hdr;
	(void)buf;
	if (k->n == RTE_DIM(k->cookies))
		return -EAGAIN;
	k->cookies[k->n++] = cookie;
	return 0;
}

static int
run_engine(const struct bench *b, struct result *r)
{
	struct mig_dev *dev = bench_open(b, b->engine_io);
	struct mig_src_cfg cfg = {
		.chunk_size = (uint32_t)b->chunk,
		.depth = (unsigned int)b->depth,
		.buf_get = sink_buf_get,
		.buf_put = sink_buf_put,
		.buf_ctx = b->pool,
		.emit = sink_emit,
	};
	static struct mig_src s;
	struct sink k = { .s = &s };
	uint64_t t0;
	int ret;

	if (dev == NULL)
		return -ENODEV;
	cfg.emit_ctx = &k;
	ret = mig_src_init(&s, dev, &cfg);
	t0 = mig_time_ns();
	if (ret == 0)
		ret = mig_dev_set_state(dev, MIG_STATE_STOP_COPY,
					MIG_STATE_RUNNING);
	while (ret == 0 && !mig_src_finished(&s)) {
		ret = mig_src_poll(&s);
		if (ret == 0)
			bench_idle();
		if (ret > 0)
			ret = 0;
		while (k.n > 0)
			mig_src_buf_done(&s, k.cookies[--k.n]);
	}
	r->ns += mig_time_ns() - t0;
	r->bytes += s.bytes;
	if (ret < 0)
		fprintf(stderr, "bench_vfio: engine: %s\n", mig_err_last());
	else
		ret = bench_back(dev);
	mig_dev_close(dev);
	return ret;
}

/* QEMU's save loop: one buffer, read() until the end. */
static int
run_qemu(const struct bench *b, struct result *r)
{
	struct mig_vfio_handle h;
	uint8_t *buf = malloc(QEMU_BUF);
	enum mig_state st;
	uint64_t t0;
	ssize_t n;
	int ret, fd = -1;

	if (buf == NULL)
		return -ENOMEM;
	ret = mig_vfio_open("qemu", b->bdf, "/sys", "/dev", &h);
	if (ret < 0) {
		fprintf(stderr, "bench_vfio: %s\n", mig_err_last());
		free(buf);
		return ret;
	}
	t0 = mig_time_ns();
	ret = mig_vfio_mig_set_state(h.device_fd, MIG_STATE_STOP_COPY, &fd);
	while (ret == 0) {
		n = read(fd, buf, QEMU_BUF);
		if (n < 0)
			ret = -errno;
		if (n <= 0)
			break;
		r->bytes += (uint64_t)n;
	}
	r->ns += mig_time_ns() - t0;
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		fprintf(stderr, "bench_vfio: qemu loop: %s\n", strerror(-ret));
	else if (mig_vfio_mig_set_state(h.device_fd, MIG_STATE_STOP, &fd) < 0 ||
		 mig_vfio_mig_set_state(h.device_fd, MIG_STATE_RUNNING,
					&fd) < 0 ||
		 mig_vfio_mig_get_state(h.device_fd, &st) < 0 ||
		 st != MIG_STATE_RUNNING)
		ret = -EIO;
	mig_vfio_close(&h);
	free(buf);
	return ret;
}

static double
mbps(const struct result *r)
{
	return r->ns ? (double)r->bytes * 1e3 / (double)r->ns : 0;
}

int
main(int argc, char **argv)
{
	struct bench b = { .chunk = 1 << 20, .depth = 4, .engine_io = "uring" };
	struct result ru = { 0 }, rr = { 0 }, re = { 0 }, rq = { 0 };
	uint64_t rounds = 3, i;
	int opt, ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench_vfio: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	while ((opt = getopt(argc, argv, "b:r:c:d:i:e:")) != -1) {
		switch (opt) {
		case 'b':
			if (mig_vfio_bdf_parse(optarg, b.bdf) < 0)
				goto usage;
			break;
		case 'r':
			rounds = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			if (mig_parse_size(optarg, &b.chunk) < 0)
				goto usage;
			break;
		case 'd':
			b.depth = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			g_idle_us = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'e':
			if (strcmp(optarg, "uring") != 0 &&
			    strcmp(optarg, "read") != 0)
				goto usage;
			b.engine_io = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (b.bdf[0] == '\0' || rounds == 0 || b.depth == 0 ||
	    b.depth > MIG_VFIO_IO_DEPTH_MAX)
		goto usage;
	b.pool = mig_pool_create("bench_vfio", (unsigned int)b.depth * 2 + 8,
				 (uint32_t)b.chunk, SOCKET_ID_ANY);
	if (b.pool == NULL) {
		fprintf(stderr, "bench_vfio: %s\n", mig_err_last());
		return 1;
	}
	for (i = 0; i < rounds; i++) {
		if (run_dev(&b, "uring", &ru) < 0 || run_dev(&b, "read", &rr) < 0 ||
		    run_engine(&b, &re) < 0 || run_qemu(&b, &rq) < 0)
			return 1;
		fprintf(stderr, "bench_vfio: round %" PRIu64 " done\n", i + 1);
	}
	printf("device %s, %" PRIu64 " rounds, chunk %" PRIu64 ", depth %" PRIu64 ", idle %u us, engine io=%s, stream %" PRIu64 " bytes\n",
	       b.bdf, rounds, b.chunk, b.depth, g_idle_us, b.engine_io,
	       rq.bytes / rounds);
	printf("uring  %8.1f MB/s\n", mbps(&ru));
	printf("read   %8.1f MB/s\n", mbps(&rr));
	printf("engine %8.1f MB/s\n", mbps(&re));
	printf("qemu   %8.1f MB/s\n", mbps(&rq));
	printf("ratio uring/read   %.2f\n", mbps(&ru) / mbps(&rr));
	printf("ratio engine/qemu  %.2f\n", mbps(&re) / mbps(&rq));
	mig_pool_free(b.pool);
	rte_eal_cleanup();
	return 0;
usage:
	fprintf(stderr, "usage: bench_vfio <EAL args> -- -b BDF [-r rounds] [-c chunk] [-d depth 1..%u] [-i idle_us] [-e uring|read]\n",
		MIG_VFIO_IO_DEPTH_MAX);
	return 2;
}
