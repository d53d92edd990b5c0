/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MLX5_CMD_PRIV_H_
#define _MLX5_CMD_PRIV_H_

/*
 * Table-driven packing shared by mlx5_cmd.c (migration commands) and
 * mlx5_obj.c (buffer objects). Not part of the driver's API.
 */

#include <stddef.h>
#include <stdint.h>

/* One argument member <-> one PRM field. */
struct mig_mlx5_fmap {
	const char *name;
	uint32_t off;  /* bit offset in the box */
	uint32_t sz;   /* bit width */
	uint32_t m_off;
	uint32_t m_sz;
};

#define FMAP(type, member, field)                                              \
	{ #member, field, offsetof(type, member),                              \
	  sizeof(((type *)0)->member) }

struct mig_mlx5_cmd_desc {
	uint16_t opcode;
	uint16_t max_op_mod;
	uint32_t in_len;   /* fixed part */
	uint32_t out_len;
	size_t args_size;
	size_t res_size;
	const struct mig_mlx5_fmap *in;
	unsigned int n_in;
	const struct mig_mlx5_fmap *out;
	unsigned int n_out;
	/* Fields that are not a plain member <-> field copy. */
	void (*put_extra)(void *in, const void *args);
	void (*get_extra)(const void *in, void *args);
};

/* Build the fixed part of an inbox plus @p extra zeroed bytes. */
int mig_mlx5_build_box_in(const struct mig_mlx5_cmd_desc *d, void *in,
			  size_t len, const void *a, size_t extra);
/* Parse the fixed part of an inbox; reject unknown bits. */
int mig_mlx5_parse_box_in(const struct mig_mlx5_cmd_desc *d, const void *in,
			  size_t len, void *a);
/* Parse an outbox into @p r, which starts with struct mig_mlx5_out_hdr. */
int mig_mlx5_parse_box_out(const struct mig_mlx5_cmd_desc *d,
			   const void *out, size_t len, void *r);
/* Build an outbox from @p r, which starts with struct mig_mlx5_out_hdr. */
int mig_mlx5_build_box_out(const struct mig_mlx5_cmd_desc *d, void *out,
			   size_t len, const void *r);

#endif /* _MLX5_CMD_PRIV_H_ */
