/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Unit tests of the mlx5 PRM command layer (pmd/device/mlx5/mlx5_prm.h,
 * mlx5_cmd.c).
 *
 * The layout table below is transcribed from spec/mlx5-migration.md (§1-§4)
 * and, for CREATE_UMEM / CREATE_MKEY and the QUERY_HCA_CAP inbox, from
 * Linux include/linux/mlx5/mlx5_ifc.h, independently of the header under
 * test: bit offsets are written as in the spec, and the expected byte image
 * is computed here from the PRM rule "bit 0 is the MSB of big-endian dword
 * 0", not with the accessors under test.
 */

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mig_log.h"
#include "mlx5_cmd.h"
#include "mlx5_prm.h"

#define BUF_LEN 8192
#define CAP 0x80  /* capability area of QUERY_HCA_CAP_OUT: byte 16 */
#define MKC 0x80  /* mkey context in CREATE_MKEY_IN: byte 16 */

enum kind {
	K_QUERY_HCA_CAP_IN,
	K_HCA_CAP_OUT,
	K_HCA_CAP2_OUT,
	K_SUSPEND_IN,
	K_SUSPEND_OUT,
	K_RESUME_IN,
	K_RESUME_OUT,
	K_QUERY_MIG_IN,
	K_QUERY_MIG_OUT,
	K_SAVE_IN,
	K_SAVE_OUT,
	K_LOAD_IN,
	K_LOAD_OUT,
	K_CREATE_UMEM_IN,
	K_CREATE_UMEM_OUT,
	K_DESTROY_UMEM_IN,
	K_DESTROY_UMEM_OUT,
	K_CREATE_MKEY_IN,
	K_CREATE_MKEY_OUT,
	K_DESTROY_MKEY_IN,
	K_DESTROY_MKEY_OUT,
	K_NUM,
};

/* Per box: the spec's name, opcode and byte size. */
struct box {
	const char *cmd;
	uint16_t opcode;
	int out;
	size_t len;
	size_t st_size;
};

static const struct box boxes[K_NUM] = {
	[K_QUERY_HCA_CAP_IN] = { "QUERY_HCA_CAP", 0x100, 0, 16,
		sizeof(struct mig_mlx5_query_hca_cap_args) },
	[K_HCA_CAP_OUT] = { "QUERY_HCA_CAP", 0x100, 1, 16 + 4096,
		sizeof(struct mig_mlx5_hca_cap_res) },
	[K_HCA_CAP2_OUT] = { "QUERY_HCA_CAP", 0x100, 1, 16 + 4096,
		sizeof(struct mig_mlx5_hca_cap2_res) },
	[K_SUSPEND_IN] = { "SUSPEND_VHCA", 0x115, 0, 16,
		sizeof(struct mig_mlx5_suspend_vhca_args) },
	[K_SUSPEND_OUT] = { "SUSPEND_VHCA", 0x115, 1, 16,
		sizeof(struct mig_mlx5_suspend_vhca_res) },
	[K_RESUME_IN] = { "RESUME_VHCA", 0x116, 0, 16,
		sizeof(struct mig_mlx5_resume_vhca_args) },
	[K_RESUME_OUT] = { "RESUME_VHCA", 0x116, 1, 16,
		sizeof(struct mig_mlx5_resume_vhca_res) },
	[K_QUERY_MIG_IN] = { "QUERY_VHCA_MIGRATION_STATE", 0x117, 0, 16,
		sizeof(struct mig_mlx5_query_vhca_migration_state_args) },
	[K_QUERY_MIG_OUT] = { "QUERY_VHCA_MIGRATION_STATE", 0x117, 1, 64,
		sizeof(struct mig_mlx5_query_vhca_migration_state_res) },
	[K_SAVE_IN] = { "SAVE_VHCA_STATE", 0x118, 0, 32,
		sizeof(struct mig_mlx5_save_vhca_state_args) },
	[K_SAVE_OUT] = { "SAVE_VHCA_STATE", 0x118, 1, 16,
		sizeof(struct mig_mlx5_save_vhca_state_res) },
	[K_LOAD_IN] = { "LOAD_VHCA_STATE", 0x119, 0, 32,
		sizeof(struct mig_mlx5_load_vhca_state_args) },
	[K_LOAD_OUT] = { "LOAD_VHCA_STATE", 0x119, 1, 16,
		sizeof(struct mig_mlx5_load_vhca_state_res) },
	[K_CREATE_UMEM_IN] = { "CREATE_UMEM", 0xa08, 0, 48,
		sizeof(struct mig_mlx5_create_umem_args) },
	[K_CREATE_UMEM_OUT] = { "CREATE_UMEM", 0xa08, 1, 16,
		sizeof(struct mig_mlx5_create_umem_res) },
	[K_DESTROY_UMEM_IN] = { "DESTROY_UMEM", 0xa0a, 0, 16,
		sizeof(struct mig_mlx5_destroy_umem_args) },
	[K_DESTROY_UMEM_OUT] = { "DESTROY_UMEM", 0xa0a, 1, 16,
		sizeof(struct mig_mlx5_destroy_umem_res) },
	[K_CREATE_MKEY_IN] = { "CREATE_MKEY", 0x200, 0, 272,
		sizeof(struct mig_mlx5_create_mkey_args) },
	[K_CREATE_MKEY_OUT] = { "CREATE_MKEY", 0x200, 1, 16,
		sizeof(struct mig_mlx5_create_mkey_res) },
	[K_DESTROY_MKEY_IN] = { "DESTROY_MKEY", 0x202, 0, 16,
		sizeof(struct mig_mlx5_destroy_mkey_args) },
	[K_DESTROY_MKEY_OUT] = { "DESTROY_MKEY", 0x202, 1, 16,
		sizeof(struct mig_mlx5_destroy_mkey_res) },
};

/* Field flags. */
#define F_STATUS 0x1 /* outbox status: a non-zero value is an error */
#define F_ACC    0x2 /* accessor only (needs a matching MTT list) */
#define F_UMEM   0x4 /* build with umem_valid=1 (no inline MTTs) */

struct field {
	enum kind k;
	const char *name;
	unsigned int off;  /* bit offset, from the spec */
	unsigned int w;    /* width in bits, from the spec */
	size_t m_off;      /* member of the args/result structure */
	size_t m_sz;
	uint64_t m_val;    /* member value to set; 0 = all ones of w */
	unsigned int shift; /* field = (member >> shift) & ones(w) */
	unsigned int flags;
};

#define FLD(kk, type, member, o, wd)                                           \
	{ .k = kk, .name = #member, .off = o, .w = wd,                         \
	  .m_off = offsetof(type, member),                                     \
	  .m_sz = sizeof(((type *)0)->member) }
#define FLDX(kk, type, member, nm, o, wd, mv, sh, fl)                          \
	{ .k = kk, .name = nm, .off = o, .w = wd,                               \
	  .m_off = offsetof(type, member),                                     \
	  .m_sz = sizeof(((type *)0)->member), .m_val = mv, .shift = sh,       \
	  .flags = fl }
