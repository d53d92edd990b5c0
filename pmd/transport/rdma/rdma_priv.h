/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _RDMA_PRIV_H_
#define _RDMA_PRIV_H_

/*
 * RDMA transport internals: one session of N RC QPs set up with rdma_cm,
 * sharing one PD and one CQ.
 * rdma_args.c: devargs.
 * rdma.c: probe, registered memory, resources, remove, info.
 * rdma_cm.c: listen/accept, connect, CM events, the SLOTS handshake.
 * rdma_io.c: completions, control SEND/RECV, chunk WRITE WITH IMMEDIATE.
 * rdma_rx.c: destination side: slots, chunk arrival, rx, credits.
 * rdma_mw.c: destination side: a memory window per slot (protect=mw).
 * rdma_proto.c: private data and transport frame codecs.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "mig_log.h"
#include "mig_time.h"
#include "mig_wire.h"
#include "mig_xport_driver.h"
#include "rdma_proto.h"

#define RDMA_LOG(level, fmt, ...) \
	MIG_LOG(level, mig_rdma_logtype, fmt, ##__VA_ARGS__)

#define RDMA_QPS_DEF 2u
#define RDMA_WINDOW_DEF 64u
#define RDMA_TX_DEPTH_DEF 128u
#define RDMA_TX_DEPTH_MIN 8u
#define RDMA_TX_DEPTH_MAX 8192u
#define RDMA_CQ_MOD_DEF 100u
/** Above this chunk size every chunk write is signaled unless cq_mod= is
 *  given (perftest's rule for bandwidth tests). */
#define RDMA_CQ_MOD_AUTO_MAX 8192u
#define RDMA_CONNECT_TIMEOUT_DEF (UINT64_C(10) * 1000000000)
/** Receive buffers per QP for control frames. */
#define RDMA_CTRL_RECV 128u
/* Destination: no chunk for this long and smaller CREDIT frames go too. */
#define RDMA_CREDIT_IDLE_NS (1000ull * 1000ull)
/** Send buffers for control frames (shared by the QPs). */
#define RDMA_CTRL_SEND 64u
/** Bytes of one control send or receive buffer. */
#define RDMA_MSG_SIZE RTE_ALIGN_CEIL(MIG_XPORT_CTRL_MAX, 64)
/** Completions taken per ibv_poll_cq(). */
#define RDMA_POLL_BURST 32
/** Most memory regions declared with mem_register. */
#define RDMA_REGIONS_MAX 64u
/** CM events are checked at most this often once connected. */
#define RDMA_CM_POLL_NS (UINT64_C(1) * 1000000)
/* After the peer left, how long posted sends may still complete with
 * their own error (an RDMA write the peer refused is the cause, its
 * disconnect the consequence, and the two race on a loaded host) */
#define RDMA_GONE_GRACE_NS (UINT64_C(500) * 1000000)

/** What an idle poll does (devarg idle=). */
enum mig_rdma_idle {
	RDMA_IDLE_AUTO = 0, /* sleep on software RDMA, spin on hardware */
	RDMA_IDLE_SPIN,     /* return at once */
	RDMA_IDLE_YIELD,    /* sched_yield() */
	RDMA_IDLE_SLEEP,    /* sleep RDMA_IDLE_SLEEP_NS */
};
/** Sleep of an idle poll with idle=sleep. */
#define RDMA_IDLE_SLEEP_NS 200000

/** vendor_id of Soft-RoCE (rdma_rxe) devices. */
#define RDMA_RXE_VENDOR_ID 0xffffffu

/** wr_id of a receive: flag | buffer index. */
#define RDMA_WRID_RECV (UINT64_C(1) << 63)
/** An rx event that is a chunk (slot number in the low bits). */
#define RDMA_EV_CHUNK (UINT32_C(1) << 31)

/** A region declared by mem_register, registered once the PD exists. */
struct rdma_region {
	uintptr_t addr;
	size_t len;
	struct ibv_mr *mr;
};

/** What a send queue position holds until it completes. */
struct rdma_sq_ent {
	void *cookie;   /* chunk payload cookie, NULL for other WRs */
	int32_t msg;    /* control send buffer index, -1 for none */
	int32_t slot;   /* destination: slot of a bind or invalidate, -1 */
};

/** Landing-slot protection (devarg protect=). */
enum rdma_protect {
	RDMA_PROTECT_AUTO = 0, /* mw when the device has type 2 windows */
	RDMA_PROTECT_MW,       /* a memory window per slot, else fail */
	RDMA_PROTECT_NONE,     /* one registration for the whole pool */
};

/** Test knob (devarg misbehave=): a source that breaks the rules. */
enum rdma_misbehave {
	RDMA_MISBEHAVE_NONE = 0,
	RDMA_MISBEHAVE_STALE,   /* one chunk written with a slot's old rkey */
	RDMA_MISBEHAVE_OVERRUN, /* one chunk written across its slot's end */
};

