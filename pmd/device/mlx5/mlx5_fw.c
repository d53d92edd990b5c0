/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The driver's firmware commands: each builds its inbox with the PRM
 * layer, sends it through the command channel and parses the outbox.
 * Every failure becomes one message naming the device, the step, the
 * firmware status and syndrome, and what the firmware said about it
 * (emulated firmware).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mlx5_drv.h"

int
mlx5_fw_error(struct mlx5_dev *md, const char *step, int err)
{
	const char *detail = md->ch.ops->detail != NULL ?
				     md->ch.ops->detail(&md->ch) : "";

	if (detail[0] != '\0')
		mig_err_set(mig_mlx5_logtype, "mlx5 %s: %s: %s (firmware: %s)",
			    md->dev->name, step, mig_err_last(), detail);
	else
		mig_err_set(mig_mlx5_logtype, "mlx5 %s: %s: %s", md->dev->name,
			    step, mig_err_last()[0] ? mig_err_last() :
						       strerror(-err));
	return err;
}

/*
 * @p cur: current values, or the maximum (what upstream's
 * mlx5_vport_get_other_func_cap reads for the VF's general-2 caps).
 */
static int
fw_hca_cap(struct mlx5_dev *md, uint8_t type, bool other, bool cur,
	   void *out, size_t outlen)
{
	struct mig_mlx5_query_hca_cap_args a;
	uint8_t in[MIG_MLX5_QUERY_HCA_CAP_IN_LEN];
	int ret;

	memset(&a, 0, sizeof(a));
	a.op_mod = MIG_MLX5_HCA_CAP_OP_MOD(type, cur ? MIG_MLX5_HCA_CAP_CUR :
						       MIG_MLX5_HCA_CAP_MAX);
	a.other_function = other;
	a.function_id = other ? (uint16_t)(md->o.vf + 1) : 0;
	ret = mig_mlx5_build_query_hca_cap_in(in, sizeof(in), &a);
	if (ret < 0)
		return ret;
	return mig_mlx5_chan_exec(&md->ch, in, sizeof(in), out, outlen);
}

int
mlx5_fw_caps(struct mlx5_dev *md)
{
	uint8_t out[MIG_MLX5_QUERY_HCA_CAP_OUT_LEN];
	struct mig_mlx5_hca_cap_res c;
	struct mig_mlx5_hca_cap2_res c2;
	int ret;

	ret = fw_hca_cap(md, MIG_MLX5_CAP_TYPE_GENERAL, false, true, out,
			 sizeof(out));
	if (ret == 0)
		ret = mig_mlx5_parse_hca_cap_out(out, sizeof(out), &c);
	if (ret < 0)
		return mlx5_fw_error(md, "QUERY_HCA_CAP of the PF", ret);
	md->caps.migration = c.migration;
	if (c.hca_cap_2) {
		ret = fw_hca_cap(md, MIG_MLX5_CAP_TYPE_GENERAL_2, false, true,
				 out, sizeof(out));
		if (ret == 0)
			ret = mig_mlx5_parse_hca_cap2_out(out, sizeof(out), &c2);
		if (ret < 0)
			return mlx5_fw_error(md, "QUERY_HCA_CAP 2 of the PF",
					     ret);
		md->caps.multi_load = c2.migration_multi_load;
		md->caps.tracking = c2.migration_tracking_state;
		md->caps.chunk = c2.migration_in_chunks;
		md->caps.mig_state = c2.migration_state;
	}
	if (md->o.vf < 0) {
		/* named by vhca_id: nothing to ask about the function */
		md->caps.migratable = true;
		return 0;
	}
	/* upstream: vhca_id from the current caps, migratable from the max */
	ret = fw_hca_cap(md, MIG_MLX5_CAP_TYPE_GENERAL, true, true, out,
			 sizeof(out));
	if (ret == 0)
		ret = mig_mlx5_parse_hca_cap_out(out, sizeof(out), &c);
	if (ret < 0)
		return mlx5_fw_error(md, "QUERY_HCA_CAP of the VF", ret);
	md->ch.vhca_id = c.vhca_id;
	ret = fw_hca_cap(md, MIG_MLX5_CAP_TYPE_GENERAL_2, true, false, out,
			 sizeof(out));
	if (ret == 0)
		ret = mig_mlx5_parse_hca_cap2_out(out, sizeof(out), &c2);
	if (ret < 0)
		return mlx5_fw_error(md, "QUERY_HCA_CAP 2 of the VF", ret);
	md->caps.migratable = c2.migratable;
	return 0;
}

int
mlx5_fw_suspend(struct mlx5_dev *md, uint16_t op_mod)
{
	struct mig_mlx5_suspend_vhca_args a = {
		.op_mod = op_mod,
		.vhca_id = md->ch.vhca_id,
	};
	struct mig_mlx5_suspend_vhca_res r;
	uint8_t in[MIG_MLX5_SUSPEND_VHCA_IN_LEN];
	uint8_t out[MIG_MLX5_SUSPEND_VHCA_OUT_LEN];
	int ret;

	ret = mig_mlx5_build_suspend_vhca_in(in, sizeof(in), &a);
	if (ret > 0)
		ret = mig_mlx5_chan_exec(&md->ch, in, sizeof(in), out,
					 sizeof(out));
	if (ret == 0)
		ret = mig_mlx5_parse_suspend_vhca_out(out, sizeof(out), &r);
	if (ret < 0)
		return mlx5_fw_error(md, op_mod ? "SUSPEND_VHCA responder" :
						  "SUSPEND_VHCA initiator",
				     ret);
	return 0;
}

