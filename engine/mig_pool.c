/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Chunk pool on an rte_mempool whose memory we lay out ourselves.
 *
 * rte_mempool_create() places objects on cache lines and, for objects
 * smaller than a page, shifts them so that none crosses a page boundary;
 * for objects larger than a page it wants physically contiguous pages. We
 * want neither: chunk buffers are used by virtual address (verbs, sockets,
 * the VFIO data fd), must start on a 4 KiB boundary, and may be larger than
 * a hugepage. So the pool is created empty with RTE_MEMPOOL_F_NO_IOVA_CONTIG
 * (no page-boundary rule) and RTE_MEMPOOL_F_NO_SPREAD (no channel padding),
 * and populated from memzones we reserve, so that
 *
 *   region:  | pad | hdr | buffer 0 ... | hdr | buffer 1 ... | ...
 *            ^ aligned       ^ aligned        ^ aligned
 *
 * with the object stride (header + element) a multiple of the alignment.
 * The per-region IOVA is worked out separately for mig_pool_mem_walk().
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numa.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <rte_mempool.h>

#include "mig_log.h"
#include "mig_pool.h"

RTE_LOG_REGISTER(mig_logtype_pool, mig.pool, INFO);

#define POOL_LOG(level, fmt, ...) \
	MIG_LOG(level, mig_logtype_pool, fmt, ##__VA_ARGS__)

/* Largest per-lcore cache, in buffers: chunks are big, keep few idle. */
#define POOL_CACHE_MAX 32u
/* Default hugepage size, when EAL has no list for the socket. */
#define POOL_HUGEPAGE_DEFAULT RTE_PGSIZE_2M
/* Distinct page sizes looked at when estimating free memory. */
#define POOL_PAGE_SIZES 4

/* One memzone holding buffers. */
struct mig_pool_region {
	const struct rte_memzone *mz;
	void *addr;
	size_t len;
	rte_iova_t iova;
};

struct mig_pool {
	struct rte_mempool *mp;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint32_t chunk_size;
	unsigned int count;
	int socket_id;
	unsigned int nb_regions;
	unsigned int max_regions;
	struct mig_pool_region *regions;
};

static int g_nohuge_warned;
static unsigned int g_pool_seq;

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
static uint64_t
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
static void
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

/* IOVA of [addr, addr + len) if it is IOVA-contiguous, else RTE_BAD_IOVA. */
static rte_iova_t
pool_region_iova(void *addr, size_t len)
{
	const struct rte_memseg *ms;
	rte_iova_t start = RTE_BAD_IOVA, iova;
	size_t off = 0, in_seg;
	void *p;

	while (off < len) {
		p = RTE_PTR_ADD(addr, off);
		ms = rte_mem_virt2memseg(p, NULL);
		if (ms == NULL || ms->iova == RTE_BAD_IOVA || ms->len == 0)
			return RTE_BAD_IOVA;
		in_seg = RTE_PTR_DIFF(p, ms->addr);
		iova = ms->iova + in_seg;
		if (off == 0)
			start = iova;
		else if (iova != start + off)
			return RTE_BAD_IOVA;
		off += ms->len - in_seg;
	}
	return start;
}

static int
pool_region_add(struct mig_pool *pool, const struct rte_memzone *mz,
		size_t len)
{
	struct mig_pool_region *r;
	unsigned int max;

	if (pool->nb_regions == pool->max_regions) {
		max = pool->max_regions ? pool->max_regions * 2 : 4;
		r = realloc(pool->regions, max * sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		pool->regions = r;
		pool->max_regions = max;
	}
	r = &pool->regions[pool->nb_regions++];
	r->mz = mz;
	r->addr = mz->addr;
	r->len = len;
	r->iova = pool_region_iova(mz->addr, len);
	return 0;
}

static void
pool_release(struct mig_pool *pool)
{
	unsigned int i;

	rte_mempool_free(pool->mp);
	for (i = 0; i < pool->nb_regions; i++)
		rte_memzone_free(pool->regions[i].mz);
	free(pool->regions);
	free(pool);
}

/* Per-lcore cache: at most about a third of the pool idle in caches. */
static unsigned int
pool_cache_size(unsigned int count)
{
	unsigned int cache;

	cache = count / (4 * RTE_MAX(rte_lcore_count(), 1u));
	cache = RTE_MIN(cache, POOL_CACHE_MAX);
	return cache < 2 ? 0 : cache;
}

/*
 * Reserve memzones for the buffers and hand them to the mempool, halving
 * the share per memzone when the allocator cannot find one area that big.
 */
static int
pool_populate(struct mig_pool *pool, int socket, size_t align, size_t pad,
	      size_t stride, uint64_t avail)
{
	char mzname[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	unsigned int left = pool->count, n = pool->count, seq;
	size_t len;
	int ret;

	seq = __atomic_fetch_add(&g_pool_seq, 1, __ATOMIC_RELAXED);
	while (left > 0) {
		n = RTE_MIN(n, left);
		len = pad + (size_t)n * stride;
		snprintf(mzname, sizeof(mzname), "migp%x.%x.%x",
			 (unsigned int)getpid(), seq, pool->nb_regions);
		mz = rte_memzone_reserve_aligned(mzname, len, socket, 0, align);
		if (mz == NULL) {
			if (rte_errno == ENOMEM && n > 1) {
				n /= 2;
				continue;
			}
			ret = -rte_errno;
			if (ret == -ENOMEM)
				pool_err_nomem(pool->name, pool->count,
					       pool->chunk_size,
					       (uint64_t)pool->count * stride,
					       avail, socket);
			else
				mig_err_set(mig_logtype_pool,
					    "chunk pool %s: cannot reserve %zu bytes on socket %d: %s",
					    pool->name, len, socket,
					    rte_strerror(-ret));
			return ret;
		}
		ret = pool_region_add(pool, mz, len);
		if (ret < 0) {
			rte_memzone_free(mz);
			mig_err_set(mig_logtype_pool,
				    "chunk pool %s: out of memory for region table",
				    pool->name);
			return ret;
		}
		ret = rte_mempool_populate_iova(pool->mp,
						RTE_PTR_ADD(mz->addr, pad),
						RTE_BAD_IOVA, (size_t)n * stride,
						NULL, NULL);
		if (ret != (int)n) {
			ret = ret < 0 ? ret : -EINVAL;
			mig_err_set(mig_logtype_pool,
				    "chunk pool %s: cannot populate %u chunks at %p: %s",
				    pool->name, n, mz->addr, rte_strerror(-ret));
			return ret;
		}
		left -= n;
	}
	return 0;
}

/* The arguments of mig_pool_create(); 0 or -errno with the message. */
static int
pool_check_args(const char *name, unsigned int count, uint32_t chunk_size)
{
	if (name == NULL || name[0] == '\0') {
		mig_err_set(mig_logtype_pool, "chunk pool: no name");
		return -EINVAL;
	}
	if (strlen(name) >= RTE_MEMPOOL_NAMESIZE) {
		mig_err_set(mig_logtype_pool,
			    "chunk pool %s: name longer than %d characters",
			    name, (int)RTE_MEMPOOL_NAMESIZE - 1);
		return -ENAMETOOLONG;
	}
	if (count == 0 || chunk_size == 0 || chunk_size > MIG_POOL_CHUNK_MAX) {
		mig_err_set(mig_logtype_pool,
			    "chunk pool %s: bad size %u chunks of %" PRIu32
			    " bytes (need >= 1 chunk of 1 .. %" PRIu32 " bytes)",
			    name, count, chunk_size, MIG_POOL_CHUNK_MAX);
		return -EINVAL;
	}
	return 0;
}

/* The NUMA socket the buffers come from, for a request of @p socket_id
 * (SOCKET_ID_ANY: the caller's node if EAL has memory there). */
static int
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

/* Where the buffers of a pool sit in its memory. */
struct pool_layout {
	uint32_t elt;      /* mempool element size */
	size_t align;      /* buffer alignment */
	size_t pad;        /* before the first header */
	size_t stride;     /* header + element + trailer */
};

/*
 * The header sits just before each buffer; choose the element size so
 * that header + element + trailer is a multiple of the alignment.
 */
static int
pool_layout(const char *name, uint32_t chunk_size, unsigned int flags,
	    struct pool_layout *l)
{
	struct rte_mempool_objsz objsz;
	int i;

	l->align = chunk_size >= MIG_POOL_PAGE_ALIGN ? MIG_POOL_PAGE_ALIGN :
						      RTE_CACHE_LINE_SIZE;
	l->elt = chunk_size;
	for (i = 0;; i++) {
		if (rte_mempool_calc_obj_size(l->elt, flags, &objsz) == 0 ||
		    i == 4) {
			mig_err_set(mig_logtype_pool,
				    "chunk pool %s: no layout for %" PRIu32
				    "-byte chunks", name, chunk_size);
			return -EINVAL;
		}
		if (objsz.total_size % l->align == 0 &&
		    objsz.header_size <= l->align)
			break;
		l->elt += l->align - objsz.total_size % l->align;
	}
	l->stride = objsz.total_size;
	l->pad = RTE_ALIGN_CEIL(objsz.header_size, l->align) -
		 objsz.header_size;
	return 0;
}

/* An empty mempool of @p pool->count elements on the ring driver. */
static int
pool_mempool_create(struct mig_pool *pool, const struct pool_layout *l,
		    int socket, unsigned int flags)
{
	int ret;

	pool->mp = rte_mempool_create_empty(pool->name, pool->count, l->elt,
					    pool_cache_size(pool->count), 0,
					    socket, flags);
	if (pool->mp == NULL) {
		ret = -rte_errno;
		if (ret == -EEXIST)
			mig_err_set(mig_logtype_pool,
				    "chunk pool %s: name already in use",
				    pool->name);
		else
			mig_err_set(mig_logtype_pool,
				    "chunk pool %s: cannot create mempool of %u chunks of %"
				    PRIu32 " bytes: %s", pool->name, pool->count,
				    pool->chunk_size, rte_strerror(-ret));
		return ret;
	}
	ret = rte_mempool_set_ops_byname(pool->mp, "ring_mp_mc", NULL);
	if (ret < 0)
		mig_err_set(mig_logtype_pool,
			    "chunk pool %s: no ring_mp_mc mempool driver: %s",
			    pool->name, rte_strerror(-ret));
	return ret;
}

struct mig_pool *
mig_pool_create(const char *name, unsigned int count, uint32_t chunk_size,
		int socket_id)
{
	const unsigned int flags = RTE_MEMPOOL_F_NO_SPREAD |
				   RTE_MEMPOOL_F_NO_IOVA_CONTIG;
	const struct rte_memseg_list *msl;
	struct mig_pool *pool;
	struct pool_layout l;
	uint64_t need, avail;
	size_t hp_sz;
	int socket, ret;

	ret = pool_check_args(name, count, chunk_size);
	if (ret == 0)
		ret = pool_socket(name, socket_id, &socket);
	if (ret == 0)
		ret = pool_layout(name, chunk_size, flags, &l);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	need = (uint64_t)count * l.stride + l.pad;
	avail = pool_mem_avail(socket, &hp_sz);
	if (need > avail) {
		pool_err_nomem(name, count, chunk_size, need, avail, socket);
		rte_errno = ENOMEM;
		return NULL;
	}

	pool = calloc(1, sizeof(*pool));
	if (pool == NULL) {
		mig_err_set(mig_logtype_pool, "chunk pool %s: out of memory",
			    name);
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(pool->name, sizeof(pool->name), "%s", name);
	pool->chunk_size = chunk_size;
	pool->count = count;
	ret = pool_mempool_create(pool, &l, socket, flags);
	if (ret < 0)
		goto fail;
	ret = pool_populate(pool, socket, l.align, l.pad, l.stride, avail);
	if (ret < 0)
		goto fail;

	msl = rte_mem_virt2memseg_list(pool->regions[0].addr);
	pool->socket_id = msl != NULL ? msl->socket_id : socket;
	POOL_LOG(DEBUG,
		 "chunk pool %s: %u x %" PRIu32 " bytes (stride %zu) in %u region(s), %" PRIu64
		 " MiB on socket %d, cache %u",
		 name, count, chunk_size, l.stride, pool->nb_regions,
		 need >> 20, pool->socket_id, pool->mp->cache_size);
	return pool;

fail:
	pool_release(pool);
	rte_errno = -ret;
	return NULL;
}

void
mig_pool_free(struct mig_pool *pool)
{
	unsigned int avail;

	if (pool == NULL)
		return;
	avail = rte_mempool_avail_count(pool->mp);
	if (avail != pool->count)
		POOL_LOG(WARNING,
			 "chunk pool %s: freed with %u of %u chunks still taken",
			 pool->name, pool->count - avail, pool->count);
	pool_release(pool);
}

int
mig_pool_get(struct mig_pool *pool, void **buf)
{
	if (rte_mempool_get(pool->mp, buf) != 0)
		return -ENOBUFS;
	return 0;
}

int
mig_pool_get_bulk(struct mig_pool *pool, void **bufs, unsigned int n)
{
	if (rte_mempool_get_bulk(pool->mp, bufs, n) != 0)
		return -ENOBUFS;
	return 0;
}

void
mig_pool_put(struct mig_pool *pool, void *buf)
{
	rte_mempool_put(pool->mp, buf);
}

void
mig_pool_put_bulk(struct mig_pool *pool, void * const *bufs, unsigned int n)
{
	rte_mempool_put_bulk(pool->mp, bufs, n);
}

uint32_t
mig_pool_chunk_size(const struct mig_pool *pool)
{
	return pool->chunk_size;
}

unsigned int
mig_pool_count(const struct mig_pool *pool)
{
	return pool->count;
}

unsigned int
mig_pool_avail(const struct mig_pool *pool)
{
	return rte_mempool_avail_count(pool->mp);
}

int
mig_pool_socket(const struct mig_pool *pool)
{
	return pool->socket_id;
}

const char *
mig_pool_name(const struct mig_pool *pool)
{
	return pool->name;
}

int
mig_pool_mem_walk(const struct mig_pool *pool, mig_pool_mem_cb_t fn,
		  void *arg)
{
	const struct mig_pool_region *r;
	unsigned int i;
	int ret;

	for (i = 0; i < pool->nb_regions; i++) {
		r = &pool->regions[i];
		ret = fn(r->addr, r->len, r->iova, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}
