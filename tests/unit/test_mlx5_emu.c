/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Command-level tests of the emulated mlx5 firmware, through the emu
 * command channel and the PRM builders/parsers, without EAL: capabilities,
 * suspend/resume per op_mod, QUERY sizes, SAVE/LOAD of whole images and of
 * chunks, tracking, and each protocol error the firmware must catch.
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

#include <rte_kvargs.h>

#include "mig_log.h"
#include "mig_time.h"

#include "mlx5_chan.h"
#include "mlx5_cmd.h"
#include "mlx5_emu.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define IMG_HDR 72u
#define REC_HDR 16u

static const char *const keys[] = {
	"emu_size", "emu_page", "emu_seed", "emu_dirty_rate",
	"emu_migratable", "emu_chunk", "emu_tracking", "emu_multi_load",
	"emu_chunk_min", "emu_latency", "emu_bandwidth", "emu_fail_precopy",
	"emu_corrupt_save", "emu_model", "emu_mig_state", "emu_reinit",
	"emu_chunk_grow", NULL,
};

static uint32_t last_syn;

/* SAVE sizes are whole 4 KiB pages. */
static uint32_t
pg(uint64_t n)
{
	return (uint32_t)((n + 4095) & ~UINT64_C(4095));
}

static void
chan_open(struct mig_mlx5_chan *ch, const char *pf, int vf, const char *args)
{
	struct rte_kvargs *kv = rte_kvargs_parse(args, keys);

	assert_non_null(kv);
	memset(ch, 0, sizeof(*ch));
	ch->ops = &mig_mlx5_chan_emu;
	snprintf(ch->dev, sizeof(ch->dev), "t%d", vf);
	snprintf(ch->pf, sizeof(ch->pf), "%s", pf);
	ch->vf = vf;
	ch->vhca_id = (uint16_t)(vf + 1);
	assert_int_equal(ch->ops->open(ch, kv), 0);
	rte_kvargs_free(kv);
}

static uint8_t
status_of(const void *out)
{
	last_syn = (uint32_t)mig_mlx5_get(out, MIG_MLX5_OUT_SYNDROME);
	return (uint8_t)mig_mlx5_get(out, MIG_MLX5_OUT_STATUS);
}

static uint8_t
suspend(struct mig_mlx5_chan *ch, uint16_t op_mod)
{
	struct mig_mlx5_suspend_vhca_args a = { .op_mod = op_mod,
						.vhca_id = ch->vhca_id };
	uint8_t in[16], out[16];

	assert_int_equal(mig_mlx5_build_suspend_vhca_in(in, sizeof(in), &a), 16);
	assert_int_equal(mig_mlx5_chan_exec(ch, in, 16, out, 16), 0);
	return status_of(out);
}

static uint8_t
resume(struct mig_mlx5_chan *ch, uint16_t op_mod)
{
	struct mig_mlx5_resume_vhca_args a = { .op_mod = op_mod,
					       .vhca_id = ch->vhca_id };
	uint8_t in[16], out[16];

	assert_int_equal(mig_mlx5_build_resume_vhca_in(in, sizeof(in), &a), 16);
	assert_int_equal(mig_mlx5_chan_exec(ch, in, 16, out, 16), 0);
	return status_of(out);
}

static void
stop(struct mig_mlx5_chan *ch)
{
	assert_int_equal(suspend(ch, MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR), 0);
	assert_int_equal(suspend(ch, MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER), 0);
}

static uint8_t
query(struct mig_mlx5_chan *ch, bool inc, bool chunk,
      struct mig_mlx5_query_vhca_migration_state_res *r)
{
	struct mig_mlx5_query_vhca_migration_state_args a = {
		.vhca_id = ch->vhca_id, .incremental = inc, .chunk = chunk };
	uint8_t in[16], out[64];

	assert_int_equal(mig_mlx5_build_query_vhca_migration_state_in(in, 16, &a),
			 16);
	assert_int_equal(mig_mlx5_chan_exec(ch, in, 16, out, 64), 0);
	mig_mlx5_parse_query_vhca_migration_state_out(out, 64, r);
	return status_of(out);
}

static uint8_t
save(struct mig_mlx5_chan *ch, const struct mig_mlx5_buf *b, bool inc,
     bool track, uint32_t size, struct mig_mlx5_save_vhca_state_res *r)
{
	struct mig_mlx5_save_vhca_state_args a = {
		.vhca_id = ch->vhca_id, .incremental = inc, .set_track = track,
		.va = b->va, .mkey = b->mkey, .size = size };
	uint8_t in[32], out[16];

	assert_int_equal(mig_mlx5_build_save_vhca_state_in(in, 32, &a), 32);
	assert_int_equal(mig_mlx5_chan_exec(ch, in, 32, out, 16), 0);
	mig_mlx5_parse_save_vhca_state_out(out, 16, r);
	return status_of(out);
}

