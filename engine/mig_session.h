/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_SESSION_H_
#define _MIG_SESSION_H_

/**
 * @file
 * One migration session between a source and a destination process
 * (doc/architecture.md, "One device, one migration" and "Pipeline on
 * lcores"). Call it on the main lcore: it keeps the transport, the
 * wire checker and the session logic there, and runs each device's stage
 * (save, or load) on the worker lcores that are idle, dealt round-robin
 * in device order (mig_lcore.h); with no worker lcore everything runs on
 * the calling lcore. Needs the EAL (chunk buffers come from a mig_pool).
 *
 * Both functions return 0 or a negative errno with mig_err_last() set to
 * one line naming the step, the device (if any) and the cause. On
 * failure the source devices are back in RUNNING and the destination
 * devices are reset; the peer is sent an ABORT when the link still works.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mig_dev.h"
#include "mig_policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most devices in one session. */
#define MIG_SESSION_DEVS_MAX 64

/** Per-device progress and results. */
struct mig_session_dev_stats {
	uint64_t bytes;       /**< payload bytes sent / received */
	/** chunks sent / received so far; at the end, sent / loaded */
	uint64_t chunks;
	uint64_t stream_digest; /**< mig_wire_digest_add() over the chunks */
	uint64_t dev_digest;  /**< mig_dev_digest() (0 if unsupported) */
	bool has_dev_digest;
	bool precopy;         /**< source: the device takes part in pre-copy */
	uint64_t size;        /**< nominal state size (DEV_DESC), 0 unknown */
	uint64_t pending;     /**< source: last stop-copy estimate */
	uint64_t dirty;       /**< source: last pre-copy dirty bytes reported */
	double rate_bps;      /**< current rate */
	/** Last state the main lcore knows (refreshed when the device's lane
	 *  is not driving it: before the lanes start, after each request to
	 *  it, at the end) */
	enum mig_state state;
	uint64_t first_ns;    /**< first chunk moved (mig_time_ns), 0: none */
	uint64_t last_ns;     /**< last chunk moved */
	unsigned int lcore;   /**< lcore its stage runs on */
};

/** Source: what the switchover decision saw (mig_policy_input). */
struct mig_session_switch {
	bool decided;         /**< by the policy (false: no pre-copy) */
	uint64_t pending;     /**< the devices' stop-copy estimates, bytes */
	uint64_t inflight;    /**< sent, not yet loaded by the destination */
	double bw_bps;        /**< measured bandwidth, 0 if not known */
	/** (pending + inflight) / bw_bps, 0 if the bandwidth was unknown */
	uint64_t estimate_ns;
};

/** Transport counters (mig_xport_info), sampled on the main lcore. */
struct mig_session_xport_stats {
	unsigned int streams;  /**< streams (TCP connections, RDMA QPs) */
	uint32_t window;       /**< receive window advertised (buffers) */
	uint32_t credits;      /**< send credits held */
	uint32_t inflight;     /**< chunks sent whose credit is not back */
	uint64_t tx_chunks, tx_bytes, rx_chunks, rx_bytes;
	uint64_t tx_blocked;   /**< sends refused for lack of credit/room */
	uint64_t conn_dropped; /**< connections lost or refused */
	bool failed;           /**< the transport is in its error state */
};

/** Progress and results of a session. */
struct mig_session_stats {
	uint64_t start_ns;    /**< session start (mig_time_ns) */
	uint64_t total_ns;    /**< whole session */
	/** Source: from the first STOP_COPY arc of a source device until
	 *  DONE arrives, which the destination sends right after its last
	 *  device reached RUNNING (one-way latency of DONE included). */
	uint64_t downtime_ns;
	/** Source: payload bytes the devices produced in STOP_COPY (the
	 *  final stop-copy data; the rest was moved during pre-copy) */
	uint64_t stopcopy_bytes;
	/** Source: the downtime in three parts: its devices' arcs to
	 *  STOP_COPY; their stop-copy data saved and handed to the transport;
	 *  the rest until DONE (the destination's backlog, loads, checks and
	 *  arcs to RUNNING, and DONE's way back) */
	uint64_t down_stop_ns, down_data_ns, down_commit_ns;
	struct mig_session_switch sw;
	uint64_t bytes;       /**< payload bytes moved so far */
	uint64_t pending;     /**< last stop-copy estimate (source) */
	double rate_bps;      /**< current rate */
	/** Source: pre-copy rounds started. Round 1 sends the devices'
	 *  initial data; a new round starts when every pre-copy device had
	 *  no data left, was re-armed and produced data again. 0: no device
	 *  did pre-copy. */
	unsigned int rounds;
	unsigned int workers; /**< worker lcores running device stages */
	int step;             /**< enum mig_wire_step */
	struct mig_session_xport_stats xport;
	unsigned int ndev;
	struct mig_session_dev_stats dev[MIG_SESSION_DEVS_MAX];
};

