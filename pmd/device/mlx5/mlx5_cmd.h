/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MLX5_CMD_H_
#define _MLX5_CMD_H_

/**
 * @file
 * Builders and parsers of the mlx5 migration commands (layouts in
 * mlx5_prm.h).
 *
 * The driver side builds inboxes and parses outboxes:
 *
 *	int mig_mlx5_build_<cmd>_in(void *in, size_t len, const args *a);
 *	int mig_mlx5_parse_<cmd>_out(const void *out, size_t len, res *r);
 *
 * The emulated firmware does the reverse with mig_mlx5_parse_<cmd>_in()
 * and mig_mlx5_build_<cmd>_out(), so both ends share one definition of
 * every field.
 *
 * Builders zero the box, write the opcode, op_mod and every argument, and
 * return the number of bytes to send. Parsers of an outbox always fill
 * r->hdr (status and syndrome); when the status is not OK they return the
 * status's errno (mig_mlx5_status_to_errno()) and set the thread's last
 * error to "mlx5 <CMD>: status <NAME> (0x<status>), syndrome 0x<syndrome>".
 *
 * Errors: -EINVAL for a NULL pointer, a value wider than its field, a wrong
 * opcode or op_mod, or reserved bits set in a parsed inbox; -EMSGSIZE for a
 * buffer shorter than the box. Each sets the thread's last error
 * (mig_err_last()) with the command's name.
 */

#include <stddef.h>
#include <stdint.h>

#include "mlx5_prm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Log type of the mlx5 driver (mig.dev.mlx5). */
extern int mig_mlx5_logtype;

/** Outbox header. */
struct mig_mlx5_out_hdr {
	uint8_t status;    /**< MIG_MLX5_STAT_* */
	uint32_t syndrome; /**< firmware-specific detail of a failure */
};

/**
 * Check an outbox header: 0 if the status is OK; otherwise set the last
 * error naming @p opcode, the status and the syndrome, and return the
 * status's errno. -EMSGSIZE if @p len cannot hold the header.
 */
int mig_mlx5_check_out(uint16_t opcode, const void *out, size_t len,
		       struct mig_mlx5_out_hdr *hdr);

/* QUERY_HCA_CAP */

struct mig_mlx5_query_hca_cap_args {
	uint16_t op_mod;         /**< MIG_MLX5_HCA_CAP_OP_MOD(type, cur) */
	uint8_t other_function;  /**< query function_id, not oneself */
	uint16_t function_id;    /**< VF index + 1 when other_function */
};

/** General capabilities (type 0x0): the migration-related bits. */
struct mig_mlx5_hca_cap_res {
	struct mig_mlx5_out_hdr hdr;
	uint8_t hca_cap_2;       /**< capability type 0x20 exists */
	uint16_t vhca_id;
	uint8_t migration;       /**< migration commands supported */
};

/** General capabilities 2 (type 0x20): the migration-related bits. */
struct mig_mlx5_hca_cap2_res {
	struct mig_mlx5_out_hdr hdr;
	uint8_t migratable;               /**< per-VF admin setting */
	uint8_t migration_multi_load;     /**< several LOADs per image set */
	uint8_t migration_tracking_state; /**< set_track / incremental */
	uint8_t migration_in_chunks;      /**< chunk mode */
	uint8_t migration_state;          /**< QUERY returns migration_state */
};

int mig_mlx5_build_query_hca_cap_in(void *in, size_t len,
	const struct mig_mlx5_query_hca_cap_args *a);
int mig_mlx5_parse_query_hca_cap_in(const void *in, size_t len,
				    struct mig_mlx5_query_hca_cap_args *a);
/** Parse an outbox of QUERY_HCA_CAP for capability type 0x0. */
int mig_mlx5_parse_hca_cap_out(const void *out, size_t len,
			       struct mig_mlx5_hca_cap_res *r);
int mig_mlx5_build_hca_cap_out(void *out, size_t len,
			       const struct mig_mlx5_hca_cap_res *r);
