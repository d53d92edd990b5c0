/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Emulated QUERY_VHCA_MIGRATION_STATE, SAVE_VHCA_STATE and LOAD_VHCA_STATE.
 *
 * A save writes an image (mlx5_emu_priv.h) of the pages of a "pending set":
 * every page for incremental=0, the pages dirtied since the last tracked
 * capture for incremental=1 (or the rest of a set that a chunk-mode SAVE
 * left unfinished). An image that does not fit the buffer fails, except in
 * chunk mode for untracked SAVEs, which write whole records up to the
 * buffer size and report next_required_umem_size. The last image of a
 * stop-copy save carries the state digest. A load checks that images come
 * from a device of the same geometry, from one save session and in order,
 * verifies every byte, and at the last image that the state is complete
 * and equal to the source's.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "mig_hash.h"
#include "mig_log.h"

#include "mlx5_cmd.h"
#include "mlx5_emu_priv.h"

/* Record bytes of @p n pages, @p has_last when the short last page is one. */
static uint64_t
emu_recs_bytes(const struct emu_vf *v, uint64_t n, bool has_last)
{
	uint64_t b = n * (EMU_REC_LEN + v->c.page);

	if (has_last && n > 0)
		b -= v->c.page - mlx5_emu_page_len(v, v->npages - 1);
	return b;
}

static uint64_t
emu_all_bytes(const struct emu_vf *v)
{
	return emu_recs_bytes(v, v->npages, true);
}

static uint64_t
emu_dirty_bytes(const struct emu_vf *v)
{
	return emu_recs_bytes(v, v->ndirty, emu_bit(v->dirty, v->npages - 1));
}

/*
 * Bytes of the image set an incremental SAVE would take now: the pages
 * left over from an unfinished one and the pages dirtied since.
 */
static uint64_t
emu_inc_bytes(const struct emu_vf *v)
{
	uint64_t w, n = 0, words = emu_words(v->npages);

	if (v->npend == 0)
		return emu_dirty_bytes(v);
	for (w = 0; w < words; w++)
		n += (uint64_t)__builtin_popcountll(v->pend[w] | v->dirty[w]);
	return emu_recs_bytes(v, n, emu_bit(v->pend, v->npages - 1) ||
				    emu_bit(v->dirty, v->npages - 1));
}

/* QUERY's migration_state (cap_2 migration_state). */
static uint8_t
emu_mig_state(const struct emu_vf *v)
{
	if (v->reinit_pending)
		return MIG_MLX5_MIG_STATE_OPER_MIGRATION_INIT;
	if (!v->tracking)
		return MIG_MLX5_MIG_STATE_OPER_MIGRATION_IDLE;
	return emu_inc_bytes(v) != 0 ? MIG_MLX5_MIG_STATE_OPER_MIGRATION_DIRTY :
				       MIG_MLX5_MIG_STATE_OPER_MIGRATION_READY;
}

/* Fault injection emu_reinit: the state is re-initialised, all of it. */
static void
emu_reinit(struct emu_vf *v)
{
	uint64_t p;

	for (p = 0; p < v->npages; p++)
		mlx5_emu_dirty_page(v, p);
	v->reinit_pending = true;
}

/* Smallest chunk buffer firmware accepts for the next chunk. */
static uint64_t
emu_chunk_min(const struct mig_mlx5_emu_pf *pf, const struct emu_vf *v)
{
	return RTE_MAX(pf->c.chunk_min,
		       (uint64_t)EMU_HDR_LEN + EMU_REC_LEN + v->c.page);
}

