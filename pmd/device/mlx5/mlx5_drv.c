/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * mlx5: migration of an mlx5 VF (VHCA) through the firmware's migration
 * commands, sent through a command channel (mlx5_chan.h). This file holds
 * the devargs, probe, the state arcs (SUSPEND/RESUME per op_mod as the
 * kernel mlx5 driver maps them) and the ops table; mlx5_save.c and
 * mlx5_load.c move the data.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_memory.h>

#include "mig_devargs.h"
#include "mig_dev_driver.h"
#include "mig_fsm.h"

#include "mlx5_drv.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * KIB)
#define GIB (MIB * KIB)
#define MLX5_ARGS_MAX 32

static const char *const mlx5_drv_keys[] = {
	"pf", "vf", "vhca_id", "channel", "chunk", "readahead", "precopy",
	"depth", NULL,
};

static unsigned int
mlx5_valid_keys(const char **valid)
{
	unsigned int n = 0, i, k;

	for (i = 0; mlx5_drv_keys[i] != NULL; i++)
		valid[n++] = mlx5_drv_keys[i];
	for (k = 0; mig_mlx5_chan_all[k] != NULL; k++)
		for (i = 0; mig_mlx5_chan_all[k]->keys[i] != NULL &&
			    n + 1 < MLX5_ARGS_MAX; i++)
			valid[n++] = mig_mlx5_chan_all[k]->keys[i];
	valid[n] = NULL;
	return n;
}

/* A key of another backend than the selected one is a mistake. */
static int
mlx5_check_backend_keys(struct mig_dev *dev, struct rte_kvargs *kv,
			const struct mig_mlx5_chan_ops *sel)
{
	unsigned int i, k;

	for (k = 0; mig_mlx5_chan_all[k] != NULL; k++) {
		const struct mig_mlx5_chan_ops *b = mig_mlx5_chan_all[k];

		if (b == sel)
			continue;
		for (i = 0; b->keys[i] != NULL; i++)
			if (rte_kvargs_count(kv, b->keys[i])) {
				mig_err_set(mig_mlx5_logtype,
					    "mlx5 %s: %s is only valid with channel=%s (this device uses channel=%s)",
					    dev->name, b->keys[i], b->name,
					    sel->name);
				return -EINVAL;
			}
	}
	return 0;
}

static int
mlx5_parse_args(struct mig_dev *dev, struct rte_kvargs *kv,
		struct mlx5_opts *o)
{
	char who[MIG_DEV_NAME_MAX + 8];
	uint64_t vf = UINT64_MAX, vhca = UINT64_MAX;
	bool has_vf, has_vhca;

	snprintf(who, sizeof(who), "mlx5 %s", dev->name);
	memset(o, 0, sizeof(*o));
	snprintf(o->channel, sizeof(o->channel), "vfio");
	o->chunk = 8 * MIB;
	o->readahead = 1;
	o->precopy = true;
	o->depth = 4;
	if (mig_devargs_str(kv, who, "pf", o->pf, sizeof(o->pf)) < 0 ||
	    mig_devargs_str(kv, who, "channel", o->channel,
			    sizeof(o->channel)) < 0 ||
	    mig_devargs_u64(kv, who, "vf", &vf, 0, 65534) < 0 ||
	    mig_devargs_u64(kv, who, "vhca_id", &vhca, 1, 65535) < 0 ||
	    mig_devargs_size(kv, who, "chunk", &o->chunk, 64 * KIB,
			     MLX5_SAVE_BUF_MAX) < 0 ||
	    mig_devargs_u64(kv, who, "readahead", &o->readahead, 0,
			    MLX5_READAHEAD_MAX) < 0 ||
	    mig_devargs_bool(kv, who, "precopy", &o->precopy) < 0 ||
	    mig_devargs_u64(kv, who, "depth", &o->depth, 1, 64) < 0)
		return -EINVAL;
	if (o->pf[0] == '\0') {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: pf=<PCI address of the PF> is required, e.g. mlx5,pf=0000:08:00.0,vf=0",
			    dev->name);
		return -EINVAL;
	}
	has_vf = vf != UINT64_MAX;
	has_vhca = vhca != UINT64_MAX;
	if (has_vf == has_vhca) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: give exactly one of vf=<VF index> and vhca_id=<id>",
			    dev->name);
		return -EINVAL;
	}
	o->vf = has_vf ? (int)vf : -1;
	o->vhca_id = has_vhca ? (uint16_t)vhca : 0;
	return 0;
}

