/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Builders and parsers of the buffer objects that SAVE_VHCA_STATE and
 * LOAD_VHCA_STATE point at: a UMEM (registered user memory, described by
 * MTT entries) and an MTT mkey over it or over inline MTT entries.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "mig_log.h"

#include "mlx5_cmd.h"
#include "mlx5_cmd_priv.h"
#include "mlx5_prm.h"

/* MTT lists (CREATE_UMEM, CREATE_MKEY) */

static int
mlx5_check_mtt(uint16_t opcode, const uint64_t *mtt, uint64_t n,
	       uint8_t flags)
{
	uint64_t i;

	if (n > 0 && mtt == NULL) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: %" PRIu64
			    " MTT entries without addresses",
			    mig_mlx5_cmd_name(opcode), n);
		return -EINVAL;
	}
	if ((flags & ~(MIG_MLX5_MTT_FLAG_RD | MIG_MLX5_MTT_FLAG_WR)) != 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: mtt_flags=0x%x has unknown bits",
			    mig_mlx5_cmd_name(opcode), flags);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if ((mtt[i] & 0xff) != 0) {
			mig_err_set(mig_mlx5_logtype,
				    "mlx5 %s: MTT entry %" PRIu64
				    " address 0x%" PRIx64
				    " is not 256-byte aligned",
				    mig_mlx5_cmd_name(opcode), i, mtt[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static void
mlx5_put_mtt(void *in, size_t byte_off, const uint64_t *mtt, uint64_t n,
	     uint8_t flags)
{
	uint8_t *p = (uint8_t *)in + byte_off;
	uint64_t i;

	for (i = 0; i < n; i++)
		mig_mlx5_set(p + i * MIG_MLX5_MTT_LEN, 0, 64, mtt[i] | flags);
}

/* Flags of the first MTT entry (0 without entries). */
static uint8_t
mlx5_get_mtt_flags(const void *in, size_t byte_off, uint64_t n)
{
	const uint8_t *p = (const uint8_t *)in + byte_off;

	if (n == 0)
		return 0;
	return (uint8_t)((mig_mlx5_get(p, MIG_MLX5_MTT_WR_EN) << 1) |
			 mig_mlx5_get(p, MIG_MLX5_MTT_RD_EN));
}

/* Room for @p n entries of @p entry bytes after the fixed part. */
static int
mlx5_check_room(uint16_t opcode, const char *box, size_t len, size_t fixed,
		uint64_t n, size_t entry)
{
	if (len < fixed) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: %s of %zu bytes, need %zu",
			    mig_mlx5_cmd_name(opcode), box, len, fixed);
		return -EMSGSIZE;
	}
	if (n > (len - fixed) / entry ||
	    n > (INT32_MAX - fixed) / entry) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: %s of %zu bytes cannot hold %" PRIu64
			    " MTT entries", mig_mlx5_cmd_name(opcode), box, len,
			    n);
		return -EMSGSIZE;
	}
	return 0;
}

/* CREATE_UMEM, DESTROY_UMEM */

#define UA struct mig_mlx5_create_umem_args
static const struct mig_mlx5_fmap create_umem_in[] = {
	FMAP(UA, uid, MIG_MLX5_IN_UID),
	FMAP(UA, log_page_size, MIG_MLX5_CREATE_UMEM_IN_LOG_PAGE_SIZE),
	FMAP(UA, page_offset, MIG_MLX5_CREATE_UMEM_IN_PAGE_OFFSET),
	FMAP(UA, num_of_mtt, MIG_MLX5_CREATE_UMEM_IN_NUM_OF_MTT),
};
#undef UA

#define UR struct mig_mlx5_create_umem_res
static const struct mig_mlx5_fmap create_umem_out[] = {
	FMAP(UR, umem_id, MIG_MLX5_CREATE_UMEM_OUT_UMEM_ID),
};
#undef UR

#define UA struct mig_mlx5_destroy_umem_args
static const struct mig_mlx5_fmap destroy_umem_in[] = {
	FMAP(UA, uid, MIG_MLX5_IN_UID),
	FMAP(UA, umem_id, MIG_MLX5_DESTROY_UMEM_IN_UMEM_ID),
};
#undef UA

static const struct mig_mlx5_cmd_desc create_umem_desc = {
	.opcode = MIG_MLX5_CMD_CREATE_UMEM,
	.in_len = MIG_MLX5_CREATE_UMEM_IN_LEN,
	.out_len = MIG_MLX5_CREATE_UMEM_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_create_umem_args),
	.res_size = sizeof(struct mig_mlx5_create_umem_res),
	.in = create_umem_in,
	.n_in = RTE_DIM(create_umem_in),
	.out = create_umem_out,
	.n_out = RTE_DIM(create_umem_out),
};

