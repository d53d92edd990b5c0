/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Destination side of the mlx5 stream: parse records across arbitrary
 * chunk boundaries, collect each FW_DATA image in a staging buffer and
 * LOAD the images strictly in order, one at a time (multi-load), while the
 * next image is being collected in the other buffer. STOP_COPY_SIZE sizes
 * the buffers ahead of the large final image; unknown optional records are
 * skipped, unknown mandatory ones rejected. Any error is sticky.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "mlx5_drv.h"

static int __attribute__((format(printf, 3, 4)))
load_fail(struct mlx5_dev *md, int err, const char *fmt, ...)
{
	struct mlx5_loader *ld = &md->ld;
	va_list ap;

	if (ld->err != 0)
		return ld->err;
	va_start(ap, fmt);
	vsnprintf(ld->errmsg, sizeof(ld->errmsg), fmt, ap);
	va_end(ap);
	ld->err = err;
	mig_err_set(mig_mlx5_logtype, "%s", ld->errmsg);
	return err;
}

static void
load_kick(struct mlx5_dev *md)
{
	struct mlx5_loader *ld = &md->ld;
	struct mlx5_lslot *s = &ld->slot[ld->next_load];
	int ret;

	if (ld->loading || ld->err || s->st != MLX5_LSLOT_FULL)
		return;
	ret = mlx5_fw_load_submit(md, s);
	if (ret < 0) {
		load_fail(md, ret, "%s", mig_err_last());
		return;
	}
	s->st = MLX5_LSLOT_LOADING;
	ld->loading = true;
}

static void
load_reap(struct mlx5_dev *md)
{
	struct mlx5_loader *ld = &md->ld;
	struct mig_mlx5_load_vhca_state_res r;
	struct mig_mlx5_cmd *done[1];
	struct mlx5_lslot *s = &ld->slot[ld->next_load];
	char step[64];
	int ret;

	if (!ld->loading || md->ch.ops->poll(&md->ch, done, 1) != 1)
		return;
	ld->loading = false;
	ret = s->cmd.err;
	if (ret == 0)
		ret = mig_mlx5_parse_load_vhca_state_out(s->out, sizeof(s->out),
							 &r);
	s->st = MLX5_LSLOT_FREE;
	if (ret < 0) {
		snprintf(step, sizeof(step), "LOAD_VHCA_STATE of image %" PRIu64,
			 s->image);
		mlx5_fw_error(md, step, ret);
		load_fail(md, ret, "%s", mig_err_last());
		return;
	}
	ld->loaded++;
	ld->next_load ^= 1;
	load_kick(md);
}

/*
 * Make @p s hold at least @p need bytes, keeping the first @p keep bytes
 * it holds (a buffer is registered with the device whole, so growing is
 * a new buffer and a copy; doubling bounds the copies of an image whose
 * size was not hinted to about its size).
 */
static int
load_stage_grow(struct mlx5_dev *md, struct mlx5_lslot *s, uint64_t need,
		uint64_t keep)
{
	struct mig_mlx5_buf nb = { 0 };
	int ret;

	if (s->b.addr != NULL && s->b.len >= need)
		return 0;
	if (keep == 0) {
		mig_mlx5_buf_free(&md->ch, &s->b);
		ret = mig_mlx5_buf_alloc(&md->ch, need, &s->b);
	} else {
		ret = mig_mlx5_buf_alloc(&md->ch, need, &nb);
		if (ret == 0) {
			memcpy(nb.addr, s->b.addr, keep);
			mig_mlx5_buf_free(&md->ch, &s->b);
			s->b = nb;
		}
	}
	if (ret < 0)
		return load_fail(md, ret, "%s", mig_err_last());
	return 0;
}