static void
mlx5_close(struct mlx5_dev *md)
{
	if (!md->ch_open)
		return;
	mlx5_save_stop(md);
	mlx5_load_stop(md);
	md->ch.ops->close(&md->ch);
	md->ch_open = false;
}

static int
mlx5_probe(struct mig_dev *dev, const char *args)
{
	struct mlx5_dev *md = dev->priv;
	struct mig_mlx5_query_vhca_migration_state_res r;
	const char *valid[MLX5_ARGS_MAX];
	const struct mig_mlx5_chan_ops *ops;
	struct rte_kvargs *kv;
	char who[MIG_DEV_NAME_MAX + 8];
	int ret;

	md->dev = dev;
	mlx5_valid_keys(valid);
	snprintf(who, sizeof(who), "mlx5 %s", dev->name);
	kv = mig_devargs_parse(who, args, valid);
	if (kv == NULL)
		return -EINVAL;
	ret = mlx5_parse_args(dev, kv, &md->o);
	if (ret < 0)
		goto free_kv;
	ops = mig_mlx5_chan_find(md->o.channel);
	if (ops == NULL) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=%s: expected vfio, kernel or emu",
			    dev->name, md->o.channel);
		ret = -EINVAL;
		goto free_kv;
	}
	ret = mlx5_check_backend_keys(dev, kv, ops);
	if (ret < 0)
		goto free_kv;
	md->ch.ops = ops;
	snprintf(md->ch.dev, sizeof(md->ch.dev), "%s", dev->name);
	snprintf(md->ch.pf, sizeof(md->ch.pf), "%s", md->o.pf);
	md->ch.vf = md->o.vf;
	md->ch.vhca_id = md->o.vhca_id;
	ret = ops->open(&md->ch, kv);
	if (ret < 0)
		goto free_kv;
	md->ch_open = true;
	ret = mlx5_fw_caps(md);
	if (ret < 0)
		goto fail;
	if (!md->caps.migration) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: PF %s: the firmware reports no migration capability",
			    dev->name, md->o.pf);
		ret = -ENOTSUP;
		goto fail;
	}
	if (!md->caps.migratable) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: PF %s VF %d is not migratable (cap_2 migratable is off; enable it with devlink port function ... migratable enable)",
			    dev->name, md->o.pf, md->o.vf);
		ret = -ENOTSUP;
		goto fail;
	}
	/* upstream (mlx5vf_cmd_set_migratable): both, or no migration */
	if (!md->caps.multi_load || !md->caps.tracking) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: PF %s: the firmware lacks %s%s%s: the kernel mlx5 driver refuses to migrate such a VF and so does this driver",
			    dev->name, md->o.pf,
			    md->caps.multi_load ? "" : "migration_multi_load",
			    !md->caps.multi_load && !md->caps.tracking ?
				    " and " : "",
			    md->caps.tracking ? "" : "migration_tracking_state");
		ret = -ENOTSUP;
		goto fail;
	}
	md->chunk_mode = md->caps.chunk;
	md->state = MIG_STATE_RUNNING;
	dev->info.caps = MIG_CAP_STOP_COPY | MIG_CAP_P2P;
	if (md->o.precopy)
		dev->info.caps |= MIG_CAP_PRE_COPY;
	if (mlx5_fw_query(md, false, &r) == 0)
		dev->info.state_size = md->chunk_mode ? r.remaining_total_size :
							r.required_umem_size;
	mig_err_clear();
	dev->info.chunk_size = (uint32_t)RTE_MIN(md->o.chunk, (uint64_t)UINT32_MAX);
	dev->info.chunk_min = 1;
	dev->info.max_inflight = (uint32_t)md->o.depth;
	dev->info.socket_id = SOCKET_ID_ANY;
	MLX5_LOG(DEBUG, "mlx5 %s: PF %s vhca_id %u via %s: chunk mode %s, migration_state %s",
		 dev->name, md->o.pf, md->ch.vhca_id, ops->name,
		 md->chunk_mode ? "on" : "off", md->caps.mig_state ? "on" : "off");
	rte_kvargs_free(kv);
	return 0;