struct rdma_qp {
	struct rdma_cm_id *id;
	uint16_t idx;
	bool has_qp;     /* rdma_create_qp done */
	bool up;         /* ESTABLISHED */
	uint64_t sq_head; /* next send queue position */
	uint64_t sq_done; /* positions below completed */
	uint64_t sq_sig;  /* positions below covered by a signaled WR */
	struct rdma_sq_ent *sq; /* tx_depth entries */
	uint32_t unsig;   /* source: chunks posted since the last signaled */
	uint16_t tx_seq;  /* source: next chunk sequence */
	uint16_t rx_seq;  /* destination: expected chunk sequence */
};

enum rdma_slot_state {
	RDMA_SLOT_PENDING = 0, /* free, not granted to the source yet */
	RDMA_SLOT_GRANTED,     /* the source holds its credit */
	RDMA_SLOT_HELD,        /* written: queued for rx() or with the engine */
	RDMA_SLOT_BINDING,     /* mw: released, its window being bound */
	RDMA_SLOT_CLOSING,     /* mw: written, its window being invalidated */
};

/** Destination: one landing slot (a provider buffer). */
struct rdma_slot {
	void *buf;
	uint32_t rkey;              /* what the source writes it with */
	struct ibv_mw *mw;          /* protect=mw: its window */
	struct ibv_mr *mr;          /* protect=mw: the slot's registration */
	uint8_t state;
	uint16_t qp;                /* QP it arrived on */
	struct mig_wire_chunk c;    /* decoded header of its chunk */
};

struct rdma_opts {
	unsigned int qps;
	uint32_t window;
	uint32_t tx_depth;
	uint32_t cq_mod;
	bool cq_mod_set;
	bool verify;
	int idle;                /* enum mig_rdma_idle, RDMA_IDLE_AUTO */
	int protect;             /* enum rdma_protect */
	int misbehave;           /* enum rdma_misbehave */
	uint64_t connect_timeout_ns;
};

struct rdma_priv {
	struct rdma_opts opt;
	bool source;
	char peer[MIG_XPORT_ADDR_MAX];
	struct sockaddr_storage sa;
	socklen_t salen;
	uint64_t deadline_ns;
	uint64_t next_cm_ns;
	uint64_t session;
	struct rdma_event_channel *ch;
	struct rdma_cm_id *lid;       /* destination: listener */
	struct ibv_context *ctx;      /* device of the session */
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	unsigned int nqps;            /* QPs of the session */
	unsigned int nup;             /* QPs established */
	struct rdma_qp q[RDMA_QPS_MAX];
	unsigned int rr_tx;
	uint32_t sq_depth;            /* send queue entries of each QP */
	/* slots are memory windows (RDMA_SLOTS_F_MW): slot k goes through
	 * QP k % nqps */
	bool mw;
	/* memory declared with mem_register */
	struct rdma_region reg[RDMA_REGIONS_MAX];
	unsigned int nreg;
	/* control messages: nqps * rq_depth receive buffers, then
	 * RDMA_CTRL_SEND send buffers */
	uint8_t *msg;
	struct ibv_mr *msg_mr;
	uint32_t rq_depth;
	uint32_t send_free[RDMA_CTRL_SEND];
	uint32_t nsend_free;
	/* rx events in completion order: RDMA_EV_CHUNK | slot, or a
	 * receive buffer index holding a control frame. The ring counters
	 * (here, credits and done) are 64-bit: the sizes are no powers of
	 * two, so a 32-bit counter wrapping after 2^32 chunks would map live
	 * entries onto the same index. */
	uint32_t *ev;
	uint32_t ev_size;
	uint64_t ev_head, ev_tail;
	/* slots */
	uint32_t nslots;
	uint32_t slot_size;
	uint8_t *hdr;                 /* dest: landing headers; source: staging */
	struct ibv_mr *hdr_mr;
	/* destination */
	struct rdma_slot *slots;
	uint32_t *by_addr;            /* slot numbers sorted by buffer address */
	uint16_t *pending;            /* released, to be credited */
	uint32_t npending;
	uint16_t *unbound;            /* mw: released, window not bound */
	uint32_t nunbound;
	uint32_t nbinding;            /* mw: binds posted, not completed */
	uint32_t granted;             /* slots the source may write */
	uint32_t slots_described;     /* slots sent in SLOTS frames */
	/* source */
	struct rdma_slot_desc *rslots;
	uint64_t hdr_raddr;
	uint32_t hdr_rkey;
	uint32_t slots_known;         /* entries received in SLOTS frames */
	/* granted slot numbers: one FIFO (nslots entries) per QP with mw
	 * (a slot is written through its QP), else one for all */
	uint16_t *credits;
	uint64_t cr_head[RDMA_QPS_MAX], cr_tail[RDMA_QPS_MAX];
	uint8_t *owned;               /* slot numbers held as credits */
	uint32_t *old_rkey;           /* misbehave=stale: previous rkeys */
	bool misbehaved;              /* the one bad write was posted */
	/* completed chunk cookies not yet collected by tx_done */
	void **done;
	uint32_t done_size;
	uint64_t done_head, done_tail;
	uint32_t inflight;            /* chunks posted, not completed */
	uint32_t ctrl_inflight;       /* control sends not completed */
	enum mig_rdma_idle idle;          /* resolved idle policy */
	/* the peer closed: failed once every received frame was taken and
	 * every posted send completed (its cause may be a send's error) */
	bool peer_gone;
	uint64_t gone_ns;             /* when peer_gone was set */
	uint64_t sends_flushed;       /* send WRs completed as flushed */
	char gone_msg[MIG_ERR_MAX];
	struct mig_wire_limits lim;
	uint64_t tx_chunks, tx_bytes, rx_chunks, rx_bytes, tx_blocked;
	uint64_t rx_last_ns;   /* destination: last chunk handed out */
};