#define HDR_OUT(kk, type)                                                      \
	FLDX(kk, type, hdr.status, "status", 0x00, 8, 0, 0, F_STATUS),         \
	FLD(kk, type, hdr.syndrome, 0x20, 32)

#define QHA struct mig_mlx5_query_hca_cap_args
#define HC1 struct mig_mlx5_hca_cap_res
#define HC2 struct mig_mlx5_hca_cap2_res
#define SUA struct mig_mlx5_suspend_vhca_args
#define SUR struct mig_mlx5_suspend_vhca_res
#define REA struct mig_mlx5_resume_vhca_args
#define RER struct mig_mlx5_resume_vhca_res
#define QMA struct mig_mlx5_query_vhca_migration_state_args
#define QMR struct mig_mlx5_query_vhca_migration_state_res
#define SVA struct mig_mlx5_save_vhca_state_args
#define SVR struct mig_mlx5_save_vhca_state_res
#define LDA struct mig_mlx5_load_vhca_state_args
#define LDR struct mig_mlx5_load_vhca_state_res
#define CUA struct mig_mlx5_create_umem_args
#define CUR struct mig_mlx5_create_umem_res
#define DUA struct mig_mlx5_destroy_umem_args
#define DUR struct mig_mlx5_destroy_umem_res
#define CMA struct mig_mlx5_create_mkey_args
#define CMR struct mig_mlx5_create_mkey_res
#define DMKA struct mig_mlx5_destroy_mkey_args
#define DMKR struct mig_mlx5_destroy_mkey_res

static const struct field fields[] = {
	/* QUERY_HCA_CAP_IN (§4 and mlx5_ifc.h) */
	FLD(K_QUERY_HCA_CAP_IN, QHA, op_mod, 0x30, 16),
	FLD(K_QUERY_HCA_CAP_IN, QHA, other_function, 0x40, 1),
	FLD(K_QUERY_HCA_CAP_IN, QHA, function_id, 0x50, 16),
	/* QUERY_HCA_CAP_OUT, cmd_hca_cap (§4) */
	HDR_OUT(K_HCA_CAP_OUT, HC1),
	FLD(K_HCA_CAP_OUT, HC1, hca_cap_2, CAP + 0x20, 1),
	FLD(K_HCA_CAP_OUT, HC1, vhca_id, CAP + 0x30, 16),
	FLD(K_HCA_CAP_OUT, HC1, migration, CAP + 0x68d, 1),
	/* QUERY_HCA_CAP_OUT, cmd_hca_cap_2 (§4) */
	HDR_OUT(K_HCA_CAP2_OUT, HC2),
	FLD(K_HCA_CAP2_OUT, HC2, migratable, CAP + 0x80, 1),
	FLD(K_HCA_CAP2_OUT, HC2, migration_multi_load, CAP + 0xc8, 1),
	FLD(K_HCA_CAP2_OUT, HC2, migration_tracking_state, CAP + 0xc9, 1),
	FLD(K_HCA_CAP2_OUT, HC2, migration_in_chunks, CAP + 0xd0, 1),
	FLD(K_HCA_CAP2_OUT, HC2, migration_state, CAP + 0xd9, 1),
	/* SUSPEND_VHCA (§1, §3); op_mod is 0 or 1 */
	FLD(K_SUSPEND_IN, SUA, uid, 0x10, 16),
	FLDX(K_SUSPEND_IN, SUA, op_mod, "op_mod", 0x30, 16, 1, 0, 0),
	FLD(K_SUSPEND_IN, SUA, vhca_id, 0x50, 16),
	HDR_OUT(K_SUSPEND_OUT, SUR),
	/* RESUME_VHCA */
	FLD(K_RESUME_IN, REA, uid, 0x10, 16),
	FLDX(K_RESUME_IN, REA, op_mod, "op_mod", 0x30, 16, 1, 0, 0),
	FLD(K_RESUME_IN, REA, vhca_id, 0x50, 16),
	HDR_OUT(K_RESUME_OUT, RER),
	/* QUERY_VHCA_MIGRATION_STATE (§3) */
	FLD(K_QUERY_MIG_IN, QMA, uid, 0x10, 16),
	FLD(K_QUERY_MIG_IN, QMA, incremental, 0x40, 1),
	FLD(K_QUERY_MIG_IN, QMA, chunk, 0x41, 1),
	FLD(K_QUERY_MIG_IN, QMA, vhca_id, 0x50, 16),
	HDR_OUT(K_QUERY_MIG_OUT, QMR),
	FLD(K_QUERY_MIG_OUT, QMR, migration_state, 0x60, 4),
	FLD(K_QUERY_MIG_OUT, QMR, required_umem_size, 0x80, 32),
	FLD(K_QUERY_MIG_OUT, QMR, remaining_total_size, 0xc0, 64),
	/* SAVE_VHCA_STATE (§3) */
	FLD(K_SAVE_IN, SVA, uid, 0x10, 16),
	FLD(K_SAVE_IN, SVA, incremental, 0x40, 1),
	FLD(K_SAVE_IN, SVA, set_track, 0x41, 1),
	FLD(K_SAVE_IN, SVA, vhca_id, 0x50, 16),
	FLD(K_SAVE_IN, SVA, va, 0x80, 64),
	FLD(K_SAVE_IN, SVA, mkey, 0xc0, 32),
	FLD(K_SAVE_IN, SVA, size, 0xe0, 32),
	HDR_OUT(K_SAVE_OUT, SVR),
	FLD(K_SAVE_OUT, SVR, actual_image_size, 0x40, 32),
	FLD(K_SAVE_OUT, SVR, next_required_umem_size, 0x60, 32),
	/* LOAD_VHCA_STATE (§3) */
	FLD(K_LOAD_IN, LDA, uid, 0x10, 16),
	FLD(K_LOAD_IN, LDA, vhca_id, 0x50, 16),
	FLD(K_LOAD_IN, LDA, va, 0x80, 64),
	FLD(K_LOAD_IN, LDA, mkey, 0xc0, 32),
	FLD(K_LOAD_IN, LDA, size, 0xe0, 32),
	HDR_OUT(K_LOAD_OUT, LDR),
	/* CREATE_UMEM (mlx5_ifc.h: umem at 0x80) */
	FLD(K_CREATE_UMEM_IN, CUA, uid, 0x10, 16),
	FLD(K_CREATE_UMEM_IN, CUA, log_page_size, 0x80 + 0x9b, 5),
	FLD(K_CREATE_UMEM_IN, CUA, page_offset, 0x80 + 0xa0, 32),
	FLDX(K_CREATE_UMEM_IN, CUA, num_of_mtt, "num_of_mtt", 0x80 + 0xc0,
	     64, 0, 0, F_ACC),
	HDR_OUT(K_CREATE_UMEM_OUT, CUR),
	FLD(K_CREATE_UMEM_OUT, CUR, umem_id, 0x48, 24),
	FLD(K_DESTROY_UMEM_IN, DUA, uid, 0x10, 16),
	FLD(K_DESTROY_UMEM_IN, DUA, umem_id, 0x48, 24),
	HDR_OUT(K_DESTROY_UMEM_OUT, DUR),
	/* CREATE_MKEY (mlx5_ifc.h: mkc at 0x80) */
	FLD(K_CREATE_MKEY_IN, CMA, uid, 0x10, 16),
	FLD(K_CREATE_MKEY_IN, CMA, pg_access, 0x60, 1),
	FLD(K_CREATE_MKEY_IN, CMA, umem_valid, 0x61, 1),
	FLDX(K_CREATE_MKEY_IN, CMA, access_mode, "access_mode_4_2",
	     MKC + 0x03, 3, 0x1c, 2, 0),
	FLD(K_CREATE_MKEY_IN, CMA, umr_en, MKC + 0x10, 1),
	FLD(K_CREATE_MKEY_IN, CMA, a, MKC + 0x11, 1),
	FLD(K_CREATE_MKEY_IN, CMA, rw, MKC + 0x12, 1),
	FLD(K_CREATE_MKEY_IN, CMA, rr, MKC + 0x13, 1),
	FLD(K_CREATE_MKEY_IN, CMA, lw, MKC + 0x14, 1),
	FLD(K_CREATE_MKEY_IN, CMA, lr, MKC + 0x15, 1),
	FLDX(K_CREATE_MKEY_IN, CMA, access_mode, "access_mode_1_0",
	     MKC + 0x16, 2, 0x03, 0, 0),
	FLD(K_CREATE_MKEY_IN, CMA, qpn, MKC + 0x20, 24),
	FLD(K_CREATE_MKEY_IN, CMA, mkey_7_0, MKC + 0x38, 8),
	FLD(K_CREATE_MKEY_IN, CMA, length64, MKC + 0x60, 1),
	FLD(K_CREATE_MKEY_IN, CMA, pd, MKC + 0x68, 24),
	FLD(K_CREATE_MKEY_IN, CMA, start_addr, MKC + 0x80, 64),
	FLD(K_CREATE_MKEY_IN, CMA, len, MKC + 0xc0, 64),
	FLD(K_CREATE_MKEY_IN, CMA, translations_octword_size, MKC + 0x1a0,
	    32),
	FLD(K_CREATE_MKEY_IN, CMA, log_page_size, MKC + 0x1da, 6),
	FLDX(K_CREATE_MKEY_IN, CMA, translations_octword_actual_size,
	     "translations_octword_actual_size", 0x300, 32, 0, 0, F_UMEM),
	FLD(K_CREATE_MKEY_IN, CMA, umem_id, 0x320, 32),
	FLD(K_CREATE_MKEY_IN, CMA, umem_offset, 0x340, 64),
	HDR_OUT(K_CREATE_MKEY_OUT, CMR),
	FLD(K_CREATE_MKEY_OUT, CMR, mkey_index, 0x48, 24),
	FLD(K_DESTROY_MKEY_IN, DMKA, uid, 0x10, 16),
	FLD(K_DESTROY_MKEY_IN, DMKA, mkey_index, 0x48, 24),
	HDR_OUT(K_DESTROY_MKEY_OUT, DMKR),
};