static const struct mig_mlx5_cmd_desc destroy_umem_desc = {
	.opcode = MIG_MLX5_CMD_DESTROY_UMEM,
	.in_len = MIG_MLX5_DESTROY_UMEM_IN_LEN,
	.out_len = MIG_MLX5_DESTROY_UMEM_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_destroy_umem_args),
	.res_size = sizeof(struct mig_mlx5_destroy_umem_res),
	.in = destroy_umem_in,
	.n_in = RTE_DIM(destroy_umem_in),
};

int
mig_mlx5_build_create_umem_in(void *in, size_t len,
	const struct mig_mlx5_create_umem_args *a)
{
	const uint16_t op = MIG_MLX5_CMD_CREATE_UMEM;
	int ret;

	if (a == NULL)
		return mig_mlx5_build_box_in(&create_umem_desc, in, len, a, 0);
	/* Room first: the entries are read only if they can be written. */
	ret = mlx5_check_room(op, "inbox", len, MIG_MLX5_CREATE_UMEM_IN_LEN,
			      a->num_of_mtt, MIG_MLX5_MTT_LEN);
	if (ret != 0)
		return ret;
	ret = mlx5_check_mtt(op, a->mtt, a->num_of_mtt, a->mtt_flags);
	if (ret != 0)
		return ret;
	ret = mig_mlx5_build_box_in(&create_umem_desc, in, len, a,
			    a->num_of_mtt * MIG_MLX5_MTT_LEN);
	if (ret < 0)
		return ret;
	mlx5_put_mtt(in, MIG_MLX5_CREATE_UMEM_IN_MTT / 8, a->mtt,
		     a->num_of_mtt, a->mtt_flags);
	return ret;
}

int
mig_mlx5_parse_create_umem_in(const void *in, size_t len,
	struct mig_mlx5_create_umem_args *a)
{
	int ret;

	ret = mig_mlx5_parse_box_in(&create_umem_desc, in, len, a);
	if (ret != 0)
		return ret;
	ret = mlx5_check_room(MIG_MLX5_CMD_CREATE_UMEM, "inbox", len,
			      MIG_MLX5_CREATE_UMEM_IN_LEN, a->num_of_mtt,
			      MIG_MLX5_MTT_LEN);
	if (ret != 0)
		return ret;
	a->mtt_flags = mlx5_get_mtt_flags(in, MIG_MLX5_CREATE_UMEM_IN_MTT / 8,
					  a->num_of_mtt);
	return 0;
}

int
mig_mlx5_parse_create_umem_out(const void *out, size_t len,
	struct mig_mlx5_create_umem_res *r)
{
	return mig_mlx5_parse_box_out(&create_umem_desc, out, len, r);
}

int
mig_mlx5_build_create_umem_out(void *out, size_t len,
	const struct mig_mlx5_create_umem_res *r)
{
	return mig_mlx5_build_box_out(&create_umem_desc, out, len, r);
}

int
mig_mlx5_build_destroy_umem_in(void *in, size_t len,
	const struct mig_mlx5_destroy_umem_args *a)
{
	return mig_mlx5_build_box_in(&destroy_umem_desc, in, len, a, 0);
}

int
mig_mlx5_parse_destroy_umem_in(const void *in, size_t len,
	struct mig_mlx5_destroy_umem_args *a)
{
	return mig_mlx5_parse_box_in(&destroy_umem_desc, in, len, a);
}

int
mig_mlx5_parse_destroy_umem_out(const void *out, size_t len,
	struct mig_mlx5_destroy_umem_res *r)
{
	return mig_mlx5_parse_box_out(&destroy_umem_desc, out, len, r);
}

int
mig_mlx5_build_destroy_umem_out(void *out, size_t len,
	const struct mig_mlx5_destroy_umem_res *r)
{
	return mig_mlx5_build_box_out(&destroy_umem_desc, out, len, r);
}

/* CREATE_MKEY, DESTROY_MKEY */