int
mlx5_emu_query(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
	       void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_query_vhca_migration_state_args a;
	struct mig_mlx5_query_vhca_migration_state_res res;
	struct emu_vf *v;
	uint64_t total;

	if (mig_mlx5_parse_query_vhca_migration_state_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_STATE, "QUERY: %s",
				     mig_err_last());
	v = mlx5_emu_vf_find(pf, a.vhca_id);
	if (v == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_NO_VHCA, "QUERY: no vhca_id %u",
				     a.vhca_id);
	if (a.incremental && !v->tracking && v->npend == 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_NO_TRACKING,
				     "incremental QUERY of vhca %u: dirty tracking is off",
				     a.vhca_id);
	if (a.chunk && !pf->c.chunk)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_CAP,
				     "chunk QUERY of vhca %u: migration_in_chunks is off",
				     a.vhca_id);
	if (!a.chunk && pf->c.chunk)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_NO_CHUNK_BIT,
				     "QUERY of vhca %u without the chunk bit: migration_in_chunks is on, and upstream sets chunk on every QUERY then",
				     a.vhca_id);
	if (a.incremental && v->tracking && pf->c.mig_state && v->c.reinit &&
	    ++v->inc_queries == v->c.reinit)
		emu_reinit(v);
	/* incremental: 0 when nothing is dirty (a final SAVE still works) */
	total = a.incremental ? emu_inc_bytes(v) : emu_all_bytes(v);
	if (total != 0 || !a.incremental)
		total += EMU_HDR_LEN;
	memset(&res, 0, sizeof(res));
	if (pf->c.mig_state)
		res.migration_state = emu_mig_state(v);
	if (a.chunk) {
		res.required_umem_size =
			(uint32_t)RTE_MIN(emu_chunk_min(pf, v), total);
		res.remaining_total_size = total;
		v->chunk_req = res.required_umem_size;
		v->chunk_k = 0;
	} else {
		if (total > MIG_MLX5_MAX_IMAGE_SIZE)
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_EXCEED_LIM,
					     EMU_SYN_TOO_BIG,
					     "vhca %u: an image of %" PRIu64 " bytes exceeds the 4 GiB single-image limit (chunk mode off)",
					     a.vhca_id, total);
		res.required_umem_size = (uint32_t)total;
	}
	if (a.incremental)
		v->inc_req = res.required_umem_size;
	return mig_mlx5_build_query_vhca_migration_state_out(out, outlen,
							     &res) < 0 ?
		       -EMSGSIZE : 0;
}

/* Next page in pend at or after v->scan (npend > 0). */
static uint64_t
emu_pend_next(struct emu_vf *v)
{
	uint64_t w = v->scan >> 6;
	uint64_t m = v->pend[w] & (~UINT64_C(0) << (v->scan & 63));

	while (m == 0)
		m = v->pend[++w];
	return (w << 6) + (uint64_t)__builtin_ctzll(m);
}

/* Write records of pending pages from offset EMU_HDR_LEN; bytes used. */
static uint64_t
emu_write_recs(struct emu_vf *v, const struct emu_dma *d, uint64_t cap,
	       uint32_t *nrec)
{
	uint64_t off = EMU_HDR_LEN;

	*nrec = 0;
	while (v->npend > 0) {
		uint64_t page = emu_pend_next(v);
		uint64_t len = mlx5_emu_page_len(v, page);
		uint64_t h, k, done = 0;
		struct emu_img_rec rec;

		if (off + EMU_REC_LEN + len > cap)
			break;
		rec.page = rte_cpu_to_le_64(page);
		rec.version = rte_cpu_to_le_32(v->ver[page]);
		rec.len = rte_cpu_to_le_32((uint32_t)len);
		mlx5_emu_dma_write(d, off, &rec, sizeof(rec));
		off += EMU_REC_LEN;
		h = mlx5_emu_page_hash(v->seed, page, v->ver[page]);
		while (done < len) {
			void *p = mlx5_emu_dma_ptr(d, off, &k);

			k = RTE_MIN(k, len - done);
			mlx5_emu_gen(h, done, p, k);
			done += k;
			off += k;
		}
		emu_bit_clr(v->pend, page);
		v->npend--;
		v->pend_bytes -= EMU_REC_LEN + len;
		v->scan = page + 1;
		(*nrec)++;
	}
	return off;
}

/* Check a SAVE against the function's state; 1 when it is the cleanup. */
static int
emu_save_check(struct mig_mlx5_emu_pf *pf, struct emu_vf *v,
	       const struct mig_mlx5_save_vhca_state_args *a,
	       struct emu_res *r)
{
	if (a->set_track && !pf->c.tracking)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_CAP,
				     "tracked SAVE of vhca %u: migration_tracking_state is off",
				     a->vhca_id);
	if (v->st == EMU_VF_SUSPENDED) {
		if (a->set_track)
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
					     EMU_SYN_STATE,
					     "tracked SAVE of vhca %u: the function is suspended",
					     a->vhca_id);
	} else if (!a->set_track) {
		if (v->tracking && !a->incremental)
			return 1;
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_STATE,
				     "SAVE of vhca %u while the function is %s and not tracked: SUSPEND it first",
				     a->vhca_id,
				     v->st == EMU_VF_RUNNING ? "running" :
							       "initiator-suspended");
	}
	/* a tracked SAVE of a running or initiator-suspended function starts
	 * a pre-copy (Linux's mlx5 driver: RUNNING_P2P -> PRE_COPY_P2P) */
	if (a->incremental && !v->tracking && v->npend == 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_NO_TRACKING,
				     "incremental SAVE of vhca %u: no dirty tracking and no image in progress",
				     a->vhca_id);
	return 0;
}

