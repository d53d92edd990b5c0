/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * channel=emu: commands go to the emulated firmware in this process. The
 * VF is created from the emu_* devargs when the channel opens; devices of
 * one process naming the same pf= share one emulated PF.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "mig_devargs.h"
#include "mig_log.h"
#include "mig_time.h"

#include "mlx5_chan.h"
#include "mlx5_cmd.h"
#include "mlx5_emu.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * KIB)
#define GIB (MIB * KIB)
#define TIB (GIB * KIB)
#define EMU_PAGE_SHIFT 12

struct chan_emu {
	struct mig_mlx5_emu_pf *pf;
	uint16_t vf;
};

struct chan_emu_buf {
	uint32_t mkey_index;
};

static const char *const chan_emu_keys[] = {
	"emu_size", "emu_page", "emu_seed", "emu_dirty_rate",
	"emu_migratable", "emu_chunk", "emu_tracking", "emu_multi_load",
	"emu_chunk_min", "emu_latency", "emu_bandwidth", "emu_fail_precopy",
	"emu_corrupt_save", "emu_model", "emu_mig_state", "emu_reinit",
	"emu_chunk_grow", NULL,
};

static int
chan_emu_args(struct mig_mlx5_chan *ch, struct rte_kvargs *kv,
	      struct mig_mlx5_emu_pf_cfg *pc, struct mig_mlx5_emu_vf_cfg *vc)
{
	char who[96];
	uint64_t model = 1;

	snprintf(who, sizeof(who), "mlx5 %s", ch->dev);
	memset(pc, 0, sizeof(*pc));
	memset(vc, 0, sizeof(*vc));
	pc->chunk = true;
	pc->tracking = true;
	pc->multi_load = true;
	pc->chunk_min = 2 * MIB;
	pc->mig_state = true;
	vc->size = 64 * MIB;
	vc->page = 64 * KIB;
	vc->seed = 1;
	vc->migratable = true;
	if (mig_devargs_size(kv, who, "emu_size", &vc->size, 4 * KIB, TIB) < 0 ||
	    mig_devargs_size(kv, who, "emu_page", &vc->page, 4 * KIB, MIB) < 0 ||
	    mig_devargs_u64(kv, who, "emu_seed", &vc->seed, 0, UINT64_MAX) < 0 ||
	    mig_devargs_size(kv, who, "emu_dirty_rate", &vc->dirty_rate, 0,
			     UINT64_MAX) < 0 ||
	    mig_devargs_bool(kv, who, "emu_migratable", &vc->migratable) < 0 ||
	    mig_devargs_bool(kv, who, "emu_chunk", &pc->chunk) < 0 ||
	    mig_devargs_bool(kv, who, "emu_tracking", &pc->tracking) < 0 ||
	    mig_devargs_bool(kv, who, "emu_multi_load", &pc->multi_load) < 0 ||
	    mig_devargs_size(kv, who, "emu_chunk_min", &pc->chunk_min, 4 * KIB,
			     GIB) < 0 ||
	    mig_devargs_duration(kv, who, "emu_latency", &pc->latency_ns,
				 1000) < 0 ||
	    mig_devargs_size(kv, who, "emu_bandwidth", &pc->bandwidth, 0,
			     UINT64_MAX) < 0 ||
	    mig_devargs_u64(kv, who, "emu_fail_precopy", &vc->fail_precopy, 0,
			    UINT64_MAX) < 0 ||
	    mig_devargs_u64(kv, who, "emu_corrupt_save", &vc->corrupt_save, 0,
			    UINT64_MAX) < 0 ||
	    mig_devargs_u64(kv, who, "emu_model", &model, 0, UINT32_MAX) < 0 ||
	    mig_devargs_bool(kv, who, "emu_mig_state", &pc->mig_state) < 0 ||
	    mig_devargs_u64(kv, who, "emu_reinit", &vc->reinit, 0,
			    UINT64_MAX) < 0 ||
	    mig_devargs_size(kv, who, "emu_chunk_grow", &pc->chunk_grow, 0,
			     GIB) < 0)
		return -EINVAL;
	vc->model = (uint32_t)model;
	if ((vc->page & (vc->page - 1)) != 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: emu_page=%" PRIu64 ": not a power of two",
			    ch->dev, vc->page);
		return -EINVAL;
	}
	if (vc->size / vc->page > (UINT64_C(1) << 26)) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: emu_size=%" PRIu64 " with emu_page=%" PRIu64 " makes more than 2^26 pages, use a larger emu_page",
			    ch->dev, vc->size, vc->page);
		return -EINVAL;
	}
	return 0;
}

static int
chan_emu_open(struct mig_mlx5_chan *ch, struct rte_kvargs *kv)
{
	struct mig_mlx5_emu_pf_cfg pc;
	struct mig_mlx5_emu_vf_cfg vc;
	struct chan_emu *e;
	int ret, vf;

	ret = chan_emu_args(ch, kv, &pc, &vc);
	if (ret < 0)
		return ret;
	vf = ch->vf >= 0 ? ch->vf : (int)ch->vhca_id - 1;
	if (vf < 0 || vf >= MIG_MLX5_EMU_VFS_MAX) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=emu: VF %d does not exist (the emulated PF has VFs 0..%d, vhca_id 1..%d)",
			    ch->dev, vf, MIG_MLX5_EMU_VFS_MAX - 1,
			    MIG_MLX5_EMU_VFS_MAX);
		return -ENODEV;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->pf = mig_mlx5_emu_pf_get(ch->pf, &pc);
	if (e->pf == NULL) {
		free(e);
		return -EINVAL;
	}
	e->vf = (uint16_t)vf;
	ret = mig_mlx5_emu_vf_add(e->pf, e->vf, &vc);
	if (ret < 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=emu: VF %d of PF %s %s", ch->dev,
			    vf, ch->pf,
			    ret == -EEXIST ? "is already open in this process"
					   : "cannot be created (out of memory)");
		mig_mlx5_emu_pf_put(e->pf);
		free(e);
		return ret;
	}
	ch->priv = e;
	return 0;
}