static uint8_t
load(struct mig_mlx5_chan *ch, const struct mig_mlx5_buf *b, uint32_t size)
{
	struct mig_mlx5_load_vhca_state_args a = {
		.vhca_id = ch->vhca_id, .va = b->va, .mkey = b->mkey,
		.size = size };
	uint8_t in[32], out[16];

	assert_int_equal(mig_mlx5_build_load_vhca_state_in(in, 32, &a), 32);
	assert_int_equal(mig_mlx5_chan_exec(ch, in, 32, out, 16), 0);
	return status_of(out);
}

static uint64_t
digest(struct mig_mlx5_chan *ch)
{
	uint64_t d = 0;

	assert_int_equal(ch->ops->digest(ch, &d), 0);
	return d;
}

static void
test_caps(void **state)
{
	struct mig_mlx5_query_hca_cap_args a;
	struct mig_mlx5_hca_cap_res c;
	struct mig_mlx5_hca_cap2_res c2;
	struct mig_mlx5_chan ch;
	static uint8_t out[MIG_MLX5_QUERY_HCA_CAP_OUT_LEN];
	uint8_t in[16];

	(void)state;
	chan_open(&ch, "caps", 2, "emu_chunk=0,emu_tracking=1,emu_multi_load=1,emu_migratable=0");
	memset(&a, 0, sizeof(a));
	a.op_mod = MIG_MLX5_HCA_CAP_OP_MOD(MIG_MLX5_CAP_TYPE_GENERAL, 1);
	mig_mlx5_build_query_hca_cap_in(in, 16, &a);
	assert_int_equal(mig_mlx5_chan_exec(&ch, in, 16, out, sizeof(out)), 0);
	assert_int_equal(mig_mlx5_parse_hca_cap_out(out, sizeof(out), &c), 0);
	assert_int_equal(c.migration, 1);
	assert_int_equal(c.hca_cap_2, 1);
	a.op_mod = MIG_MLX5_HCA_CAP_OP_MOD(MIG_MLX5_CAP_TYPE_GENERAL_2, 1);
	mig_mlx5_build_query_hca_cap_in(in, 16, &a);
	assert_int_equal(mig_mlx5_chan_exec(&ch, in, 16, out, sizeof(out)), 0);
	assert_int_equal(mig_mlx5_parse_hca_cap2_out(out, sizeof(out), &c2), 0);
	assert_int_equal(c2.migration_in_chunks, 0);
	assert_int_equal(c2.migration_tracking_state, 1);
	assert_int_equal(c2.migration_multi_load, 1);
	/* the VF, as another function: vhca_id and migratable */
	a.other_function = 1;
	a.function_id = 3;
	a.op_mod = MIG_MLX5_HCA_CAP_OP_MOD(MIG_MLX5_CAP_TYPE_GENERAL, 1);
	mig_mlx5_build_query_hca_cap_in(in, 16, &a);
	assert_int_equal(mig_mlx5_chan_exec(&ch, in, 16, out, sizeof(out)), 0);
	assert_int_equal(mig_mlx5_parse_hca_cap_out(out, sizeof(out), &c), 0);
	assert_int_equal(c.vhca_id, 3);
	/* upstream reads the VF's general-2 caps as MAX (op_mod 0x40) */
	a.op_mod = MIG_MLX5_HCA_CAP_OP_MOD(MIG_MLX5_CAP_TYPE_GENERAL_2, 1);
	mig_mlx5_build_query_hca_cap_in(in, 16, &a);
	assert_int_equal(mig_mlx5_chan_exec(&ch, in, 16, out, sizeof(out)), 0);
	assert_int_equal(status_of(out), MIG_MLX5_STAT_BAD_PARAM);
	a.op_mod = MIG_MLX5_HCA_CAP_OP_MOD(MIG_MLX5_CAP_TYPE_GENERAL_2, 0);
	assert_int_equal(a.op_mod, 0x40);
	mig_mlx5_build_query_hca_cap_in(in, 16, &a);
	assert_int_equal(mig_mlx5_chan_exec(&ch, in, 16, out, sizeof(out)), 0);
	assert_int_equal(mig_mlx5_parse_hca_cap2_out(out, sizeof(out), &c2), 0);
	assert_int_equal(c2.migratable, 0);
	/* a function that does not exist */
	a.function_id = 9;
	mig_mlx5_build_query_hca_cap_in(in, 16, &a);
	assert_int_equal(mig_mlx5_chan_exec(&ch, in, 16, out, sizeof(out)), 0);
	assert_int_equal(status_of(out), MIG_MLX5_STAT_BAD_PARAM);
	ch.ops->close(&ch);
}