#define MKC(f) MIG_MLX5_AT(MIG_MLX5_CREATE_MKEY_IN_MKC, f)
#define MA struct mig_mlx5_create_mkey_args
static const struct mig_mlx5_fmap create_mkey_in[] = {
	FMAP(MA, uid, MIG_MLX5_IN_UID),
	FMAP(MA, pg_access, MIG_MLX5_CREATE_MKEY_IN_PG_ACCESS),
	FMAP(MA, umem_valid, MIG_MLX5_CREATE_MKEY_IN_MKEY_UMEM_VALID),
	FMAP(MA, umr_en, MKC(MIG_MLX5_MKC_UMR_EN)),
	FMAP(MA, a, MKC(MIG_MLX5_MKC_A)),
	FMAP(MA, rw, MKC(MIG_MLX5_MKC_RW)),
	FMAP(MA, rr, MKC(MIG_MLX5_MKC_RR)),
	FMAP(MA, lw, MKC(MIG_MLX5_MKC_LW)),
	FMAP(MA, lr, MKC(MIG_MLX5_MKC_LR)),
	FMAP(MA, qpn, MKC(MIG_MLX5_MKC_QPN)),
	FMAP(MA, mkey_7_0, MKC(MIG_MLX5_MKC_MKEY_7_0)),
	FMAP(MA, length64, MKC(MIG_MLX5_MKC_LENGTH64)),
	FMAP(MA, pd, MKC(MIG_MLX5_MKC_PD)),
	FMAP(MA, start_addr, MKC(MIG_MLX5_MKC_START_ADDR)),
	FMAP(MA, len, MKC(MIG_MLX5_MKC_LEN)),
	FMAP(MA, translations_octword_size,
	     MKC(MIG_MLX5_MKC_TRANSLATIONS_OCTWORD_SIZE)),
	FMAP(MA, log_page_size, MKC(MIG_MLX5_MKC_LOG_PAGE_SIZE)),
	FMAP(MA, translations_octword_actual_size,
	     MIG_MLX5_CREATE_MKEY_IN_TRANSLATIONS_OCTWORD_ACTUAL_SIZE),
	FMAP(MA, umem_id, MIG_MLX5_CREATE_MKEY_IN_MKEY_UMEM_ID),
	FMAP(MA, umem_offset, MIG_MLX5_CREATE_MKEY_IN_MKEY_UMEM_OFFSET),
};
#undef MA

#define MR struct mig_mlx5_create_mkey_res
static const struct mig_mlx5_fmap create_mkey_out[] = {
	FMAP(MR, mkey_index, MIG_MLX5_CREATE_MKEY_OUT_MKEY_INDEX),
};
#undef MR

#define MA struct mig_mlx5_destroy_mkey_args
static const struct mig_mlx5_fmap destroy_mkey_in[] = {
	FMAP(MA, uid, MIG_MLX5_IN_UID),
	FMAP(MA, mkey_index, MIG_MLX5_DESTROY_MKEY_IN_MKEY_INDEX),
};
#undef MA

/* access_mode is one 5-bit value split in two mkc fields. */
static void
mlx5_mkey_put_access_mode(void *in, const void *args)
{
	const struct mig_mlx5_create_mkey_args *a = args;

	mig_mlx5_set(in, MKC(MIG_MLX5_MKC_ACCESS_MODE_1_0),
		     a->access_mode & 0x3);
	mig_mlx5_set(in, MKC(MIG_MLX5_MKC_ACCESS_MODE_4_2),
		     (a->access_mode >> 2) & 0x7);
}

static void
mlx5_mkey_get_access_mode(const void *in, void *args)
{
	struct mig_mlx5_create_mkey_args *a = args;

	a->access_mode = (uint8_t)(
		(mig_mlx5_get(in, MKC(MIG_MLX5_MKC_ACCESS_MODE_4_2)) << 2) |
		mig_mlx5_get(in, MKC(MIG_MLX5_MKC_ACCESS_MODE_1_0)));
}
#undef MKC

static const struct mig_mlx5_cmd_desc create_mkey_desc = {
	.opcode = MIG_MLX5_CMD_CREATE_MKEY,
	.in_len = MIG_MLX5_CREATE_MKEY_IN_LEN,
	.out_len = MIG_MLX5_CREATE_MKEY_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_create_mkey_args),
	.res_size = sizeof(struct mig_mlx5_create_mkey_res),
	.in = create_mkey_in,
	.n_in = RTE_DIM(create_mkey_in),
	.out = create_mkey_out,
	.n_out = RTE_DIM(create_mkey_out),
	.put_extra = mlx5_mkey_put_access_mode,
	.get_extra = mlx5_mkey_get_access_mode,
};

static const struct mig_mlx5_cmd_desc destroy_mkey_desc = {
	.opcode = MIG_MLX5_CMD_DESTROY_MKEY,
	.in_len = MIG_MLX5_DESTROY_MKEY_IN_LEN,
	.out_len = MIG_MLX5_DESTROY_MKEY_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_destroy_mkey_args),
	.res_size = sizeof(struct mig_mlx5_destroy_mkey_res),
	.in = destroy_mkey_in,
	.n_in = RTE_DIM(destroy_mkey_in),
};

