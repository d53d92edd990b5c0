/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Emulated firmware: the buffer objects (CREATE/DESTROY_UMEM, CREATE/
 * DESTROY_MKEY) and DMA through an mkey: an MTT mkey over a umem names
 * process memory page by page, as it names IOVAs on hardware.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "mig_log.h"

#include "mlx5_cmd.h"
#include "mlx5_emu_priv.h"

/* ------------------------------------------------------------- DMA */

static struct emu_mkey *
emu_mkey_find(struct mig_mlx5_emu_pf *pf, uint32_t key)
{
	unsigned int i;

	for (i = 0; i < EMU_OBJ_MAX; i++)
		if (pf->mkey[i].used &&
		    mig_mlx5_mkey(pf->mkey[i].index, pf->mkey[i].key_7_0) == key)
			return &pf->mkey[i];
	return NULL;
}

int
mlx5_emu_dma_map(struct mig_mlx5_emu_pf *pf, uint32_t key, uint64_t va,
		 uint64_t len, bool write, struct emu_dma *d,
		 struct emu_res *r)
{
	struct emu_mkey *mk = emu_mkey_find(pf, key);

	if (mk == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RESOURCE,
				     EMU_SYN_MKEY, "no mkey 0x%08" PRIx32, key);
	if ((write && !(mk->lw && mk->umem->wr)) ||
	    (!write && !(mk->lr && mk->umem->rd)))
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_MKEY,
				     "mkey 0x%08" PRIx32 " does not allow local %s",
				     key, write ? "write" : "read");
	if (va < mk->start || len > mk->len || va - mk->start > mk->len - len)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_BUF_SMALL,
				     "buffer [0x%" PRIx64 ", +%" PRIu64 ") is outside mkey 0x%08" PRIx32 " [0x%" PRIx64 ", +%" PRIu64 ")",
				     va, len, key, mk->start, mk->len);
	d->mk = mk;
	d->off = mk->umem_off + mk->umem->page_offset + (va - mk->start);
	d->len = len;
	if ((d->off + len + (UINT64_C(1) << mk->umem->log_page) - 1) >>
	    mk->umem->log_page > mk->umem->n_mtt)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_BUF_SMALL,
				     "mkey 0x%08" PRIx32 " reaches past its umem's %" PRIu64 " pages",
				     key, mk->umem->n_mtt);
	return 0;
}

/* Host address of window offset @p off, and the contiguous bytes there. */
void *
mlx5_emu_dma_ptr(const struct emu_dma *d, uint64_t off, uint64_t *n)
{
	const struct emu_umem *u = d->mk->umem;
	uint64_t a = d->off + off;
	uint64_t pg = UINT64_C(1) << u->log_page;
	uint64_t i = a >> u->log_page;
	uint64_t run = pg - (a & (pg - 1));

	while (i + 1 < u->n_mtt && run < d->len - off &&
	       u->mtt[i + 1] == u->mtt[i] + pg) {
		run += pg;
		i++;
	}
	*n = RTE_MIN(run, d->len - off);
	return (void *)(uintptr_t)(u->mtt[a >> u->log_page] + (a & (pg - 1)));
}

void
mlx5_emu_dma_write(const struct emu_dma *d, uint64_t off, const void *src,
		   uint64_t n)
{
	const uint8_t *s = src;
	uint64_t k;

	while (n > 0) {
		uint8_t *p = mlx5_emu_dma_ptr(d, off, &k);

		k = RTE_MIN(k, n);
		memcpy(p, s, k);
		s += k;
		off += k;
		n -= k;
	}
}

void
mlx5_emu_dma_read(const struct emu_dma *d, uint64_t off, void *dst,
		  uint64_t n)
{
	uint8_t *o = dst;
	uint64_t k;

	while (n > 0) {
		const uint8_t *p = mlx5_emu_dma_ptr(d, off, &k);

		k = RTE_MIN(k, n);
		memcpy(o, p, k);
		o += k;
		off += k;
		n -= k;
	}
}

/* ------------------------------------------------------------- objects */

