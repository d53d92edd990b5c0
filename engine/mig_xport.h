/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_XPORT_H_
#define _MIG_XPORT_H_

/**
 * @file
 * Transport API used by the engine (doc/transports.md).
 *
 * A transport carries one migration session between a source and a
 * destination: small control frames (HELLO, DEV_DESC, acks... encoded by
 * the caller with mig_wire_encode()) and CHUNK frames whose payload is
 * never copied by the transport on the send side (the payload buffer is
 * the device's save buffer, returned through mig_xport_tx_done()) and
 * lands straight in a buffer of the engine's provider on the receive
 * side (returned with mig_xport_rx_release(), which also credits the
 * peer).
 *
 * Flow control is credit based: the receiver grants as many chunks as it
 * has buffers (devarg window=), the sender never has more chunks in
 * flight than it holds credits and mig_xport_tx() returns -EAGAIN when it
 * has none. A slow destination therefore throttles the source.
 *
 * Everything is polled: no call blocks or sleeps. Poll functions return a
 * count (> 0: work done, 0: idle, the caller may back off) or a negative
 * errno. After a failure the transport is in MIG_XPORT_S_ERROR and every
 * call returns the same error (message: mig_xport_errmsg()), except
 * mig_xport_tx_done() which first hands back every payload cookie it
 * still holds, and mig_xport_rx_release() which still takes buffers back.
 *
 * Typical use, destination:
 *
 *	xp = mig_xport_open("tcp,window=64");
 *	mig_xport_set_bufs(xp, &bufs);
 *	mig_xport_listen(xp, "0.0.0.0:7000");
 *	while (mig_xport_state(xp) != MIG_XPORT_S_CONNECTED)
 *		mig_xport_poll(xp);     (< 0: failed)
 *	n = mig_xport_rx(xp, rx, 32);  ... mig_xport_rx_release(xp, rx[i].buf);
 *
 * source:
 *
 *	xp = mig_xport_open("tcp,streams=4");
 *	mig_xport_connect(xp, "10.0.0.2:7000");
 *	... poll until CONNECTED, then mig_xport_ctrl_send(), mig_xport_tx(),
 *	mig_xport_tx_done(), mig_xport_rx() for the peer's control frames.
 *
 * Memory: a transport that moves payloads by DMA (RDMA) must know the
 * memory holding the payload buffers before it sends from them or lands
 * chunks in them. mig_xport_mem_register() declares a region once (the
 * chunk pool's regions, mig_xport_mem_register_pool()); transports that
 * copy through the kernel (TCP) accept and ignore it.
 *
 * One instance is used by one thread at a time. No EAL is needed unless
 * the buffer provider is an rte_mempool.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mig_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mig_xport;
struct mig_pool;
struct rte_mempool;

/** Transport states (maintained by the generic layer and the driver). */
enum mig_xport_state {
	MIG_XPORT_S_OPEN = 0,   /**< configured, neither listening nor connecting */
	MIG_XPORT_S_LISTENING,  /**< destination: waiting for the source's streams */
	MIG_XPORT_S_CONNECTING, /**< source: connections in progress */
	MIG_XPORT_S_CONNECTED,  /**< every stream up: data may flow */
	MIG_XPORT_S_ERROR,      /**< failed; every call returns the error */
};

/** Largest control frame (header + body) carried by a transport. */
#define MIG_XPORT_CTRL_MAX (MIG_WIRE_HDR_LEN + MIG_WIRE_HELLO_MAX)

/** Longest address string ("[v6]:port"). */
#define MIG_XPORT_ADDR_MAX 64

/**
 * Buffer provider of the receiving side: the transport lands CHUNK
 * payloads in buffers it takes from here. Either @p mp (an rte_mempool of
 * elements of at least @p buf_size bytes; a registering transport such as
 * RDMA needs it) or the @p get / @p put pair.
 */