static uint64_t
ones(unsigned int w)
{
	return w >= 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1;
}

/* Place @p v at (off, w) by the PRM rule, bit by bit. */
static void
place(uint8_t *img, unsigned int off, unsigned int w, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < w; i++) {
		unsigned int b = off + i;

		if ((v >> (w - 1 - i)) & 1)
			img[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	}
}

static void
put_member(void *s, const struct field *f, uint64_t v)
{
	uint8_t *p = (uint8_t *)s + f->m_off;
	uint8_t b[8];
	size_t i;

	/* Host order through a union-free copy of the low bytes. */
	switch (f->m_sz) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(b, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(b, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(b, &x, 4); break; }
	default: memcpy(b, &v, 8); break;
	}
	for (i = 0; i < f->m_sz; i++)
		p[i] = b[i];
}

static uint64_t
get_member(const void *s, const struct field *f)
{
	const uint8_t *p = (const uint8_t *)s + f->m_off;

	switch (f->m_sz) {
	case 1: { uint8_t x; memcpy(&x, p, 1); return x; }
	case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
	case 4: { uint32_t x; memcpy(&x, p, 4); return x; }
	default: { uint64_t x; memcpy(&x, p, 8); return x; }
	}
}

static int
do_build(enum kind k, void *b, size_t len, const void *s)
{
	switch (k) {
	case K_QUERY_HCA_CAP_IN:
		return mig_mlx5_build_query_hca_cap_in(b, len, s);
	case K_HCA_CAP_OUT:
		return mig_mlx5_build_hca_cap_out(b, len, s);
	case K_HCA_CAP2_OUT:
		return mig_mlx5_build_hca_cap2_out(b, len, s);
	case K_SUSPEND_IN:
		return mig_mlx5_build_suspend_vhca_in(b, len, s);
	case K_SUSPEND_OUT:
		return mig_mlx5_build_suspend_vhca_out(b, len, s);
	case K_RESUME_IN:
		return mig_mlx5_build_resume_vhca_in(b, len, s);
	case K_RESUME_OUT:
		return mig_mlx5_build_resume_vhca_out(b, len, s);
	case K_QUERY_MIG_IN:
		return mig_mlx5_build_query_vhca_migration_state_in(b, len, s);
	case K_QUERY_MIG_OUT:
		return mig_mlx5_build_query_vhca_migration_state_out(b, len, s);
	case K_SAVE_IN:
		return mig_mlx5_build_save_vhca_state_in(b, len, s);
	case K_SAVE_OUT:
		return mig_mlx5_build_save_vhca_state_out(b, len, s);
	case K_LOAD_IN:
		return mig_mlx5_build_load_vhca_state_in(b, len, s);
	case K_LOAD_OUT:
		return mig_mlx5_build_load_vhca_state_out(b, len, s);
	case K_CREATE_UMEM_IN:
		return mig_mlx5_build_create_umem_in(b, len, s);
	case K_CREATE_UMEM_OUT:
		return mig_mlx5_build_create_umem_out(b, len, s);
	case K_DESTROY_UMEM_IN:
		return mig_mlx5_build_destroy_umem_in(b, len, s);
	case K_DESTROY_UMEM_OUT:
		return mig_mlx5_build_destroy_umem_out(b, len, s);
	case K_CREATE_MKEY_IN:
		return mig_mlx5_build_create_mkey_in(b, len, s);
	case K_CREATE_MKEY_OUT:
		return mig_mlx5_build_create_mkey_out(b, len, s);
	case K_DESTROY_MKEY_IN:
		return mig_mlx5_build_destroy_mkey_in(b, len, s);
	case K_DESTROY_MKEY_OUT:
		return mig_mlx5_build_destroy_mkey_out(b, len, s);
	default:
		fail();
		return -1;
	}
}