/** Parse an outbox of QUERY_HCA_CAP for capability type 0x20. */
int mig_mlx5_parse_hca_cap2_out(const void *out, size_t len,
				struct mig_mlx5_hca_cap2_res *r);
int mig_mlx5_build_hca_cap2_out(void *out, size_t len,
				const struct mig_mlx5_hca_cap2_res *r);

/* SUSPEND_VHCA */

struct mig_mlx5_suspend_vhca_args {
	uint16_t uid;
	uint16_t op_mod; /**< MIG_MLX5_SUSPEND_VHCA_OP_MOD_* */
	uint16_t vhca_id;
};

struct mig_mlx5_suspend_vhca_res {
	struct mig_mlx5_out_hdr hdr;
};

int mig_mlx5_build_suspend_vhca_in(void *in, size_t len,
				   const struct mig_mlx5_suspend_vhca_args *a);
int mig_mlx5_parse_suspend_vhca_in(const void *in, size_t len,
				   struct mig_mlx5_suspend_vhca_args *a);
int mig_mlx5_parse_suspend_vhca_out(const void *out, size_t len,
				    struct mig_mlx5_suspend_vhca_res *r);
int mig_mlx5_build_suspend_vhca_out(void *out, size_t len,
				    const struct mig_mlx5_suspend_vhca_res *r);

/* RESUME_VHCA */

struct mig_mlx5_resume_vhca_args {
	uint16_t uid;
	uint16_t op_mod; /**< MIG_MLX5_RESUME_VHCA_OP_MOD_* */
	uint16_t vhca_id;
};

struct mig_mlx5_resume_vhca_res {
	struct mig_mlx5_out_hdr hdr;
};

int mig_mlx5_build_resume_vhca_in(void *in, size_t len,
				  const struct mig_mlx5_resume_vhca_args *a);
int mig_mlx5_parse_resume_vhca_in(const void *in, size_t len,
				  struct mig_mlx5_resume_vhca_args *a);
int mig_mlx5_parse_resume_vhca_out(const void *out, size_t len,
				   struct mig_mlx5_resume_vhca_res *r);
int mig_mlx5_build_resume_vhca_out(void *out, size_t len,
				   const struct mig_mlx5_resume_vhca_res *r);

/* QUERY_VHCA_MIGRATION_STATE (op_mod 0) */

struct mig_mlx5_query_vhca_migration_state_args {
	uint16_t uid;
	uint16_t vhca_id;
	uint8_t incremental; /**< size of the dirty data, not the full state */
	uint8_t chunk;       /**< chunk mode: per-chunk minimum + total */
};

struct mig_mlx5_query_vhca_migration_state_res {
	struct mig_mlx5_out_hdr hdr;
	uint8_t migration_state;       /**< MIG_MLX5_MIG_STATE_* */
	uint32_t required_umem_size;   /**< bytes */
	uint64_t remaining_total_size; /**< bytes, chunk mode only */
};

int mig_mlx5_build_query_vhca_migration_state_in(void *in, size_t len,
	const struct mig_mlx5_query_vhca_migration_state_args *a);
int mig_mlx5_parse_query_vhca_migration_state_in(const void *in, size_t len,
	struct mig_mlx5_query_vhca_migration_state_args *a);
int mig_mlx5_parse_query_vhca_migration_state_out(const void *out,
	size_t len, struct mig_mlx5_query_vhca_migration_state_res *r);
int mig_mlx5_build_query_vhca_migration_state_out(void *out, size_t len,
	const struct mig_mlx5_query_vhca_migration_state_res *r);

/* SAVE_VHCA_STATE (op_mod 0) */

struct mig_mlx5_save_vhca_state_args {
	uint16_t uid;
	uint16_t vhca_id;
	uint8_t incremental; /**< dirty data since the last tracked SAVE */
	uint8_t set_track;   /**< (keep) dirty tracking on */
	uint64_t va;         /**< address within the mkey's space */
	uint32_t mkey;       /**< key of the buffer */
	uint32_t size;       /**< buffer bytes */
};