static void
chan_emu_close(struct mig_mlx5_chan *ch)
{
	struct chan_emu *e = ch->priv;

	if (e == NULL)
		return;
	mig_mlx5_emu_vf_del(e->pf, e->vf);
	mig_mlx5_emu_pf_put(e->pf);
	free(e);
	ch->priv = NULL;
}

static int
chan_emu_exec(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
	      void *out, size_t outlen)
{
	struct chan_emu *e = ch->priv;
	uint64_t done;
	int ret;

	ret = mig_mlx5_emu_exec(e->pf, in, inlen, out, outlen, &done);
	mig_mlx5_sleep_until(done);
	return ret;
}

static int
chan_emu_submit(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
		struct mig_mlx5_cmd *c)
{
	struct chan_emu *e = ch->priv;

	c->err = mig_mlx5_emu_exec(e->pf, in, inlen, c->out, c->outlen,
				   &c->done_ns);
	mig_mlx5_chan_enqueue(ch, c);
	return 0;
}

static int
chan_emu_poll(struct mig_mlx5_chan *ch, struct mig_mlx5_cmd **done,
	      unsigned int n)
{
	if (ch->q_head == NULL)
		return 0;
	return mig_mlx5_chan_dequeue(ch, mig_time_ns(), done, n);
}

static int
chan_emu_fail(struct mig_mlx5_chan *ch, const char *what, int ret)
{
	struct chan_emu *e = ch->priv;

	mig_err_set(mig_mlx5_logtype, "mlx5 %s: %s: %s (emulated firmware: %s)",
		    ch->dev, what, mig_err_last(),
		    mig_mlx5_emu_reason(e->pf));
	return ret;
}

/*
 * The buffer as the kernel mlx5 VFIO driver describes it (_create_mkey):
 * one CREATE_MKEY listing its 4 KiB pages inline, start_addr 0; SAVE and
 * LOAD then take va 0. (channel=vfio keeps a UMEM-backed mkey, see
 * doc/drivers/mlx5.md.)
 */
static int
chan_emu_buf_reg(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b)
{
	struct mig_mlx5_create_mkey_res mr;
	uint8_t out[MIG_MLX5_CREATE_MKEY_OUT_LEN];
	struct chan_emu_buf *h;
	uint64_t *mtt, n, i;
	size_t inlen;
	void *in;
	int ret;

	n = b->len >> EMU_PAGE_SHIFT;
	inlen = MIG_MLX5_CREATE_MKEY_IN_LEN + ((n + 1) / 2) * 16;
	mtt = malloc(n * sizeof(*mtt));
	in = malloc(inlen);
	h = calloc(1, sizeof(*h));
	if (mtt == NULL || in == NULL || h == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		mtt[i] = (uint64_t)(uintptr_t)b->addr + (i << EMU_PAGE_SHIFT);
	ret = mig_mlx5_chan_mkey_mtt_in(ch, b, mtt, n, in, inlen);
	if (ret >= 0)
		ret = mig_mlx5_chan_exec(ch, in, (size_t)ret, out, sizeof(out));
	if (ret >= 0)
		ret = mig_mlx5_parse_create_mkey_out(out, sizeof(out), &mr);
	if (ret < 0) {
		ret = chan_emu_fail(ch, "create the buffer's mkey", ret);
		goto out;
	}
	h->mkey_index = mr.mkey_index;
	b->mkey = mig_mlx5_mkey(mr.mkey_index, 0);
	b->va = 0;
	b->h = h;
	h = NULL;
	ret = 0;
out:
	free(h);
	free(in);
	free(mtt);
	return ret;
}

static void
chan_emu_buf_dereg(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b)
{
	struct chan_emu_buf *h = b->h;
	struct mig_mlx5_destroy_mkey_args ma;
	uint8_t in[16], out[16];

	if (h == NULL)
		return;
	memset(&ma, 0, sizeof(ma));
	ma.mkey_index = h->mkey_index;
	if (mig_mlx5_build_destroy_mkey_in(in, sizeof(in), &ma) > 0)
		mig_mlx5_chan_exec(ch, in, sizeof(in), out, sizeof(out));
	free(h);
	b->h = NULL;
}

static int
chan_emu_vf_reset(struct mig_mlx5_chan *ch)
{
	struct chan_emu *e = ch->priv;

	ch->q_head = ch->q_tail = NULL;
	ch->q_len = 0;
	return mig_mlx5_emu_vf_flr(e->pf, ch->vhca_id);
}

static int
chan_emu_digest(struct mig_mlx5_chan *ch, uint64_t *digest)
{
	struct chan_emu *e = ch->priv;

	return mig_mlx5_emu_vf_digest(e->pf, ch->vhca_id, digest);
}

static const char *
chan_emu_detail(struct mig_mlx5_chan *ch)
{
	struct chan_emu *e = ch->priv;

	return mig_mlx5_emu_reason(e->pf);
}

const struct mig_mlx5_chan_ops mig_mlx5_chan_emu = {
	.name = "emu",
	.keys = chan_emu_keys,
	.open = chan_emu_open,
	.close = chan_emu_close,
	.exec = chan_emu_exec,
	.submit = chan_emu_submit,
	.poll = chan_emu_poll,
	.buf_reg = chan_emu_buf_reg,
	.buf_dereg = chan_emu_buf_dereg,
	.vf_reset = chan_emu_vf_reset,
	.digest = chan_emu_digest,
	.detail = chan_emu_detail,
};