/* Fill pend with the set this SAVE takes. */
static void
emu_save_select(struct emu_vf *v, const struct mig_mlx5_save_vhca_state_args *a,
		uint64_t new_session)
{
	size_t bm = emu_words(v->npages) * sizeof(uint64_t);
	uint64_t *t;
	size_t w;

	if (!a->incremental) {
		memset(v->pend, 0xff, bm);
		if (v->npages & 63)
			v->pend[bm / 8 - 1] = (UINT64_C(1) << (v->npages & 63)) - 1;
		v->npend = v->npages;
		v->pend_bytes = emu_all_bytes(v);
		memset(v->dirty, 0, bm);
		v->ndirty = 0;
		/* a new session unless this is the full final image of one */
		if (a->set_track || !v->tracking) {
			v->session = new_session;
			v->seq = 0;
		}
	} else if (v->npend == 0) {
		v->pend_bytes = emu_dirty_bytes(v);
		t = v->pend;
		v->pend = v->dirty;
		v->dirty = t;
		v->npend = v->ndirty;
		v->ndirty = 0;
	} else if (v->ndirty != 0) {
		/* the rest of an unfinished set and the pages dirtied since */
		v->pend_bytes = emu_inc_bytes(v);
		for (w = 0; w < bm / 8; w++) {
			v->pend[w] |= v->dirty[w];
			v->dirty[w] = 0;
		}
		v->npend = 0;
		for (w = 0; w < bm / 8; w++)
			v->npend += (uint64_t)__builtin_popcountll(v->pend[w]);
		v->ndirty = 0;
	}
	v->scan = 0;
}