/* A record header is staged: start its payload. 0, 1 = stall, -errno. */
static int
load_rec_begin(struct mlx5_dev *md)
{
	struct mlx5_loader *ld = &md->ld;
	uint64_t at = ld->offset - MLX5_REC_HDR_LEN;
	struct mlx5_lslot *s;
	struct mlx5_rec_hdr h;
	int ret;

	memcpy(&h, ld->hdr, sizeof(h));
	ld->rec.record_size = rte_le_to_cpu_64(h.record_size);
	ld->rec.flags = rte_le_to_cpu_32(h.flags);
	ld->rec.tag = rte_le_to_cpu_32(h.tag);
	if (ld->rec.record_size > MIG_MLX5_MAX_IMAGE_SIZE)
		return load_fail(md, -ENOMEM,
				 "mlx5 %s: record of %" PRIu64 " bytes at stream offset %" PRIu64 " exceeds the 4 GiB - 1 image limit",
				 md->dev->name, ld->rec.record_size, at);
	switch (ld->rec.tag) {
	case MLX5_REC_TAG_FW_DATA:
		if (ld->rec.record_size == 0)
			return load_fail(md, -EBADMSG,
					 "mlx5 %s: empty FW_DATA record at stream offset %" PRIu64,
					 md->dev->name, at);
		s = &ld->slot[ld->fill];
		if (s->st != MLX5_LSLOT_FREE)
			return 1;
		ret = load_stage_grow(md, s,
				      RTE_MIN(ld->rec.record_size,
					      RTE_MAX(ld->hint,
						      MLX5_LOAD_STAGE_MIN)),
				      0);
		if (ret < 0)
			return ret;
		s->st = MLX5_LSLOT_FILLING;
		s->len = ld->rec.record_size;
		s->got = 0;
		s->image = ld->images++;
		break;
	case MLX5_REC_TAG_STOP_COPY_SIZE:
		if (ld->rec.record_size != sizeof(ld->sc))
			return load_fail(md, -EBADMSG,
					 "mlx5 %s: STOP_COPY_SIZE record of %" PRIu64 " bytes at stream offset %" PRIu64 " (8 expected)",
					 md->dev->name, ld->rec.record_size, at);
		break;
	default:
		if (!(ld->rec.flags & MLX5_REC_F_OPTIONAL))
			return load_fail(md, -EOPNOTSUPP,
					 "mlx5 %s: unknown mandatory record tag %u (flags 0x%x) at stream offset %" PRIu64,
					 md->dev->name, ld->rec.tag,
					 ld->rec.flags, at);
		MLX5_LOG(DEBUG, "mlx5 %s: skipping optional record tag %u, %" PRIu64 " bytes",
			 md->dev->name, ld->rec.tag, ld->rec.record_size);
		break;
	}
	ld->in_rec = true;
	ld->rec_got = 0;
	return 0;
}

static void
load_rec_end(struct mlx5_dev *md)
{
	struct mlx5_loader *ld = &md->ld;
	uint64_t v;

	if (ld->rec.tag == MLX5_REC_TAG_FW_DATA) {
		ld->slot[ld->fill].st = MLX5_LSLOT_FULL;
		ld->fill ^= 1;
		load_kick(md);
	} else if (ld->rec.tag == MLX5_REC_TAG_STOP_COPY_SIZE) {
		memcpy(&v, ld->sc, sizeof(v));
		ld->hint = RTE_MIN(rte_le_to_cpu_64(v),
				   (uint64_t)MIG_MLX5_MAX_IMAGE_SIZE);
	}
	ld->in_rec = false;
	ld->have = 0;
}