/** Called from the main loop, at most every 250 ms. */
typedef void (*mig_session_progress_t)(void *ctx,
				       const struct mig_session_stats *st);

/** What an observer is told besides its periodic samples. */
enum mig_session_event {
	MIG_SESSION_EV_STEP,       /**< st->step was entered */
	MIG_SESSION_EV_ROUND,      /**< source: pre-copy round st->rounds began */
	MIG_SESSION_EV_SWITCHOVER, /**< source: the policy decided (st->sw) */
	/** The destination's devices run: the downtime ends (source: DONE
	 *  arrived, st->downtime_ns set; destination: its devices reached
	 *  RUNNING, DONE about to leave) */
	MIG_SESSION_EV_RUNNING,
	MIG_SESSION_EV_END,        /**< the session ended, @p arg 0 or -errno */
};

/** Most observers of one session. */
#define MIG_SESSION_OBSERVERS_MAX 4

/**
 * A watcher of a session (telemetry, timeline, an agent's reporting).
 * Both callbacks run on the main lcore, between two turns of the
 * session's loop, with the stats refreshed (rates, transport counters);
 * they must be quick and must not keep @p st. The last sample comes
 * right before MIG_SESSION_EV_END.
 */
struct mig_session_observer {
	uint64_t period_ns;   /**< sample at most this often (0: every turn) */
	void (*sample)(void *ctx, const struct mig_session_stats *st,
		       uint64_t now_ns);
	void (*event)(void *ctx, const struct mig_session_stats *st,
		      enum mig_session_event ev, int arg, uint64_t now_ns);
	void *ctx;
};

struct mig_session_cfg {
	const char *xport_args;      /**< "tcp,streams=N,..." */
	const char *addr;            /**< peer (source) / listen (destination) */
	struct mig_dev **devs;       /**< open devices, in session order */
	unsigned int ndev;
	const uint8_t *key;          /**< pre-shared key, NULL: none */
	size_t key_len;              /**< >= 16 when key is set */
	bool insecure;               /**< allow running without a key */
	uint32_t chunk_size;         /**< bytes per chunk */
	unsigned int depth;          /**< saves/loads in flight per device */
	struct mig_policy_cfg policy; /**< source: switchover decision */
	uint64_t timeout_ns;         /**< no-progress limit, 0: 10 s */
	mig_session_progress_t progress;
	void *progress_ctx;
	/** Destination: called with the listening address once bound. */
	void (*listening)(void *ctx, const char *addr);
	/** Observers (NULL callbacks allowed), MIG_SESSION_OBSERVERS_MAX
	 *  at most */
	const struct mig_session_observer *const *observers;
	unsigned int nobservers;
	/** Destination: each source device's name must equal ours at its
	 *  position (the agent pairs devices by name, doc/offload.md). */
	bool match_names;
	/** When set and *stop becomes non-zero (from a signal handler, say),
	 *  the session fails with -ECANCELED at its next turn, as any failure:
	 *  source devices back to RUNNING, destination devices reset. */
	const int *stop;
};

/** Run the source side of a migration. */
int mig_session_source(const struct mig_session_cfg *cfg,
		       struct mig_session_stats *st);

/** Run the destination side of a migration. */
int mig_session_destination(const struct mig_session_cfg *cfg,
			    struct mig_session_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_SESSION_H_ */