static void
test_suspend_resume(void **state)
{
	struct mig_mlx5_chan ch;

	(void)state;
	chan_open(&ch, "susp", 0, "emu_size=1M");
	/* responder before initiator: refused */
	assert_int_equal(suspend(&ch, MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER),
			 MIG_MLX5_STAT_BAD_RES_STATE);
	assert_int_equal(suspend(&ch, MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR), 0);
	assert_int_equal(suspend(&ch, MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR),
			 MIG_MLX5_STAT_BAD_RES_STATE);
	assert_int_equal(suspend(&ch, MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER), 0);
	/* resume numbering is reversed: initiator (1) first is refused */
	assert_int_equal(resume(&ch, MIG_MLX5_RESUME_VHCA_OP_MOD_INITIATOR),
			 MIG_MLX5_STAT_BAD_RES_STATE);
	assert_int_equal(resume(&ch, MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER), 0);
	assert_int_equal(resume(&ch, MIG_MLX5_RESUME_VHCA_OP_MOD_INITIATOR), 0);
	ch.ops->close(&ch);
}

/* Whole-image STOP_COPY: sizes, SAVE, LOAD elsewhere, digests equal. */
static void
test_stop_copy_image(void **state)
{
	struct mig_mlx5_query_vhca_migration_state_res q;
	struct mig_mlx5_save_vhca_state_res s;
	struct mig_mlx5_chan src, dst;
	struct mig_mlx5_buf b;

	(void)state;
	chan_open(&src, "sc-s", 0, "emu_size=1000000,emu_page=4K,emu_seed=7,emu_chunk=0");
	chan_open(&dst, "sc-d", 0, "emu_size=1000000,emu_page=4K,emu_chunk=0");
	assert_int_not_equal(digest(&src), digest(&dst));
	stop(&src);
	assert_int_equal(query(&src, false, false, &q), 0);
	/* 245 pages of 4 KiB (the last one 576 bytes) */
	assert_int_equal(q.required_umem_size, IMG_HDR + 245 * REC_HDR + 1000000);
	assert_int_equal(mig_mlx5_buf_alloc(&src, q.required_umem_size, &b), 0);
	/* a buffer one page short: refused without chunk mode */
	assert_int_equal(save(&src, &b, false, false,
			      pg(q.required_umem_size) - 4096, &s),
			 MIG_MLX5_STAT_BAD_PARAM);
	/* not whole pages: refused (upstream sends allocated_length) */
	assert_int_equal(save(&src, &b, false, false, q.required_umem_size, &s),
			 MIG_MLX5_STAT_BAD_PARAM);
	assert_int_equal(save(&src, &b, false, false, 4095, &s),
			 MIG_MLX5_STAT_BAD_PARAM);
	assert_int_equal(save(&src, &b, false, false, pg(q.required_umem_size),
			      &s), 0);
	assert_int_equal(s.actual_image_size, q.required_umem_size);
	assert_int_equal(s.next_required_umem_size, 0);
	/* LOAD into a running function: missing SUSPEND */
	{
		struct mig_mlx5_buf d;

		assert_int_equal(mig_mlx5_buf_alloc(&dst, b.len, &d), 0);
		memcpy(d.addr, b.addr, s.actual_image_size);
		assert_int_equal(load(&dst, &d, s.actual_image_size),
				 MIG_MLX5_STAT_BAD_RES_STATE);
		stop(&dst);
		/* size must be the exact image length */
		assert_int_equal(load(&dst, &d, s.actual_image_size - 1),
				 MIG_MLX5_STAT_BAD_PARAM);
		assert_int_equal(load(&dst, &d, s.actual_image_size), 0);
		assert_int_equal(digest(&dst), digest(&src));
		assert_int_equal(resume(&dst, MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER), 0);
		assert_int_equal(resume(&dst, MIG_MLX5_RESUME_VHCA_OP_MOD_INITIATOR), 0);
		mig_mlx5_buf_free(&dst, &d);
	}
	mig_mlx5_buf_free(&src, &b);
	src.ops->close(&src);
	dst.ops->close(&dst);
}

static void
test_missing_suspend(void **state)
{
	struct mig_mlx5_save_vhca_state_res s;
	struct mig_mlx5_chan ch;
	struct mig_mlx5_buf b;

	(void)state;
	chan_open(&ch, "nosusp", 0, "emu_size=64K,emu_page=4K");
	assert_int_equal(mig_mlx5_buf_alloc(&ch, 1 * MIB, &b), 0);
	assert_int_equal(save(&ch, &b, false, false, (uint32_t)b.len, &s),
			 MIG_MLX5_STAT_BAD_RES_STATE);
	/* initiator-suspended is not enough either */
	assert_int_equal(suspend(&ch, MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR), 0);
	assert_int_equal(save(&ch, &b, false, false, (uint32_t)b.len, &s),
			 MIG_MLX5_STAT_BAD_RES_STATE);
	assert_int_equal(suspend(&ch, MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER), 0);
	assert_int_equal(save(&ch, &b, false, false, (uint32_t)b.len, &s), 0);
	/* a buffer the mkey does not cover */
	assert_int_equal(save(&ch, &b, false, false, (uint32_t)b.len + 4096, &s),
			 MIG_MLX5_STAT_BAD_PARAM);
	mig_mlx5_buf_free(&ch, &b);
	ch.ops->close(&ch);
}

