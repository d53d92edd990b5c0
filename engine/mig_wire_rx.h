/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_WIRE_RX_H_
#define _MIG_WIRE_RX_H_

/**
 * @file
 * Session-level checker of received frames (doc/wire-format.md, "Receive
 * rules"). The frame codec (mig_wire.h) validates one frame; this checker
 * validates the sequence: HELLO first, AUTH when negotiated, direction of
 * every frame, DEV_DESC before a device's data, device ids, duplicates,
 * a bounded per-device reorder window for chunk indexes, pre-copy and
 * stop-copy phase order, and DEV_END totals (bytes, chunk count, digest).
 *
 * Feed it every decoded frame in arrival order (frames of several
 * transport streams may be interleaved in any order: chunk reordering
 * within the window is accepted, and a DEV_END may overtake the last
 * chunks of its device). Memory: one state per declared device, each with
 * a bitmap of `window` bits, allocated when the peer's HELLO arrives; none
 * grows with the amount of data.
 *
 * The first error is sticky: later calls return it again.
 */

#include <stdbool.h>
#include <stdint.h>

#include "mig_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name struct mig_wire_rx_dev flags */
/**@{*/
#define MIG_WIRE_RX_DEV_DESCRIBED (1u << 0) /**< DEV_DESC received */
#define MIG_WIRE_RX_DEV_INIT_SENT (1u << 1) /**< INIT_SENT received */
#define MIG_WIRE_RX_DEV_ENDED (1u << 2)     /**< DEV_END received */
#define MIG_WIRE_RX_DEV_COMPLETE (1u << 3)  /**< every chunk received */
#define MIG_WIRE_RX_DEV_ACKED (1u << 4)     /**< SWITCHOVER_ACK received */
/**@}*/

/** Per-device receive state (read-only for users). */
struct mig_wire_rx_dev {
	uint32_t flags;        /**< MIG_WIRE_RX_DEV_* */
	uint32_t chunk_size;   /**< from DEV_DESC */
	uint64_t caps;         /**< from DEV_DESC */
	uint64_t next_index;   /**< every index below has been received */
	uint64_t end_index;    /**< highest index received + 1 */
	uint64_t chunks;       /**< chunks received */
	uint64_t bytes;        /**< payload bytes received */
	uint64_t digest;       /**< mig_wire_digest_add() of those chunks */
	uint64_t precopy_end;  /**< highest PRECOPY index + 1, 0 if none */
	uint64_t stopcopy_min; /**< lowest STOPCOPY index, UINT64_MAX if none */
	uint64_t init_end;     /**< INIT_SENT.end_index */
	struct mig_wire_dev_end end; /**< DEV_END as received */
	uint64_t *win;         /**< window bitmap, bit (index % window) */
};

/** Session receive checker; see mig_wire_rx_init(). */
struct mig_wire_rx {
	struct mig_wire_limits lim; /**< normalized receive limits */
	uint8_t role;          /**< local role, enum mig_wire_role */
	uint8_t version;       /**< negotiated version (after HELLO) */
	bool hello;            /**< peer HELLO received */
	bool need_auth;        /**< AUTH negotiated and not yet received */
	bool acked_all;        /**< SWITCHOVER_ACK for every device */
	bool done;             /**< DONE received */
	bool aborted;          /**< ABORT received */
	int error;             /**< sticky first error, 0 if none */
	uint64_t local_features; /**< our MIG_WIRE_FEAT_* */
	uint64_t features;     /**< negotiated features (after HELLO) */
	uint32_t window;       /**< reorder window, power of two */
	uint32_t dev_count;    /**< peer HELLO.dev_count */
	uint32_t described;    /**< devices with DEV_DESC */
	uint32_t complete;     /**< devices whose stream is complete */
	struct mig_wire_hello peer; /**< the peer's HELLO */
	struct mig_wire_abort abort; /**< the peer's ABORT, if aborted */
	struct mig_wire_rx_dev *devs; /**< dev_count entries */
};

/** mig_wire_rx_feed() return value: the message completed a device. */
#define MIG_WIRE_RX_DEV_DONE 1

/**
 * Initialize a checker for the frames received by an end playing
 * @p role with our HELLO features @p local_features.
 *
 * @param lim NULL for the defaults; lim->window is the reorder window.
 * @return 0 or -EINVAL (bad role).
 */
int mig_wire_rx_init(struct mig_wire_rx *rx, enum mig_wire_role role,
		     uint64_t local_features,
		     const struct mig_wire_limits *lim);

/** Release the memory of @p rx (safe on an initialized, unused rx). */
void mig_wire_rx_fini(struct mig_wire_rx *rx);

/**
 * Check the next received (decoded) frame.
 *
 * @return 0 if accepted, MIG_WIRE_RX_DEV_DONE if it completed a device's
 *   stream (its last missing chunk, or a DEV_END arriving last), or:
 *   -EPROTO (frame not allowed here: order, direction, after DEV_END/DONE/
 *   ABORT), -EEXIST (duplicate), -ERANGE (device id or chunk index out of
 *   range / beyond the reorder window), -EMSGSIZE (chunk larger than the
 *   device's chunk size), -EBADMSG (DEV_END totals or digest do not match
 *   what was received), -EPROTONOSUPPORT (no common version), -ENOMEM.
 */
int mig_wire_rx_feed(struct mig_wire_rx *rx, const struct mig_wire_msg *msg);

/**
 * End-of-session check. Destination: every declared device was described
 * and its stream is complete. Source: DONE was received.
 *
 * A query: it can be called at any time and its failure is not sticky.
 *
 * @return 0, -ECONNABORTED if the peer aborted (the message carries its
 *   reason), the sticky feed error, or -EPROTO naming the first
 *   incomplete device.
 */
int mig_wire_rx_finish(struct mig_wire_rx *rx);

/** State of device @p dev_id, NULL if unknown. */
const struct mig_wire_rx_dev *mig_wire_rx_dev(const struct mig_wire_rx *rx,
					      uint32_t dev_id);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_WIRE_RX_H_ */
