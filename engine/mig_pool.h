/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_POOL_H_
#define _MIG_POOL_H_

/**
 * @file
 * Chunk pool: a fixed number of fixed-size buffers for device data in
 * flight (doc/architecture.md, "The chunk pipeline (per device)").
 *
 * The buffers come from DPDK memory (hugepages, or ordinary pages under
 * --no-huge, with a warning logged once), on the NUMA node given at
 * creation, and are handed out through an rte_mempool with per-lcore
 * caches. The pool never grows: once every buffer is out, a get fails with
 * -ENOBUFS until one is put back, so the memory used for a migration is set
 * by configuration (count x chunk size), never by the size of the state.
 *
 * Layout: each buffer is at least chunk_size bytes, virtually contiguous,
 * and starts on a 4 KiB boundary when chunk_size >= 4 KiB (on a cache line
 * otherwise). Buffers live in a few large memory regions, which
 * mig_pool_mem_walk() reports so that a transport registers each region
 * once (ibv_reg_mr), never per transfer.
 *
 * Threading: get and put are lock-free and may be called from any lcore
 * (non-EAL threads bypass the cache); create and free are control-path
 * calls. Requires an initialised EAL.
 *
 * Failures return NULL with rte_errno set (constructors) or a negative
 * errno; the message naming the pool, the size asked for and the cause is
 * kept by mig_err_set() (mig_log.h).
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Log type "mig.pool". */
extern int mig_logtype_pool;

/** Largest chunk a pool accepts. */
#define MIG_POOL_CHUNK_MAX (UINT32_C(1) << 30)

/** Buffer alignment when chunk_size >= MIG_POOL_PAGE_ALIGN. */
#define MIG_POOL_PAGE_ALIGN 4096u

struct mig_pool;

/**
 * Create a pool of @p count buffers of @p chunk_size bytes.
 *
 * @param name
 *   Unique name (at most RTE_MEMPOOL_NAMESIZE - 1 characters); it names the
 *   underlying rte_mempool.
 * @param count
 *   Number of buffers, >= 1. The pool never holds more.
 * @param chunk_size
 *   Size of one buffer, 1 .. MIG_POOL_CHUNK_MAX bytes.
 * @param socket_id
 *   NUMA node for the memory (that of the device or the transport), or
 *   SOCKET_ID_ANY for the calling lcore's node.
 *   Ignored under --no-huge, where all memory is on one node.
 * @return
 *   The pool, or NULL with rte_errno set: EINVAL (bad argument),
 *   ENAMETOOLONG, EEXIST (name in use), ENOMEM (not enough memory; the
 *   message says how much is needed and how to reserve it).
 */
struct mig_pool *
mig_pool_create(const char *name, unsigned int count, uint32_t chunk_size,
		int socket_id);

/**
 * Free a pool and its memory. Every buffer must have been put back (a
 * missing one is logged). NULL is allowed.
 */
void
mig_pool_free(struct mig_pool *pool);

/**
 * Take one buffer.
 *
 * @return
 *   0 with *@p buf set, or -ENOBUFS when no buffer is free.
 */
int
mig_pool_get(struct mig_pool *pool, void **buf);

/**
 * Take @p n buffers, all or nothing.
 *
 * @return
 *   0 with bufs[0 .. n-1] set, or -ENOBUFS (none taken).
 */
int
mig_pool_get_bulk(struct mig_pool *pool, void **bufs, unsigned int n);

/** Give back a buffer obtained from this pool. */
void
mig_pool_put(struct mig_pool *pool, void *buf);

/** Give back @p n buffers obtained from this pool. */
void
mig_pool_put_bulk(struct mig_pool *pool, void * const *bufs, unsigned int n);

/** Size of one buffer, as asked at creation. */
uint32_t
mig_pool_chunk_size(const struct mig_pool *pool);

/** Number of buffers in the pool. */
unsigned int
mig_pool_count(const struct mig_pool *pool);

/**
 * Buffers not taken (including those in per-lcore caches, which only
 * their lcore can take). Slow: for statistics, not the data path.
 */
unsigned int
mig_pool_avail(const struct mig_pool *pool);

/** NUMA node (DPDK socket id) the memory is on. */
int
mig_pool_socket(const struct mig_pool *pool);

/** Name given at creation. */
const char *
mig_pool_name(const struct mig_pool *pool);

/**
 * Callback of mig_pool_mem_walk() for one virtually contiguous region.
 *
 * @param addr
 *   Start of the region.
 * @param len
 *   Length of the region in bytes.
 * @param iova
 *   IO address of @p addr if the whole region is IOVA-contiguous,
 *   RTE_BAD_IOVA otherwise.
 * @param arg
 *   The caller's argument.
 * @return
 *   0 to continue, anything else to stop the walk and return it.
 */
typedef int (*mig_pool_mem_cb_t)(void *addr, size_t len, rte_iova_t iova,
				 void *arg);

/**
 * Call @p fn once per memory region holding buffers. The regions do not
 * overlap and every buffer lies entirely inside one of them.
 *
 * @return
 *   0 after the last region, or the first non-zero return of @p fn.
 */
int
mig_pool_mem_walk(const struct mig_pool *pool, mig_pool_mem_cb_t fn,
		  void *arg);

/**
 * NUMA node of the calling thread: the lcore's socket for an EAL thread,
 * otherwise the node of the CPU it runs on (libnuma), 0 if unknown.
 */
int
mig_numa_node_self(void);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_POOL_H_ */