static void
test_4g_limit(void **state)
{
	struct mig_mlx5_query_vhca_migration_state_res q;
	struct mig_mlx5_chan ch;

	(void)state;
	chan_open(&ch, "big", 0, "emu_size=5G,emu_page=1M,emu_chunk=0");
	stop(&ch);
	assert_int_equal(query(&ch, false, false, &q), MIG_MLX5_STAT_EXCEED_LIM);
	/* and chunk queries need the capability */
	assert_int_equal(query(&ch, false, true, &q), MIG_MLX5_STAT_BAD_PARAM);
	ch.ops->close(&ch);
	chan_open(&ch, "big-chunk", 0, "emu_size=5G,emu_page=1M,emu_chunk_min=2M");
	stop(&ch);
	assert_int_equal(query(&ch, false, true, &q), 0);
	assert_int_equal(q.required_umem_size, 2 * MIB);
	/* chunk mode on: a QUERY without the chunk bit is refused */
	assert_int_equal(query(&ch, false, false, &q), MIG_MLX5_STAT_BAD_PARAM);
	assert_int_equal(last_syn, 0x0e000012u);
	assert_int_equal(query(&ch, false, true, &q), 0);
	assert_int_equal(q.remaining_total_size,
			 IMG_HDR + 5 * 1024 * REC_HDR + 5 * GIB);
	ch.ops->close(&ch);
}

/* Chunk mode: minimum buffer, next sizes, last chunk, in-order LOADs. */
static void
test_chunks(void **state)
{
	struct mig_mlx5_query_vhca_migration_state_res q;
	struct mig_mlx5_save_vhca_state_res s;
	struct mig_mlx5_chan src, dst;
	struct mig_mlx5_buf b[8], d;
	uint32_t len[8];
	unsigned int n = 0, i;

	(void)state;
	chan_open(&src, "ch-s", 0, "emu_size=1M,emu_page=64K,emu_chunk_min=200K,emu_seed=3");
	chan_open(&dst, "ch-d", 0, "emu_size=1M,emu_page=64K,emu_chunk_min=200K");
	stop(&src);
	stop(&dst);
	assert_int_equal(query(&src, false, true, &q), 0);
	assert_int_equal(q.required_umem_size, 200 * KIB);
	assert_int_equal(q.remaining_total_size, IMG_HDR + 16 * REC_HDR + MIB);
	assert_int_equal(mig_mlx5_buf_alloc(&src, 200 * KIB, &b[0]), 0);
	/* below the chunk minimum: refused */
	assert_int_equal(save(&src, &b[0], false, false, 100 * KIB, &s),
			 MIG_MLX5_STAT_BAD_PARAM);
	do {
		if (n > 0)
			assert_int_equal(mig_mlx5_buf_alloc(&src, 200 * KIB, &b[n]), 0);
		assert_int_equal(save(&src, &b[n], n > 0, false, 200 * KIB, &s), 0);
		/* three 64 KiB pages per 200 KiB chunk */
		assert_int_equal(s.actual_image_size,
				 n < 5 ? IMG_HDR + 3 * (REC_HDR + 64 * KIB) :
					 IMG_HDR + REC_HDR + 64 * KIB);
		len[n++] = s.actual_image_size;
	} while (s.next_required_umem_size != 0 && n < 8);
	assert_int_equal(n, 6);
	assert_int_equal(mig_mlx5_buf_alloc(&dst, 200 * KIB, &d), 0);
	/* the first LOAD must be image 0 */
	memcpy(d.addr, b[1].addr, len[1]);
	assert_int_equal(load(&dst, &d, len[1]), MIG_MLX5_STAT_BAD_PARAM);
	memcpy(d.addr, b[0].addr, len[0]);
	assert_int_equal(load(&dst, &d, len[0]), 0);
	/* skipping an image: out of order */
	memcpy(d.addr, b[2].addr, len[2]);
	assert_int_equal(load(&dst, &d, len[2]), MIG_MLX5_STAT_BAD_PARAM);
	assert_non_null(strstr(dst.ops->detail(&dst), "out of order"));
	for (i = 1; i < n; i++) {
		memcpy(d.addr, b[i].addr, len[i]);
		assert_int_equal(load(&dst, &d, len[i]), 0);
	}
	assert_int_equal(digest(&dst), digest(&src));
	assert_int_equal(resume(&dst, MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER), 0);
	for (i = 0; i < n; i++)
		mig_mlx5_buf_free(&src, &b[i]);
	mig_mlx5_buf_free(&dst, &d);
	src.ops->close(&src);
	dst.ops->close(&dst);
}