static int
do_parse(enum kind k, const void *b, size_t len, void *s)
{
	switch (k) {
	case K_QUERY_HCA_CAP_IN:
		return mig_mlx5_parse_query_hca_cap_in(b, len, s);
	case K_HCA_CAP_OUT:
		return mig_mlx5_parse_hca_cap_out(b, len, s);
	case K_HCA_CAP2_OUT:
		return mig_mlx5_parse_hca_cap2_out(b, len, s);
	case K_SUSPEND_IN:
		return mig_mlx5_parse_suspend_vhca_in(b, len, s);
	case K_SUSPEND_OUT:
		return mig_mlx5_parse_suspend_vhca_out(b, len, s);
	case K_RESUME_IN:
		return mig_mlx5_parse_resume_vhca_in(b, len, s);
	case K_RESUME_OUT:
		return mig_mlx5_parse_resume_vhca_out(b, len, s);
	case K_QUERY_MIG_IN:
		return mig_mlx5_parse_query_vhca_migration_state_in(b, len, s);
	case K_QUERY_MIG_OUT:
		return mig_mlx5_parse_query_vhca_migration_state_out(b, len, s);
	case K_SAVE_IN:
		return mig_mlx5_parse_save_vhca_state_in(b, len, s);
	case K_SAVE_OUT:
		return mig_mlx5_parse_save_vhca_state_out(b, len, s);
	case K_LOAD_IN:
		return mig_mlx5_parse_load_vhca_state_in(b, len, s);
	case K_LOAD_OUT:
		return mig_mlx5_parse_load_vhca_state_out(b, len, s);
	case K_CREATE_UMEM_IN:
		return mig_mlx5_parse_create_umem_in(b, len, s);
	case K_CREATE_UMEM_OUT:
		return mig_mlx5_parse_create_umem_out(b, len, s);
	case K_DESTROY_UMEM_IN:
		return mig_mlx5_parse_destroy_umem_in(b, len, s);
	case K_DESTROY_UMEM_OUT:
		return mig_mlx5_parse_destroy_umem_out(b, len, s);
	case K_CREATE_MKEY_IN:
		return mig_mlx5_parse_create_mkey_in(b, len, s);
	case K_CREATE_MKEY_OUT:
		return mig_mlx5_parse_create_mkey_out(b, len, s);
	case K_DESTROY_MKEY_IN:
		return mig_mlx5_parse_destroy_mkey_in(b, len, s);
	case K_DESTROY_MKEY_OUT:
		return mig_mlx5_parse_destroy_mkey_out(b, len, s);
	default:
		fail();
		return -1;
	}
}

/* Storage for any args/res structure, zeroed padding included. */
union st {
	uint64_t u64[64];
	uint8_t b[512];
};

static void
set_base(enum kind k, union st *s)
{
	memset(s, 0, sizeof(*s));
	(void)k;
}

/* The image of an all-zero structure: opcode only (op_mod 0). */
static void
base_image(enum kind k, uint8_t *img, unsigned int flags)
{
	memset(img, 0, BUF_LEN);
	if (!boxes[k].out)
		place(img, 0x00, 16, boxes[k].opcode);
	if (flags & F_UMEM)
		place(img, 0x61, 1, 1);
}

static void
dump_diff(const char *what, const uint8_t *got, const uint8_t *exp,
	  size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (got[i] != exp[i])
			print_message("%s: byte %zu is 0x%02x, expected 0x%02x\n",
				      what, i, got[i], exp[i]);
}

/* Every field alone, through the accessors, at the spec's offsets. */
static void
test_accessor_each_field(void **state)
{
	static uint8_t buf[BUF_LEN], exp[BUF_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(fields); i++) {
		const struct field *f = &fields[i];
		uint64_t pat = UINT64_C(0x8badf00d5eed1234) & ones(f->w);

		memset(buf, 0, sizeof(buf));
		memset(exp, 0, sizeof(exp));
		mig_mlx5_set(buf, f->off, f->w, UINT64_MAX);
		place(exp, f->off, f->w, ones(f->w));
		if (memcmp(buf, exp, sizeof(buf)) != 0) {
			dump_diff(f->name, buf, exp, boxes[f->k].len);
			fail_msg("%s %s: accessor bits differ", boxes[f->k].cmd,
				 f->name);
		}
		assert_int_equal(mig_mlx5_get(buf, f->off, f->w), ones(f->w));
		/* A pattern, and a neighbour-preserving clear. */
		memset(buf, 0, sizeof(buf));
		memset(exp, 0, sizeof(exp));
		mig_mlx5_set(buf, f->off, f->w, pat);
		place(exp, f->off, f->w, pat);
		assert_memory_equal(buf, exp, boxes[f->k].len);
		assert_int_equal(mig_mlx5_get(buf, f->off, f->w), pat);
		memset(buf, 0xff, sizeof(buf));
		mig_mlx5_set(buf, f->off, f->w, 0);
		memset(exp, 0, sizeof(exp));
		place(exp, f->off, f->w, ones(f->w));
		for (size_t j = 0; j < boxes[f->k].len; j++)
			assert_int_equal(buf[j], (uint8_t)~exp[j]);
	}
}

/* Fields that straddle dwords, and values wider than the field. */
static void
test_accessor_edges(void **state)
{
	uint8_t buf[16], exp[16];

	(void)state;
	memset(buf, 0, sizeof(buf));
	memset(exp, 0, sizeof(exp));
	mig_mlx5_set(buf, 0x1c, 40, UINT64_C(0xabcdef0123));
	place(exp, 0x1c, 40, UINT64_C(0xabcdef0123));
	assert_memory_equal(buf, exp, sizeof(buf));
	assert_int_equal(mig_mlx5_get(buf, 0x1c, 40), UINT64_C(0xabcdef0123));
	/* 64-bit field: high dword first. */
	memset(buf, 0, sizeof(buf));
	mig_mlx5_set(buf, 0x40, 64, UINT64_C(0x0102030405060708));
	assert_int_equal(buf[8], 0x01);
	assert_int_equal(buf[15], 0x08);
	/* Too wide a value is masked to the field. */
	memset(buf, 0, sizeof(buf));
	mig_mlx5_set(buf, 0x04, 4, 0xff);
	assert_int_equal(buf[0], 0x0f);
	assert_int_equal(buf[1], 0x00);
	/* Widths 0 and > 64 do nothing. */
	mig_mlx5_set(buf, 0x00, 0, 0xff);
	mig_mlx5_set(buf, 0x00, 65, 0xff);
	assert_int_equal(buf[0], 0x0f);
	assert_int_equal(mig_mlx5_get(buf, 0, 0), 0);
	/* The header's helpers agree with the "offset, width" pairs. */
	assert_int_equal(MIG_MLX5_OFF(MIG_MLX5_SAVE_VHCA_STATE_IN_VA), 0x80);
	assert_int_equal(MIG_MLX5_SZ(MIG_MLX5_SAVE_VHCA_STATE_IN_VA), 64);
	assert_int_equal(MIG_MLX5_OFF(MIG_MLX5_AT(MIG_MLX5_CREATE_MKEY_IN_MKC,
						  MIG_MLX5_MKC_PD)),
			 0x80 + 0x68);
}

