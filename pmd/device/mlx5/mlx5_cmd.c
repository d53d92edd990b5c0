/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Builders and parsers of the mlx5 migration commands.
 *
 * Each command is described once by a table that maps a member of its
 * argument (or result) structure to a PRM field of mlx5_prm.h. The same
 * table packs an inbox (driver), unpacks it (emulated firmware), and checks
 * that a parsed inbox has no bit set outside its known fields. Only the
 * variable parts (MTT lists) and the split mkey access mode are written by
 * hand (mlx5_obj.c).
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "mig_log.h"

#include "mlx5_cmd.h"
#include "mlx5_cmd_priv.h"
#include "mlx5_prm.h"

RTE_LOG_REGISTER(mig_mlx5_logtype, mig.dev.mlx5, INFO);

/* Largest fixed part of an inbox (CREATE_MKEY). */
#define MLX5_MAX_FIXED_IN 512

static uint64_t
mlx5_member_get(const void *s, const struct mig_mlx5_fmap *f)
{
	const uint8_t *p = (const uint8_t *)s + f->m_off;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (f->m_sz) {
	case 1:
		memcpy(&v8, p, 1);
		return v8;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

static void
mlx5_member_put(void *s, const struct mig_mlx5_fmap *f, uint64_t v)
{
	uint8_t *p = (uint8_t *)s + f->m_off;
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (f->m_sz) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

static int
mig_mlx5_pack_fields(uint16_t opcode, void *buf,
		     const struct mig_mlx5_fmap *map, unsigned int n,
		     const void *s)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct mig_mlx5_fmap *f = &map[i];
		uint64_t v = mlx5_member_get(s, f);

		if (f->sz < 64 && (v >> f->sz) != 0) {
			mig_err_set(mig_mlx5_logtype,
				    "mlx5 %s: %s=0x%" PRIx64
				    " does not fit in %u bit(s)",
				    mig_mlx5_cmd_name(opcode), f->name, v,
				    f->sz);
			return -EINVAL;
		}
		mig_mlx5_set(buf, f->off, f->sz, v);
	}
	return 0;
}

static void
mlx5_unpack(const void *buf, const struct mig_mlx5_fmap *map, unsigned int n,
	    void *s)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		mlx5_member_put(s, &map[i],
				mig_mlx5_get(buf, map[i].off, map[i].sz));
}

/* Zero, then write the opcode and the fixed fields; no op_mod check. */
static int
mlx5_fill_in(const struct mig_mlx5_cmd_desc *d, void *in, const void *a)
{
	int ret;

	memset(in, 0, d->in_len);
	mig_mlx5_set(in, MIG_MLX5_IN_OPCODE, d->opcode);
	ret = mig_mlx5_pack_fields(d->opcode, in, d->in, d->n_in, a);
	if (ret != 0)
		return ret;
	if (d->put_extra != NULL)
		d->put_extra(in, a);
	return 0;
}

static int
mlx5_check_op_mod(const struct mig_mlx5_cmd_desc *d, const void *in)
{
	uint64_t op_mod = mig_mlx5_get(in, MIG_MLX5_IN_OP_MOD);

	if (op_mod > d->max_op_mod) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: op_mod 0x%" PRIx64
			    " is not valid (max 0x%x)",
			    mig_mlx5_cmd_name(d->opcode), op_mod,
			    d->max_op_mod);
		return -EINVAL;
	}
	return 0;
}

/*
 * Build the fixed part of an inbox and reserve @p extra more bytes (zeroed)
 * for the variable part. Returns the total length.
 */
int
mig_mlx5_build_box_in(const struct mig_mlx5_cmd_desc *d, void *in,
		      size_t len, const void *a, size_t extra)
{
	const char *name = mig_mlx5_cmd_name(d->opcode);
	int ret;

	if (in == NULL || a == NULL) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: NULL inbox or arguments", name);
		return -EINVAL;
	}
	if (len < d->in_len || extra > len - d->in_len) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: inbox of %zu bytes, need %zu", name, len,
			    (size_t)d->in_len + extra);
		return -EMSGSIZE;
	}
	ret = mlx5_fill_in(d, in, a);
	if (ret != 0)
		return ret;
	ret = mlx5_check_op_mod(d, in);
	if (ret != 0)
		return ret;
	memset((uint8_t *)in + d->in_len, 0, extra);
	return (int)(d->in_len + extra);
}

