/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Transport throughput on loopback: a source thread sends chunks (CRC32C
 * computed per chunk, as the engine does) through one transport instance,
 * a destination thread receives them into pool buffers (payload CRC
 * checked, as the engine does) and releases them at once. Prints MB/s.
 *
 *	bench_xport [-t "tcp,streams=2"] [-c chunk] [-s total] [-w window]
 */

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_devargs.h"
#include "mig_log.h"
#include "mig_rate.h"
#include "mig_time.h"
#include "mig_xport.h"

#define BENCH_SRC_BUFS 64

struct bench {
	const char *xport;
	uint32_t chunk;
	uint64_t total;
	unsigned int window;
	char addr[MIG_XPORT_ADDR_MAX];
	atomic_int ready;
	atomic_int failed;
	atomic_int rx_done;
	uint64_t rx_bytes;
	void **free;
	unsigned int nfree;
	char *mem;
};

static void *
bench_get(void *ctx)
{
	struct bench *b = ctx;

	return b->nfree ? b->free[--b->nfree] : NULL;
}

static void
bench_put(void *ctx, void *buf)
{
	struct bench *b = ctx;

	b->free[b->nfree++] = buf;
}

static int
bench_connected(struct mig_xport *xp)
{
	int ret;

	while (mig_xport_state(xp) != MIG_XPORT_S_CONNECTED) {
		ret = mig_xport_poll(xp);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void *
bench_dst(void *arg)
{
	struct bench *b = arg;
	struct mig_xport_bufs bufs = {
		.get = bench_get, .put = bench_put, .ctx = b,
		.buf_size = b->chunk,
	};
	struct mig_xport_rx rx[32];
	struct mig_xport *xp;
	char args[128];
	unsigned int i;
	int n;

	snprintf(args, sizeof(args), "%s,window=%u", b->xport, b->window);
	b->free = calloc(b->window, sizeof(void *));
	b->mem = aligned_alloc(4096, (size_t)b->window * b->chunk);
	if (b->free == NULL || b->mem == NULL)
		goto fail;
	for (i = 0; i < b->window; i++)
		b->free[b->nfree++] = b->mem + (size_t)i * b->chunk;
	xp = mig_xport_open(args);
	if (xp == NULL || mig_xport_set_bufs(xp, &bufs) < 0 ||
	    mig_xport_listen(xp, "127.0.0.1:0") < 0 ||
	    mig_xport_local_addr(xp, b->addr, sizeof(b->addr)) < 0)
		goto fail;
	atomic_store(&b->ready, 1);
	if (bench_connected(xp) < 0)
		goto fail;
	while (b->rx_bytes < b->total && !atomic_load(&b->failed)) {
		mig_xport_poll(xp);
		n = mig_xport_rx(xp, rx, 32);
		if (n < 0)
			goto fail;
		for (i = 0; i < (unsigned int)n; i++) {
			if (rx[i].type != MIG_WIRE_T_CHUNK)
				continue;
			b->rx_bytes += rx[i].len;
			mig_xport_rx_release(xp, rx[i].buf);
		}
	}
	/* The source closes only after this: closing a socket with unread
	 * credit frames would reset the connection. */
	atomic_store(&b->rx_done, 1);
	mig_xport_close(xp);
	return NULL;
fail:
	fprintf(stderr, "bench: destination: %s\n", mig_err_last());
	atomic_store(&b->failed, 1);
	atomic_store(&b->ready, 1);
	return NULL;
}

static int
bench_src(struct bench *b, double *secs)
{
	void *bufs[BENCH_SRC_BUFS], *done[32];
	unsigned int nfree = BENCH_SRC_BUFS, i;
	struct mig_wire_chunk hdr = { 0 };
	uint64_t sent = 0, t0, index = 0;
	struct mig_xport *xp;
	char *mem;
	int n, ret = -ENOMEM;

	mem = aligned_alloc(4096, (size_t)BENCH_SRC_BUFS * b->chunk);
	if (mem == NULL)
		return ret;
	for (i = 0; i < BENCH_SRC_BUFS; i++) {
		bufs[i] = mem + (size_t)i * b->chunk;
		memset(bufs[i], (int)i * 37 + 1, b->chunk);
	}
	while (!atomic_load(&b->ready))
		;
	if (atomic_load(&b->failed)) {
		free(mem);
		return -EIO;
	}
	xp = mig_xport_open(b->xport);
	if (xp == NULL || mig_xport_connect(xp, b->addr) < 0 ||
	    bench_connected(xp) < 0) {
		ret = -EIO;
		goto out;
	}
	t0 = mig_time_ns();
	while (sent < b->total && !atomic_load(&b->failed)) {
		mig_xport_poll(xp);
		n = mig_xport_tx_done(xp, done, 32);
		if (n < 0) {
			ret = n;
			goto out;
		}
		for (i = 0; i < (unsigned int)n; i++)
			bufs[nfree++] = done[i];
		while (nfree && sent < b->total) {
			hdr.dev_id = 0;
			hdr.flags = MIG_WIRE_CHUNK_F_STOPCOPY;
			hdr.index = index;
			hdr.length = b->chunk;
			hdr.crc = mig_wire_crc32c(bufs[nfree - 1], b->chunk);
			ret = mig_xport_tx(xp, &hdr, bufs[nfree - 1], b->chunk,
					   bufs[nfree - 1]);
			if (ret == -EAGAIN)
				break;
			if (ret < 0)
				goto out;
			nfree--;
			index++;
			sent += b->chunk;
		}
	}
	while (nfree < BENCH_SRC_BUFS && !atomic_load(&b->failed)) {
		mig_xport_poll(xp);
		n = mig_xport_tx_done(xp, done, 32);
		if (n < 0)
			break;
		nfree += (unsigned int)n;
	}
	while (!atomic_load(&b->rx_done) && !atomic_load(&b->failed))
		mig_xport_poll(xp);
	*secs = (double)(mig_time_ns() - t0) / 1e9;
	ret = atomic_load(&b->failed) ? -EIO : 0;
out:
	if (ret < 0)
		fprintf(stderr, "bench: source: %s\n", mig_err_last());
	mig_xport_close(xp);
	free(mem);
	return ret;
}

int
main(int argc, char **argv)
{
	struct bench b = {
		.xport = "tcp,streams=2",
		.chunk = 1 << 20,
		.total = UINT64_C(4) << 30,
		.window = 64,
	};
	uint64_t v;
	pthread_t th;
	double secs = 0;
	int opt, ret;

	while ((opt = getopt(argc, argv, "t:c:s:w:")) != -1) {
		switch (opt) {
		case 't':
			b.xport = optarg;
			break;
		case 'c':
			if (mig_parse_size(optarg, &v) < 0 || v == 0 ||
			    v > MIG_WIRE_CHUNK_MAX)
				goto usage;
			b.chunk = (uint32_t)v;
			break;
		case 's':
			if (mig_parse_size(optarg, &b.total) < 0)
				goto usage;
			break;
		case 'w':
			b.window = (unsigned int)atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (pthread_create(&th, NULL, bench_dst, &b) != 0)
		return 1;
	ret = bench_src(&b, &secs);
	pthread_join(th, NULL);
	free(b.free);
	free(b.mem);
	if (ret < 0 || b.rx_bytes < b.total)
		return 1;
	printf("transport %s chunk %u bytes %llu: %.1f MB/s\n", b.xport,
	       b.chunk, (unsigned long long)b.total,
	       (double)b.total / secs / 1e6);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-t xport] [-c chunk] [-s total] [-w window]\n",
		argv[0]);
	return 2;
}