static inline struct rdma_priv *
rdma_priv(struct mig_xport *xp)
{
	return xp->priv;
}

/* Send queue entries usable now (one is kept for the flush write). */
static inline uint32_t
rdma_sq_room(const struct rdma_priv *p, const struct rdma_qp *q)
{
	return p->sq_depth - 1 - (uint32_t)(q->sq_head - q->sq_done);
}

/* Source: the credit FIFO a slot goes to (its QP's with mw). */
static inline unsigned int
rdma_fifo_of(const struct rdma_priv *p, uint16_t slot)
{
	return p->mw ? slot % p->nqps : 0;
}

/* Source: credits held in all FIFOs. */
static inline uint32_t
rdma_credits_held(const struct rdma_priv *p)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < RDMA_QPS_MAX; i++)
		n += (uint32_t)(p->cr_tail[i] - p->cr_head[i]);
	return n;
}

static inline uint8_t *
rdma_msg_buf(const struct rdma_priv *p, uint32_t idx)
{
	return p->msg + (size_t)idx * RDMA_MSG_SIZE;
}

int mig_rdma_fail(struct mig_xport *xp, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** The devargs into @p o; 0 or -EINVAL with the key named. */
int mig_rdma_parse_args(struct rdma_opts *o, const char *args);
int mig_rdma_setup_device(struct mig_xport *xp, struct ibv_context *ctx);
int mig_rdma_setup_qp(struct mig_xport *xp, struct rdma_qp *q);
int mig_rdma_setup_source_slots(struct mig_xport *xp);
struct rdma_region *mig_rdma_region_find(struct rdma_priv *p, const void *addr,
					 size_t len);
struct ibv_mr *mig_rdma_region_mr(struct rdma_priv *p, const void *addr,
				  size_t len);

int mig_rdma_cm_poll(struct mig_xport *xp);
int mig_rdma_op_listen(struct mig_xport *xp, const char *addr);
int mig_rdma_op_connect(struct mig_xport *xp, const char *addr);
int mig_rdma_op_local_addr(struct mig_xport *xp, char *buf, size_t len);
int mig_rdma_op_poll(struct mig_xport *xp);

int mig_rdma_post_recv(struct mig_xport *xp, uint32_t ridx);
int mig_rdma_msg_take(struct mig_xport *xp);
int mig_rdma_send_msg(struct mig_xport *xp, uint32_t bi, uint32_t len);
int mig_rdma_credit_flush(struct mig_xport *xp);
int mig_rdma_chunk_arrived(struct mig_xport *xp, struct rdma_qp *q, uint32_t imm,
			   uint32_t len);
int mig_rdma_cq_poll(struct mig_xport *xp);
int mig_rdma_send_slots(struct mig_xport *xp);
void mig_rdma_gone(struct rdma_priv *p, const char *fmt, ...)
	__rte_format_printf(2, 3);
int mig_rdma_gone_check(struct mig_xport *xp);

bool mig_rdma_mw_supported(const struct ibv_device_attr *da);
int mig_rdma_mw_setup(struct mig_xport *xp);
void mig_rdma_mw_free(struct rdma_priv *p);
int mig_rdma_mw_bind_pending(struct mig_xport *xp);
int mig_rdma_mw_close(struct mig_xport *xp, struct rdma_qp *q, uint16_t slot);
int mig_rdma_mw_done(struct mig_xport *xp, uint16_t slot);
int mig_rdma_io_poll(struct mig_xport *xp);
void mig_rdma_idle(const struct rdma_priv *p, int work);

int mig_rdma_op_ctrl_send(struct mig_xport *xp, const void *frame, uint32_t len);
int mig_rdma_op_tx(struct mig_xport *xp, const struct mig_wire_chunk *hdr,
		   void *payload, uint32_t len, void *cookie);
int mig_rdma_op_tx_done(struct mig_xport *xp, void **cookies, unsigned int n);
int mig_rdma_op_rx(struct mig_xport *xp, struct mig_xport_rx *out, unsigned int n);
int mig_rdma_op_rx_release(struct mig_xport *xp, void *buf);

#endif /* _RDMA_PRIV_H_ */
