/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Where a chunk pool's memory comes from: the NUMA socket, the hugepage
 * memory free there (EAL's memory lists and the kernel's hugepage
 * counters), and the one message that says how to get more.
 */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numa.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "mig_log.h"
#include "mig_pool.h"
#include "mig_pool_priv.h"

/* Default hugepage size, when EAL has no list for the socket. */
#define POOL_HUGEPAGE_DEFAULT RTE_PGSIZE_2M
/* Distinct page sizes looked at when estimating free memory. */
#define POOL_PAGE_SIZES 4

static int g_nohuge_warned;

int
mig_numa_node_self(void)
{
	int cpu, node;

	/* an EAL lcore knows its socket */
	if (rte_lcore_id() != LCORE_ID_ANY &&
	    (int)rte_socket_id() != SOCKET_ID_ANY)
		return (int)rte_socket_id();
	if (numa_available() < 0)
		return 0;
	cpu = sched_getcpu();
	if (cpu < 0)
		return 0;
	node = numa_node_of_cpu(cpu);
	return node < 0 ? 0 : node;
}

/* Is @p socket one EAL has memory lists for? */
static int
pool_socket_known(int socket)
{
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_socket_id_by_idx(i) == socket)
			return 1;
	return 0;
}

struct pool_pgsz_arg {
	int socket;
	size_t sizes[POOL_PAGE_SIZES];
	unsigned int n;
};

static int
pool_pgsz_cb(const struct rte_memseg_list *msl, void *arg)
{
	struct pool_pgsz_arg *a = arg;
	unsigned int i;

	if (msl->external || (a->socket != SOCKET_ID_ANY &&
			      msl->socket_id != a->socket))
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->sizes[i] == msl->page_sz)
			return 0;
	if (a->n < POOL_PAGE_SIZES)
		a->sizes[a->n++] = msl->page_sz;
	return 0;
}

/*
 * A hugepage counter of sysfs ("free_hugepages", "nr_hugepages") for pages
 * of @p pg_sz on NUMA node @p node, or the whole machine's when @p node < 0
 * or the node has no such file.
 */
static uint64_t
pool_hugepages_read(int node, size_t pg_sz, const char *what)
{
	char path[PATH_MAX];
	unsigned long long n = 0;
	FILE *f = NULL;

	if (node >= 0) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/hugepages/hugepages-%zukB/%s",
			 node, pg_sz >> 10, what);
		f = fopen(path, "r");
	}
	if (f == NULL) {
		snprintf(path, sizeof(path),
			 "/sys/kernel/mm/hugepages/hugepages-%zukB/%s",
			 pg_sz >> 10, what);
		f = fopen(path, "r");
	}
	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

/*
 * Memory a new allocation on @p socket may still get: what the DPDK heap
 * has free, plus (with hugepages, in dynamic memory mode) the hugepages
 * the kernel has free on that node. *@p pg_sz gets the largest hugepage
 * size EAL uses there.
 */
uint64_t
pool_mem_avail(int socket, size_t *pg_sz)
{
	struct pool_pgsz_arg pa = { .socket = socket };
	struct rte_malloc_socket_stats st;
	uint64_t avail = 0;
	unsigned int i;
	int s;

	for (i = 0; i < rte_socket_count(); i++) {
		s = rte_socket_id_by_idx(i);
		if (socket != SOCKET_ID_ANY && s != socket)
			continue;
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			avail += st.heap_freesz_bytes;
	}
	*pg_sz = 0;
	if (!rte_eal_has_hugepages())
		return avail;
	rte_memseg_list_walk(pool_pgsz_cb, &pa);
	for (i = 0; i < pa.n; i++) {
		avail += pool_hugepages_read(socket, pa.sizes[i], "free_hugepages") *
			 pa.sizes[i];
		*pg_sz = RTE_MAX(*pg_sz, pa.sizes[i]);
	}
	if (*pg_sz == 0)
		*pg_sz = POOL_HUGEPAGE_DEFAULT;
	return avail;
}

/*
 * The one message for "not enough memory": the pool, the size asked for,
 * what is free, and how to get more.
 */
void
pool_err_nomem(const char *name, unsigned int count, uint32_t chunk_size,
	       uint64_t need, uint64_t avail, int socket)
{
	/* if the estimate said it fits, fragmentation: ask for it all again */
	uint64_t short_by = need > avail ? need - avail : need;
	uint64_t pages, total;
	char sysfs[128];
	size_t pg_sz;
	int node;

	if (!rte_eal_has_hugepages()) {
		mig_err_set(mig_logtype_pool,
			    "chunk pool %s: %u chunks of %" PRIu32
			    " bytes need %" PRIu64 " MiB, but only %" PRIu64
			    " MiB of --no-huge memory is free; raise -m to at least %" PRIu64
			    " or use fewer or smaller chunks",
			    name, count, chunk_size, need >> 20, avail >> 20,
			    ((rte_eal_get_physmem_size() + short_by) >> 20) +
				    16);
		return;
	}
	pool_mem_avail(socket, &pg_sz);
	pages = (short_by + pg_sz - 1) / pg_sz;
	node = socket;
	if (node >= 0 &&
	    access("/sys/devices/system/node/node0/hugepages", F_OK) == 0) {
		snprintf(sysfs, sizeof(sysfs),
			 "/sys/devices/system/node/node%d/hugepages/hugepages-%zukB/nr_hugepages",
			 node, pg_sz >> 10);
	} else {
		node = -1;
		snprintf(sysfs, sizeof(sysfs),
			 "/sys/kernel/mm/hugepages/hugepages-%zukB/nr_hugepages",
			 pg_sz >> 10);
	}
	total = pool_hugepages_read(node, pg_sz, "nr_hugepages") + pages;
	mig_err_set(mig_logtype_pool,
		    "chunk pool %s: %u chunks of %" PRIu32 " bytes need %" PRIu64
		    " MiB on socket %d, but only %" PRIu64
		    " MiB is free there: not enough hugepage memory; reserve %"
		    PRIu64 " more %zu kB hugepages (echo %" PRIu64
		    " > %s, or HUGEPAGES=%" PRIu64
		    " devtools/setup.sh) or use fewer or smaller chunks",
		    name, count, chunk_size, need >> 20, socket, avail >> 20,
		    pages, pg_sz >> 10, total, sysfs, total);
}

/* The NUMA socket the buffers come from, for a request of @p socket_id
 * (SOCKET_ID_ANY: the caller's node if EAL has memory there). */
int
pool_socket(const char *name, int socket_id, int *socket)
{
	if (!rte_eal_has_hugepages()) {
		if (!__atomic_exchange_n(&g_nohuge_warned, 1, __ATOMIC_RELAXED))
			POOL_LOG(WARNING,
				 "chunk pool %s: no hugepages: buffers are in ordinary pages, RDMA registration and DMA will be slower",
				 name);
		/* --no-huge memory is all on one node: take it where it is */
		*socket = SOCKET_ID_ANY;
		return 0;
	}
	*socket = socket_id;
	if (*socket == SOCKET_ID_ANY) {
		*socket = mig_numa_node_self();
		if (!pool_socket_known(*socket))
			*socket = rte_socket_id_by_idx(0);
	}
	if (!pool_socket_known(*socket)) {
		mig_err_set(mig_logtype_pool,
			    "chunk pool %s: socket %d has no DPDK memory (EAL knows %u socket(s))",
			    name, *socket, rte_socket_count());
		return -EINVAL;
	}
	return 0;
}