struct mig_mlx5_save_vhca_state_res {
	struct mig_mlx5_out_hdr hdr;
	uint32_t actual_image_size;       /**< bytes written */
	uint32_t next_required_umem_size; /**< chunk mode: 0 = last chunk */
};

int mig_mlx5_build_save_vhca_state_in(void *in, size_t len,
	const struct mig_mlx5_save_vhca_state_args *a);
int mig_mlx5_parse_save_vhca_state_in(const void *in, size_t len,
	struct mig_mlx5_save_vhca_state_args *a);
int mig_mlx5_parse_save_vhca_state_out(const void *out, size_t len,
	struct mig_mlx5_save_vhca_state_res *r);
int mig_mlx5_build_save_vhca_state_out(void *out, size_t len,
	const struct mig_mlx5_save_vhca_state_res *r);

/* LOAD_VHCA_STATE (op_mod 0) */

struct mig_mlx5_load_vhca_state_args {
	uint16_t uid;
	uint16_t vhca_id;
	uint64_t va;
	uint32_t mkey;
	uint32_t size; /**< exact image bytes */
};

struct mig_mlx5_load_vhca_state_res {
	struct mig_mlx5_out_hdr hdr;
};

int mig_mlx5_build_load_vhca_state_in(void *in, size_t len,
	const struct mig_mlx5_load_vhca_state_args *a);
int mig_mlx5_parse_load_vhca_state_in(const void *in, size_t len,
	struct mig_mlx5_load_vhca_state_args *a);
int mig_mlx5_parse_load_vhca_state_out(const void *out, size_t len,
	struct mig_mlx5_load_vhca_state_res *r);
int mig_mlx5_build_load_vhca_state_out(void *out, size_t len,
	const struct mig_mlx5_load_vhca_state_res *r);

/* CREATE_UMEM / DESTROY_UMEM */

struct mig_mlx5_create_umem_args {
	uint16_t uid;
	uint8_t log_page_size; /**< log2(page bytes) - 12 (adapter pages) */
	uint32_t page_offset;  /**< offset of the data in the first page */
	uint64_t num_of_mtt;   /**< number of MTT entries */
	/**
	 * Build: num_of_mtt page addresses (bits 7..0 zero). Parse: left
	 * NULL; read entry i with mig_mlx5_get(in,
	 * MIG_MLX5_CREATE_UMEM_IN_MTT + 64 * i, 64).
	 */
	const uint64_t *mtt;
	uint8_t mtt_flags;     /**< MIG_MLX5_MTT_FLAG_RD | _WR, every entry */
};

struct mig_mlx5_create_umem_res {
	struct mig_mlx5_out_hdr hdr;
	uint32_t umem_id;
};

struct mig_mlx5_destroy_umem_args {
	uint16_t uid;
	uint32_t umem_id;
};

struct mig_mlx5_destroy_umem_res {
	struct mig_mlx5_out_hdr hdr;
};

/** Returns MIG_MLX5_CREATE_UMEM_IN_LEN + 8 * num_of_mtt. */
int mig_mlx5_build_create_umem_in(void *in, size_t len,
	const struct mig_mlx5_create_umem_args *a);
int mig_mlx5_parse_create_umem_in(const void *in, size_t len,
	struct mig_mlx5_create_umem_args *a);
int mig_mlx5_parse_create_umem_out(const void *out, size_t len,
	struct mig_mlx5_create_umem_res *r);
int mig_mlx5_build_create_umem_out(void *out, size_t len,
	const struct mig_mlx5_create_umem_res *r);
int mig_mlx5_build_destroy_umem_in(void *in, size_t len,
	const struct mig_mlx5_destroy_umem_args *a);
int mig_mlx5_parse_destroy_umem_in(const void *in, size_t len,
	struct mig_mlx5_destroy_umem_args *a);