int
mlx5_fw_resume(struct mlx5_dev *md, uint16_t op_mod)
{
	struct mig_mlx5_resume_vhca_args a = {
		.op_mod = op_mod,
		.vhca_id = md->ch.vhca_id,
	};
	struct mig_mlx5_resume_vhca_res r;
	uint8_t in[MIG_MLX5_RESUME_VHCA_IN_LEN];
	uint8_t out[MIG_MLX5_RESUME_VHCA_OUT_LEN];
	int ret;

	ret = mig_mlx5_build_resume_vhca_in(in, sizeof(in), &a);
	if (ret > 0)
		ret = mig_mlx5_chan_exec(&md->ch, in, sizeof(in), out,
					 sizeof(out));
	if (ret == 0)
		ret = mig_mlx5_parse_resume_vhca_out(out, sizeof(out), &r);
	if (ret < 0)
		return mlx5_fw_error(md, op_mod ? "RESUME_VHCA initiator" :
						  "RESUME_VHCA responder",
				     ret);
	return 0;
}

int
mlx5_fw_query(struct mlx5_dev *md, bool incremental,
	      struct mig_mlx5_query_vhca_migration_state_res *r)
{
	bool chunk = md->chunk_mode;
	struct mig_mlx5_query_vhca_migration_state_args a = {
		.vhca_id = md->ch.vhca_id,
		.incremental = incremental,
		.chunk = chunk,
	};
	uint8_t in[MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_LEN];
	uint8_t out[MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_LEN];
	int ret;

	memset(r, 0, sizeof(*r));
	ret = mig_mlx5_build_query_vhca_migration_state_in(in, sizeof(in), &a);
	if (ret > 0)
		ret = mig_mlx5_chan_exec(&md->ch, in, sizeof(in), out,
					 sizeof(out));
	if (ret == 0)
		ret = mig_mlx5_parse_query_vhca_migration_state_out(out,
								    sizeof(out),
								    r);
	if (ret < 0 && r->hdr.status == MIG_MLX5_STAT_EXCEED_LIM && !chunk) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: the VF state exceeds the 4 GiB single-image limit and the firmware has no chunk mode (migration_in_chunks off): it cannot be migrated (%s)",
			    md->dev->name, mig_err_last());
		return -EFBIG;
	}
	if (ret < 0)
		return mlx5_fw_error(md, incremental ?
				"QUERY_VHCA_MIGRATION_STATE incremental" :
				"QUERY_VHCA_MIGRATION_STATE", ret);
	return 0;
}

int
mlx5_fw_save_submit(struct mlx5_dev *md, struct mlx5_slot *s,
		    bool incremental, bool set_track, uint64_t size)
{
	struct mig_mlx5_save_vhca_state_args a = {
		.vhca_id = md->ch.vhca_id,
		.incremental = incremental,
		.set_track = set_track,
		.va = s->b.va,
		.mkey = s->b.mkey,
		.size = (uint32_t)size,
	};
	uint8_t in[MIG_MLX5_SAVE_VHCA_STATE_IN_LEN];
	int ret;

	ret = mig_mlx5_build_save_vhca_state_in(in, sizeof(in), &a);
	if (ret < 0)
		return ret;
	memset(&s->cmd, 0, sizeof(s->cmd));
	s->cmd.out = s->out;
	s->cmd.outlen = sizeof(s->out);
	ret = md->ch.ops->submit(&md->ch, in, sizeof(in), &s->cmd);
	if (ret < 0)
		return mlx5_fw_error(md, "SAVE_VHCA_STATE", ret);
	return 0;
}

int
mlx5_fw_load_submit(struct mlx5_dev *md, struct mlx5_lslot *s)
{
	struct mig_mlx5_load_vhca_state_args a = {
		.vhca_id = md->ch.vhca_id,
		.va = s->b.va,
		.mkey = s->b.mkey,
		.size = (uint32_t)s->len,
	};
	uint8_t in[MIG_MLX5_LOAD_VHCA_STATE_IN_LEN];
	int ret;

	ret = mig_mlx5_build_load_vhca_state_in(in, sizeof(in), &a);
	if (ret < 0)
		return ret;
	memset(&s->cmd, 0, sizeof(s->cmd));
	s->cmd.out = s->out;
	s->cmd.outlen = sizeof(s->out);
	ret = md->ch.ops->submit(&md->ch, in, sizeof(in), &s->cmd);
	if (ret < 0)
		return mlx5_fw_error(md, "LOAD_VHCA_STATE", ret);
	return 0;
}

/* Hand an engine I/O back through poll. */
void
mlx5_io_done(struct mlx5_dev *md, struct mig_io *io, int status)
{
	io->status = status;
	io->drv_next = NULL;
	if (md->done_tail == NULL)
		md->done_head = io;
	else
		md->done_tail->drv_next = io;
	md->done_tail = io;
}