/* Pre-copy: tracked initial image, middle image of dirty pages, final. */
static void
test_tracking(void **state)
{
	struct mig_mlx5_query_vhca_migration_state_res q;
	struct mig_mlx5_save_vhca_state_res s;
	struct mig_mlx5_chan src, dst;
	struct mig_mlx5_buf b[3], d;
	struct mig_mlx5_emu_pf_cfg pc = { .chunk = false, .tracking = true,
					  .multi_load = true,
					  .chunk_min = 2 * MIB,
					  .mig_state = true };
	struct mig_mlx5_emu_pf *pf;
	uint32_t len[3];
	unsigned int i;

	(void)state;
	chan_open(&src, "tr-s", 0, "emu_size=256K,emu_page=4K,emu_seed=11,emu_chunk=0");
	chan_open(&dst, "tr-d", 0, "emu_size=256K,emu_page=4K,emu_chunk=0");
	pf = mig_mlx5_emu_pf_get("tr-s", &pc);
	assert_non_null(pf);
	for (i = 0; i < 3; i++)
		assert_int_equal(mig_mlx5_buf_alloc(&src, 512 * KIB, &b[i]), 0);
	/* incremental QUERY without tracking: refused */
	assert_int_equal(query(&src, true, false, &q), MIG_MLX5_STAT_BAD_RES_STATE);
	assert_int_equal(query(&src, false, false, &q), 0);
	assert_int_equal(save(&src, &b[0], false, true, pg(q.required_umem_size),
			      &s), 0);
	len[0] = s.actual_image_size;
	/* nothing dirty yet */
	assert_int_equal(query(&src, true, false, &q), 0);
	assert_int_equal(q.required_umem_size, 0);
	assert_int_equal(mig_mlx5_emu_vf_dirty(pf, 1, 5), 0);
	assert_int_equal(query(&src, true, false, &q), 0);
	assert_int_equal(q.required_umem_size, IMG_HDR + 5 * (REC_HDR + 4096));
	/* more dirt after QUERY: the middle SAVE no longer fits */
	assert_int_equal(mig_mlx5_emu_vf_dirty(pf, 1, 9), 0);
	assert_int_equal(save(&src, &b[1], true, true, pg(q.required_umem_size),
			      &s), MIG_MLX5_STAT_BAD_RES_STATE);
	assert_int_equal(query(&src, true, false, &q), 0);
	assert_int_equal(save(&src, &b[1], true, true, pg(q.required_umem_size),
			      &s), 0);
	len[1] = s.actual_image_size;
	/* tracked SAVE on a suspended function: refused */
	stop(&src);
	assert_int_equal(save(&src, &b[2], true, true, 512 * KIB, &s),
			 MIG_MLX5_STAT_BAD_RES_STATE);
	assert_int_equal(query(&src, true, false, &q), 0);
	assert_int_equal(q.required_umem_size, 0);
	assert_int_equal(save(&src, &b[2], true, false, 512 * KIB, &s), 0);
	assert_int_equal(s.actual_image_size, IMG_HDR); /* final, no pages */
	len[2] = s.actual_image_size;
	stop(&dst);
	assert_int_equal(mig_mlx5_buf_alloc(&dst, 512 * KIB, &d), 0);
	for (i = 0; i < 3; i++) {
		memcpy(d.addr, b[i].addr, len[i]);
		assert_int_equal(load(&dst, &d, len[i]), 0);
	}
	assert_int_equal(digest(&dst), digest(&src));
	for (i = 0; i < 3; i++)
		mig_mlx5_buf_free(&src, &b[i]);
	mig_mlx5_buf_free(&dst, &d);
	mig_mlx5_emu_pf_put(pf);
	src.ops->close(&src);
	dst.ops->close(&dst);
}

/* Leaving pre-copy: an untracked full SAVE while running drops tracking. */
static void
test_precopy_cleanup(void **state)
{
	struct mig_mlx5_query_vhca_migration_state_res q;
	struct mig_mlx5_save_vhca_state_res s;
	struct mig_mlx5_chan ch;
	struct mig_mlx5_buf b;

	(void)state;
	chan_open(&ch, "cl", 0, "emu_size=64K,emu_page=4K");
	assert_int_equal(mig_mlx5_buf_alloc(&ch, 256 * KIB, &b), 0);
	assert_int_equal(save(&ch, &b, false, true, 256 * KIB, &s), 0);
	assert_int_equal(query(&ch, true, true, &q), 0);
	assert_int_equal(save(&ch, &b, false, false, 4096, &s), 0);
	assert_int_equal(s.actual_image_size, 0);
	assert_int_equal(query(&ch, true, true, &q), MIG_MLX5_STAT_BAD_RES_STATE);
	mig_mlx5_buf_free(&ch, &b);
	ch.ops->close(&ch);
}

/* Save a whole image of @p ch (suspending it) into a new buffer. */
static uint32_t
save_image(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b)
{
	struct mig_mlx5_query_vhca_migration_state_res q;
	struct mig_mlx5_save_vhca_state_res s;

	stop(ch);
	assert_int_equal(query(ch, false, true, &q), 0);
	assert_int_equal(mig_mlx5_buf_alloc(ch, q.required_umem_size, b), 0);
	assert_int_equal(save(ch, b, false, false, pg(q.required_umem_size), &s),
			 0);
	return s.actual_image_size;
}