/* Every field alone, set through its builder: exactly its bits change. */
static void
test_builder_each_field(void **state)
{
	static uint8_t img0[BUF_LEN], img1[BUF_LEN], exp[BUF_LEN];
	union st s0, s1, back;
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(fields); i++) {
		const struct field *f = &fields[i];
		uint64_t mv = f->m_val != 0 ? f->m_val : ones(f->w);
		uint64_t fv = (mv >> f->shift) & ones(f->w);
		const struct box *bx = &boxes[f->k];
		int ret;

		if (f->flags & F_ACC)
			continue;
		set_base(f->k, &s0);
		if (f->flags & F_UMEM)
			s0.b[offsetof(struct mig_mlx5_create_mkey_args,
				      umem_valid)] = 1;
		s1 = s0;
		put_member(&s1, f, mv);
		memset(img0, 0xa5, sizeof(img0));
		memset(img1, 0x5a, sizeof(img1));
		ret = do_build(f->k, img0, sizeof(img0), &s0);
		assert_int_equal(ret, (int)bx->len);
		ret = do_build(f->k, img1, sizeof(img1), &s1);
		if (ret != (int)bx->len)
			fail_msg("%s %s: build returned %d (%s)", bx->cmd,
				 f->name, ret, mig_err_last());
		/* The zero structure gives the header alone. */
		base_image(f->k, exp, f->flags);
		assert_memory_equal(img0, exp, bx->len);
		place(exp, f->off, f->w, fv);
		if (memcmp(img1, exp, bx->len) != 0) {
			dump_diff(f->name, img1, exp, bx->len);
			fail_msg("%s %s: builder bits differ from bit 0x%x w%u",
				 bx->cmd, f->name, f->off, f->w);
		}
		/* One bit wider than the field is refused (pins the width). */
		if (f->m_val == 0 && f->w < f->m_sz * 8) {
			union st s2 = s0;

			put_member(&s2, f, ones(f->w) + 1);
			mig_err_clear();
			ret = do_build(f->k, img0, sizeof(img0), &s2);
			if (ret != -EINVAL)
				fail_msg("%s %s: 2^%u accepted (%d)", bx->cmd,
					 f->name, f->w, ret);
			assert_non_null(strstr(mig_err_last(), f->name));
		}
		/* Round trip. */
		memset(&back, 0xee, sizeof(back));
		ret = do_parse(f->k, img1, bx->len, &back);
		if (f->flags & F_STATUS) {
			assert_int_equal(ret, -EIO); /* 0xff: unknown */
			assert_int_equal(get_member(&back, f), 0xff);
			continue;
		}
		if (ret != 0)
			fail_msg("%s %s: parse returned %d (%s)", bx->cmd,
				 f->name, ret, mig_err_last());
		assert_memory_equal(&back, &s1, bx->st_size);
	}
}

/* Every field of a box at once with random values, and back. */
static void
test_roundtrip_random(void **state)
{
	static uint8_t img[BUF_LEN], exp[BUF_LEN];
	union st s, back;
	unsigned int k, iter;
	size_t i;

	(void)state;
	srandom(20260101);
	for (k = 0; k < K_NUM; k++) {
		for (iter = 0; iter < 200; iter++) {
			const struct box *bx = &boxes[k];
			int ret;

			set_base(k, &s);
			for (i = 0; i < RTE_DIM(fields); i++) {
				const struct field *f = &fields[i];
				uint64_t r = ((uint64_t)random() << 42) ^
					((uint64_t)random() << 21) ^
					(uint64_t)random();
				uint64_t mv = f->m_val ? f->m_val : ones(f->w);

				if (f->k != k || (f->flags & (F_ACC | F_STATUS)))
					continue;
				put_member(&s, f, get_member(&s, f) | (r & mv));
			}
			if (k == K_CREATE_MKEY_IN)
				((struct mig_mlx5_create_mkey_args *)&s)
					->umem_valid = 1;
			memset(exp, 0, sizeof(exp));
			base_image(k, exp, 0);
			for (i = 0; i < RTE_DIM(fields); i++) {
				const struct field *f = &fields[i];

				if (f->k != k || (f->flags & F_ACC))
					continue;
				place(exp, f->off, f->w,
				      (get_member(&s, f) >> f->shift) &
				      ones(f->w));
			}
			ret = do_build(k, img, sizeof(img), &s);
			assert_int_equal(ret, (int)bx->len);
			assert_memory_equal(img, exp, bx->len);
			memset(&back, 0x77, sizeof(back));
			assert_int_equal(do_parse(k, img, bx->len, &back), 0);
			assert_memory_equal(&back, &s, bx->st_size);
		}
	}
}

/* A SAVE inbox written out by hand from the spec's table. */
static void
test_golden_save(void **state)
{
	static const uint8_t golden[32] = {
		0x01, 0x18, 0x00, 0x07, /* opcode 0x118, uid 7 */
		0x00, 0x00, 0x00, 0x00, /* op_mod 0 */
		0xc0, 0x00, 0x12, 0x34, /* incremental, set_track, vhca */
		0x00, 0x00, 0x00, 0x00,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* va */
		0xaa, 0xbb, 0xcc, 0xdd, /* mkey */
		0x00, 0x80, 0x00, 0x00, /* size 8 MiB */
	};
	struct mig_mlx5_save_vhca_state_args a = {
		.uid = 7, .vhca_id = 0x1234, .incremental = 1, .set_track = 1,
		.va = UINT64_C(0x1122334455667788), .mkey = 0xaabbccdd,
		.size = 8u << 20,
	};
	uint8_t out[16] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x7f, 0xff, 0xf0, /* actual_image_size */
		0x00, 0x10, 0x00, 0x00, /* next_required_umem_size */
	};
	struct mig_mlx5_save_vhca_state_res r;
	uint8_t in[32];

	(void)state;
	assert_int_equal(mig_mlx5_build_save_vhca_state_in(in, sizeof(in), &a),
			 32);
	assert_memory_equal(in, golden, sizeof(golden));
	assert_int_equal(mig_mlx5_parse_save_vhca_state_out(out, sizeof(out),
							    &r), 0);
	assert_int_equal(r.actual_image_size, 0x7ffff0);
	assert_int_equal(r.next_required_umem_size, 0x100000);

	/* QUERY outbox with chunk-mode sizes at bytes 16 and 24. */
	uint8_t q[64] = { 0 };
	struct mig_mlx5_query_vhca_migration_state_res qr;

	q[12] = 0x40; /* migration_state 4 (OPER_MIGRATION_INIT) */
	q[16] = 0x00; q[17] = 0x80; q[18] = 0x00; q[19] = 0x00;
	q[24] = 0x00; q[25] = 0x00; q[26] = 0x00; q[27] = 0x01;
	q[28] = 0x00; q[29] = 0x00; q[30] = 0x10; q[31] = 0x00;
	assert_int_equal(mig_mlx5_parse_query_vhca_migration_state_out(
				 q, sizeof(q), &qr), 0);
	assert_int_equal(qr.migration_state,
			 MIG_MLX5_MIG_STATE_OPER_MIGRATION_INIT);
	assert_int_equal(qr.required_umem_size, 8u << 20);
	assert_int_equal(qr.remaining_total_size, UINT64_C(0x100001000));

	/* cap_2 migration bits as dword/shift (spec §4). */
	static uint8_t cap[16 + 4096];
	struct mig_mlx5_hca_cap2_res c2;

	memset(cap, 0, sizeof(cap));
	cap[16 + 4 * 4] = 0x80;                /* dword 4, shift 31 */
	cap[16 + 6 * 4 + 1] = 0x80 | 0x40;     /* dword 6, shifts 23, 22 */
	cap[16 + 6 * 4 + 2] = 0x80;            /* dword 6, shift 15 */
	cap[16 + 6 * 4 + 3] = 0x40;            /* dword 6, shift 6 */
	assert_int_equal(mig_mlx5_parse_hca_cap2_out(cap, sizeof(cap), &c2),
			 0);
	assert_true(c2.migratable && c2.migration_multi_load &&
		    c2.migration_tracking_state && c2.migration_in_chunks &&
		    c2.migration_state);
	struct mig_mlx5_hca_cap_res c1;

	memset(cap, 0, sizeof(cap));
	cap[16 + 52 * 4 + 1] = 0x04;           /* dword 52, shift 18 */
	cap[16 + 6] = 0xbe;                    /* vhca_id at 0x30 */
	cap[16 + 7] = 0xef;
	assert_int_equal(mig_mlx5_parse_hca_cap_out(cap, sizeof(cap), &c1), 0);
	assert_int_equal(c1.migration, 1);
	assert_int_equal(c1.vhca_id, 0xbeef);
	assert_int_equal(c1.hca_cap_2, 0);
}