/* Parse the fixed part of an inbox; reject unknown bits. */
int
mig_mlx5_parse_box_in(const struct mig_mlx5_cmd_desc *d, const void *in,
		      size_t len, void *a)
{
	const char *name = mig_mlx5_cmd_name(d->opcode);
	uint8_t tmp[MLX5_MAX_FIXED_IN];
	uint64_t opcode;
	int ret;

	if (in == NULL || a == NULL) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: NULL inbox or arguments", name);
		return -EINVAL;
	}
	if (len < d->in_len) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: inbox of %zu bytes, need %u", name, len,
			    d->in_len);
		return -EMSGSIZE;
	}
	opcode = mig_mlx5_get(in, MIG_MLX5_IN_OPCODE);
	if (opcode != d->opcode) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: inbox opcode is 0x%" PRIx64 " (%s)", name,
			    opcode, mig_mlx5_cmd_name((uint16_t)opcode));
		return -EINVAL;
	}
	ret = mlx5_check_op_mod(d, in);
	if (ret != 0)
		return ret;
	memset(a, 0, d->args_size);
	mlx5_unpack(in, d->in, d->n_in, a);
	if (d->get_extra != NULL)
		d->get_extra(in, a);
	/* Everything else is reserved and must be zero. */
	ret = mlx5_fill_in(d, tmp, a);
	if (ret != 0)
		return ret;
	if (memcmp(tmp, in, d->in_len) != 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: reserved inbox bits are set", name);
		return -EINVAL;
	}
	return 0;
}

int
mig_mlx5_check_out(uint16_t opcode, const void *out, size_t len,
		   struct mig_mlx5_out_hdr *hdr)
{
	const char *name = mig_mlx5_cmd_name(opcode);
	struct mig_mlx5_out_hdr h;

	if (out == NULL) {
		mig_err_set(mig_mlx5_logtype, "mlx5 %s: NULL outbox", name);
		return -EINVAL;
	}
	if (len < MIG_MLX5_HDR_LEN) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: outbox of %zu bytes, need %u", name, len,
			    MIG_MLX5_HDR_LEN);
		return -EMSGSIZE;
	}
	h.status = (uint8_t)mig_mlx5_get(out, MIG_MLX5_OUT_STATUS);
	h.syndrome = (uint32_t)mig_mlx5_get(out, MIG_MLX5_OUT_SYNDROME);
	if (hdr != NULL) {
		/* Member by member: leave the caller's padding alone. */
		hdr->status = h.status;
		hdr->syndrome = h.syndrome;
	}
	if (h.status == MIG_MLX5_STAT_OK)
		return 0;
	mig_err_set(mig_mlx5_logtype,
		    "mlx5 %s: status %s (0x%x), syndrome 0x%08" PRIx32, name,
		    mig_mlx5_status_name(h.status), h.status, h.syndrome);
	return mig_mlx5_status_to_errno(h.status);
}

/* @p r starts with struct mig_mlx5_out_hdr. */
int
mig_mlx5_parse_box_out(const struct mig_mlx5_cmd_desc *d, const void *out,
		       size_t len, void *r)
{
	const char *name = mig_mlx5_cmd_name(d->opcode);
	int ret;

	if (out == NULL || r == NULL) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: NULL outbox or result", name);
		return -EINVAL;
	}
	memset(r, 0, d->res_size);
	if (len < d->out_len) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: outbox of %zu bytes, need %u", name, len,
			    d->out_len);
		return -EMSGSIZE;
	}
	ret = mig_mlx5_check_out(d->opcode, out, len, r);
	if (ret != 0)
		return ret;
	mlx5_unpack(out, d->out, d->n_out, r);
	return 0;
}