int
mlx5_emu_create_umem(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_create_umem_args a;
	struct mig_mlx5_create_umem_res res;
	struct emu_umem *u = NULL;
	uint64_t i, e, pg;
	unsigned int k;

	if (mig_mlx5_parse_create_umem_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ, "CREATE_UMEM: %s",
				     mig_err_last());
	for (k = 0; k < EMU_OBJ_MAX; k++)
		if (!pf->umem[k].used) {
			u = &pf->umem[k];
			break;
		}
	if (u == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_NO_RESOURCES,
				     EMU_SYN_OBJ, "CREATE_UMEM: no free umem");
	if (a.num_of_mtt == 0 || a.num_of_mtt > (UINT64_C(1) << 28))
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ,
				     "CREATE_UMEM: %" PRIu64 " MTT entries",
				     a.num_of_mtt);
	pg = UINT64_C(1) << (a.log_page_size + 12);
	u->mtt = malloc(a.num_of_mtt * sizeof(uint64_t));
	if (u->mtt == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_NO_RESOURCES,
				     EMU_SYN_OBJ, "CREATE_UMEM: out of memory");
	u->rd = u->wr = true;
	for (i = 0; i < a.num_of_mtt; i++) {
		e = mig_mlx5_get(in, MIG_MLX5_CREATE_UMEM_IN_MTT + 64 * i, 64);
		u->rd = u->rd && (e & MIG_MLX5_MTT_FLAG_RD);
		u->wr = u->wr && (e & MIG_MLX5_MTT_FLAG_WR);
		u->mtt[i] = e & ~UINT64_C(0xff);
		if (u->mtt[i] & (pg - 1)) {
			free(u->mtt);
			u->mtt = NULL;
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
					     EMU_SYN_OBJ,
					     "CREATE_UMEM: MTT entry %" PRIu64 " not aligned to the %" PRIu64 "-byte page",
					     i, pg);
		}
	}
	u->used = true;
	u->id = pf->next_obj++ & 0xffffff;
	u->log_page = a.log_page_size + 12;
	u->page_offset = a.page_offset;
	u->n_mtt = a.num_of_mtt;
	u->refs = 0;
	memset(&res, 0, sizeof(res));
	res.umem_id = u->id;
	return mig_mlx5_build_create_umem_out(out, outlen, &res) < 0 ? -EMSGSIZE
								      : 0;
}

static struct emu_umem *
emu_umem_find(struct mig_mlx5_emu_pf *pf, uint32_t id)
{
	unsigned int k;

	for (k = 0; k < EMU_OBJ_MAX; k++)
		if (pf->umem[k].used && !pf->umem[k].inline_mtt &&
		    pf->umem[k].id == id)
			return &pf->umem[k];
	return NULL;
}

/*
 * The translation of an inline-MTT mkey (the kernel driver's form: page
 * addresses in CREATE_MKEY itself, start_addr 0), kept as a umem of its own.
 */
static struct emu_umem *
emu_mkey_inline(struct mig_mlx5_emu_pf *pf, const void *in,
		const struct mig_mlx5_create_mkey_args *a, struct emu_res *r)
{
	struct emu_umem *u = NULL;
	uint64_t i, pg, pages;
	unsigned int k;

	if (a->log_page_size < 12 || a->log_page_size > 30) {
		mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM, EMU_SYN_OBJ,
			      "CREATE_MKEY: log_page_size %u", a->log_page_size);
		return NULL;
	}
	pg = UINT64_C(1) << a->log_page_size;
	pages = (a->len + pg - 1) / pg;
	if (a->len == 0 || pages > a->n_mtt ||
	    a->translations_octword_size !=
		    a->translations_octword_actual_size) {
		mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM, EMU_SYN_OBJ,
			      "CREATE_MKEY: len %" PRIu64 " needs %" PRIu64 " MTT entries, %u given (octwords %u, actual %u)",
			      a->len, pages, a->n_mtt,
			      a->translations_octword_size,
			      a->translations_octword_actual_size);
		return NULL;
	}
	for (k = 0; k < EMU_OBJ_MAX; k++)
		if (!pf->umem[k].used) {
			u = &pf->umem[k];
			break;
		}
	if (u != NULL)
		u->mtt = malloc(pages * sizeof(uint64_t));
	if (u == NULL || u->mtt == NULL) {
		mlx5_emu_fail(pf, r, MIG_MLX5_STAT_NO_RESOURCES, EMU_SYN_OBJ,
			      "CREATE_MKEY: no room for %" PRIu64 " MTT entries",
			      pages);
		return NULL;
	}
	for (i = 0; i < pages; i++) {
		u->mtt[i] = mig_mlx5_get(in,
					 MIG_MLX5_CREATE_MKEY_IN_KLM_PAS_MTT +
						 64 * i, 64);
		if (u->mtt[i] & (pg - 1)) {
			free(u->mtt);
			u->mtt = NULL;
			mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM, EMU_SYN_OBJ,
				      "CREATE_MKEY: MTT entry %" PRIu64 " not aligned to the %" PRIu64 "-byte page",
				      i, pg);
			return NULL;
		}
	}
	u->used = true;
	u->inline_mtt = true;
	u->id = 0;
	u->log_page = a->log_page_size;
	u->page_offset = 0;
	u->n_mtt = pages;
	u->rd = u->wr = true; /* access is the mkey's lr / lw */
	u->refs = 0;
	return u;
}