/* Spec opcodes, op_mod values and box sizes. */
static void
test_opcodes(void **state)
{
	(void)state;
	assert_int_equal(MIG_MLX5_CMD_QUERY_HCA_CAP, 0x100);
	assert_int_equal(MIG_MLX5_CMD_SUSPEND_VHCA, 0x115);
	assert_int_equal(MIG_MLX5_CMD_RESUME_VHCA, 0x116);
	assert_int_equal(MIG_MLX5_CMD_QUERY_VHCA_MIGRATION_STATE, 0x117);
	assert_int_equal(MIG_MLX5_CMD_SAVE_VHCA_STATE, 0x118);
	assert_int_equal(MIG_MLX5_CMD_LOAD_VHCA_STATE, 0x119);
	assert_int_equal(MIG_MLX5_CMD_CREATE_MKEY, 0x200);
	assert_int_equal(MIG_MLX5_CMD_DESTROY_MKEY, 0x202);
	assert_int_equal(MIG_MLX5_CMD_ALLOC_PD, 0x800);
	assert_int_equal(MIG_MLX5_CMD_DEALLOC_PD, 0x801);
	assert_int_equal(MIG_MLX5_CMD_CREATE_UMEM, 0xa08);
	assert_int_equal(MIG_MLX5_CMD_DESTROY_UMEM, 0xa0a);
	assert_int_equal(MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR, 0);
	assert_int_equal(MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER, 1);
	assert_int_equal(MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER, 0);
	assert_int_equal(MIG_MLX5_RESUME_VHCA_OP_MOD_INITIATOR, 1);
	assert_int_equal(MIG_MLX5_HCA_CAP_OP_MOD(MIG_MLX5_CAP_TYPE_GENERAL_2,
						 MIG_MLX5_HCA_CAP_CUR), 0x41);
	assert_string_equal(mig_mlx5_cmd_name(0x118), "SAVE_VHCA_STATE");
	assert_string_equal(mig_mlx5_cmd_name(0x999), "UNKNOWN");
	assert_int_equal(mig_mlx5_mkey(0x123456, 0x78), 0x12345678);
}

struct status_case {
	uint8_t status;
	const char *name;
	int err;
};

/* spec §1 [DEVH]; errno as the Linux mlx5 core maps them. */
static const struct status_case statuses[] = {
	{ 0x00, "OK", 0 },
	{ 0x01, "INTERNAL_ERR", -EIO },
	{ 0x02, "BAD_OP", -EINVAL },
	{ 0x03, "BAD_PARAM", -EINVAL },
	{ 0x04, "BAD_SYS_STATE", -EIO },
	{ 0x05, "BAD_RESOURCE", -EINVAL },
	{ 0x06, "RESOURCE_BUSY", -EBUSY },
	{ 0x07, "NOT_READY", -EAGAIN },
	{ 0x08, "EXCEED_LIM", -ENOMEM },
	{ 0x09, "BAD_RES_STATE", -EINVAL },
	{ 0x0a, "BAD_INDEX", -EINVAL },
	{ 0x0f, "NO_RESOURCES", -EAGAIN },
	{ 0x10, "BAD_QP_STATE", -EINVAL },
	{ 0x30, "BAD_PKT", -EINVAL },
	{ 0x40, "BAD_SIZE_OUTS_CQES", -EINVAL },
	{ 0x50, "BAD_INPUT_LEN", -EIO },
	{ 0x51, "BAD_OUTPUT_LEN", -EIO },
};

static const struct status_case *
find_status(unsigned int s)
{
	size_t i;

	for (i = 0; i < RTE_DIM(statuses); i++)
		if (statuses[i].status == s)
			return &statuses[i];
	return NULL;
}

/* All 256 status values: name, errno, and the parser's message. */
static void
test_status_decoding(void **state)
{
	unsigned int s;

	(void)state;
	for (s = 0; s < 256; s++) {
		const struct status_case *c = find_status(s);
		const char *name = c != NULL ? c->name : "UNKNOWN";
		int err = c != NULL ? c->err : -EIO;
		struct mig_mlx5_save_vhca_state_res r;
		uint8_t out[16];
		char msg[160];

		assert_string_equal(mig_mlx5_status_name((uint8_t)s), name);
		assert_int_equal(mig_mlx5_status_to_errno((uint8_t)s), err);
		memset(out, 0, sizeof(out));
		out[0] = (uint8_t)s;
		out[4] = 0x12; out[5] = 0x34; out[6] = 0xab; out[7] = 0xcd;
		out[11] = 0x99; /* actual_image_size: ignored on error */
		mig_err_clear();
		assert_int_equal(mig_mlx5_parse_save_vhca_state_out(
					 out, sizeof(out), &r), err);
		assert_int_equal(r.hdr.status, s);
		assert_int_equal(r.hdr.syndrome, 0x1234abcd);
		if (s == 0) {
			assert_string_equal(mig_err_last(), "");
			assert_int_equal(r.actual_image_size, 0x99);
			continue;
		}
		assert_int_equal(r.actual_image_size, 0);
		snprintf(msg, sizeof(msg),
			 "mlx5 SAVE_VHCA_STATE: status %s (0x%x), syndrome 0x1234abcd",
			 name, s);
		assert_string_equal(mig_err_last(), msg);
	}
}