int
mig_mlx5_build_create_mkey_in(void *in, size_t len,
	const struct mig_mlx5_create_mkey_args *a)
{
	const uint16_t op = MIG_MLX5_CMD_CREATE_MKEY;
	uint64_t octwords;
	int ret;

	if (a == NULL)
		return mig_mlx5_build_box_in(&create_mkey_desc, in, len, a, 0);
	if (a->access_mode > 0x1f) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 CREATE_MKEY: access_mode=0x%x"
			    " does not fit in 5 bit(s)",
			    a->access_mode);
		return -EINVAL;
	}
	if (a->umem_valid && a->n_mtt > 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 CREATE_MKEY: inline MTT entries"
			    " with umem_valid");
		return -EINVAL;
	}
	octwords = a->umem_valid ? 0 : a->translations_octword_actual_size;
	if (!a->umem_valid && octwords != ((uint64_t)a->n_mtt + 1) / 2) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 CREATE_MKEY:"
			    " translations_octword_actual_size=%u"
			    " does not match %u MTT entries",
			    a->translations_octword_actual_size, a->n_mtt);
		return -EINVAL;
	}
	ret = mlx5_check_room(op, "inbox", len, MIG_MLX5_CREATE_MKEY_IN_LEN,
			      octwords * 2, MIG_MLX5_MTT_LEN);
	if (ret != 0)
		return ret;
	ret = mlx5_check_mtt(op, a->mtt, a->n_mtt, a->mtt_flags);
	if (ret != 0)
		return ret;
	ret = mig_mlx5_build_box_in(&create_mkey_desc, in, len, a,
			    octwords * 2 * MIG_MLX5_MTT_LEN);
	if (ret < 0)
		return ret;
	mlx5_put_mtt(in, MIG_MLX5_CREATE_MKEY_IN_KLM_PAS_MTT / 8, a->mtt,
		     a->n_mtt, a->mtt_flags);
	return ret;
}

int
mig_mlx5_parse_create_mkey_in(const void *in, size_t len,
	struct mig_mlx5_create_mkey_args *a)
{
	uint64_t n;
	int ret;

	ret = mig_mlx5_parse_box_in(&create_mkey_desc, in, len, a);
	if (ret != 0)
		return ret;
	if (a->umem_valid)
		return 0;
	n = (uint64_t)a->translations_octword_actual_size * 2;
	ret = mlx5_check_room(MIG_MLX5_CMD_CREATE_MKEY, "inbox", len,
			      MIG_MLX5_CREATE_MKEY_IN_LEN, n, MIG_MLX5_MTT_LEN);
	if (ret != 0)
		return ret;
	a->n_mtt = (uint32_t)n;
	a->mtt_flags = mlx5_get_mtt_flags(
		in, MIG_MLX5_CREATE_MKEY_IN_KLM_PAS_MTT / 8, n);
	return 0;
}

int
mig_mlx5_parse_create_mkey_out(const void *out, size_t len,
	struct mig_mlx5_create_mkey_res *r)
{
	return mig_mlx5_parse_box_out(&create_mkey_desc, out, len, r);
}

int
mig_mlx5_build_create_mkey_out(void *out, size_t len,
	const struct mig_mlx5_create_mkey_res *r)
{
	return mig_mlx5_build_box_out(&create_mkey_desc, out, len, r);
}

int
mig_mlx5_build_destroy_mkey_in(void *in, size_t len,
	const struct mig_mlx5_destroy_mkey_args *a)
{
	return mig_mlx5_build_box_in(&destroy_mkey_desc, in, len, a, 0);
}

int
mig_mlx5_parse_destroy_mkey_in(const void *in, size_t len,
	struct mig_mlx5_destroy_mkey_args *a)
{
	return mig_mlx5_parse_box_in(&destroy_mkey_desc, in, len, a);
}

int
mig_mlx5_parse_destroy_mkey_out(const void *out, size_t len,
	struct mig_mlx5_destroy_mkey_res *r)
{
	return mig_mlx5_parse_box_out(&destroy_mkey_desc, out, len, r);
}

int
mig_mlx5_build_destroy_mkey_out(void *out, size_t len,
	const struct mig_mlx5_destroy_mkey_res *r)
{
	return mig_mlx5_build_box_out(&destroy_mkey_desc, out, len, r);
}
