/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The chunk pool (engine/mig_pool.c) on a real EAL: hugepages when the host
 * has them reserved and mounted, --no-huge otherwise (MIG_TEST_NO_HUGE=1
 * forces it). Checks that the pool is bounded, that buffers are aligned,
 * distinct and inside the regions mig_pool_mem_walk() reports, that a pool
 * too large fails with a message saying what to do, and that freeing gives
 * the memory back.
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include "mig_log.h"
#include "mig_pool.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

/* Set in main(): 1 when the EAL runs on hugepages. */
static int g_huge;

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void * const *)a;
	uintptr_t y = (uintptr_t)*(void * const *)b;

	return x < y ? -1 : x > y;
}

static size_t
expected_align(uint32_t chunk_size)
{
	return chunk_size >= MIG_POOL_PAGE_ALIGN ? MIG_POOL_PAGE_ALIGN :
						   RTE_CACHE_LINE_SIZE;
}

/* Take every buffer; the pool must then be empty. */
static void **
take_all(struct mig_pool *pool)
{
	unsigned int i, n = mig_pool_count(pool);
	void **bufs = calloc(n, sizeof(*bufs));

	assert_non_null(bufs);
	for (i = 0; i < n; i++)
		assert_int_equal(mig_pool_get(pool, &bufs[i]), 0);
	assert_int_equal(mig_pool_avail(pool), 0);
	return bufs;
}

static void
put_all(struct mig_pool *pool, void **bufs)
{
	unsigned int i;

	for (i = 0; i < mig_pool_count(pool); i++)
		mig_pool_put(pool, bufs[i]);
	assert_int_equal(mig_pool_avail(pool), mig_pool_count(pool));
	free(bufs);
}

static void
test_create_get_put_bounded(void **state)
{
	struct mig_pool *pool;
	void **bufs;
	void *extra;
	int round;

	(void)state;
	pool = mig_pool_create("t_bounded", 64, 64 * KIB, SOCKET_ID_ANY);
	assert_non_null(pool);
	assert_string_equal(mig_pool_name(pool), "t_bounded");
	assert_int_equal(mig_pool_count(pool), 64);
	assert_int_equal(mig_pool_chunk_size(pool), 64 * KIB);
	assert_int_equal(mig_pool_avail(pool), 64);

	for (round = 0; round < 3; round++) {
		bufs = take_all(pool);
		/* beyond count: fails, and the pool does not grow */
		assert_int_equal(mig_pool_get(pool, &extra), -ENOBUFS);
		assert_int_equal(mig_pool_get_bulk(pool, &extra, 1), -ENOBUFS);
		assert_int_equal(mig_pool_count(pool), 64);
		assert_int_equal(mig_pool_avail(pool), 0);
		/* one back, one out again */
		mig_pool_put(pool, bufs[7]);
		assert_int_equal(mig_pool_avail(pool), 1);
		assert_int_equal(mig_pool_get(pool, &bufs[7]), 0);
		assert_int_equal(mig_pool_get(pool, &extra), -ENOBUFS);
		put_all(pool, bufs);
	}
	mig_pool_free(pool);
}

static void
test_bulk(void **state)
{
	struct mig_pool *pool;
	void *bufs[33];
	unsigned int i;

	(void)state;
	pool = mig_pool_create("t_bulk", 32, 8 * KIB, SOCKET_ID_ANY);
	assert_non_null(pool);
	/* more than the pool holds: nothing taken */
	assert_int_equal(mig_pool_get_bulk(pool, bufs, 33), -ENOBUFS);
	assert_int_equal(mig_pool_avail(pool), 32);
	assert_int_equal(mig_pool_get_bulk(pool, bufs, 32), 0);
	assert_int_equal(mig_pool_avail(pool), 0);
	assert_int_equal(mig_pool_get_bulk(pool, &bufs[32], 1), -ENOBUFS);
	for (i = 0; i < 32; i++)
		assert_non_null(bufs[i]);
	mig_pool_put_bulk(pool, bufs, 16);
	assert_int_equal(mig_pool_avail(pool), 16);
	mig_pool_put_bulk(pool, &bufs[16], 16);
	assert_int_equal(mig_pool_avail(pool), 32);
	mig_pool_free(pool);
}

