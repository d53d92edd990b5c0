/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MLX5_CHAN_H_
#define _MLX5_CHAN_H_

/**
 * @file
 * The mlx5 command channel: how PRM command boxes reach the firmware that
 * owns the VF, and how migration buffers are described to it.
 *
 * Backends (devargs channel=):
 *  - emu:    the emulated firmware in this process (mlx5_emu.h);
 *  - vfio:   rdma-core's mlx5 VFIO provider, the PF driven from userspace
 *            (mlx5dv_get_vfio_device_list, mlx5dv_devx_general_cmd);
 *  - kernel: ioctls into our variant driver (kernel/include/uapi).
 *
 * A command is submitted with its inbox and outbox and completed through
 * poll, so that a SAVE runs while the driver serves earlier chunks; the
 * outbox is valid once the command is returned by poll. Commands of one
 * channel complete in submission order.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_kvargs.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mig_mlx5_chan;

/** A command in flight. */
struct mig_mlx5_cmd {
	void *out;
	size_t outlen;
	uint64_t done_ns;  /**< channel's completion time (emu) */
	int err;           /**< delivery error, 0 when the outbox is valid */
	struct mig_mlx5_cmd *next;
};

/** A buffer described to firmware: SAVE/LOAD take (mkey, va, size). */
struct mig_mlx5_buf {
	void *addr;
	uint64_t len;
	uint32_t mkey;
	uint64_t va;
	void *h;          /**< backend's handle */
};

struct mig_mlx5_chan_ops {
	const char *name;
	/** Devargs keys this backend takes (NULL-terminated), for checks. */
	const char *const *keys;
	/** Open; parse this backend's keys from @p kv. Message on failure. */
	int (*open)(struct mig_mlx5_chan *ch, struct rte_kvargs *kv);
	void (*close)(struct mig_mlx5_chan *ch);
	/** Execute a command now (outbox valid on return). */
	int (*exec)(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
		    void *out, size_t outlen);
	/** Deliver a command; it completes through poll. */
	int (*submit)(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
		      struct mig_mlx5_cmd *c);
	/** Completed commands, oldest first. */
	int (*poll)(struct mig_mlx5_chan *ch, struct mig_mlx5_cmd **done,
		    unsigned int n);
	/** Describe [addr, addr + len) for firmware DMA (MTT mkey). */
	int (*buf_reg)(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b);
	void (*buf_dereg)(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b);
	/** Function level reset of the VF; NULL if the backend cannot. */
	int (*vf_reset)(struct mig_mlx5_chan *ch);
	/** Digest of the VF state (emulated firmware only), else NULL. */
	int (*digest)(struct mig_mlx5_chan *ch, uint64_t *digest);
	/** Firmware's own words on the last failed command, or "". */
	const char *(*detail)(struct mig_mlx5_chan *ch);
};

/** An open channel to the firmware of one VF. */
struct mig_mlx5_chan {
	const struct mig_mlx5_chan_ops *ops;
	char dev[64];       /**< device name, for messages */
	char pf[32];        /**< PF PCI address */
	int vf;             /**< VF index, -1 when given by vhca_id */
	uint16_t vhca_id;   /**< the VF's vhca_id (0 until known) */
	uint32_t pd;        /**< protection domain of the buffers */
	struct mig_mlx5_cmd *q_head, *q_tail; /**< in flight (backends) */
	unsigned int q_len;
	void *priv;         /**< backend's */
};

extern const struct mig_mlx5_chan_ops mig_mlx5_chan_emu;
extern const struct mig_mlx5_chan_ops mig_mlx5_chan_vfio;
extern const struct mig_mlx5_chan_ops mig_mlx5_chan_kernel;

/** Every backend, NULL-terminated. */
extern const struct mig_mlx5_chan_ops *const mig_mlx5_chan_all[];

/** The backend called @p name, or NULL. */
const struct mig_mlx5_chan_ops *mig_mlx5_chan_find(const char *name);

/** Execute a command and wait for it (other commands may be in flight). */
int mig_mlx5_chan_exec(struct mig_mlx5_chan *ch, const void *in,
		       size_t inlen, void *out, size_t outlen);

/** Allocate @p len bytes (page aligned) and register them. */
int mig_mlx5_buf_alloc(struct mig_mlx5_chan *ch, uint64_t len,
		       struct mig_mlx5_buf *b);
void mig_mlx5_buf_free(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b);

/**
 * CREATE_MKEY inbox for an MTT mkey over umem @p umem_id covering
 * @p b (start_addr = b->addr, local and remote read/write, no QP).
 */
int mig_mlx5_chan_mkey_in(const struct mig_mlx5_chan *ch,
			  const struct mig_mlx5_buf *b, uint32_t umem_id,
			  void *in, size_t len);

/**
 * CREATE_MKEY inbox of the kernel mlx5 VFIO driver's form (_create_mkey):
 * an MTT mkey listing the @p n page addresses of @p b inline (4 KiB pages,
 * start_addr 0, local and remote read/write, no QP); SAVE and LOAD then
 * take va 0. @p len must hold MIG_MLX5_CREATE_MKEY_IN_LEN + 16 * ((n + 1)
 * / 2) bytes. Returns the inbox length or a negative errno.
 */
int mig_mlx5_chan_mkey_mtt_in(const struct mig_mlx5_chan *ch,
			      const struct mig_mlx5_buf *b, const uint64_t *mtt,
			      uint64_t n, void *in, size_t len);

/** Sleep until CLOCK_MONOTONIC @p t_ns (mig_time_ns()); no-op if past. */
void mig_mlx5_sleep_until(uint64_t t_ns);

/* Queue helpers for backends. */
void mig_mlx5_chan_enqueue(struct mig_mlx5_chan *ch, struct mig_mlx5_cmd *c);
int mig_mlx5_chan_dequeue(struct mig_mlx5_chan *ch, uint64_t now_ns,
			  struct mig_mlx5_cmd **done, unsigned int n);

#ifdef __cplusplus
}
#endif

#endif /* _MLX5_CHAN_H_ */