int
mig_mlx5_build_box_out(const struct mig_mlx5_cmd_desc *d, void *out,
		       size_t len, const void *r)
{
	const char *name = mig_mlx5_cmd_name(d->opcode);
	const struct mig_mlx5_out_hdr *h = r;
	int ret;

	if (out == NULL || r == NULL) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: NULL outbox or result", name);
		return -EINVAL;
	}
	if (len < d->out_len) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: outbox of %zu bytes, need %u", name, len,
			    d->out_len);
		return -EMSGSIZE;
	}
	memset(out, 0, d->out_len);
	mig_mlx5_set(out, MIG_MLX5_OUT_STATUS, h->status);
	mig_mlx5_set(out, MIG_MLX5_OUT_SYNDROME, h->syndrome);
	ret = mig_mlx5_pack_fields(d->opcode, out, d->out, d->n_out, r);
	if (ret != 0)
		return ret;
	return (int)d->out_len;
}
/* QUERY_HCA_CAP */

#define QA struct mig_mlx5_query_hca_cap_args
static const struct mig_mlx5_fmap query_hca_cap_in[] = {
	FMAP(QA, op_mod, MIG_MLX5_IN_OP_MOD),
	FMAP(QA, other_function, MIG_MLX5_QUERY_HCA_CAP_IN_OTHER_FUNCTION),
	FMAP(QA, function_id, MIG_MLX5_QUERY_HCA_CAP_IN_FUNCTION_ID),
};
#undef QA

#define CAP(f) MIG_MLX5_AT(MIG_MLX5_QUERY_HCA_CAP_OUT_CAPABILITY, f)
#define QR struct mig_mlx5_hca_cap_res
static const struct mig_mlx5_fmap hca_cap_out[] = {
	FMAP(QR, hca_cap_2, CAP(MIG_MLX5_HCA_CAP_HCA_CAP_2)),
	FMAP(QR, vhca_id, CAP(MIG_MLX5_HCA_CAP_VHCA_ID)),
	FMAP(QR, migration, CAP(MIG_MLX5_HCA_CAP_MIGRATION)),
};
#undef QR

#define QR struct mig_mlx5_hca_cap2_res
static const struct mig_mlx5_fmap hca_cap2_out[] = {
	FMAP(QR, migratable, CAP(MIG_MLX5_HCA_CAP2_MIGRATABLE)),
	FMAP(QR, migration_multi_load,
	     CAP(MIG_MLX5_HCA_CAP2_MIGRATION_MULTI_LOAD)),
	FMAP(QR, migration_tracking_state,
	     CAP(MIG_MLX5_HCA_CAP2_MIGRATION_TRACKING_STATE)),
	FMAP(QR, migration_in_chunks,
	     CAP(MIG_MLX5_HCA_CAP2_MIGRATION_IN_CHUNKS)),
	FMAP(QR, migration_state, CAP(MIG_MLX5_HCA_CAP2_MIGRATION_STATE)),
};
#undef QR
#undef CAP

static const struct mig_mlx5_cmd_desc query_hca_cap_desc = {
	.opcode = MIG_MLX5_CMD_QUERY_HCA_CAP,
	.max_op_mod = UINT16_MAX,
	.in_len = MIG_MLX5_QUERY_HCA_CAP_IN_LEN,
	.out_len = MIG_MLX5_QUERY_HCA_CAP_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_query_hca_cap_args),
	.in = query_hca_cap_in,
	.n_in = RTE_DIM(query_hca_cap_in),
};

static const struct mig_mlx5_cmd_desc hca_cap_desc = {
	.opcode = MIG_MLX5_CMD_QUERY_HCA_CAP,
	.out_len = MIG_MLX5_QUERY_HCA_CAP_OUT_LEN,
	.res_size = sizeof(struct mig_mlx5_hca_cap_res),
	.out = hca_cap_out,
	.n_out = RTE_DIM(hca_cap_out),
};

static const struct mig_mlx5_cmd_desc hca_cap2_desc = {
	.opcode = MIG_MLX5_CMD_QUERY_HCA_CAP,
	.out_len = MIG_MLX5_QUERY_HCA_CAP_OUT_LEN,
	.res_size = sizeof(struct mig_mlx5_hca_cap2_res),
	.out = hca_cap2_out,
	.n_out = RTE_DIM(hca_cap2_out),
};

int
mig_mlx5_build_query_hca_cap_in(void *in, size_t len,
				const struct mig_mlx5_query_hca_cap_args *a)
{
	return mig_mlx5_build_box_in(&query_hca_cap_desc, in, len, a, 0);
}