/*
 * Every buffer is aligned, chunk_size bytes can be written to each without
 * touching another, and no two overlap.
 */
static void
check_layout(uint32_t chunk_size, unsigned int count)
{
	size_t align = expected_align(chunk_size);
	const struct rte_memseg_list *msl;
	struct mig_pool *pool;
	unsigned int i;
	void **bufs;
	uint8_t *p;

	pool = mig_pool_create("t_layout", count, chunk_size, SOCKET_ID_ANY);
	assert_non_null(pool);
	bufs = take_all(pool);
	for (i = 0; i < count; i++) {
		assert_non_null(bufs[i]);
		assert_int_equal((uintptr_t)bufs[i] % align, 0);
		msl = rte_mem_virt2memseg_list(bufs[i]);
		assert_non_null(msl);
		/* on hugepages when the EAL has them */
		if (g_huge)
			assert_true(msl->page_sz >= RTE_PGSIZE_2M);
		memset(bufs[i], (int)(i & 0xff), chunk_size);
	}
	for (i = 0; i < count; i++) {
		p = bufs[i];
		assert_int_equal(p[0], i & 0xff);
		assert_int_equal(p[chunk_size / 2], i & 0xff);
		assert_int_equal(p[chunk_size - 1], i & 0xff);
	}
	qsort(bufs, count, sizeof(*bufs), cmp_ptr);
	for (i = 1; i < count; i++)
		assert_true((uintptr_t)bufs[i - 1] + chunk_size <=
			    (uintptr_t)bufs[i]);
	put_all(pool, bufs);
	mig_pool_free(pool);
}

static void
test_alignment_and_size(void **state)
{
	(void)state;
	check_layout(64, 16);
	check_layout(100, 16);
	check_layout(4 * KIB, 64);
	check_layout(4 * KIB + 1, 16);
	check_layout(64 * KIB, 32);
	check_layout(MIB, 16);
	check_layout(MIB - 64, 16);
	/* larger than a 2 MiB hugepage */
	check_layout(3 * MIB, 8);
}

static void
test_distinct(void **state)
{
	const uint32_t chunk = 256 * KIB;
	const unsigned int count = 128;
	struct mig_pool *pool;
	unsigned int i;
	uint32_t *w;
	void **bufs;

	(void)state;
	pool = mig_pool_create("t_distinct", count, chunk, SOCKET_ID_ANY);
	assert_non_null(pool);
	bufs = take_all(pool);
	/* stamp every word of every buffer with its owner, then check */
	for (i = 0; i < count; i++) {
		w = bufs[i];
		for (size_t j = 0; j < chunk / sizeof(*w); j++)
			w[j] = i;
	}
	for (i = 0; i < count; i++) {
		w = bufs[i];
		for (size_t j = 0; j < chunk / sizeof(*w); j++)
			if (w[j] != i)
				fail_msg("buffer %u word %zu overwritten by %u",
					 i, j, w[j]);
	}
	qsort(bufs, count, sizeof(*bufs), cmp_ptr);
	for (i = 1; i < count; i++)
		assert_true(bufs[i - 1] != bufs[i]);
	put_all(pool, bufs);
	mig_pool_free(pool);
}

#define WALK_MAX 256

struct walk {
	struct {
		uintptr_t addr;
		size_t len;
		rte_iova_t iova;
	} r[WALK_MAX];
	unsigned int n;
	int stop_at;
};

static int
walk_cb(void *addr, size_t len, rte_iova_t iova, void *arg)
{
	struct walk *w = arg;

	if (w->n == WALK_MAX)
		return -ENOSPC;
	w->r[w->n].addr = (uintptr_t)addr;
	w->r[w->n].len = len;
	w->r[w->n].iova = iova;
	w->n++;
	if (w->stop_at != 0 && (int)w->n == w->stop_at)
		return 7;
	return 0;
}

