/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_XPORT_DRIVER_H_
#define _MIG_XPORT_DRIVER_H_

/**
 * @file
 * Transport driver SDK: the ops table a transport implements and the
 * registration macro.
 *
 * The generic layer (mig_xport.c) checks arguments and states before
 * calling an op, turns a NULL op into -ENOTSUP and returns the sticky
 * error of a failed transport; a driver reports a failure with
 * mig_xport_fail(), which records the message and moves the instance to
 * MIG_XPORT_S_ERROR, and moves xp->state through LISTENING/CONNECTING to
 * CONNECTED itself.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "mig_log.h"
#include "mig_xport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of struct mig_xport_ops; a table of another version is refused. */
#define MIG_XPORT_OPS_VERSION 2

/** Longest instance name. */
#define MIG_XPORT_NAME_MAX 64

/** An open transport, as the generic layer and its driver see it. */
struct mig_xport {
	char name[MIG_XPORT_NAME_MAX];
	const struct mig_xport_driver *drv;
	enum mig_xport_state state;  /**< see mig_xport.h */
	int error;                   /**< sticky negative errno in ERROR */
	char errmsg[MIG_ERR_MAX];    /**< message of @p error */
	bool has_bufs;               /**< set_bufs was called */
	bool crc_deferred;           /**< payload CRCs left to the user */
	struct mig_xport_bufs bufs;  /**< receive buffer provider */
	void *priv;                  /**< drv->priv_size bytes, zeroed */
};

/**
 * Parse @p args ("key=value,..." without the driver name; may be "") and
 * prepare the instance (state OPEN). Errors through mig_err_set(), naming
 * the key.
 */
typedef int (*mig_xport_probe_t)(struct mig_xport *xp, const char *args);

/** Release everything: connections, queued frames, provider buffers. */
typedef void (*mig_xport_remove_t)(struct mig_xport *xp);

/** Listen on @p addr; state OPEN -> LISTENING. */
typedef int (*mig_xport_listen_t)(struct mig_xport *xp, const char *addr);

/** Start connecting to @p addr; state OPEN -> CONNECTING. */
typedef int (*mig_xport_connect_t)(struct mig_xport *xp, const char *addr);

/** Write the local address ("host:port") into @p buf. */
typedef int (*mig_xport_local_addr_t)(struct mig_xport *xp, char *buf,
				      size_t len);

/** Progress: accept, connect, flush, credits. > 0 busy, 0 idle, < 0. */
typedef int (*mig_xport_poll_t)(struct mig_xport *xp);

/** Queue one control frame (validated length, state CONNECTED). */
typedef int (*mig_xport_ctrl_send_t)(struct mig_xport *xp,
				     const void *frame, uint32_t len);

/**
 * Send one chunk without copying @p payload (hdr->length == @p len,
 * checked). -EAGAIN when out of credits or the network is full.
 */
typedef int (*mig_xport_tx_t)(struct mig_xport *xp,
			      const struct mig_wire_chunk *hdr, void *payload,
			      uint32_t len, void *cookie);

/** Return cookies of payloads that may be reused. Also called in ERROR. */
typedef int (*mig_xport_tx_done_t)(struct mig_xport *xp, void **cookies,
				   unsigned int n);

/** Receive chunks and control frames. */
typedef int (*mig_xport_rx_t)(struct mig_xport *xp, struct mig_xport_rx *out,
			      unsigned int n);

/** Take back a chunk buffer and credit the peer. Also called in ERROR. */
typedef int (*mig_xport_rx_release_t)(struct mig_xport *xp, void *buf);

/** Fill the counters of @p info (name, driver set by the generic layer). */
typedef int (*mig_xport_info_get_t)(struct mig_xport *xp,
				    struct mig_xport_info *info);

/**
 * Register @p len bytes at @p addr for DMA (a non-empty region, checked;
 * any state but ERROR). Optional: NULL means the transport needs no
 * registration and the call succeeds. Added in version 2.
 */
typedef int (*mig_xport_mem_register_t)(struct mig_xport *xp, void *addr,
					size_t len);

/** The operations of a transport driver. */
struct mig_xport_ops {
	uint32_t version; /**< MIG_XPORT_OPS_VERSION */
	mig_xport_probe_t probe;
	mig_xport_remove_t remove;
	mig_xport_listen_t listen;
	mig_xport_connect_t connect;
	mig_xport_local_addr_t local_addr;
	mig_xport_poll_t poll;
	mig_xport_ctrl_send_t ctrl_send;
	mig_xport_tx_t tx;
	mig_xport_tx_done_t tx_done;
	mig_xport_rx_t rx;
	mig_xport_rx_release_t rx_release;
	mig_xport_info_get_t info_get;
	mig_xport_mem_register_t mem_register; /**< since version 2 */
};

/** A transport driver. */
struct mig_xport_driver {
	TAILQ_ENTRY(mig_xport_driver) next;
	const char *name;       /**< set by MIG_XPORT_REGISTER */
	const char *params;     /**< "key=<what> ..." for --list-drivers */
	size_t priv_size;       /**< bytes of xp->priv */
	const struct mig_xport_ops *ops;
};

/** Add @p drv to the list mig_xport_open() searches. */
void mig_xport_driver_register(struct mig_xport_driver *drv);

/**
 * Record a failure: the message (printf-style, no newline) becomes
 * mig_err_last() and xp->errmsg, xp->error = @p err, state ERROR. Only the
 * first failure is kept.
 *
 * @return xp->error (the first error), for "return mig_xport_fail(...)".
 */
int mig_xport_fail(struct mig_xport *xp, int logtype, int err,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Take a receive buffer from the provider (NULL when empty). */
void *mig_xport_buf_get(struct mig_xport *xp);

/** Give a receive buffer back to the provider. */
void mig_xport_buf_put(struct mig_xport *xp, void *buf);

/**
 * Resolve "host:port" or "[v6]:port" (numeric port). With @p passive, an
 * empty host or "*" means every address. Errors name @p who and the
 * address (mig_err_set()).
 *
 * @return 0 with *@p sa and *@p salen set, or -EINVAL.
 */
int mig_xport_addr_resolve(const char *who, const char *addr, bool passive,
			   struct sockaddr_storage *sa, socklen_t *salen);

/** Register a transport driver under the name @p nm at load time. */
#define MIG_XPORT_REGISTER(nm, drv)                                            \
	RTE_INIT(mig_xport_register_##nm)                                      \
	{                                                                      \
		(drv).name = RTE_STR(nm);                                      \
		mig_xport_driver_register(&(drv));                             \
	}

#ifdef __cplusplus
}
#endif

#endif /* _MIG_XPORT_DRIVER_H_ */