/* The syndrome is 8 hex digits, whatever its value. */
static void
test_syndrome_format(void **state)
{
	static const struct {
		uint32_t syn;
		const char *msg;
	} cases[] = {
		{ 0x0, "mlx5 LOAD_VHCA_STATE: status BAD_PARAM (0x3), "
		       "syndrome 0x00000000" },
		{ 0x1f, "mlx5 LOAD_VHCA_STATE: status BAD_PARAM (0x3), "
			"syndrome 0x0000001f" },
		{ 0xdeadbeef, "mlx5 LOAD_VHCA_STATE: status BAD_PARAM (0x3), "
			      "syndrome 0xdeadbeef" },
	};
	struct mig_mlx5_load_vhca_state_res r = { 0 };
	struct mig_mlx5_out_hdr h;
	uint8_t out[16];
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		r.hdr.status = MIG_MLX5_STAT_BAD_PARAM;
		r.hdr.syndrome = cases[i].syn;
		assert_int_equal(mig_mlx5_build_load_vhca_state_out(
					 out, sizeof(out), &r), 16);
		assert_int_equal(mig_mlx5_parse_load_vhca_state_out(
					 out, sizeof(out), &r), -EINVAL);
		assert_string_equal(mig_err_last(), cases[i].msg);
	}
	/* The generic check, for any opcode. */
	assert_int_equal(mig_mlx5_check_out(0x801, out, 8, &h), -EINVAL);
	assert_string_equal(mig_err_last(),
			    "mlx5 DEALLOC_PD: status BAD_PARAM (0x3), "
			    "syndrome 0xdeadbeef");
	assert_int_equal(mig_mlx5_check_out(0x801, out, 7, &h), -EMSGSIZE);
	assert_int_equal(mig_mlx5_check_out(0x801, NULL, 8, &h), -EINVAL);
}

/* Short buffers and NULL pointers, for every box. */
static void
test_bad_lengths(void **state)
{
	static uint8_t buf[BUF_LEN];
	union st s, back;
	unsigned int k;

	(void)state;
	for (k = 0; k < K_NUM; k++) {
		const struct box *bx = &boxes[k];

		set_base(k, &s);
		mig_err_clear();
		assert_int_equal(do_build(k, buf, bx->len - 1, &s), -EMSGSIZE);
		assert_non_null(strstr(mig_err_last(), bx->cmd));
		assert_int_equal(do_build(k, buf, 0, &s), -EMSGSIZE);
		assert_int_equal(do_build(k, NULL, bx->len, &s), -EINVAL);
		assert_int_equal(do_build(k, buf, bx->len, NULL), -EINVAL);
		assert_int_equal(do_build(k, buf, bx->len, &s), (int)bx->len);
		mig_err_clear();
		assert_int_equal(do_parse(k, buf, bx->len - 1, &back),
				 -EMSGSIZE);
		assert_non_null(strstr(mig_err_last(), bx->cmd));
		assert_int_equal(do_parse(k, NULL, bx->len, &back), -EINVAL);
		assert_int_equal(do_parse(k, buf, bx->len, NULL), -EINVAL);
		assert_int_equal(do_parse(k, buf, bx->len, &back), 0);
	}
}

/* Values that do not fit, bad op_mod, bad opcodes, reserved bits. */
static void
test_bad_values(void **state)
{
	static uint8_t in[512];
	struct mig_mlx5_save_vhca_state_args sa = { 0 };
	struct mig_mlx5_load_vhca_state_args la;
	struct mig_mlx5_suspend_vhca_args su = { .op_mod = 2 };
	struct mig_mlx5_resume_vhca_args re = { .op_mod = 2 };
	struct mig_mlx5_query_vhca_migration_state_args qa = { .chunk = 2 };
	struct mig_mlx5_create_mkey_args ma = { .qpn = 0x1000000 };

	(void)state;
	sa.incremental = 2;
	assert_int_equal(mig_mlx5_build_save_vhca_state_in(in, sizeof(in),
							   &sa), -EINVAL);
	assert_string_equal(mig_err_last(),
			    "mlx5 SAVE_VHCA_STATE: incremental=0x2 does not fit"
			    " in 1 bit(s)");
	assert_int_equal(mig_mlx5_build_suspend_vhca_in(in, sizeof(in), &su),
			 -EINVAL);
	assert_non_null(strstr(mig_err_last(), "SUSPEND_VHCA: op_mod"));
	assert_int_equal(mig_mlx5_build_resume_vhca_in(in, sizeof(in), &re),
			 -EINVAL);
	assert_int_equal(mig_mlx5_build_query_vhca_migration_state_in(
				 in, sizeof(in), &qa), -EINVAL);
	assert_int_equal(mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma),
			 -EINVAL);
	ma.qpn = 0;
	ma.access_mode = 0x20;
	assert_int_equal(mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma),
			 -EINVAL);

	/* Inbox checks on the firmware side. */
	sa.incremental = 0;
	assert_int_equal(mig_mlx5_build_save_vhca_state_in(in, sizeof(in),
							   &sa), 32);
	assert_int_equal(mig_mlx5_parse_load_vhca_state_in(in, 32, &la),
			 -EINVAL); /* opcode 0x118 is not LOAD */
	assert_non_null(strstr(mig_err_last(), "LOAD_VHCA_STATE"));
	assert_non_null(strstr(mig_err_last(), "SAVE_VHCA_STATE"));
	in[8] |= 0x20; /* bit 0x42: reserved */
	assert_int_equal(mig_mlx5_parse_save_vhca_state_in(in, 32, &sa),
			 -EINVAL);
	assert_string_equal(mig_err_last(),
			    "mlx5 SAVE_VHCA_STATE: reserved inbox bits are set");
	in[8] &= (uint8_t)~0x20;
	in[7] = 1; /* op_mod 1 */
	assert_int_equal(mig_mlx5_parse_save_vhca_state_in(in, 32, &sa),
			 -EINVAL);
	in[7] = 0;
	assert_int_equal(mig_mlx5_parse_save_vhca_state_in(in, 32, &sa), 0);

	/* LOAD has no incremental bit: bit 0x40 is reserved there. */
	memset(&la, 0, sizeof(la));
	assert_int_equal(mig_mlx5_build_load_vhca_state_in(in, sizeof(in),
							   &la), 32);
	in[8] = 0x80;
	assert_int_equal(mig_mlx5_parse_load_vhca_state_in(in, 32, &la),
			 -EINVAL);
	/* A reserved bit in the last dword. */
	in[8] = 0;
	in[15] = 0x01;
	assert_int_equal(mig_mlx5_parse_load_vhca_state_in(in, 32, &la),
			 -EINVAL);
	/* Suspend op_mod 1 is fine, 2 is not. */
	su.op_mod = 1;
	assert_int_equal(mig_mlx5_build_suspend_vhca_in(in, sizeof(in), &su),
			 16);
	in[7] = 2;
	assert_int_equal(mig_mlx5_parse_suspend_vhca_in(in, 16, &su), -EINVAL);
}

/*
 * Linux mlx5_ifc.h: QUERY_HCA_CAP has no uid (bits 0x10-0x1f reserved) and
 * mkc.log_page_size is 6 bits at 0x1da.
 */