int
mlx5_emu_save(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
	      void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_save_vhca_state_args a;
	struct mig_mlx5_save_vhca_state_res res;
	struct emu_img_hdr hdr;
	struct emu_dma d;
	struct emu_vf *v;
	uint64_t cand, min, used;
	uint32_t nrec, inc_req;
	bool last;
	int ret;

	if (mig_mlx5_parse_save_vhca_state_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_STATE, "SAVE: %s", mig_err_last());
	v = mlx5_emu_vf_find(pf, a.vhca_id);
	if (v == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_NO_VHCA, "SAVE: no vhca_id %u",
				     a.vhca_id);
	if (a.size == 0 || a.size % EMU_PAGE != 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_NOT_PAGES,
				     "SAVE of vhca %u: size %" PRIu32 " is not a whole number of %u-byte pages",
				     a.vhca_id, a.size, EMU_PAGE);
	ret = emu_save_check(pf, v, &a, r);
	inc_req = v->inc_req;
	v->inc_req = 0;
	if (ret != 0 || r->status != MIG_MLX5_STAT_OK)
		goto cleanup;
	if (mlx5_emu_dma_map(pf, a.mkey, a.va, a.size, true, &d, r) != 0 ||
	    r->status != MIG_MLX5_STAT_OK)
		return 0;
	if (a.set_track && ++v->tracked_saves == v->c.fail_precopy)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_PRECOPY,
				     "tracked SAVE of vhca %u: the state changed too much since QUERY (fault injection emu_fail_precopy=%" PRIu64 ")",
				     a.vhca_id, v->c.fail_precopy);
	cand = EMU_HDR_LEN + (a.incremental ? emu_inc_bytes(v)
					    : emu_all_bytes(v));
	if (cand > a.size) {
		/* without chunk mode an image is whole or nothing */
		if (a.set_track && !pf->c.chunk)
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
					     EMU_SYN_PRECOPY,
					     "tracked SAVE of vhca %u: the image needs %" PRIu64 " bytes, the buffer has %" PRIu32 " (the state changed since QUERY)",
					     a.vhca_id, cand, a.size);
		if (!pf->c.chunk)
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
					     EMU_SYN_BUF_SMALL,
					     "SAVE of vhca %u: the image needs %" PRIu64 " bytes, the buffer has %" PRIu32 " (chunk mode off)",
					     a.vhca_id, cand, a.size);
		/* chunk mode: a piece of it, tracked (pre-copy) or not */
		if (a.set_track) {
			/* at least one record; else the state outgrew it */
			min = EMU_HDR_LEN + EMU_REC_LEN + v->c.page;
			if (a.size < min)
				return mlx5_emu_fail(pf, r,
						     MIG_MLX5_STAT_BAD_RES_STATE,
						     EMU_SYN_PRECOPY,
						     "tracked SAVE of vhca %u: the image needs %" PRIu64 " bytes, the buffer has %" PRIu32 " (the state changed since QUERY)",
						     a.vhca_id, cand, a.size);
		} else {
			min = RTE_MAX(emu_chunk_min(pf, v), v->chunk_req);
			if (a.size < min)
				return mlx5_emu_fail(pf, r,
						     MIG_MLX5_STAT_BAD_PARAM,
						     EMU_SYN_BUF_SMALL,
						     "SAVE of vhca %u: buffer of %" PRIu32 " bytes is below the chunk minimum %" PRIu64,
						     a.vhca_id, a.size, min);
		}
	}
	pf->session_rng += EMU_WORD_STEP;
	emu_save_select(v, &a, mig_mix64(pf->session_rng));
	if (a.set_track) {
		v->tracking = true;
		v->reinit_pending = false;
	}
	used = emu_write_recs(v, &d, a.size, &nrec);
	last = !a.set_track && v->npend == 0;
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = rte_cpu_to_le_32(EMU_IMG_MAGIC);
	hdr.version = rte_cpu_to_le_16(EMU_IMG_VERSION);
	hdr.hdr_len = rte_cpu_to_le_16(EMU_HDR_LEN);
	hdr.flags = rte_cpu_to_le_32((a.incremental ? 0 : EMU_IMG_F_FULL) |
				     (last ? EMU_IMG_F_LAST : 0));
	hdr.nrec = rte_cpu_to_le_32(nrec);
	hdr.image_len = rte_cpu_to_le_64(used);
	hdr.state_size = rte_cpu_to_le_64(v->c.size);
	hdr.page_size = rte_cpu_to_le_32((uint32_t)v->c.page);
	hdr.seq = rte_cpu_to_le_32(v->seq++);
	hdr.session = rte_cpu_to_le_64(v->session);
	hdr.seed = rte_cpu_to_le_64(v->seed);
	hdr.model = rte_cpu_to_le_32(v->c.model);
	if (last) {
		hdr.digest = rte_cpu_to_le_64(mlx5_emu_digest(v));
		v->tracking = false;
	}
	mlx5_emu_dma_write(&d, 0, &hdr, sizeof(hdr));
	if (++v->saves == v->c.corrupt_save && nrec > 0) {
		/* fault injection: one flipped byte in the first page's data */
		uint64_t k;
		uint8_t *p = mlx5_emu_dma_ptr(&d, EMU_HDR_LEN + EMU_REC_LEN, &k);

		*p ^= 0x5a;
	}
	memset(&res, 0, sizeof(res));
	res.actual_image_size = (uint32_t)used;
	if (v->npend > 0 && !a.set_track) {
		/* emu_chunk_grow: each chunk may need more than the last */
		v->chunk_k++;
		res.next_required_umem_size = (uint32_t)RTE_MIN(
			emu_chunk_min(pf, v) + pf->c.chunk_grow * v->chunk_k,
			EMU_HDR_LEN + v->pend_bytes);
		v->chunk_req = res.next_required_umem_size;
	} else {
		v->chunk_req = 0;
		v->chunk_k = 0;
	}
	r->bytes = used;
	return mig_mlx5_build_save_vhca_state_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
cleanup:
	if (ret != 1)
		return 0;
	/* incremental=0, set_track=0 while running: leave PRE_COPY */
	if (a.size < inc_req)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_BUF_SMALL,
				     "SAVE of vhca %u leaving pre-copy: buffer of %" PRIu32 " bytes, its QUERY asked for %" PRIu32,
				     a.vhca_id, a.size, inc_req);
	v->tracking = false;
	memset(v->dirty, 0, emu_words(v->npages) * sizeof(uint64_t));
	memset(v->pend, 0, emu_words(v->npages) * sizeof(uint64_t));
	v->ndirty = v->npend = v->pend_bytes = 0;
	memset(&res, 0, sizeof(res));
	return mig_mlx5_build_save_vhca_state_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
}