int
mlx5_emu_destroy_umem(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		 void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_destroy_umem_args a;
	struct mig_mlx5_destroy_umem_res res;
	struct emu_umem *u;

	if (mig_mlx5_parse_destroy_umem_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ, "DESTROY_UMEM: %s",
				     mig_err_last());
	u = emu_umem_find(pf, a.umem_id);
	if (u == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RESOURCE,
				     EMU_SYN_OBJ, "DESTROY_UMEM: no umem %u",
				     a.umem_id);
	if (u->refs > 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_RESOURCE_BUSY,
				     EMU_SYN_OBJ,
				     "DESTROY_UMEM: umem %u still has %u mkey(s)",
				     a.umem_id, u->refs);
	free(u->mtt);
	memset(u, 0, sizeof(*u));
	memset(&res, 0, sizeof(res));
	return mig_mlx5_build_destroy_umem_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
}

int
mlx5_emu_create_mkey(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_create_mkey_args a;
	struct mig_mlx5_create_mkey_res res;
	struct emu_mkey *mk = NULL;
	struct emu_umem *u;
	unsigned int k;
	uint64_t avail;

	if (mig_mlx5_parse_create_mkey_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ, "CREATE_MKEY: %s",
				     mig_err_last());
	if (a.access_mode != MIG_MLX5_MKC_ACCESS_MODE_MTT)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ,
				     "CREATE_MKEY: the emulator supports MTT mkeys only (access_mode %u)",
				     a.access_mode);
	for (k = 0; k < EMU_OBJ_MAX; k++)
		if (!pf->mkey[k].used) {
			mk = &pf->mkey[k];
			break;
		}
	if (mk == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_NO_RESOURCES,
				     EMU_SYN_OBJ, "CREATE_MKEY: no free mkey");
	if (!a.umem_valid) {
		u = emu_mkey_inline(pf, in, &a, r);
		if (u == NULL)
			return 0;
		a.umem_offset = 0;
	} else {
		u = emu_umem_find(pf, a.umem_id);
		if (u == NULL)
			return mlx5_emu_fail(pf, r,
					     MIG_MLX5_STAT_BAD_RESOURCE,
					     EMU_SYN_OBJ,
					     "CREATE_MKEY: no umem %u",
					     a.umem_id);
		/* without overflow: umem_offset + len wrapped past a
		 * plain sum (fuzz_mlx5_emu) */
		avail = u->n_mtt > (UINT64_MAX >> u->log_page) ? UINT64_MAX :
			u->n_mtt << u->log_page;
		avail = avail > u->page_offset ? avail - u->page_offset : 0;
		if (a.umem_offset > avail || a.len > avail - a.umem_offset)
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
					     EMU_SYN_OBJ,
					     "CREATE_MKEY: len %" PRIu64 " at umem offset %" PRIu64 " exceeds umem %u",
					     a.len, a.umem_offset, a.umem_id);
	}
	mk->used = true;
	mk->index = pf->next_obj++ & 0xffffff;
	mk->key_7_0 = a.mkey_7_0;
	mk->lr = a.lr;
	mk->lw = a.lw;
	mk->start = a.start_addr;
	mk->len = a.len;
	mk->umem = u;
	mk->umem_off = a.umem_offset;
	u->refs++;
	memset(&res, 0, sizeof(res));
	res.mkey_index = mk->index;
	return mig_mlx5_build_create_mkey_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
}

int
mlx5_emu_destroy_mkey(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		 void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_destroy_mkey_args a;
	struct mig_mlx5_destroy_mkey_res res;
	unsigned int k;

	if (mig_mlx5_parse_destroy_mkey_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ, "DESTROY_MKEY: %s",
				     mig_err_last());
	for (k = 0; k < EMU_OBJ_MAX; k++)
		if (pf->mkey[k].used && pf->mkey[k].index == a.mkey_index)
			break;
	if (k == EMU_OBJ_MAX)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RESOURCE,
				     EMU_SYN_OBJ, "DESTROY_MKEY: no mkey index %u",
				     a.mkey_index);
	pf->mkey[k].umem->refs--;
	if (pf->mkey[k].umem->inline_mtt) {
		free(pf->mkey[k].umem->mtt);
		memset(pf->mkey[k].umem, 0, sizeof(*pf->mkey[k].umem));
	}
	memset(&pf->mkey[k], 0, sizeof(pf->mkey[k]));
	memset(&res, 0, sizeof(res));
	return mig_mlx5_build_destroy_mkey_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
}