int mig_mlx5_parse_destroy_umem_out(const void *out, size_t len,
	struct mig_mlx5_destroy_umem_res *r);
int mig_mlx5_build_destroy_umem_out(void *out, size_t len,
	const struct mig_mlx5_destroy_umem_res *r);

/* CREATE_MKEY / DESTROY_MKEY */

struct mig_mlx5_create_mkey_args {
	uint16_t uid;
	uint8_t pg_access;
	uint8_t umem_valid;      /**< translations come from umem_id */
	uint8_t access_mode;     /**< MIG_MLX5_MKC_ACCESS_MODE_* (5 bits) */
	uint8_t umr_en;
	uint8_t a;               /**< atomic */
	uint8_t rw;              /**< remote write */
	uint8_t rr;              /**< remote read */
	uint8_t lw;              /**< local write */
	uint8_t lr;              /**< local read */
	uint32_t qpn;            /**< MIG_MLX5_MKC_QPN_NONE */
	uint8_t mkey_7_0;        /**< low byte of the resulting key */
	uint8_t length64;        /**< 2^64-byte region, len ignored */
	uint32_t pd;
	uint64_t start_addr;
	uint64_t len;
	uint32_t translations_octword_size;        /**< mkc */
	uint8_t log_page_size;                     /**< log2(page bytes) */
	uint32_t translations_octword_actual_size; /**< inline octwords */
	uint32_t umem_id;
	uint64_t umem_offset;
	/**
	 * Build: n_mtt inline page addresses, used when umem_valid is 0;
	 * translations_octword_actual_size must then be (n_mtt + 1) / 2.
	 * Parse: mtt is NULL and n_mtt = 2 * translations_octword_actual_size
	 * (umem_valid 0); read entry i with mig_mlx5_get(in,
	 * MIG_MLX5_CREATE_MKEY_IN_KLM_PAS_MTT + 64 * i, 64).
	 */
	const uint64_t *mtt;
	uint32_t n_mtt;
	uint8_t mtt_flags;       /**< MIG_MLX5_MTT_FLAG_*, every entry */
};

struct mig_mlx5_create_mkey_res {
	struct mig_mlx5_out_hdr hdr;
	uint32_t mkey_index;     /**< key = mig_mlx5_mkey(index, mkey_7_0) */
};

struct mig_mlx5_destroy_mkey_args {
	uint16_t uid;
	uint32_t mkey_index;
};

struct mig_mlx5_destroy_mkey_res {
	struct mig_mlx5_out_hdr hdr;
};

/**
 * Returns MIG_MLX5_CREATE_MKEY_IN_LEN + 16 * translations_octword_actual_size
 * with inline MTTs (an odd count is padded with a zero entry), else
 * MIG_MLX5_CREATE_MKEY_IN_LEN.
 */
int mig_mlx5_build_create_mkey_in(void *in, size_t len,
	const struct mig_mlx5_create_mkey_args *a);
int mig_mlx5_parse_create_mkey_in(const void *in, size_t len,
	struct mig_mlx5_create_mkey_args *a);
int mig_mlx5_parse_create_mkey_out(const void *out, size_t len,
	struct mig_mlx5_create_mkey_res *r);
int mig_mlx5_build_create_mkey_out(void *out, size_t len,
	const struct mig_mlx5_create_mkey_res *r);
int mig_mlx5_build_destroy_mkey_in(void *in, size_t len,
	const struct mig_mlx5_destroy_mkey_args *a);
int mig_mlx5_parse_destroy_mkey_in(const void *in, size_t len,
	struct mig_mlx5_destroy_mkey_args *a);
int mig_mlx5_parse_destroy_mkey_out(const void *out, size_t len,
	struct mig_mlx5_destroy_mkey_res *r);
int mig_mlx5_build_destroy_mkey_out(void *out, size_t len,
	const struct mig_mlx5_destroy_mkey_res *r);

#ifdef __cplusplus
}
#endif

#endif /* _MLX5_CMD_H_ */