/* Validate the header of an image against the function and its sequence. */
static int
emu_load_hdr(struct mig_mlx5_emu_pf *pf, struct emu_vf *v,
	     const struct emu_img_hdr *h, uint32_t size, struct emu_res *r)
{
	uint64_t ssize = rte_le_to_cpu_64(h->state_size);
	uint32_t psize = rte_le_to_cpu_32(h->page_size);
	uint32_t seq = rte_le_to_cpu_32(h->seq);
	uint64_t session = rte_le_to_cpu_64(h->session);

	if (rte_le_to_cpu_32(h->magic) != EMU_IMG_MAGIC ||
	    rte_le_to_cpu_16(h->version) != EMU_IMG_VERSION ||
	    rte_le_to_cpu_16(h->hdr_len) != EMU_HDR_LEN)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_BAD_IMAGE,
				     "LOAD into vhca %u: not a migration image of this firmware (magic 0x%08x, version %u)",
				     v->vhca_id, rte_le_to_cpu_32(h->magic),
				     rte_le_to_cpu_16(h->version));
	if (ssize != v->c.size || psize != v->c.page ||
	    rte_le_to_cpu_32(h->model) != v->c.model)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OTHER_DEVICE,
				     "LOAD into vhca %u: image of another device (model %u, state of %" PRIu64 " bytes in %u-byte pages; this function: model %u, %" PRIu64 " in %" PRIu64 ")",
				     v->vhca_id, rte_le_to_cpu_32(h->model),
				     ssize, psize, v->c.model, v->c.size,
				     v->c.page);
	if (rte_le_to_cpu_64(h->image_len) != size)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_BAD_IMAGE,
				     "LOAD into vhca %u: size %u, but the image is %" PRIu64 " bytes",
				     v->vhca_id, size,
				     rte_le_to_cpu_64(h->image_len));
	if (!v->ld_active) {
		if (seq != 0 || !(rte_le_to_cpu_32(h->flags) & EMU_IMG_F_FULL))
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
					     EMU_SYN_ORDER,
					     "LOAD into vhca %u out of order: the first image must be image 0 (full), got image %u",
					     v->vhca_id, seq);
		return 0;
	}
	if (v->ld_complete)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_ORDER,
				     "LOAD into vhca %u: image %u after the final image",
				     v->vhca_id, seq);
	if (!pf->c.multi_load)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_NO_MULTI_LOAD,
				     "LOAD into vhca %u: a second image without migration_multi_load",
				     v->vhca_id);
	if (session != v->ld_session)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OTHER_DEVICE,
				     "LOAD into vhca %u: image of another device or migration (session 0x%016" PRIx64 ", loading 0x%016" PRIx64 ")",
				     v->vhca_id, session, v->ld_session);
	if (seq != v->ld_seq + 1)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_ORDER,
				     "LOAD into vhca %u out of order: expected image %u, got image %u",
				     v->vhca_id, v->ld_seq + 1, seq);
	return 0;
}

/* Apply the records; the function is broken on any error from here. */
static int
emu_load_recs(struct mig_mlx5_emu_pf *pf, struct emu_vf *v,
	      const struct emu_dma *d, uint32_t nrec, uint32_t seq,
	      struct emu_res *r)
{
	uint64_t off = EMU_HDR_LEN;
	struct emu_img_rec rec;
	uint32_t i;