int
mig_mlx5_parse_query_hca_cap_in(const void *in, size_t len,
				struct mig_mlx5_query_hca_cap_args *a)
{
	return mig_mlx5_parse_box_in(&query_hca_cap_desc, in, len, a);
}

int
mig_mlx5_parse_hca_cap_out(const void *out, size_t len,
			   struct mig_mlx5_hca_cap_res *r)
{
	return mig_mlx5_parse_box_out(&hca_cap_desc, out, len, r);
}

int
mig_mlx5_build_hca_cap_out(void *out, size_t len,
			   const struct mig_mlx5_hca_cap_res *r)
{
	return mig_mlx5_build_box_out(&hca_cap_desc, out, len, r);
}

int
mig_mlx5_parse_hca_cap2_out(const void *out, size_t len,
			    struct mig_mlx5_hca_cap2_res *r)
{
	return mig_mlx5_parse_box_out(&hca_cap2_desc, out, len, r);
}

int
mig_mlx5_build_hca_cap2_out(void *out, size_t len,
			    const struct mig_mlx5_hca_cap2_res *r)
{
	return mig_mlx5_build_box_out(&hca_cap2_desc, out, len, r);
}

/* SUSPEND_VHCA, RESUME_VHCA */

#define SA struct mig_mlx5_suspend_vhca_args
static const struct mig_mlx5_fmap suspend_vhca_in[] = {
	FMAP(SA, uid, MIG_MLX5_IN_UID),
	FMAP(SA, op_mod, MIG_MLX5_IN_OP_MOD),
	FMAP(SA, vhca_id, MIG_MLX5_SUSPEND_VHCA_IN_VHCA_ID),
};
#undef SA

#define RA struct mig_mlx5_resume_vhca_args
static const struct mig_mlx5_fmap resume_vhca_in[] = {
	FMAP(RA, uid, MIG_MLX5_IN_UID),
	FMAP(RA, op_mod, MIG_MLX5_IN_OP_MOD),
	FMAP(RA, vhca_id, MIG_MLX5_RESUME_VHCA_IN_VHCA_ID),
};
#undef RA

static const struct mig_mlx5_cmd_desc suspend_vhca_desc = {
	.opcode = MIG_MLX5_CMD_SUSPEND_VHCA,
	.max_op_mod = MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER,
	.in_len = MIG_MLX5_SUSPEND_VHCA_IN_LEN,
	.out_len = MIG_MLX5_SUSPEND_VHCA_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_suspend_vhca_args),
	.res_size = sizeof(struct mig_mlx5_suspend_vhca_res),
	.in = suspend_vhca_in,
	.n_in = RTE_DIM(suspend_vhca_in),
};

static const struct mig_mlx5_cmd_desc resume_vhca_desc = {
	.opcode = MIG_MLX5_CMD_RESUME_VHCA,
	.max_op_mod = MIG_MLX5_RESUME_VHCA_OP_MOD_INITIATOR,
	.in_len = MIG_MLX5_RESUME_VHCA_IN_LEN,
	.out_len = MIG_MLX5_RESUME_VHCA_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_resume_vhca_args),
	.res_size = sizeof(struct mig_mlx5_resume_vhca_res),
	.in = resume_vhca_in,
	.n_in = RTE_DIM(resume_vhca_in),
};

int
mig_mlx5_build_suspend_vhca_in(void *in, size_t len,
			       const struct mig_mlx5_suspend_vhca_args *a)
{
	return mig_mlx5_build_box_in(&suspend_vhca_desc, in, len, a, 0);
}

int
mig_mlx5_parse_suspend_vhca_in(const void *in, size_t len,
			       struct mig_mlx5_suspend_vhca_args *a)
{
	return mig_mlx5_parse_box_in(&suspend_vhca_desc, in, len, a);
}

int
mig_mlx5_parse_suspend_vhca_out(const void *out, size_t len,
				struct mig_mlx5_suspend_vhca_res *r)
{
	return mig_mlx5_parse_box_out(&suspend_vhca_desc, out, len, r);
}

int
mig_mlx5_build_suspend_vhca_out(void *out, size_t len,
				const struct mig_mlx5_suspend_vhca_res *r)
{
	return mig_mlx5_build_box_out(&suspend_vhca_desc, out, len, r);
}