fail:
	mlx5_close(md);
free_kv:
	rte_kvargs_free(kv);
	return ret;
}

static void
mlx5_remove(struct mig_dev *dev)
{
	mlx5_close(dev->priv);
}

/* ------------------------------------------------------------- arcs */

static int
arc_suspend_init(struct mlx5_dev *md)
{
	mlx5_save_idle(md);
	return mlx5_fw_suspend(md, MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR);
}

static int
arc_suspend_resp(struct mlx5_dev *md)
{
	return mlx5_fw_suspend(md, MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER);
}

static int
arc_resume_resp(struct mlx5_dev *md)
{
	return mlx5_fw_resume(md, MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER);
}

static int
arc_resume_init(struct mlx5_dev *md)
{
	return mlx5_fw_resume(md, MIG_MLX5_RESUME_VHCA_OP_MOD_INITIATOR);
}

static int
arc_stop_copy(struct mlx5_dev *md)
{
	return mlx5_save_start(md, false);
}

static int
arc_save_end(struct mlx5_dev *md)
{
	mlx5_save_stop(md);
	return 0;
}

static int
arc_resuming(struct mlx5_dev *md)
{
	return mlx5_load_start(md);
}

static int
arc_load_end(struct mlx5_dev *md)
{
	return mlx5_load_finish(md);
}

static int
arc_pre_copy(struct mlx5_dev *md)
{
	return mlx5_save_start(md, true);
}

static int
arc_final(struct mlx5_dev *md)
{
	int ret;

	mlx5_save_idle(md);
	ret = arc_suspend_resp(md);
	if (ret < 0)
		return ret;
	ret = mlx5_save_final(md);
	if (ret < 0) {
		char msg[MIG_ERR_MAX];

		/* leave the function as the state we report: PRE_COPY_P2P */
		snprintf(msg, sizeof(msg), "%s", mig_err_last());
		arc_resume_resp(md);
		mig_err_set(mig_mlx5_logtype, "%s", msg);
	}
	return ret;
}

static int
arc_precopy_abort(struct mlx5_dev *md)
{
	return mlx5_save_abort_precopy(md);
}

static const struct {
	enum mig_state from, to;
	int (*fn)(struct mlx5_dev *md);
} mlx5_arcs[] = {
	{ MIG_STATE_RUNNING, MIG_STATE_RUNNING_P2P, arc_suspend_init },
	{ MIG_STATE_RUNNING_P2P, MIG_STATE_STOP, arc_suspend_resp },
	{ MIG_STATE_STOP, MIG_STATE_RUNNING_P2P, arc_resume_resp },
	{ MIG_STATE_RUNNING_P2P, MIG_STATE_RUNNING, arc_resume_init },
	{ MIG_STATE_STOP, MIG_STATE_STOP_COPY, arc_stop_copy },
	{ MIG_STATE_STOP_COPY, MIG_STATE_STOP, arc_save_end },
	{ MIG_STATE_STOP, MIG_STATE_RESUMING, arc_resuming },
	{ MIG_STATE_RESUMING, MIG_STATE_STOP, arc_load_end },
	{ MIG_STATE_RUNNING, MIG_STATE_PRE_COPY, arc_pre_copy },
	{ MIG_STATE_RUNNING_P2P, MIG_STATE_PRE_COPY_P2P, arc_pre_copy },
	{ MIG_STATE_PRE_COPY, MIG_STATE_PRE_COPY_P2P, arc_suspend_init },
	{ MIG_STATE_PRE_COPY_P2P, MIG_STATE_PRE_COPY, arc_resume_init },
	{ MIG_STATE_PRE_COPY_P2P, MIG_STATE_STOP_COPY, arc_final },
	{ MIG_STATE_PRE_COPY, MIG_STATE_RUNNING, arc_precopy_abort },
	{ MIG_STATE_PRE_COPY_P2P, MIG_STATE_RUNNING_P2P, arc_precopy_abort },
};

static int
mlx5_set_state(struct mig_dev *dev, enum mig_state next)
{
	struct mlx5_dev *md = dev->priv;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(mlx5_arcs); i++)
		if (mlx5_arcs[i].from == md->state && mlx5_arcs[i].to == next)
			break;
	if (i == RTE_DIM(mlx5_arcs)) {
		mig_err_set(mig_mlx5_logtype, "mlx5 %s: %s -> %s is not an arc",
			    dev->name, mig_state_name(md->state),
			    mig_state_name(next));
		return -EINVAL;
	}
	ret = mlx5_arcs[i].fn(md);
	if (ret < 0)
		return ret;
	md->state = next;
	return 0;
}