	for (i = 0; i < nrec; i++) {
		uint64_t page, len, h, k, m, done = 0;
		uint32_t ver;

		if (off + EMU_REC_LEN > d->len)
			goto truncated;
		mlx5_emu_dma_read(d, off, &rec, sizeof(rec));
		off += EMU_REC_LEN;
		page = rte_le_to_cpu_64(rec.page);
		ver = rte_le_to_cpu_32(rec.version);
		len = rte_le_to_cpu_32(rec.len);
		if (page >= v->npages || len != mlx5_emu_page_len(v, page))
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
					     EMU_SYN_CORRUPT,
					     "LOAD into vhca %u: corrupt image %u: record %u names page %" PRIu64 " of %" PRIu64 " bytes",
					     v->vhca_id, seq, i, page, len);
		if (off + len > d->len)
			goto truncated;
		h = mlx5_emu_page_hash(v->seed, page, ver);
		while (done < len) {
			const void *p = mlx5_emu_dma_ptr(d, off, &k);

			k = RTE_MIN(k, len - done);
			m = mlx5_emu_verify(h, done, p, k);
			if (m < k)
				return mlx5_emu_fail(pf, r,
						     MIG_MLX5_STAT_BAD_PARAM,
						     EMU_SYN_CORRUPT,
						     "LOAD into vhca %u: corrupt image %u: page %" PRIu64 " differs at byte %" PRIu64,
						     v->vhca_id, seq, page,
						     done + m);
			done += k;
			off += k;
		}
		v->ver[page] = ver;
		if (!emu_bit(v->recv, page)) {
			emu_bit_set(v->recv, page);
			v->nrecv++;
		}
	}
	if (off != d->len)
		goto truncated;
	return 0;
truncated:
	return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM, EMU_SYN_CORRUPT,
			     "LOAD into vhca %u: corrupt image %u: %u records do not fill its %" PRIu64 " bytes",
			     v->vhca_id, seq, nrec, d->len);
}

int
mlx5_emu_load(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
	      void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_load_vhca_state_args a;
	struct mig_mlx5_load_vhca_state_res res;
	struct emu_img_hdr hdr;
	struct emu_dma d;
	struct emu_vf *v;
	uint32_t seq;

	if (mig_mlx5_parse_load_vhca_state_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_STATE, "LOAD: %s", mig_err_last());
	v = mlx5_emu_vf_find(pf, a.vhca_id);
	if (v == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_NO_VHCA, "LOAD: no vhca_id %u",
				     a.vhca_id);
	if (v->st != EMU_VF_SUSPENDED)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_STATE,
				     "LOAD into vhca %u while the function is %s: SUSPEND it first",
				     a.vhca_id,
				     v->st == EMU_VF_RUNNING ? "running" :
							       "initiator-suspended");
	if (v->ld_broken)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_BROKEN,
				     "LOAD into vhca %u: an earlier LOAD failed, the function needs a reset",
				     a.vhca_id);
	if (a.size < EMU_HDR_LEN)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_BAD_IMAGE,
				     "LOAD into vhca %u: %u bytes cannot hold an image",
				     a.vhca_id, a.size);
	if (mlx5_emu_dma_map(pf, a.mkey, a.va, a.size, false, &d, r) != 0 ||
	    r->status != MIG_MLX5_STAT_OK)
		return 0;
	mlx5_emu_dma_read(&d, 0, &hdr, sizeof(hdr));
	if (emu_load_hdr(pf, v, &hdr, a.size, r) != 0 ||
	    r->status != MIG_MLX5_STAT_OK)
		return 0;
	seq = rte_le_to_cpu_32(hdr.seq);
	r->bytes = a.size;
	if (!v->ld_active) {
		v->ld_active = true;
		v->ld_complete = false;
		v->ld_session = rte_le_to_cpu_64(hdr.session);
		v->seed = rte_le_to_cpu_64(hdr.seed);
		memset(v->recv, 0, emu_words(v->npages) * sizeof(uint64_t));
		v->nrecv = 0;
	}
	v->ld_seq = seq;
	if (emu_load_recs(pf, v, &d, rte_le_to_cpu_32(hdr.nrec), seq, r) != 0 ||
	    r->status != MIG_MLX5_STAT_OK) {
		v->ld_broken = true;
		return 0;
	}
	if (rte_le_to_cpu_32(hdr.flags) & EMU_IMG_F_LAST) {
		if (v->nrecv != v->npages) {
			v->ld_broken = true;
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
					     EMU_SYN_INCOMPLETE,
					     "LOAD into vhca %u: final image %u, but only %" PRIu64 " of %" PRIu64 " pages were loaded",
					     a.vhca_id, seq, v->nrecv, v->npages);
		}
		if (mlx5_emu_digest(v) != rte_le_to_cpu_64(hdr.digest)) {
			v->ld_broken = true;
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
					     EMU_SYN_CORRUPT,
					     "LOAD into vhca %u: the loaded state differs from the saved one (digest)",
					     a.vhca_id);
		}
		v->ld_complete = true;
	}
	memset(&res, 0, sizeof(res));
	return mig_mlx5_build_load_vhca_state_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
}
