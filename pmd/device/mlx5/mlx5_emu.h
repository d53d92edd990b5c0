/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MLX5_EMU_H_
#define _MLX5_EMU_H_

/**
 * @file
 * Emulated mlx5 firmware: an in-process PF with emulated VFs, driven by
 * PRM command boxes exactly as hardware is (mlx5_cmd.h builders/parsers on
 * both ends). Used by the `emu` command channel and by the unit tests.
 *
 * A PF is identified by its BDF string and shared by every device of the
 * process that names it (refcounted). Each VF has an internal state of
 * `size` bytes made of pages whose contents are generated from
 * (seed, page, version), so that a VF of any size needs a few bytes of
 * memory per page. See doc/drivers/mlx5.md, "Emulated firmware".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most VFs of an emulated PF. */
#define MIG_MLX5_EMU_VFS_MAX 16

/** Capabilities and behaviour of the emulated PF (set by its first user). */
struct mig_mlx5_emu_pf_cfg {
	bool chunk;        /**< migration_in_chunks */
	bool tracking;     /**< migration_tracking_state */
	bool multi_load;   /**< migration_multi_load */
	uint64_t chunk_min; /**< minimum SAVE buffer in chunk mode, bytes */
	uint64_t chunk_grow; /**< next_required_umem_size growth per chunk */
	bool mig_state;    /**< cap_2 migration_state: QUERY reports it */
	uint64_t latency_ns; /**< per command */
	uint64_t bandwidth; /**< SAVE/LOAD bytes per second, 0 unlimited */
};

/** One emulated VF. */
struct mig_mlx5_emu_vf_cfg {
	uint64_t size;       /**< state bytes */
	uint64_t page;       /**< page bytes (power of two, 4 KiB..1 MiB) */
	uint64_t seed;       /**< content seed */
	uint32_t model;      /**< device model (images load only into it) */
	uint64_t dirty_rate; /**< bytes/s dirtied while not suspended */
	bool migratable;     /**< cap_2 migratable */
	uint64_t fail_precopy; /**< n-th tracked SAVE (1 = initial) fails */
	uint64_t reinit;     /**< n-th tracked incremental QUERY re-inits */
	uint64_t corrupt_save; /**< n-th SAVE image gets a flipped byte, 0 off */
};

struct mig_mlx5_emu_pf;

/**
 * The PF named @p bdf: created with @p cfg, or the existing one (its
 * configuration must equal @p cfg). NULL with mig_err_last() set.
 */
struct mig_mlx5_emu_pf *mig_mlx5_emu_pf_get(const char *bdf,
					    const struct mig_mlx5_emu_pf_cfg *cfg);

/** Drop a reference; the last one frees the PF and its VFs. */
void mig_mlx5_emu_pf_put(struct mig_mlx5_emu_pf *pf);

/**
 * Create VF @p vf (0-based) with @p cfg; it is then in RUNNING with fresh
 * contents. Its vhca_id is vf + 1. -EEXIST if it exists, -ENOMEM.
 */
int mig_mlx5_emu_vf_add(struct mig_mlx5_emu_pf *pf, uint16_t vf,
			const struct mig_mlx5_emu_vf_cfg *cfg);

/** Remove VF @p vf and every object it owns. */
void mig_mlx5_emu_vf_del(struct mig_mlx5_emu_pf *pf, uint16_t vf);

/**
 * Execute one command. The outbox is complete on return (status, syndrome,
 * results); *done_ns (CLOCK_MONOTONIC) says when hardware would have
 * completed it: latency, plus bytes / bandwidth for SAVE and LOAD.
 *
 * @return 0 when the command was delivered (its outcome is the outbox
 *   status), -EINVAL / -EMSGSIZE for a box that cannot be delivered.
 */
int mig_mlx5_emu_exec(struct mig_mlx5_emu_pf *pf, const void *in,
		      size_t inlen, void *out, size_t outlen,
		      uint64_t *done_ns);

/** Function level reset of the VF with @p vhca_id: fresh state, RUNNING. */
int mig_mlx5_emu_vf_flr(struct mig_mlx5_emu_pf *pf, uint16_t vhca_id);

/** Digest of the VF's state (verification aid, no PRM command). */
int mig_mlx5_emu_vf_digest(struct mig_mlx5_emu_pf *pf, uint16_t vhca_id,
			   uint64_t *digest);

/** Make the VF dirty @p npages pages now (tests). */
int mig_mlx5_emu_vf_dirty(struct mig_mlx5_emu_pf *pf, uint16_t vhca_id,
			  uint64_t npages);

/** Why the most recent failed command of @p pf failed ("" if none). */
const char *mig_mlx5_emu_reason(const struct mig_mlx5_emu_pf *pf);

#ifdef __cplusplus
}
#endif

#endif /* _MLX5_EMU_H_ */