static int
mlx5_get_state(struct mig_dev *dev, enum mig_state *state)
{
	struct mlx5_dev *md = dev->priv;

	*state = md->state;
	return 0;
}

static int
mlx5_query_sizes(struct mig_dev *dev, struct mig_dev_sizes *sizes)
{
	mlx5_save_sizes(dev->priv, sizes);
	return 0;
}

static int
mlx5_save_submit_op(struct mig_dev *dev, struct mig_io *io)
{
	return mlx5_save_submit(dev->priv, io);
}

static int
mlx5_load_submit_op(struct mig_dev *dev, struct mig_io *io)
{
	return mlx5_load_submit(dev->priv, io);
}

static int
mlx5_poll(struct mig_dev *dev, struct mig_io **done, unsigned int n)
{
	struct mlx5_dev *md = dev->priv;
	unsigned int k = 0;

	if (md->sv.active)
		mlx5_save_progress(md);
	if (md->ld.active)
		mlx5_load_progress(md);
	while (k < n && md->done_head != NULL) {
		struct mig_io *io = md->done_head;

		md->done_head = io->drv_next;
		if (md->done_head == NULL)
			md->done_tail = NULL;
		io->drv_next = NULL;
		done[k++] = io;
	}
	return (int)k;
}

static int
mlx5_reset(struct mig_dev *dev)
{
	struct mlx5_dev *md = dev->priv;
	int ret;

	if (md->ch.ops->vf_reset == NULL) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: reset: channel=%s cannot reset the VF",
			    dev->name, md->ch.ops->name);
		return -ENOTSUP;
	}
	ret = md->ch.ops->vf_reset(&md->ch);
	/* in-flight commands and I/Os are abandoned with the function */
	mlx5_save_stop(md);
	mlx5_load_stop(md);
	md->done_head = md->done_tail = NULL;
	if (ret < 0) {
		mig_err_set(mig_mlx5_logtype, "mlx5 %s: reset of the VF: %s",
			    dev->name, strerror(-ret));
		return ret;
	}
	md->state = MIG_STATE_RUNNING;
	return 0;
}

static int
mlx5_digest(struct mig_dev *dev, uint64_t *digest)
{
	struct mlx5_dev *md = dev->priv;

	if (md->ch.ops->digest == NULL)
		return -ENOTSUP;
	return md->ch.ops->digest(&md->ch, digest);
}

static const struct mig_dev_ops mlx5_ops = {
	.version = MIG_DEV_OPS_VERSION,
	.probe = mlx5_probe,
	.remove = mlx5_remove,
	.set_state = mlx5_set_state,
	.get_state = mlx5_get_state,
	.query_sizes = mlx5_query_sizes,
	.save_submit = mlx5_save_submit_op,
	.load_submit = mlx5_load_submit_op,
	.poll = mlx5_poll,
	.reset = mlx5_reset,
	.digest = mlx5_digest,
};

static struct mig_dev_driver mlx5_driver = {
	.params = "pf=<PF PCI address> vf=<index>|vhca_id=<id> "
		  "channel=<vfio|kernel|emu> chunk=<bytes, 8M> "
		  "readahead=<0..4, 1> precopy=<0|1> depth=<1..64> "
		  "emu_size=<bytes> emu_page=<bytes> emu_seed=<u64> "
		  "emu_dirty_rate=<bytes/s> emu_migratable=<0|1> "
		  "emu_chunk=<0|1> emu_tracking=<0|1> emu_multi_load=<0|1> "
		  "emu_chunk_min=<bytes> emu_latency=<duration, us> "
		  "emu_bandwidth=<bytes/s> emu_fail_precopy=<n> "
		  "emu_corrupt_save=<n> emu_model=<u32> emu_mig_state=<0|1> "
		  "emu_reinit=<n> emu_chunk_grow=<bytes>",
	.priv_size = sizeof(struct mlx5_dev),
	.ops = &mlx5_ops,
};

MIG_PMD_REGISTER(mlx5, mlx5_driver);