static void
check_walk(uint32_t chunk, unsigned int count)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct mig_pool *pool;
	unsigned int i, j, hits;
	uintptr_t b;
	size_t total = 0;
	void **bufs;

	assert_non_null(w);
	pool = mig_pool_create("t_walk", count, chunk, SOCKET_ID_ANY);
	assert_non_null(pool);
	assert_int_equal(mig_pool_mem_walk(pool, walk_cb, w), 0);
	assert_true(w->n >= 1);
	for (i = 0; i < w->n; i++) {
		total += w->r[i].len;
		/* regions do not overlap */
		for (j = 0; j < i; j++)
			assert_true(w->r[i].addr >= w->r[j].addr + w->r[j].len ||
				    w->r[j].addr >= w->r[i].addr + w->r[i].len);
		if (w->r[i].iova != RTE_BAD_IOVA && g_huge)
			assert_int_equal(rte_mem_virt2iova(
						 (void *)w->r[i].addr),
					 w->r[i].iova);
	}
	assert_true(total >= (size_t)count * chunk);
	/* bounded by configuration: at most a page of overhead per chunk */
	assert_true(total <= (size_t)count * (chunk + MIG_POOL_PAGE_ALIGN) +
			     w->n * MIG_POOL_PAGE_ALIGN);

	/* every buffer lies entirely inside exactly one walked region */
	bufs = take_all(pool);
	for (i = 0; i < count; i++) {
		b = (uintptr_t)bufs[i];
		hits = 0;
		for (j = 0; j < w->n; j++)
			if (b >= w->r[j].addr &&
			    b + chunk <= w->r[j].addr + w->r[j].len)
				hits++;
		assert_int_equal(hits, 1);
	}
	put_all(pool, bufs);

	/* a non-zero return stops the walk and is returned */
	memset(w, 0, sizeof(*w));
	w->stop_at = 1;
	assert_int_equal(mig_pool_mem_walk(pool, walk_cb, w), 7);
	assert_int_equal(w->n, 1);

	mig_pool_free(pool);
	free(w);
}

static void
test_mem_walk(void **state)
{
	(void)state;
	check_walk(MIB, 32);
	check_walk(3 * MIB, 8);
	check_walk(4 * KIB, 256);
	check_walk(200, 100);
}