/* Consume the rest of @p io; 1 when all of it is in, 0 when stalled. */
static int
load_consume(struct mlx5_dev *md, struct mig_io *io)
{
	struct mlx5_loader *ld = &md->ld;
	const uint8_t *src = io->buf;
	uint64_t off = io->drv[0], n;
	int ret;

	while (off < io->len && ld->err == 0) {
		if (!ld->in_rec) {
			if (ld->have < MLX5_REC_HDR_LEN) {
				n = RTE_MIN(io->len - off,
					    (uint64_t)(MLX5_REC_HDR_LEN - ld->have));
				memcpy(ld->hdr + ld->have, src + off, n);
				ld->have += n;
				off += n;
				ld->offset += n;
				if (ld->have < MLX5_REC_HDR_LEN)
					break;
			}
			ret = load_rec_begin(md);
			if (ret != 0)
				break;
			if (ld->rec.record_size == 0)
				load_rec_end(md);
			continue;
		}
		n = RTE_MIN(io->len - off, ld->rec.record_size - ld->rec_got);
		if (ld->rec.tag == MLX5_REC_TAG_FW_DATA) {
			struct mlx5_lslot *s = &ld->slot[ld->fill];

			if (s->got + n > s->b.len &&
			    load_stage_grow(md, s,
					    RTE_MIN(ld->rec.record_size,
						    RTE_MAX(2 * s->b.len,
							    s->got + n)),
					    s->got) < 0)
				break;
			memcpy((uint8_t *)s->b.addr + s->got, src + off, n);
			s->got += n;
		} else if (ld->rec.tag == MLX5_REC_TAG_STOP_COPY_SIZE) {
			memcpy(ld->sc + ld->rec_got, src + off, n);
		}
		ld->rec_got += n;
		off += n;
		ld->offset += n;
		if (ld->rec_got == ld->rec.record_size)
			load_rec_end(md);
	}
	io->drv[0] = off;
	return off == io->len;
}

void
mlx5_load_progress(struct mlx5_dev *md)
{
	struct mlx5_loader *ld = &md->ld;
	struct mig_io *io;

	load_reap(md);
	while ((io = ld->q_head) != NULL) {
		if (ld->err == 0 && !load_consume(md, io) && ld->err == 0)
			break;
		ld->q_head = io->drv_next;
		if (ld->q_head == NULL)
			ld->q_tail = NULL;
		ld->q_len--;
		if (ld->err != 0)
			mig_err_set(mig_mlx5_logtype, "%s", ld->errmsg);
		mlx5_io_done(md, io, ld->err);
	}
	load_kick(md);
}

int
mlx5_load_submit(struct mlx5_dev *md, struct mig_io *io)
{
	struct mlx5_loader *ld = &md->ld;

	if (!ld->active)
		return -EINVAL;
	io->drv[0] = 0;
	io->drv_next = NULL;
	if (ld->q_tail == NULL)
		ld->q_head = io;
	else
		ld->q_tail->drv_next = io;
	ld->q_tail = io;
	ld->q_len++;
	mlx5_load_progress(md);
	return 0;
}

static void
load_wait(struct mlx5_dev *md)
{
	struct mlx5_loader *ld = &md->ld;

	while (ld->loading && md->ch.q_head != NULL) {
		mig_mlx5_sleep_until(md->ch.q_head->done_ns);
		load_reap(md);
	}
}

int
mlx5_load_start(struct mlx5_dev *md)
{
	mlx5_load_stop(md);
	md->ld.active = true;
	return 0;
}

/* RESUMING -> STOP: every image loaded, nothing left half-way. */
int
mlx5_load_finish(struct mlx5_dev *md)
{
	struct mlx5_loader *ld = &md->ld;

	do {
		load_wait(md);
		load_kick(md);
	} while (ld->loading);
	if (ld->err != 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: resuming -> stop: the stream failed to load: %s",
			    md->dev->name, ld->errmsg);
		return ld->err;
	}
	if (ld->in_rec || ld->have != 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: resuming -> stop: incomplete stream: it ends inside a record at stream offset %" PRIu64,
			    md->dev->name, ld->offset);
		return -EINVAL;
	}
	if (ld->loaded == 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: resuming -> stop: incomplete stream: no FW_DATA image received (%" PRIu64 " bytes)",
			    md->dev->name, ld->offset);
		return -EINVAL;
	}
	MLX5_LOG(DEBUG, "mlx5 %s: %" PRIu64 " images loaded, %" PRIu64 " stream bytes",
		 md->dev->name, ld->loaded, ld->offset);
	mlx5_load_stop(md);
	return 0;
}

void
mlx5_load_stop(struct mlx5_dev *md)
{
	struct mlx5_loader *ld = &md->ld;
	unsigned int i;

	load_wait(md);
	for (i = 0; i < RTE_DIM(ld->slot); i++)
		mig_mlx5_buf_free(&md->ch, &ld->slot[i].b);
	memset(ld, 0, sizeof(*ld));
}