struct mig_xport_bufs {
	/** Take a buffer of at least @p buf_size bytes; NULL when none. */
	void *(*get)(void *ctx);
	/** Give back a buffer obtained from get. */
	void (*put)(void *ctx, void *buf);
	void *ctx;               /**< first argument of get and put */
	struct rte_mempool *mp;  /**< used instead of get/put when not NULL */
	uint32_t buf_size;       /**< bytes per buffer = largest payload accepted */
};

/** What mig_xport_rx() returns: a CHUNK or a control frame. */
struct mig_xport_rx {
	/** MIG_WIRE_T_CHUNK, or the type of the control frame in @p ctrl */
	uint8_t type;
	uint16_t stream;         /**< stream it arrived on (informative) */
	/** CHUNK: payload bytes; control: frame bytes in @p ctrl */
	uint32_t len;
	/** CHUNK: decoded and checked header (payload CRC verified);
	 *  chunk.payload == buf */
	struct mig_wire_chunk chunk;
	/** CHUNK: provider buffer holding the payload; give it back with
	 *  mig_xport_rx_release() */
	void *buf;
	/** control: the whole frame (header + body), validated by
	 *  mig_wire_hdr_decode()/mig_wire_body_decode(); decode it again with
	 *  mig_wire_decode() */
	uint8_t ctrl[MIG_XPORT_CTRL_MAX];
};

/** Counters and settings of a transport instance. */
struct mig_xport_info {
	const char *name;        /**< instance name ("tcp0") */
	const char *driver;      /**< driver name ("tcp") */
	unsigned int streams;    /**< streams (connections, QPs) of the session */
	uint32_t window;         /**< receive window advertised (buffers) */
	uint32_t credits;        /**< send credits currently held */
	/** sender: chunks sent whose buffer the receiver has not released
	 *  yet (their credit has not come back) */
	uint32_t inflight;
	uint64_t tx_chunks;      /**< chunks handed to the network */
	uint64_t tx_bytes;       /**< payload bytes handed to the network */
	uint64_t rx_chunks;      /**< chunks received */
	uint64_t rx_bytes;       /**< payload bytes received */
	uint64_t tx_blocked;     /**< mig_xport_tx() calls refused with -EAGAIN */
	/** reads of the network that found nothing (TCP: recv() returning
	 *  EAGAIN; a stream is read again only once epoll reports bytes) */
	uint64_t rx_empty;
	/** listener: connections dropped before a session was accepted
	 *  (garbage, another session, silent, no free slot) */
	uint64_t conn_dropped;
};

/**
 * Open a transport from "driver,key=value,..." (e.g. "tcp,streams=4").
 * An unknown driver or key, or a bad value, is refused with a message
 * naming it (mig_err_last()).
 *
 * @return the instance, or NULL with rte_errno set.
 */
struct mig_xport *mig_xport_open(const char *devargs);

/** Close every connection and free @p xp (NULL is accepted). */
void mig_xport_close(struct mig_xport *xp);

/** Current state. */
enum mig_xport_state mig_xport_state(const struct mig_xport *xp);

/** Name of a state ("CONNECTED"). */
const char *mig_xport_state_name(enum mig_xport_state st);

/** Message of the error that moved @p xp to ERROR ("" if none). */
const char *mig_xport_errmsg(const struct mig_xport *xp);

/**
 * Set the receive buffer provider (copied). Needed before listen() on a
 * destination; a source that never receives chunks may skip it.
 */
int mig_xport_set_bufs(struct mig_xport *xp, const struct mig_xport_bufs *b);

/**
 * Destination: leave the check of each received chunk's payload CRC to the
 * caller (mig_wire_crc32c() against mig_xport_rx.chunk.crc), so that it
 * runs where the chunk is consumed (a device's worker lcore) instead of on
 * the lcore that drives the transport. Headers are still checked. Before
 * listen(); state OPEN.
 */
int mig_xport_defer_crc(struct mig_xport *xp);