static void
test_other_device(void **state)
{
	struct mig_mlx5_chan src, dst;
	struct mig_mlx5_buf b, d;
	uint32_t len;

	(void)state;
	chan_open(&src, "od-s", 0, "emu_size=128K,emu_page=4K,emu_model=1");
	chan_open(&dst, "od-d", 0, "emu_size=128K,emu_page=4K,emu_model=2");
	len = save_image(&src, &b);
	stop(&dst);
	assert_int_equal(mig_mlx5_buf_alloc(&dst, len, &d), 0);
	memcpy(d.addr, b.addr, len);
	assert_int_equal(load(&dst, &d, len), MIG_MLX5_STAT_BAD_PARAM);
	assert_non_null(strstr(dst.ops->detail(&dst), "image of another device"));
	/* not an image at all */
	memset(d.addr, 0, len);
	assert_int_equal(load(&dst, &d, len), MIG_MLX5_STAT_BAD_PARAM);
	mig_mlx5_buf_free(&src, &b);
	mig_mlx5_buf_free(&dst, &d);
	src.ops->close(&src);
	dst.ops->close(&dst);
}

/* A corrupt image breaks the function until a reset; it never resumes. */
static void
test_corrupt(void **state)
{
	struct mig_mlx5_chan src, dst;
	struct mig_mlx5_buf b, d;
	uint32_t len;

	(void)state;
	chan_open(&src, "co-s", 0, "emu_size=128K,emu_page=4K,emu_seed=5");
	chan_open(&dst, "co-d", 0, "emu_size=128K,emu_page=4K");
	len = save_image(&src, &b);
	stop(&dst);
	assert_int_equal(mig_mlx5_buf_alloc(&dst, len, &d), 0);
	memcpy(d.addr, b.addr, len);
	((uint8_t *)d.addr)[len - 100] ^= 1;
	assert_int_equal(load(&dst, &d, len), MIG_MLX5_STAT_BAD_PARAM);
	assert_non_null(strstr(dst.ops->detail(&dst), "corrupt image 0"));
	/* broken: no more LOADs, no resume */
	memcpy(d.addr, b.addr, len);
	assert_int_equal(load(&dst, &d, len), MIG_MLX5_STAT_BAD_RES_STATE);
	assert_int_equal(resume(&dst, MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER),
			 MIG_MLX5_STAT_BAD_RES_STATE);
	/* a reset brings it back, fresh */
	assert_int_equal(dst.ops->vf_reset(&dst), 0);
	stop(&dst);
	assert_int_equal(load(&dst, &d, len), 0);
	assert_int_equal(digest(&dst), digest(&src));
	mig_mlx5_buf_free(&src, &b);
	mig_mlx5_buf_free(&dst, &d);
	src.ops->close(&src);
	dst.ops->close(&dst);
}

/* Partial state: the function refuses to resume on it. */
static void
test_partial(void **state)
{
	struct mig_mlx5_save_vhca_state_res s;
	struct mig_mlx5_chan src, dst;
	struct mig_mlx5_buf b, d;

	(void)state;
	chan_open(&src, "pa-s", 0, "emu_size=1M,emu_page=64K,emu_chunk_min=200K");
	chan_open(&dst, "pa-d", 0, "emu_size=1M,emu_page=64K,emu_chunk_min=200K");
	stop(&src);
	stop(&dst);
	assert_int_equal(mig_mlx5_buf_alloc(&src, 200 * KIB, &b), 0);
	assert_int_equal(mig_mlx5_buf_alloc(&dst, 200 * KIB, &d), 0);
	assert_int_equal(save(&src, &b, false, false, 200 * KIB, &s), 0);
	assert_int_not_equal(s.next_required_umem_size, 0);
	memcpy(d.addr, b.addr, s.actual_image_size);
	assert_int_equal(load(&dst, &d, s.actual_image_size), 0);
	assert_int_equal(resume(&dst, MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER),
			 MIG_MLX5_STAT_BAD_RES_STATE);
	assert_non_null(strstr(dst.ops->detail(&dst), "partial"));
	mig_mlx5_buf_free(&src, &b);
	mig_mlx5_buf_free(&dst, &d);
	src.ops->close(&src);
	dst.ops->close(&dst);
}