static void
test_errors(void **state)
{
	char longname[RTE_MEMPOOL_NAMESIZE + 8];
	struct mig_pool *pool, *dup;
	const char *msg;

	(void)state;
	/* far more than any test host has: says how much and what to do */
	mig_err_clear();
	pool = mig_pool_create("t_huge", 64, MIG_POOL_CHUNK_MAX, SOCKET_ID_ANY);
	assert_null(pool);
	assert_int_equal(rte_errno, ENOMEM);
	msg = mig_err_last();
	print_message("# %s\n", msg);
	assert_non_null(strstr(msg, "chunk pool t_huge"));
	assert_non_null(strstr(msg, "64 chunks of 1073741824 bytes"));
	assert_non_null(strstr(msg, "need 65536 MiB"));
	if (g_huge) {
		assert_non_null(strstr(msg, "not enough hugepage memory"));
		assert_non_null(strstr(msg, "kB hugepages (echo "));
		assert_non_null(strstr(msg, "nr_hugepages"));
	} else {
		assert_non_null(strstr(msg, "--no-huge memory"));
		assert_non_null(strstr(msg, "raise -m"));
	}

	mig_err_clear();
	assert_null(mig_pool_create("t_zero", 0, 4096, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_non_null(strstr(mig_err_last(), "chunk pool t_zero"));
	assert_null(mig_pool_create("t_zero", 4, 0, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(mig_pool_create("t_big", 4, MIG_POOL_CHUNK_MAX + 1,
				    SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(mig_pool_create(NULL, 4, 4096, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_null(mig_pool_create(longname, 4, 4096, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, ENAMETOOLONG);

	pool = mig_pool_create("t_dup", 4, 4096, SOCKET_ID_ANY);
	assert_non_null(pool);
	mig_err_clear();
	dup = mig_pool_create("t_dup", 4, 4096, SOCKET_ID_ANY);
	assert_null(dup);
	assert_int_equal(rte_errno, EEXIST);
	assert_non_null(strstr(mig_err_last(), "t_dup: name already in use"));
	mig_pool_free(pool);
	/* the name is free again */
	pool = mig_pool_create("t_dup", 4, 4096, SOCKET_ID_ANY);
	assert_non_null(pool);
	mig_pool_free(pool);

	if (g_huge) {
		mig_err_clear();
		assert_null(mig_pool_create("t_sock", 4, 4096,
					    RTE_MAX_NUMA_NODES + 3));
		assert_int_equal(rte_errno, EINVAL);
		assert_non_null(strstr(mig_err_last(), "socket"));
	}
	mig_pool_free(NULL);
}

/* Create and free many pools much larger in sum than all memory. */
static void
test_free_releases(void **state)
{
	const uint32_t chunk = MIB;
	const unsigned int count = 64;
	struct mig_pool *pool;
	void *buf;
	int i;

	(void)state;
	/* 100 x 64 MiB: more than -m 128, and than 2 GiB of hugepages */
	for (i = 0; i < 100; i++) {
		pool = mig_pool_create("t_cycle", count, chunk, SOCKET_ID_ANY);
		if (pool == NULL)
			fail_msg("round %d: %s", i, mig_err_last());
		assert_int_equal(mig_pool_get(pool, &buf), 0);
		memset(buf, i, chunk);
		mig_pool_put(pool, buf);
		mig_pool_free(pool);
	}
}

static void
test_socket(void **state)
{
	struct mig_pool *pool;
	int node;

	(void)state;
	node = mig_numa_node_self();
	assert_true(node >= 0 && node < RTE_MAX_NUMA_NODES);
	pool = mig_pool_create("t_sock_any", 8, 4096, SOCKET_ID_ANY);
	assert_non_null(pool);
	assert_true(mig_pool_socket(pool) >= 0 &&
		    mig_pool_socket(pool) < RTE_MAX_NUMA_NODES);
	if (g_huge)
		assert_int_equal(mig_pool_socket(pool), (int)rte_socket_id());
	mig_pool_free(pool);

	pool = mig_pool_create("t_sock_0", 8, 4096, rte_socket_id_by_idx(0));
	assert_non_null(pool);
	assert_int_equal(mig_pool_socket(pool), rte_socket_id_by_idx(0));
	mig_pool_free(pool);
}

static int
hugepages_usable(void)
{
	char line[512];
	long nr = 0;
	int mounted = 0;
	FILE *f;

	if (getenv("MIG_TEST_NO_HUGE") != NULL &&
	    strcmp(getenv("MIG_TEST_NO_HUGE"), "1") == 0)
		return 0;
	f = fopen("/proc/sys/vm/nr_hugepages", "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &nr) != 1)
		nr = 0;
	fclose(f);
	f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " hugetlbfs ") != NULL)
			mounted = 1;
	fclose(f);
	return nr > 0 && mounted;
}

/* rte_eal_cleanup() leaves the runtime directory behind; remove it. */
static void
remove_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_get_put_bounded),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_alignment_and_size),
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_mem_walk),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_free_releases),
		cmocka_unit_test(test_socket),
	};
	char prefix[64], rundir[PATH_MAX];
	char *argv[16];
	int argc = 0, ret;

	g_huge = hugepages_usable();
	snprintf(prefix, sizeof(prefix), "mig-test-pool-%d", (int)getpid());
	argv[argc++] = "test_pool";
	argv[argc++] = "-l";
	argv[argc++] = "0";
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--file-prefix";
	argv[argc++] = prefix;
	argv[argc++] = "--log-level=lib.eal:warning";
	if (!g_huge)
		argv[argc++] = "--no-huge";
	argv[argc++] = "-m";
	argv[argc++] = "128";
	argv[argc] = NULL;

	/* EAL logs go to stdout by default: keep the TAP stream clean */
	rte_openlog_stream(stderr);
	printf("# chunk pool tests on %s\n",
	       g_huge ? "hugepages (-m 128)" :
			"ordinary pages (--no-huge -m 128)");
	fflush(stdout);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "test_pool: cannot initialise EAL: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	if (rte_eal_has_hugepages() != g_huge) {
		fprintf(stderr, "test_pool: EAL hugepages %d, expected %d\n",
			rte_eal_has_hugepages(), g_huge);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());

	ret = cmocka_run_group_tests(tests, NULL, NULL);

	rte_eal_cleanup();
	remove_runtime_dir(rundir);
	return ret;
}