int
mig_mlx5_build_resume_vhca_in(void *in, size_t len,
			      const struct mig_mlx5_resume_vhca_args *a)
{
	return mig_mlx5_build_box_in(&resume_vhca_desc, in, len, a, 0);
}

int
mig_mlx5_parse_resume_vhca_in(const void *in, size_t len,
			      struct mig_mlx5_resume_vhca_args *a)
{
	return mig_mlx5_parse_box_in(&resume_vhca_desc, in, len, a);
}

int
mig_mlx5_parse_resume_vhca_out(const void *out, size_t len,
			       struct mig_mlx5_resume_vhca_res *r)
{
	return mig_mlx5_parse_box_out(&resume_vhca_desc, out, len, r);
}

int
mig_mlx5_build_resume_vhca_out(void *out, size_t len,
			       const struct mig_mlx5_resume_vhca_res *r)
{
	return mig_mlx5_build_box_out(&resume_vhca_desc, out, len, r);
}

/* QUERY_VHCA_MIGRATION_STATE */

#define QA struct mig_mlx5_query_vhca_migration_state_args
static const struct mig_mlx5_fmap query_mig_in[] = {
	FMAP(QA, uid, MIG_MLX5_IN_UID),
	FMAP(QA, incremental,
	     MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_INCREMENTAL),
	FMAP(QA, chunk, MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_CHUNK),
	FMAP(QA, vhca_id, MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_VHCA_ID),
};
#undef QA

#define QR struct mig_mlx5_query_vhca_migration_state_res
static const struct mig_mlx5_fmap query_mig_out[] = {
	FMAP(QR, migration_state,
	     MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_MIGRATION_STATE),
	FMAP(QR, required_umem_size,
	     MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_REQUIRED_UMEM_SIZE),
	FMAP(QR, remaining_total_size,
	     MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_REMAINING_TOTAL_SIZE),
};
#undef QR

static const struct mig_mlx5_cmd_desc query_mig_desc = {
	.opcode = MIG_MLX5_CMD_QUERY_VHCA_MIGRATION_STATE,
	.in_len = MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_LEN,
	.out_len = MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_query_vhca_migration_state_args),
	.res_size = sizeof(struct mig_mlx5_query_vhca_migration_state_res),
	.in = query_mig_in,
	.n_in = RTE_DIM(query_mig_in),
	.out = query_mig_out,
	.n_out = RTE_DIM(query_mig_out),
};

int
mig_mlx5_build_query_vhca_migration_state_in(void *in, size_t len,
	const struct mig_mlx5_query_vhca_migration_state_args *a)
{
	return mig_mlx5_build_box_in(&query_mig_desc, in, len, a, 0);
}

int
mig_mlx5_parse_query_vhca_migration_state_in(const void *in, size_t len,
	struct mig_mlx5_query_vhca_migration_state_args *a)
{
	return mig_mlx5_parse_box_in(&query_mig_desc, in, len, a);
}

int
mig_mlx5_parse_query_vhca_migration_state_out(const void *out, size_t len,
	struct mig_mlx5_query_vhca_migration_state_res *r)
{
	return mig_mlx5_parse_box_out(&query_mig_desc, out, len, r);
}

int
mig_mlx5_build_query_vhca_migration_state_out(void *out, size_t len,
	const struct mig_mlx5_query_vhca_migration_state_res *r)
{
	return mig_mlx5_build_box_out(&query_mig_desc, out, len, r);
}

/* SAVE_VHCA_STATE */

#define SA struct mig_mlx5_save_vhca_state_args
static const struct mig_mlx5_fmap save_in[] = {
	FMAP(SA, uid, MIG_MLX5_IN_UID),
	FMAP(SA, incremental, MIG_MLX5_SAVE_VHCA_STATE_IN_INCREMENTAL),
	FMAP(SA, set_track, MIG_MLX5_SAVE_VHCA_STATE_IN_SET_TRACK),
	FMAP(SA, vhca_id, MIG_MLX5_SAVE_VHCA_STATE_IN_VHCA_ID),
	FMAP(SA, va, MIG_MLX5_SAVE_VHCA_STATE_IN_VA),
	FMAP(SA, mkey, MIG_MLX5_SAVE_VHCA_STATE_IN_MKEY),
	FMAP(SA, size, MIG_MLX5_SAVE_VHCA_STATE_IN_SIZE),
};
#undef SA