/* Without migration_multi_load only one LOAD per resume. */
static void
test_no_multi_load(void **state)
{
	struct mig_mlx5_save_vhca_state_res s;
	struct mig_mlx5_chan src, dst;
	struct mig_mlx5_buf b[2], d;
	uint32_t len[2];

	(void)state;
	chan_open(&src, "ml-s", 0, "emu_size=1M,emu_page=64K,emu_chunk_min=200K");
	chan_open(&dst, "ml-d", 0, "emu_size=1M,emu_page=64K,emu_chunk_min=200K,emu_multi_load=0");
	stop(&src);
	stop(&dst);
	assert_int_equal(mig_mlx5_buf_alloc(&src, 200 * KIB, &b[0]), 0);
	assert_int_equal(mig_mlx5_buf_alloc(&src, 200 * KIB, &b[1]), 0);
	assert_int_equal(mig_mlx5_buf_alloc(&dst, 200 * KIB, &d), 0);
	assert_int_equal(save(&src, &b[0], false, false, 200 * KIB, &s), 0);
	len[0] = s.actual_image_size;
	assert_int_equal(save(&src, &b[1], true, false, 200 * KIB, &s), 0);
	len[1] = s.actual_image_size;
	memcpy(d.addr, b[0].addr, len[0]);
	assert_int_equal(load(&dst, &d, len[0]), 0);
	memcpy(d.addr, b[1].addr, len[1]);
	assert_int_equal(load(&dst, &d, len[1]), MIG_MLX5_STAT_BAD_RES_STATE);
	mig_mlx5_buf_free(&src, &b[0]);
	mig_mlx5_buf_free(&src, &b[1]);
	mig_mlx5_buf_free(&dst, &d);
	src.ops->close(&src);
	dst.ops->close(&dst);
}

/* Emulated latency and bandwidth show up in the completion time. */
/*
 * CREATE_MKEY: an mkey must lie inside its umem even when umem_offset +
 * len wraps around 2^64 (found by tests/fuzz/fuzz_mlx5_emu: the mkey was
 * created, and a SAVE into it wrote through a wild MTT index).
 */
static void
test_mkey_range(void **state)
{
	static const struct mig_mlx5_emu_pf_cfg pc = { .chunk_min = 4096 };
	static const struct mig_mlx5_emu_vf_cfg vc = {
		.size = 4096, .page = 4096, .model = 1, .migratable = true,
	};
	static const struct {
		uint64_t off, len;
		uint8_t status;
	} cases[] = {
		{ 0, 4 * 4096, MIG_MLX5_STAT_OK },
		{ 4096, 3 * 4096, MIG_MLX5_STAT_OK },
		{ 4096, 3 * 4096 + 1, MIG_MLX5_STAT_BAD_PARAM },
		{ UINT64_MAX - 4095, 2 * 4096, MIG_MLX5_STAT_BAD_PARAM },
		{ 4096, UINT64_MAX, MIG_MLX5_STAT_BAD_PARAM },
	};
	uint8_t in[MIG_MLX5_CREATE_MKEY_IN_LEN];
	uint8_t out[MIG_MLX5_CREATE_MKEY_OUT_LEN];
	struct mig_mlx5_create_umem_args ua = {
		.num_of_mtt = 4,
		.mtt_flags = MIG_MLX5_MTT_FLAG_RD | MIG_MLX5_MTT_FLAG_WR,
	};
	struct mig_mlx5_create_mkey_args ma = {
		.umem_valid = 1,
		.access_mode = MIG_MLX5_MKC_ACCESS_MODE_MTT,
		.lw = 1,
		.lr = 1,
		.qpn = MIG_MLX5_MKC_QPN_NONE,
		.start_addr = 0x100000,
		.log_page_size = 12,
		.translations_octword_size = 2,
	};
	struct mig_mlx5_create_umem_res ur;
	struct mig_mlx5_emu_pf *pf;
	uint8_t *mem = aligned_alloc(4096, 4 * 4096);
	uint64_t mtt[4];
	unsigned int i;
	int n;

	(void)state;
	assert_non_null(mem);
	pf = mig_mlx5_emu_pf_get("mkey-range", &pc);
	assert_non_null(pf);
	assert_int_equal(mig_mlx5_emu_vf_add(pf, 0, &vc), 0);
	for (i = 0; i < 4; i++)
		mtt[i] = (uint64_t)(uintptr_t)(mem + i * 4096);
	ua.mtt = mtt;
	n = mig_mlx5_build_create_umem_in(in, sizeof(in), &ua);
	assert_true(n > 0);
	assert_int_equal(mig_mlx5_emu_exec(pf, in, (size_t)n, out,
					   MIG_MLX5_CREATE_UMEM_OUT_LEN, NULL),
			 0);
	assert_int_equal(mig_mlx5_parse_create_umem_out(out,
				MIG_MLX5_CREATE_UMEM_OUT_LEN, &ur), 0);
	ma.umem_id = ur.umem_id;
	for (i = 0; i < RTE_DIM(cases); i++) {
		ma.umem_offset = cases[i].off;
		ma.len = cases[i].len;
		n = mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma);
		assert_true(n > 0);
		assert_int_equal(mig_mlx5_emu_exec(pf, in, (size_t)n, out,
						   sizeof(out), NULL), 0);
		assert_int_equal(status_of(out), cases[i].status);
	}
	mig_mlx5_emu_pf_put(pf);
	free(mem);
}