static void
test_upstream_layouts(void **state)
{
	struct mig_mlx5_query_hca_cap_args qa = { .op_mod = 0x40 };
	struct mig_mlx5_create_mkey_args ma = { 0 };
	static uint8_t in[512];

	(void)state;
	assert_int_equal(mig_mlx5_build_query_hca_cap_in(in, sizeof(in), &qa),
			 16);
	assert_int_equal(mig_mlx5_parse_query_hca_cap_in(in, 16, &qa), 0);
	in[3] = 0x07; /* bits 0x18-0x1f: the uid of other commands */
	assert_int_equal(mig_mlx5_parse_query_hca_cap_in(in, 16, &qa),
			 -EINVAL);
	assert_string_equal(mig_err_last(),
			    "mlx5 QUERY_HCA_CAP: reserved inbox bits are set");
	/* 2^33-byte pages: log 33 needs the sixth bit */
	ma.access_mode = MIG_MLX5_MKC_ACCESS_MODE_MTT;
	ma.log_page_size = 33;
	assert_int_equal(mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma),
			 MIG_MLX5_CREATE_MKEY_IN_LEN);
	/* mkc at byte 16; bit 0x1da is bit 26 of mkc dword 14 */
	assert_int_equal(in[16 + 14 * 4 + 3] & 0x3f, 33);
	memset(&ma, 0, sizeof(ma));
	assert_int_equal(mig_mlx5_parse_create_mkey_in(in,
			 MIG_MLX5_CREATE_MKEY_IN_LEN, &ma), 0);
	assert_int_equal(ma.log_page_size, 33);
}

/* UMEM and MKEY translation lists. */
static void
test_mtt_lists(void **state)
{
	static const uint64_t pages[3] = {
		UINT64_C(0x0000001234567000), UINT64_C(0x00000abcdef01000),
		UINT64_C(0xfffffffffffff000),
	};
	static uint8_t in[1024];
	struct mig_mlx5_create_umem_args ua = {
		.uid = 3, .log_page_size = 0, .page_offset = 0x10,
		.num_of_mtt = 3, .mtt = pages,
		.mtt_flags = MIG_MLX5_MTT_FLAG_RD | MIG_MLX5_MTT_FLAG_WR,
	};
	struct mig_mlx5_create_umem_args ub;
	struct mig_mlx5_create_mkey_args ma = {
		.access_mode = MIG_MLX5_MKC_ACCESS_MODE_MTT, .lr = 1, .lw = 1,
		.rr = 1, .rw = 1, .qpn = MIG_MLX5_MKC_QPN_NONE, .pd = 5,
		.len = 3 * 4096, .log_page_size = 12,
		.translations_octword_size = 2,
		.translations_octword_actual_size = 2,
		.mtt = pages, .n_mtt = 3, .mtt_flags = MIG_MLX5_MTT_FLAG_RD,
	};
	struct mig_mlx5_create_mkey_args mb;
	size_t i;

	(void)state;
	memset(in, 0xcc, sizeof(in));
	assert_int_equal(mig_mlx5_build_create_umem_in(in, sizeof(in), &ua),
			 48 + 3 * 8);
	/* num_of_mtt: 64 bits at byte 40. */
	for (i = 40; i < 47; i++)
		assert_int_equal(in[i], 0);
	assert_int_equal(in[47], 3);
	/* Entries from byte 48, big-endian, flags in the low byte. */
	assert_int_equal(in[48 + 3], 0x12);
	assert_int_equal(in[48 + 6], 0x70);
	assert_int_equal(in[48 + 7], 0x03);
	assert_int_equal(in[64 + 0], 0xff);
	assert_int_equal(in[64 + 7], 0x03);
	assert_int_equal(mig_mlx5_parse_create_umem_in(in, 72, &ub), 0);
	assert_int_equal(ub.num_of_mtt, 3);
	assert_int_equal(ub.page_offset, 0x10);
	assert_int_equal(ub.mtt_flags, 3);
	assert_null(ub.mtt);
	for (i = 0; i < 3; i++)
		assert_int_equal(mig_mlx5_get(in, MIG_MLX5_CREATE_UMEM_IN_MTT +
						  64 * i, 64),
				 pages[i] | 3);
	/* The inbox must hold every entry. */
	assert_int_equal(mig_mlx5_parse_create_umem_in(in, 71, &ub),
			 -EMSGSIZE);
	assert_int_equal(mig_mlx5_build_create_umem_in(in, 71, &ua),
			 -EMSGSIZE);
	ua.num_of_mtt = UINT64_MAX / 2;
	assert_int_equal(mig_mlx5_build_create_umem_in(in, sizeof(in), &ua),
			 -EMSGSIZE);
	ua.num_of_mtt = 3;
	ua.mtt = NULL;
	assert_int_equal(mig_mlx5_build_create_umem_in(in, sizeof(in), &ua),
			 -EINVAL);
	ua.mtt = pages;
	ua.mtt_flags = 4;
	assert_int_equal(mig_mlx5_build_create_umem_in(in, sizeof(in), &ua),
			 -EINVAL);

	/* MKEY: three entries padded to two octwords. */
	memset(in, 0xcc, sizeof(in));
	assert_int_equal(mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma),
			 272 + 32);
	assert_int_equal(in[272 + 7], 0x01);
	assert_int_equal(in[272 + 16], 0xff);
	for (i = 272 + 24; i < 272 + 32; i++)
		assert_int_equal(in[i], 0);
	assert_int_equal(mig_mlx5_get(in, MIG_MLX5_AT(MIG_MLX5_CREATE_MKEY_IN_MKC,
						       MIG_MLX5_MKC_ACCESS_MODE_1_0)),
			 1);
	assert_int_equal(mig_mlx5_parse_create_mkey_in(in, 272 + 32, &mb), 0);
	assert_int_equal(mb.n_mtt, 4);
	assert_int_equal(mb.mtt_flags, MIG_MLX5_MTT_FLAG_RD);
	assert_int_equal(mb.access_mode, MIG_MLX5_MKC_ACCESS_MODE_MTT);
	assert_int_equal(mb.qpn, 0xffffff);
	assert_int_equal(mb.len, 3 * 4096);
	assert_int_equal(mig_mlx5_get(in, MIG_MLX5_CREATE_MKEY_IN_KLM_PAS_MTT +
					  64, 64),
			 pages[1] | 1);
	assert_int_equal(mig_mlx5_parse_create_mkey_in(in, 272 + 31, &mb),
			 -EMSGSIZE);
	/* The octword count must match the entries. */
	ma.translations_octword_actual_size = 1;
	assert_int_equal(mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma),
			 -EINVAL);
	/* Inline entries and a umem are exclusive. */
	ma.translations_octword_actual_size = 2;
	ma.umem_valid = 1;
	assert_int_equal(mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma),
			 -EINVAL);
	/* Unaligned page address. */
	static const uint64_t bad[1] = { 0x1001 };
	ma.umem_valid = 0;
	ma.mtt = bad;
	ma.n_mtt = 1;
	ma.translations_octword_actual_size = 1;
	assert_int_equal(mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma),
			 -EINVAL);
	assert_non_null(strstr(mig_err_last(), "CREATE_MKEY"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accessor_each_field),
		cmocka_unit_test(test_accessor_edges),
		cmocka_unit_test(test_builder_each_field),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_golden_save),
		cmocka_unit_test(test_opcodes),
		cmocka_unit_test(test_status_decoding),
		cmocka_unit_test(test_syndrome_format),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_upstream_layouts),
		cmocka_unit_test(test_mtt_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