#define SR struct mig_mlx5_save_vhca_state_res
static const struct mig_mlx5_fmap save_out[] = {
	FMAP(SR, actual_image_size,
	     MIG_MLX5_SAVE_VHCA_STATE_OUT_ACTUAL_IMAGE_SIZE),
	FMAP(SR, next_required_umem_size,
	     MIG_MLX5_SAVE_VHCA_STATE_OUT_NEXT_REQUIRED_UMEM_SIZE),
};
#undef SR

static const struct mig_mlx5_cmd_desc save_desc = {
	.opcode = MIG_MLX5_CMD_SAVE_VHCA_STATE,
	.in_len = MIG_MLX5_SAVE_VHCA_STATE_IN_LEN,
	.out_len = MIG_MLX5_SAVE_VHCA_STATE_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_save_vhca_state_args),
	.res_size = sizeof(struct mig_mlx5_save_vhca_state_res),
	.in = save_in,
	.n_in = RTE_DIM(save_in),
	.out = save_out,
	.n_out = RTE_DIM(save_out),
};

int
mig_mlx5_build_save_vhca_state_in(void *in, size_t len,
	const struct mig_mlx5_save_vhca_state_args *a)
{
	return mig_mlx5_build_box_in(&save_desc, in, len, a, 0);
}

int
mig_mlx5_parse_save_vhca_state_in(const void *in, size_t len,
	struct mig_mlx5_save_vhca_state_args *a)
{
	return mig_mlx5_parse_box_in(&save_desc, in, len, a);
}

int
mig_mlx5_parse_save_vhca_state_out(const void *out, size_t len,
	struct mig_mlx5_save_vhca_state_res *r)
{
	return mig_mlx5_parse_box_out(&save_desc, out, len, r);
}

int
mig_mlx5_build_save_vhca_state_out(void *out, size_t len,
	const struct mig_mlx5_save_vhca_state_res *r)
{
	return mig_mlx5_build_box_out(&save_desc, out, len, r);
}

/* LOAD_VHCA_STATE */

#define LA struct mig_mlx5_load_vhca_state_args
static const struct mig_mlx5_fmap load_in[] = {
	FMAP(LA, uid, MIG_MLX5_IN_UID),
	FMAP(LA, vhca_id, MIG_MLX5_LOAD_VHCA_STATE_IN_VHCA_ID),
	FMAP(LA, va, MIG_MLX5_LOAD_VHCA_STATE_IN_VA),
	FMAP(LA, mkey, MIG_MLX5_LOAD_VHCA_STATE_IN_MKEY),
	FMAP(LA, size, MIG_MLX5_LOAD_VHCA_STATE_IN_SIZE),
};
#undef LA

static const struct mig_mlx5_cmd_desc load_desc = {
	.opcode = MIG_MLX5_CMD_LOAD_VHCA_STATE,
	.in_len = MIG_MLX5_LOAD_VHCA_STATE_IN_LEN,
	.out_len = MIG_MLX5_LOAD_VHCA_STATE_OUT_LEN,
	.args_size = sizeof(struct mig_mlx5_load_vhca_state_args),
	.res_size = sizeof(struct mig_mlx5_load_vhca_state_res),
	.in = load_in,
	.n_in = RTE_DIM(load_in),
};

int
mig_mlx5_build_load_vhca_state_in(void *in, size_t len,
	const struct mig_mlx5_load_vhca_state_args *a)
{
	return mig_mlx5_build_box_in(&load_desc, in, len, a, 0);
}

int
mig_mlx5_parse_load_vhca_state_in(const void *in, size_t len,
	struct mig_mlx5_load_vhca_state_args *a)
{
	return mig_mlx5_parse_box_in(&load_desc, in, len, a);
}

int
mig_mlx5_parse_load_vhca_state_out(const void *out, size_t len,
	struct mig_mlx5_load_vhca_state_res *r)
{
	return mig_mlx5_parse_box_out(&load_desc, out, len, r);
}

int
mig_mlx5_build_load_vhca_state_out(void *out, size_t len,
	const struct mig_mlx5_load_vhca_state_res *r)
{
	return mig_mlx5_build_box_out(&load_desc, out, len, r);
}