static void
test_timing(void **state)
{
	struct mig_mlx5_save_vhca_state_args a;
	struct mig_mlx5_chan ch;
	struct mig_mlx5_buf b;
	struct mig_mlx5_cmd c, *done[1];
	uint8_t in[32], out[16];
	uint64_t t0;

	(void)state;
	chan_open(&ch, "ti", 0, "emu_size=4M,emu_chunk=0,emu_latency=1ms,emu_bandwidth=100M");
	stop(&ch);
	assert_int_equal(mig_mlx5_buf_alloc(&ch, 5 * MIB, &b), 0);
	memset(&a, 0, sizeof(a));
	a.vhca_id = ch.vhca_id;
	a.va = b.va;
	a.mkey = b.mkey;
	a.size = 5 * MIB;
	mig_mlx5_build_save_vhca_state_in(in, 32, &a);
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.outlen = sizeof(out);
	t0 = mig_time_ns();
	assert_int_equal(ch.ops->submit(&ch, in, 32, &c), 0);
	/* 4 MiB at 100 MB/s: about 42 ms after the 1 ms latency */
	assert_true(c.done_ns - t0 >= 40 * 1000000ull);
	assert_int_equal(ch.ops->poll(&ch, done, 1), 0);
	while (ch.ops->poll(&ch, done, 1) == 0)
		;
	assert_true(mig_time_ns() >= c.done_ns);
	assert_int_equal(status_of(out), 0);
	mig_mlx5_buf_free(&ch, &b);
	ch.ops->close(&ch);
}

/*
 * Both memory keys: the kernel driver's inline-MTT mkey (start_addr 0, SAVE
 * va 0; what channel=emu registers) and a UMEM-backed one (va = address;
 * what channel=vfio registers). A SAVE through either writes the same image.
 */
static void
test_mkey_kinds(void **state)
{
	struct mig_mlx5_save_vhca_state_res s;
	struct mig_mlx5_create_umem_args ua;
	struct mig_mlx5_create_umem_res ur;
	struct mig_mlx5_create_mkey_res mr;
	struct mig_mlx5_chan ch;
	struct mig_mlx5_buf b, u;
	uint8_t out[16], in[512], min[MIG_MLX5_CREATE_MKEY_IN_LEN];
	uint64_t mtt[16], i;
	uint32_t len;

	(void)state;
	chan_open(&ch, "mk", 0, "emu_size=32K,emu_page=4K,emu_seed=2");
	stop(&ch);
	assert_int_equal(mig_mlx5_buf_alloc(&ch, 64 * KIB, &b), 0);
	assert_int_equal(b.va, 0);
	assert_int_equal(save(&ch, &b, false, false, 64 * KIB, &s), 0);
	len = s.actual_image_size;
	/* the same buffer size through a UMEM and an mkey over it */
	u = b;
	u.addr = aligned_alloc(4096, 64 * KIB);
	assert_non_null(u.addr);
	for (i = 0; i < 16; i++)
		mtt[i] = (uint64_t)(uintptr_t)u.addr + i * 4096;
	memset(&ua, 0, sizeof(ua));
	ua.num_of_mtt = 16;
	ua.mtt = mtt;
	ua.mtt_flags = MIG_MLX5_MTT_FLAG_RD | MIG_MLX5_MTT_FLAG_WR;
	assert_int_equal(mig_mlx5_build_create_umem_in(in, sizeof(in), &ua),
			 48 + 16 * 8);
	assert_int_equal(mig_mlx5_chan_exec(&ch, in, 48 + 16 * 8, out, 16), 0);
	assert_int_equal(mig_mlx5_parse_create_umem_out(out, 16, &ur), 0);
	assert_true(mig_mlx5_chan_mkey_in(&ch, &u, ur.umem_id, min,
					  sizeof(min)) > 0);
	assert_int_equal(mig_mlx5_chan_exec(&ch, min, sizeof(min), out, 16), 0);
	assert_int_equal(mig_mlx5_parse_create_mkey_out(out, 16, &mr), 0);
	u.mkey = mig_mlx5_mkey(mr.mkey_index, 0);
	u.va = (uint64_t)(uintptr_t)u.addr;
	/* a second full image of the same suspended state */
	assert_int_equal(save(&ch, &u, false, false, 64 * KIB, &s), 0);
	assert_int_equal(s.actual_image_size, len);
	/* records equal; the image headers differ in their session */
	assert_memory_equal((uint8_t *)u.addr + IMG_HDR,
			    (uint8_t *)b.addr + IMG_HDR, len - IMG_HDR);
	free(u.addr);
	mig_mlx5_buf_free(&ch, &b);
	ch.ops->close(&ch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_suspend_resume),
		cmocka_unit_test(test_stop_copy_image),
		cmocka_unit_test(test_missing_suspend),
		cmocka_unit_test(test_4g_limit),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_tracking),
		cmocka_unit_test(test_precopy_cleanup),
		cmocka_unit_test(test_other_device),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_no_multi_load),
		cmocka_unit_test(test_mkey_range),
		cmocka_unit_test(test_timing),
		cmocka_unit_test(test_mkey_kinds),
	};

	return cmocka_run_group_tests_name("mlx5_emu", tests, NULL, NULL);
}
