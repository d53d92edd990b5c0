/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_POOL_PRIV_H_
#define _MIG_POOL_PRIV_H_

/* Shared by mig_pool.c (the pool) and mig_pool_mem.c (its memory). */

#include <stddef.h>
#include <stdint.h>

#include "mig_log.h"

extern int mig_logtype_pool;

#define POOL_LOG(level, fmt, ...) \
	MIG_LOG(level, mig_logtype_pool, fmt, ##__VA_ARGS__)

/* The NUMA socket the buffers come from, for a request of @p socket_id
 * (SOCKET_ID_ANY: the caller's node if EAL has memory there); 0 or
 * -EINVAL with the message. */
int pool_socket(const char *name, int socket_id, int *socket);
/* Memory free for a pool on @p socket, in bytes; the page size there in
 * @p pg_sz. */
uint64_t pool_mem_avail(int socket, size_t *pg_sz);
/* The error for a pool of @p count chunks that does not fit. */
void pool_err_nomem(const char *name, unsigned int count, uint32_t chunk_size,
		    uint64_t need, uint64_t avail, int socket);

#endif /* _MIG_POOL_PRIV_H_ */
