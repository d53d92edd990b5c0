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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#include "mig_pool_priv.h"

RTE_LOG_REGISTER(mig_logtype_pool, mig.pool, INFO);

/* Largest per-lcore cache, in buffers: chunks are big, keep few idle. */
#define POOL_CACHE_MAX 32u

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

static unsigned int g_pool_seq;

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
	struct pool_layout l = { 0 };
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
