/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Two looks at the host under the benchmarks, from threads pinned to two
 * CPUs (doc/PERFORMANCE.md, "What the slow runs are, and are not"). No EAL.
 *
 *	bench_host pingpong [-C cpu,cpu]
 *		one cache line handed back and forth: ns per hand-over
 *		(about 30 on one last-level cache, 160+ across two)
 *	bench_host sockcopy [-C cpu,cpu] [-s total (4G)] [-r region (64M)]
 *		[-H (region in 2 MiB hugepages)]
 *		one loopback TCP socket, 1 MiB write()s walking a region on
 *		one thread, 1 MiB read()s into another on the other: MB/s
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mig_devargs.h"

#define BH_IO (1u << 20)
#define BH_PINGS 200000

struct bh {
	int cpu[2];
	uint64_t total;
	size_t region;
	bool huge;
	int lfd;
	_Alignas(64) atomic_int flag;
	uint64_t got;
};

static double
bh_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
bh_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *
bh_pong(void *arg)
{
	struct bh *b = arg;
	int i;

	bh_pin(b->cpu[1]);
	for (i = 0; i < BH_PINGS; i++) {
		while (atomic_load_explicit(&b->flag, memory_order_acquire) != 1)
			;
		atomic_store_explicit(&b->flag, 0, memory_order_release);
	}
	return NULL;
}

static int
bh_pingpong(struct bh *b)
{
	pthread_t t;
	double t0;
	int i;

	if (pthread_create(&t, NULL, bh_pong, b) != 0)
		return -1;
	bh_pin(b->cpu[0]);
	t0 = bh_now();
	for (i = 0; i < BH_PINGS; i++) {
		atomic_store_explicit(&b->flag, 1, memory_order_release);
		while (atomic_load_explicit(&b->flag, memory_order_acquire) != 0)
			;
	}
	t0 = bh_now() - t0;
	pthread_join(t, NULL);
	printf("pingpong: CPU %d <-> CPU %d: %.0f ns per hand-over\n",
	       b->cpu[0], b->cpu[1], t0 * 1e9 / BH_PINGS / 2);
	return 0;
}

/* The region, touched so that no fault lands in the timed part. */
static uint8_t *
bh_region(struct bh *b)
{
	uint8_t *p = mmap(NULL, b->region, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS |
			  (b->huge ? MAP_HUGETLB : 0), -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0x5a, b->region);
	return p;
}

static void *
bh_reader(void *arg)
{
	struct bh *b = arg;
	uint8_t *p = bh_region(b);
	size_t off = 0;
	ssize_t r;
	int fd;

	bh_pin(b->cpu[1]);
	fd = accept(b->lfd, NULL, NULL);
	while (p != NULL && fd >= 0 && b->got < b->total) {
		r = read(fd, p + off, BH_IO);
		if (r <= 0)
			break;
		b->got += (uint64_t)r;
		off += (size_t)r;
		if (off + BH_IO > b->region)
			off = 0;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int
bh_sockcopy(struct bh *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	uint64_t sent = 0;
	size_t off = 0;
	pthread_t t;
	uint8_t *p;
	double t0;
	ssize_t w;
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	b->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (b->lfd < 0 || bind(b->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(b->lfd, 1) < 0 ||
	    getsockname(b->lfd, (struct sockaddr *)&sa, &sl) < 0)
		return -errno;
	p = bh_region(b);
	if (p == NULL)
		return -ENOMEM;
	if (pthread_create(&t, NULL, bh_reader, b) != 0)
		return -EAGAIN;
	bh_pin(b->cpu[0]);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	t0 = bh_now();
	while (sent < b->total) {
		w = write(fd, p + off, BH_IO);
		if (w <= 0)
			break;
		sent += (uint64_t)w;
		off += BH_IO;
		if (off + BH_IO > b->region)
			off = 0;
	}
	close(fd);
	pthread_join(t, NULL);
	t0 = bh_now() - t0;
	if (b->got < b->total)
		return -EPIPE;
	printf("sockcopy: %llu bytes, %s region of %zu MiB: %.0f MB/s\n",
	       (unsigned long long)b->got, b->huge ? "hugepage" : "4 KiB page",
	       b->region >> 20, (double)b->got / t0 / 1e6);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct bh b = {
		.cpu = { 0, 1 }, .total = UINT64_C(4) << 30,
		.region = 64u << 20,
	};
	uint64_t v;
	int opt, ret;

	if (argc < 2)
		goto usage;
	optind = 2;
	while ((opt = getopt(argc, argv, "C:s:r:H")) != -1) {
		switch (opt) {
		case 'C':
			if (sscanf(optarg, "%d,%d", &b.cpu[0], &b.cpu[1]) != 2)
				goto usage;
			break;
		case 's':
		case 'r':
			if (mig_parse_size(optarg, &v) < 0 || v < BH_IO)
				goto usage;
			if (opt == 's')
				b.total = v;
			else
				b.region = (size_t)v;
			break;
		case 'H':
			b.huge = true;
			break;
		default:
			goto usage;
		}
	}
	if (strcmp(argv[1], "pingpong") == 0)
		ret = bh_pingpong(&b);
	else if (strcmp(argv[1], "sockcopy") == 0)
		ret = bh_sockcopy(&b);
	else
		goto usage;
	if (ret < 0) {
		fprintf(stderr, "bench_host %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: %s pingpong|sockcopy [-C cpu,cpu] [-s total] [-r region] [-H]\n",
		argv[0]);
	return 2;
}