/**
 * Destination: bind and listen on @p addr ("host:port", "[v6]:port";
 * port 0 picks an ephemeral port, see mig_xport_local_addr()). Then
 * mig_xport_poll() accepts the source's streams.
 */
int mig_xport_listen(struct mig_xport *xp, const char *addr);

/**
 * Source: start connecting every stream to @p addr. mig_xport_poll()
 * completes it (MIG_XPORT_S_CONNECTED) or fails (refused, timeout).
 */
int mig_xport_connect(struct mig_xport *xp, const char *addr);

/** Local address of the listener or of the first stream ("host:port"). */
int mig_xport_local_addr(struct mig_xport *xp, char *buf, size_t len);

/**
 * Make progress on everything pending: connection setup, partial writes,
 * credit returns. @return > 0 busy, 0 idle, or a negative errno.
 */
int mig_xport_poll(struct mig_xport *xp);

/**
 * Queue one control frame (@p len bytes encoded by mig_wire_encode(),
 * at most MIG_XPORT_CTRL_MAX); the frame is copied. Control frames are
 * delivered in order on the first stream.
 *
 * @return 0, -EAGAIN when the control queue is full (poll and retry).
 */
int mig_xport_ctrl_send(struct mig_xport *xp, const void *frame,
			uint32_t len);

/**
 * Send one chunk: @p hdr (dev_id, flags, index, length == @p len, crc of
 * the payload computed by the caller) and @p len bytes at @p payload.
 * The payload is not copied: it stays owned by the transport until
 * mig_xport_tx_done() returns @p cookie.
 *
 * @return 0, -EAGAIN when out of credits or the network is full (nothing
 *   was taken; poll and retry), or a negative errno.
 */
int mig_xport_tx(struct mig_xport *xp, const struct mig_wire_chunk *hdr,
		 void *payload, uint32_t len, void *cookie);

/**
 * Return up to @p n cookies of chunks whose payload buffer may be reused.
 * @return the count (0: idle), or a negative errno.
 */
int mig_xport_tx_done(struct mig_xport *xp, void **cookies, unsigned int n);

/**
 * Receive up to @p n chunks and control frames. CREDIT frames are
 * consumed by the transport.
 * @return the count (0: idle), or a negative errno (-EBADMSG for a
 *   corrupted payload, -EPROTO for garbage, -ECONNRESET when the peer
 *   closed, ...).
 */
int mig_xport_rx(struct mig_xport *xp, struct mig_xport_rx *out,
		 unsigned int n);

/** Give back a chunk buffer from mig_xport_rx(); credits the peer. */
int mig_xport_rx_release(struct mig_xport *xp, void *buf);

/**
 * Declare @p len bytes at @p addr as memory that chunk payloads are sent
 * from (source) or land in (destination, the provider's buffers). Call it
 * once per region, before listen() or connect() (later calls are
 * accepted while the transport is not in ERROR). A transport that needs
 * registration (RDMA) registers the region with the device once; a send
 * from, or a receive buffer in, undeclared memory then fails with a
 * message saying so. A transport without registration ignores the call.
 *
 * @return 0, -EINVAL (empty region), -ENOSPC (too many regions), or the
 *   driver's negative errno (e.g. the device refused to register it).
 */
int mig_xport_mem_register(struct mig_xport *xp, void *addr, size_t len);

/**
 * mig_xport_mem_register() for every memory region of a chunk pool
 * (mig_pool_mem_walk()).
 */
int mig_xport_mem_register_pool(struct mig_xport *xp,
				const struct mig_pool *pool);

/** Fill @p info. */
int mig_xport_info_get(struct mig_xport *xp, struct mig_xport_info *info);

/**
 * Call @p fn for every registered transport driver with its name and
 * parameter string; for --list-drivers.
 */
void mig_xport_driver_foreach(void (*fn)(const char *name,
					 const char *params, void *arg),
			      void *arg);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_XPORT_H_ */
