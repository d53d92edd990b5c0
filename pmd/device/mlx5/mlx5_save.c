/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Source side of the mlx5 stream, after the kernel mlx5 driver:
 *
 *  - STOP_COPY only: QUERY, the optional STOP_COPY_SIZE record, then SAVE
 *    images (one, or chunks in chunk mode), each sent as a FW_DATA record;
 *  - PRE_COPY: the initial image with set_track on entering PRE_COPY,
 *    middle images of the dirty state when the reader has caught up, the
 *    final image (incremental) after SUSPEND; a SAVE failing with
 *    BAD_RES_STATE in PRE_COPY stops middle images and makes the final
 *    SAVE a full one (the kernel's fallback to STOP_COPY).
 *
 * Exactly one SAVE is in flight at a time, into a ring of 1 + readahead
 * staging buffers: while the engine copies chunk n out (and sends it), the
 * firmware already saves chunk n + 1 .. n + readahead.
 *
 * Sizes, as drivers/vfio/pci/mlx5/main.c (mlx5vf_prep_stop_copy): every
 * SAVE size is whole pages; the stop-copy buffer is, in chunk mode,
 * max(required_umem_size, min(chunk cap, remaining_total_size)), else the
 * state size plus 10 % when tracked (pre-copy) or the state size; the
 * initial pre-copy image gets that same buffer; a middle image, a REINIT
 * image and the cleanup SAVE get their QUERY's required_umem_size; a
 * stop-copy chunk gets max(next_required_umem_size, that buffer).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "mig_time.h"
#include "mlx5_drv.h"
#include "mig_rate.h"

#define SAVE_QUERY_NS (100ull * 1000000ull)

/* Whole pages, at least one, at most the 32-bit SAVE limit. */
static uint64_t
save_pages(uint64_t size)
{
	size = RTE_ALIGN_CEIL(RTE_MAX(size, (uint64_t)MLX5_PAGE),
			      (uint64_t)MLX5_PAGE);
	return RTE_MIN(size, MLX5_SAVE_BUF_MAX);
}

static uint64_t
slot_unread(const struct mlx5_slot *s)
{
	return s->st == MLX5_SLOT_READY ?
		       MLX5_REC_HDR_LEN + s->img_len - s->off : 0;
}

/* Stream bytes produced and not yet read. */
static uint64_t
save_unread(const struct mlx5_saver *sv)
{
	uint64_t n = sv->sc_len - sv->sc_off;
	unsigned int i;

	for (i = 0; i < sv->nslot; i++)
		n += slot_unread(&sv->slot[i]);
	return n;
}

static int
slot_reserve(struct mlx5_dev *md, struct mlx5_slot *s, uint64_t size)
{
	if (s->b.addr != NULL && s->b.len >= size)
		return 0;
	mig_mlx5_buf_free(&md->ch, &s->b);
	return mig_mlx5_buf_alloc(&md->ch, size, &s->b);
}

static int
save_fail(struct mlx5_dev *md, int err)
{
	struct mlx5_saver *sv = &md->sv;

	if (sv->err == 0) {
		sv->err = err;
		snprintf(sv->errmsg, sizeof(sv->errmsg), "%s", mig_err_last());
	}
	return sv->err;
}

/* Buffer for the next stop-copy SAVE. */
static uint64_t
save_final_size(const struct mlx5_dev *md)
{
	const struct mlx5_saver *sv = &md->sv;

	/* the kernel's mlx5vf_mig_file_get_stop_copy_buf: reuse or grow */
	if (md->chunk_mode)
		return save_pages(RTE_MAX((uint64_t)sv->next_min,
					  sv->chunk_size));
	return save_pages(RTE_MAX(sv->remaining, sv->chunk_size));
}

/* Issue the next SAVE if one is due and a buffer is free. */
static void
save_kick(struct mlx5_dev *md)
{
	struct mlx5_saver *sv = &md->sv;
	struct mlx5_slot *s = &sv->slot[sv->wr];
	bool inc, track = false, initial = false;
	uint64_t size;
	int ret;

	if (!sv->active || sv->err || sv->saving || sv->eos ||
	    s->st != MLX5_SLOT_FREE)
		return;
	if (sv->final) {
		size = save_final_size(md);
		inc = sv->final_issued || (sv->precopy && !sv->precopy_err);
	} else if (sv->want_middle) {
		size = sv->middle_size;
		inc = true;
		track = true;
		initial = sv->middle_initial;
	} else {
		return;
	}
	ret = slot_reserve(md, s, size);
	if (ret == 0)
		ret = mlx5_fw_save_submit(md, s, inc, track, s->b.len);
	if (ret < 0) {
		save_fail(md, ret);
		return;
	}
	s->st = MLX5_SLOT_SAVING;
	s->tracked = track;
	s->stop_copy = sv->final;
	s->initial = initial;
	if (sv->final) {
		sv->final_issued = true;
	} else {
		sv->want_middle = false;
		sv->middle_initial = false;
	}
	sv->saving = 1;
	sv->wr = (sv->wr + 1) % sv->nslot;
}

static void
save_complete(struct mlx5_dev *md, struct mlx5_slot *s)
{
	struct mlx5_saver *sv = &md->sv;
	struct mig_mlx5_save_vhca_state_res r;
	struct mlx5_rec_hdr h;
	int ret;

	sv->saving = 0;
	memset(&r, 0, sizeof(r));
	ret = s->cmd.err;
	if (ret == 0)
		ret = mig_mlx5_parse_save_vhca_state_out(s->out, sizeof(s->out),
							 &r);
	if (ret < 0 && !s->stop_copy &&
	    r.hdr.status == MIG_MLX5_STAT_BAD_RES_STATE) {
		/*
		 * the kernel's PRE_COPY_ERROR (mlx5vf_mig_file_cleanup_cb):
		 * any SAVE but a stop-copy chunk, the initial one included
		 */
		MLX5_LOG(INFO,
			 "mlx5 %s: %s pre-copy SAVE failed with BAD_RES_STATE (%s); no more pre-copy images, the final image will be a full one",
			 md->dev->name, s->initial ? "initial" : "middle",
			 md->ch.ops->detail != NULL ?
				 md->ch.ops->detail(&md->ch) : "");
		sv->precopy_err = true;
		sv->dirty_est = 0;
		sv->dirty_total = md->dev->info.state_size;
		sv->want_middle = false;
		s->st = MLX5_SLOT_FREE;
		s->initial = false;
		sv->wr = (unsigned int)(s - sv->slot);
		sv->initial_left = RTE_MIN(sv->initial_left, save_unread(sv));
		return;
	}
	if (ret < 0) {
		save_fail(md, mlx5_fw_error(md, s->initial ?
				"SAVE_VHCA_STATE of the initial image" :
				s->stop_copy ? "SAVE_VHCA_STATE at stop-copy" :
					       "SAVE_VHCA_STATE in pre-copy",
				ret));
		s->st = MLX5_SLOT_FREE;
		return;
	}
	h.record_size = rte_cpu_to_le_64(r.actual_image_size);
	h.flags = 0;
	h.tag = rte_cpu_to_le_32(MLX5_REC_TAG_FW_DATA);
	memcpy(s->hdr, &h, sizeof(h));
	s->img_len = r.actual_image_size;
	s->off = 0;
	s->st = MLX5_SLOT_READY;
	sv->images++;
	if (s->initial) /* the last bytes of the stream so far */
		sv->initial_left = save_unread(sv);
	if (s->stop_copy) {
		sv->remaining = sv->remaining > r.actual_image_size ?
					sv->remaining - r.actual_image_size : 0;
		if (md->chunk_mode && r.next_required_umem_size != 0)
			sv->next_min = r.next_required_umem_size;
		else
			sv->eos = true;
	}
}

static void
save_reap(struct mlx5_dev *md)
{
	struct mlx5_saver *sv = &md->sv;
	struct mig_mlx5_cmd *done[2];
	unsigned int i;
	int n, k;

	if (!sv->saving)
		return;
	n = md->ch.ops->poll(&md->ch, done, RTE_DIM(done));
	for (k = 0; k < n; k++)
		for (i = 0; i < sv->nslot; i++)
			if (&sv->slot[i].cmd == done[k])
				save_complete(md, &sv->slot[i]);
}

static bool
save_has_ready(const struct mlx5_saver *sv)
{
	return sv->sc_off < sv->sc_len ||
	       sv->slot[sv->rd].st == MLX5_SLOT_READY;
}

/* Copy ready stream bytes into @p io. */
static void
save_copy(struct mlx5_dev *md, struct mig_io *io)
{
	struct mlx5_saver *sv = &md->sv;
	uint8_t *dst = io->buf;
	uint64_t n;

	while (io->len < io->cap) {
		uint64_t room = io->cap - io->len;
		struct mlx5_slot *s;

		if (sv->sc_off < sv->sc_len) {
			n = RTE_MIN(room, (uint64_t)(sv->sc_len - sv->sc_off));
			memcpy(dst + io->len, sv->sc + sv->sc_off, n);
			sv->sc_off += n;
			io->len += n;
			sv->initial_left -= RTE_MIN(sv->initial_left, n);
			continue;
		}
		s = &sv->slot[sv->rd];
		if (s->st != MLX5_SLOT_READY)
			break;
		if (s->off < MLX5_REC_HDR_LEN) {
			n = RTE_MIN(room, MLX5_REC_HDR_LEN - s->off);
			memcpy(dst + io->len, s->hdr + s->off, n);
		} else {
			n = RTE_MIN(room, MLX5_REC_HDR_LEN + s->img_len - s->off);
			memcpy(dst + io->len,
			       (uint8_t *)s->b.addr + (s->off - MLX5_REC_HDR_LEN),
			       n);
		}
		s->off += n;
		io->len += n;
		/* initial data is a prefix of what is unread (REINIT too) */
		sv->initial_left -= RTE_MIN(sv->initial_left, n);
		if (s->off == MLX5_REC_HDR_LEN + s->img_len) {
			s->st = MLX5_SLOT_FREE;
			s->initial = false;
			sv->rd = (sv->rd + 1) % sv->nslot;
			save_kick(md);
		}
	}
}

/*
 * QUERY incremental in PRE_COPY (no SAVE in flight). With migration_state,
 * OPER_MIGRATION_INIT means new initial data: as the kernel's REINIT
 * (mlx5vf_precopy_ioctl), the bytes not yet read count as initial and a
 * tracked SAVE of the new initial data follows them.
 */
static int
save_query_inc(struct mlx5_dev *md)
{
	struct mlx5_saver *sv = &md->sv;
	struct mig_mlx5_query_vhca_migration_state_res r;
	int ret;

	ret = mlx5_fw_query(md, true, &r);
	if (ret < 0)
		return ret;
	sv->query_ns = mig_time_ns();
	sv->dirty_est = r.required_umem_size;
	sv->dirty_total = md->chunk_mode ? r.remaining_total_size :
					   r.required_umem_size;
	if (!md->caps.mig_state || r.required_umem_size == 0 ||
	    r.migration_state != MIG_MLX5_MIG_STATE_OPER_MIGRATION_INIT)
		return 0;
	MLX5_LOG(INFO, "mlx5 %s: the firmware reports new initial data (migration_state INIT, %" PRIu32 " bytes)",
		 md->dev->name, r.required_umem_size);
	sv->reinit = true;
	sv->want_middle = true;
	sv->middle_initial = true;
	sv->middle_size = save_pages(r.required_umem_size);
	sv->initial_left = save_unread(sv) + MLX5_REC_HDR_LEN +
			   r.required_umem_size;
	sv->dirty_est = 0;
	return 0;
}

/* Nothing queued in pre-copy: ask for a middle image, or say "no data". */
static int
save_middle(struct mlx5_dev *md)
{
	struct mlx5_saver *sv = &md->sv;
	int ret;

	if (!sv->precopy || sv->precopy_err || md->state != MIG_STATE_PRE_COPY)
		return 0;
	if (!sv->want_middle) {
		ret = save_query_inc(md);
		if (ret < 0)
			return save_fail(md, ret);
	}
	if (!sv->want_middle) {
		if (sv->dirty_est == 0)
			return 0;
		/* exactly the QUERY's size, in pages, as the kernel */
		sv->middle_size = save_pages(sv->dirty_est);
		sv->want_middle = true;
	}
	save_kick(md);
	return sv->saving ? 1 : 0;
}

static void
save_fill(struct mlx5_dev *md)
{
	struct mlx5_saver *sv = &md->sv;
	struct mig_io *io;
	int ret;

	while ((io = sv->q_head) != NULL) {
		if (sv->err == 0)
			save_copy(md, io);
		if (sv->err == 0 && io->len < io->cap) {
			if (sv->saving || save_has_ready(sv))
				break;
			if (!sv->eos && sv->final) {
				save_kick(md);
				if (sv->saving || sv->err == 0)
					break;
			}
			if (!sv->final && io->len == 0) {
				ret = save_middle(md);
				if (ret > 0)
					break;
			}
		}
		sv->q_head = io->drv_next;
		if (sv->q_head == NULL)
			sv->q_tail = NULL;
		sv->q_len--;
		if (sv->err != 0) {
			mig_err_set(mig_mlx5_logtype, "%s", sv->errmsg);
			mlx5_io_done(md, io, sv->err);
		} else if (io->len == 0 && !sv->final) {
			mlx5_io_done(md, io, -ENOMSG);
		} else {
			mlx5_io_done(md, io, 0);
		}
	}
}

void
mlx5_save_progress(struct mlx5_dev *md)
{
	save_reap(md);
	save_fill(md);
	save_kick(md);
}

int
mlx5_save_submit(struct mlx5_dev *md, struct mig_io *io)
{
	struct mlx5_saver *sv = &md->sv;

	if (!sv->active)
		return -EINVAL;
	io->len = 0;
	io->drv_next = NULL;
	if (sv->q_tail == NULL)
		sv->q_head = io;
	else
		sv->q_tail->drv_next = io;
	sv->q_tail = io;
	sv->q_len++;
	mlx5_save_progress(md);
	return 0;
}

/* Wait until no SAVE is in flight (before SUSPEND and state changes). */
int
mlx5_save_idle(struct mlx5_dev *md)
{
	struct mlx5_saver *sv = &md->sv;

	while (sv->saving) {
		struct mlx5_slot *s = &sv->slot[(sv->wr + sv->nslot - 1) %
						 sv->nslot];

		mig_mlx5_sleep_until(s->cmd.done_ns);
		save_reap(md);
	}
	return sv->err;
}

void
mlx5_save_stop(struct mlx5_dev *md)
{
	struct mlx5_saver *sv = &md->sv;
	unsigned int i;

	if (sv->saving && md->ch.q_len != 0)
		mlx5_save_idle(md);
	for (i = 0; i < MLX5_SLOTS_MAX; i++)
		mig_mlx5_buf_free(&md->ch, &sv->slot[i].b);
	memset(sv, 0, sizeof(*sv));
}

static void
save_sc_record(struct mlx5_saver *sv, uint64_t size)
{
	struct mlx5_rec_hdr h = {
		.record_size = rte_cpu_to_le_64(8),
		.flags = rte_cpu_to_le_32(MLX5_REC_F_OPTIONAL),
		.tag = rte_cpu_to_le_32(MLX5_REC_TAG_STOP_COPY_SIZE),
	};
	uint64_t v = rte_cpu_to_le_64(size);

	memcpy(sv->sc, &h, sizeof(h));
	memcpy(sv->sc + sizeof(h), &v, sizeof(v));
	sv->sc_len = MLX5_SC_REC_LEN;
	sv->sc_off = 0;
}

/*
 * RUNNING -> PRE_COPY (precopy) or STOP -> STOP_COPY: size the state,
 * queue STOP_COPY_SIZE and start the first SAVE.
 */
int
mlx5_save_start(struct mlx5_dev *md, bool precopy)
{
	struct mig_mlx5_query_vhca_migration_state_res r;
	struct mlx5_saver *sv = &md->sv;
	uint64_t total, req, prep;
	int ret;

	mlx5_save_stop(md);
	ret = mlx5_fw_query(md, false, &r);
	if (ret < 0)
		return ret;
	req = r.required_umem_size;
	total = md->chunk_mode ? r.remaining_total_size : req;
	if (md->chunk_mode)
		prep = RTE_MAX(req, RTE_MIN(md->o.chunk, total));
	else if (precopy) /* the final image may grow: 10 % headroom */
		prep = req + req / 10;
	else
		prep = req;
	sv->active = true;
	sv->precopy = precopy;
	sv->nslot = (unsigned int)md->o.readahead + 1;
	sv->remaining = total;
	sv->next_min = md->chunk_mode ? r.required_umem_size : 0;
	sv->chunk_size = save_pages(prep);
	save_sc_record(sv, sv->chunk_size);
	if (!precopy) {
		sv->final = true;
		save_kick(md);
		return sv->err;
	}
	/*
	 * the initial image, with dirty tracking from now on, into a buffer
	 * of the stop-copy size (chunk mode: the first piece of the state)
	 */
	sv->initial_left = sv->sc_len + MLX5_REC_HDR_LEN +
			   RTE_MIN(total, sv->chunk_size);
	sv->dirty_total = total - RTE_MIN(total, sv->chunk_size);
	ret = slot_reserve(md, &sv->slot[0], sv->chunk_size);
	if (ret == 0)
		ret = mlx5_fw_save_submit(md, &sv->slot[0], false, true,
					  sv->slot[0].b.len);
	if (ret < 0) {
		mlx5_save_stop(md);
		return ret;
	}
	sv->slot[0].st = MLX5_SLOT_SAVING;
	sv->slot[0].initial = true;
	sv->slot[0].tracked = true;
	sv->saving = 1;
	sv->wr = 1 % sv->nslot;
	return 0;
}

/* PRE_COPY_P2P -> STOP_COPY, after SUSPEND responder: the final image. */
int
mlx5_save_final(struct mlx5_dev *md)
{
	struct mig_mlx5_query_vhca_migration_state_res r;
	struct mlx5_saver *sv = &md->sv;
	bool inc = !sv->precopy_err;
	int ret;

	ret = mlx5_fw_query(md, inc, &r);
	if (ret < 0)
		return ret;
	sv->final = true;
	sv->want_middle = false;
	sv->middle_initial = false;
	sv->dirty_est = 0;
	sv->dirty_total = 0;
	if (md->chunk_mode) {
		sv->next_min = r.required_umem_size;
		sv->remaining = r.remaining_total_size;
	} else {
		sv->remaining = r.required_umem_size;
	}
	save_kick(md);
	return sv->err;
}

/*
 * PRE_COPY -> RUNNING or PRE_COPY_P2P -> RUNNING_P2P: tell firmware to
 * drop tracking (QUERY incremental, then an untracked full SAVE whose data
 * is discarded), as the kernel does.
 */
int
mlx5_save_abort_precopy(struct mlx5_dev *md)
{
	struct mig_mlx5_query_vhca_migration_state_res r;
	struct mlx5_saver *sv = &md->sv;
	struct mlx5_slot *s = &sv->slot[0];
	struct mig_mlx5_save_vhca_state_res res;
	struct mig_mlx5_cmd *done[1];
	int ret;

	mlx5_save_idle(md);
	ret = mlx5_fw_query(md, true, &r);
	if (ret < 0 && sv->precopy_err &&
	    r.hdr.status == MIG_MLX5_STAT_BAD_RES_STATE) {
		/* the initial SAVE failed: tracking never started */
		MLX5_LOG(INFO, "mlx5 %s: leaving pre-copy: nothing to clean up (%s)",
			 md->dev->name, mig_err_last());
		mig_err_clear();
		mlx5_save_stop(md);
		return 0;
	}
	/* the cleanup SAVE is sized from its QUERY, as the kernel's */
	if (ret == 0)
		ret = slot_reserve(md, s, save_pages(r.required_umem_size));
	if (ret == 0)
		ret = mlx5_fw_save_submit(md, s, false, false, s->b.len);
	if (ret == 0) {
		while (md->ch.ops->poll(&md->ch, done, 1) == 0)
			;
		ret = s->cmd.err;
		if (ret == 0)
			ret = mig_mlx5_parse_save_vhca_state_out(s->out,
								 sizeof(s->out),
								 &res);
		if (ret < 0)
			mlx5_fw_error(md, "SAVE_VHCA_STATE leaving pre-copy", ret);
	}
	mlx5_save_stop(md);
	return ret;
}

void
mlx5_save_sizes(struct mlx5_dev *md, struct mig_dev_sizes *sz)
{
	struct mig_mlx5_query_vhca_migration_state_res r;
	struct mlx5_saver *sv = &md->sv;
	uint64_t unread = save_unread(sv), now;

	if (!sv->active) {
		if (md->ch.q_len == 0 && mlx5_fw_query(md, false, &r) == 0)
			sz->stop_copy_bytes = MLX5_SC_REC_LEN +
				MLX5_REC_HDR_LEN +
				(md->chunk_mode ? r.remaining_total_size :
						  r.required_umem_size);
		return;
	}
	now = mig_time_ns();
	if (sv->precopy && !sv->final && !sv->precopy_err && !sv->saving &&
	    !sv->want_middle && md->state == MIG_STATE_PRE_COPY &&
	    now - sv->query_ns > SAVE_QUERY_NS) {
		/* an estimate: a failure here is the next save's to report */
		if (save_query_inc(md) < 0)
			MLX5_LOG(DEBUG, "mlx5 %s: %s", md->dev->name,
				 mig_err_last());
		save_kick(md);
	}
	if (sv->reinit) {
		sz->flags |= MIG_DEV_SIZES_F_REINIT;
		sv->reinit = false;
	}
	sz->initial_bytes = sv->precopy ? sv->initial_left : 0;
	/* chunk mode: all the pending state, not just the next piece */
	sz->dirty_bytes = (unread > sz->initial_bytes ?
				   unread - sz->initial_bytes : 0) +
			  (sv->precopy_err ? 0 : sv->dirty_total);
	if (sv->final)
		sz->stop_copy_bytes = unread + sv->remaining;
	else
		sz->stop_copy_bytes = unread + sv->dirty_total +
				      MLX5_REC_HDR_LEN;
}
