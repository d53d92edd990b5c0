/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Emulated mlx5 firmware: the PF registry, command dispatch, capabilities,
 * SUSPEND/RESUME, the buffer objects (UMEM, MKEY) and DMA through them.
 * QUERY/SAVE/LOAD live in mlx5_emu_image.c. Every inbox is parsed and
 * every outbox built with the PRM layer (mlx5_cmd.h), as the driver does
 * on its side, so that both ends agree bit for bit.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "mig_hash.h"
#include "mig_log.h"

#include "mlx5_cmd.h"
#include "mlx5_emu.h"
#include "mlx5_emu_priv.h"

#define EMU_NS_PER_S UINT64_C(1000000000)

static pthread_mutex_t emu_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mig_mlx5_emu_pf *emu_pfs;

uint64_t
mig_mlx5_emu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * EMU_NS_PER_S + (uint64_t)ts.tv_nsec;
}

int
mlx5_emu_fail(struct mig_mlx5_emu_pf *pf, struct emu_res *r, uint8_t status,
	      uint32_t syndrome, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pf->reason, sizeof(pf->reason), fmt, ap);
	va_end(ap);
	r->status = status;
	r->syndrome = syndrome;
	return 0;
}

const char *
mig_mlx5_emu_reason(const struct mig_mlx5_emu_pf *pf)
{
	return pf->reason;
}

static bool
emu_pf_cfg_equal(const struct mig_mlx5_emu_pf_cfg *a,
		 const struct mig_mlx5_emu_pf_cfg *b)
{
	return a->chunk == b->chunk && a->tracking == b->tracking &&
	       a->multi_load == b->multi_load &&
	       a->chunk_min == b->chunk_min &&
	       a->latency_ns == b->latency_ns && a->bandwidth == b->bandwidth;
}

struct mig_mlx5_emu_pf *
mig_mlx5_emu_pf_get(const char *bdf, const struct mig_mlx5_emu_pf_cfg *cfg)
{
	struct mig_mlx5_emu_pf *pf;

	pthread_mutex_lock(&emu_lock);
	for (pf = emu_pfs; pf != NULL; pf = pf->next)
		if (strcmp(pf->bdf, bdf) == 0)
			break;
	if (pf != NULL) {
		if (!emu_pf_cfg_equal(&pf->c, cfg)) {
			mig_err_set(mig_mlx5_logtype,
				    "mlx5 emulated PF %s: already open with other emu_* capabilities or timing; give every VF of a PF the same emu_chunk, emu_tracking, emu_multi_load, emu_chunk_min, emu_latency, emu_bandwidth",
				    bdf);
			pf = NULL;
		} else {
			pf->refs++;
		}
		pthread_mutex_unlock(&emu_lock);
		return pf;
	}
	pf = calloc(1, sizeof(*pf));
	if (pf == NULL) {
		pthread_mutex_unlock(&emu_lock);
		mig_err_set(mig_mlx5_logtype, "mlx5 emulated PF %s: out of memory",
			    bdf);
		return NULL;
	}
	snprintf(pf->bdf, sizeof(pf->bdf), "%s", bdf);
	pf->c = *cfg;
	pf->refs = 1;
	pf->next_obj = 1;
	pf->session_rng = mig_mix64(mig_mlx5_emu_now_ns() ^
				    (uint64_t)(uintptr_t)pf);
	pf->next = emu_pfs;
	emu_pfs = pf;
	pthread_mutex_unlock(&emu_lock);
	return pf;
}

static void
emu_vf_free(struct emu_vf *v)
{
	free(v->ver);
	free(v->dirty);
	free(v->pend);
	free(v->recv);
	memset(v, 0, sizeof(*v));
}

void
mig_mlx5_emu_pf_put(struct mig_mlx5_emu_pf *pf)
{
	struct mig_mlx5_emu_pf **pp;
	unsigned int i;

	if (pf == NULL)
		return;
	pthread_mutex_lock(&emu_lock);
	if (--pf->refs > 0) {
		pthread_mutex_unlock(&emu_lock);
		return;
	}
	for (pp = &emu_pfs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == pf) {
			*pp = pf->next;
			break;
		}
	pthread_mutex_unlock(&emu_lock);
	for (i = 0; i < MIG_MLX5_EMU_VFS_MAX; i++)
		emu_vf_free(&pf->vf[i]);
	for (i = 0; i < EMU_OBJ_MAX; i++)
		free(pf->umem[i].mtt);
	free(pf);
}

int
mig_mlx5_emu_vf_add(struct mig_mlx5_emu_pf *pf, uint16_t vf,
		    const struct mig_mlx5_emu_vf_cfg *cfg)
{
	struct emu_vf *v;
	uint64_t words;
	int ret = 0;

	if (vf >= MIG_MLX5_EMU_VFS_MAX || cfg->page == 0 ||
	    (cfg->page & (cfg->page - 1)) != 0 || cfg->size == 0)
		return -EINVAL;
	pthread_mutex_lock(&emu_lock);
	v = &pf->vf[vf];
	if (v->exists) {
		ret = -EEXIST;
		goto out;
	}
	memset(v, 0, sizeof(*v));
	v->c = *cfg;
	v->vf = vf;
	v->vhca_id = (uint16_t)(vf + 1);
	v->npages = (cfg->size + cfg->page - 1) / cfg->page;
	words = emu_words(v->npages);
	v->ver = calloc(v->npages, sizeof(*v->ver));
	v->dirty = calloc(words, sizeof(uint64_t));
	v->pend = calloc(words, sizeof(uint64_t));
	v->recv = calloc(words, sizeof(uint64_t));
	if (v->ver == NULL || v->dirty == NULL || v->pend == NULL ||
	    v->recv == NULL) {
		emu_vf_free(v);
		ret = -ENOMEM;
		goto out;
	}
	mlx5_emu_fresh(v, mig_mlx5_emu_now_ns());
	v->exists = true;
out:
	pthread_mutex_unlock(&emu_lock);
	return ret;
}

void
mig_mlx5_emu_vf_del(struct mig_mlx5_emu_pf *pf, uint16_t vf)
{
	if (vf >= MIG_MLX5_EMU_VFS_MAX)
		return;
	pthread_mutex_lock(&emu_lock);
	emu_vf_free(&pf->vf[vf]);
	pthread_mutex_unlock(&emu_lock);
}

struct emu_vf *
mlx5_emu_vf_find(struct mig_mlx5_emu_pf *pf, uint16_t vhca_id)
{
	struct emu_vf *v;

	if (vhca_id == 0 || vhca_id > MIG_MLX5_EMU_VFS_MAX)
		return NULL;
	v = &pf->vf[vhca_id - 1];
	if (!v->exists)
		return NULL;
	mlx5_emu_dirty_advance(v, mig_mlx5_emu_now_ns());
	return v;
}

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

static int
emu_create_umem(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
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
		if (pf->umem[k].used && pf->umem[k].id == id)
			return &pf->umem[k];
	return NULL;
}

static int
emu_destroy_umem(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
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

static int
emu_create_mkey(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_create_mkey_args a;
	struct mig_mlx5_create_mkey_res res;
	struct emu_mkey *mk = NULL;
	struct emu_umem *u;
	unsigned int k;

	if (mig_mlx5_parse_create_mkey_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ, "CREATE_MKEY: %s",
				     mig_err_last());
	if (!a.umem_valid || a.access_mode != MIG_MLX5_MKC_ACCESS_MODE_MTT)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ,
				     "CREATE_MKEY: the emulator supports MTT mkeys over a umem only (umem_valid %u, access_mode %u)",
				     a.umem_valid, a.access_mode);
	u = emu_umem_find(pf, a.umem_id);
	if (u == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RESOURCE,
				     EMU_SYN_OBJ, "CREATE_MKEY: no umem %u",
				     a.umem_id);
	if (a.umem_offset + a.len >
	    (u->n_mtt << u->log_page) - u->page_offset)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_OBJ,
				     "CREATE_MKEY: len %" PRIu64 " at umem offset %" PRIu64 " exceeds umem %u",
				     a.len, a.umem_offset, a.umem_id);
	for (k = 0; k < EMU_OBJ_MAX; k++)
		if (!pf->mkey[k].used) {
			mk = &pf->mkey[k];
			break;
		}
	if (mk == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_NO_RESOURCES,
				     EMU_SYN_OBJ, "CREATE_MKEY: no free mkey");
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

static int
emu_destroy_mkey(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
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
	memset(&pf->mkey[k], 0, sizeof(pf->mkey[k]));
	memset(&res, 0, sizeof(res));
	return mig_mlx5_build_destroy_mkey_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
}

/* ------------------------------------------------------------- caps */

static int
emu_query_hca_cap(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		  void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_query_hca_cap_args a;
	struct emu_vf *v = NULL;
	unsigned int type;
	int ret;

	if (mig_mlx5_parse_query_hca_cap_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_CAP, "QUERY_HCA_CAP: %s",
				     mig_err_last());
	if (a.other_function) {
		v = mlx5_emu_vf_find(pf, a.function_id);
		if (v == NULL)
			return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
					     EMU_SYN_NO_VHCA,
					     "QUERY_HCA_CAP: no function %u (VFs are 1..%u, those opened)",
					     a.function_id,
					     MIG_MLX5_EMU_VFS_MAX);
	}
	type = a.op_mod >> 1;
	if (type == MIG_MLX5_CAP_TYPE_GENERAL) {
		struct mig_mlx5_hca_cap_res c;

		memset(&c, 0, sizeof(c));
		c.hca_cap_2 = 1;
		c.vhca_id = v != NULL ? v->vhca_id : 0;
		c.migration = v == NULL;
		ret = mig_mlx5_build_hca_cap_out(out, outlen, &c);
	} else if (type == MIG_MLX5_CAP_TYPE_GENERAL_2) {
		struct mig_mlx5_hca_cap2_res c;

		memset(&c, 0, sizeof(c));
		if (v != NULL) {
			c.migratable = v->c.migratable;
		} else {
			c.migration_multi_load = pf->c.multi_load;
			c.migration_tracking_state = pf->c.tracking;
			c.migration_in_chunks = pf->c.chunk;
		}
		ret = mig_mlx5_build_hca_cap2_out(out, outlen, &c);
	} else {
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_CAP,
				     "QUERY_HCA_CAP: capability type 0x%x not emulated",
				     type);
	}
	return ret < 0 ? -EMSGSIZE : 0;
}

/* ------------------------------------------------------------- suspend */

static const char *const emu_state_name[] = {
	[EMU_VF_RUNNING] = "running",
	[EMU_VF_SUSP_INIT] = "initiator-suspended",
	[EMU_VF_SUSPENDED] = "suspended",
};

static int
emu_suspend(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
	    void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_suspend_vhca_args a;
	struct mig_mlx5_suspend_vhca_res res;
	enum emu_vf_state from, to;
	struct emu_vf *v;

	if (mig_mlx5_parse_suspend_vhca_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_STATE, "SUSPEND_VHCA: %s",
				     mig_err_last());
	v = mlx5_emu_vf_find(pf, a.vhca_id);
	if (v == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_NO_VHCA,
				     "SUSPEND_VHCA: no vhca_id %u", a.vhca_id);
	if (a.op_mod == MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR) {
		from = EMU_VF_RUNNING;
		to = EMU_VF_SUSP_INIT;
	} else {
		from = EMU_VF_SUSP_INIT;
		to = EMU_VF_SUSPENDED;
	}
	if (v->st != from)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_STATE,
				     "SUSPEND_VHCA %s of vhca %u: the function is %s, not %s",
				     a.op_mod ? "responder" : "initiator",
				     a.vhca_id, emu_state_name[v->st],
				     emu_state_name[from]);
	v->st = to;
	if (to == EMU_VF_SUSPENDED)
		v->ld_active = false; /* a new load sequence may start */
	memset(&res, 0, sizeof(res));
	return mig_mlx5_build_suspend_vhca_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
}

static int
emu_resume(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
	   void *out, size_t outlen, struct emu_res *r)
{
	struct mig_mlx5_resume_vhca_args a;
	struct mig_mlx5_resume_vhca_res res;
	enum emu_vf_state from, to;
	struct emu_vf *v;

	if (mig_mlx5_parse_resume_vhca_in(in, inlen, &a) < 0)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_STATE, "RESUME_VHCA: %s",
				     mig_err_last());
	v = mlx5_emu_vf_find(pf, a.vhca_id);
	if (v == NULL)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_NO_VHCA,
				     "RESUME_VHCA: no vhca_id %u", a.vhca_id);
	if (a.op_mod == MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER) {
		from = EMU_VF_SUSPENDED;
		to = EMU_VF_SUSP_INIT;
	} else {
		from = EMU_VF_SUSP_INIT;
		to = EMU_VF_RUNNING;
	}
	if (v->st != from)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_STATE,
				     "RESUME_VHCA %s of vhca %u: the function is %s, not %s",
				     a.op_mod ? "initiator" : "responder",
				     a.vhca_id, emu_state_name[v->st],
				     emu_state_name[from]);
	if (to == EMU_VF_SUSP_INIT && v->ld_broken)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_BROKEN,
				     "RESUME_VHCA of vhca %u: a LOAD failed, the function needs a reset",
				     a.vhca_id);
	if (to == EMU_VF_SUSP_INIT && v->ld_active && !v->ld_complete)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_RES_STATE,
				     EMU_SYN_INCOMPLETE,
				     "RESUME_VHCA of vhca %u: the loaded state is partial (no final image after image %u)",
				     a.vhca_id, v->ld_seq);
	if (to == EMU_VF_SUSP_INIT) {
		/* leaving the suspended state ends any save in progress */
		memset(v->pend, 0, emu_words(v->npages) * sizeof(uint64_t));
		v->npend = 0;
		v->ld_active = false;
	}
	v->st = to;
	if (to == EMU_VF_RUNNING)
		v->dirty_last_ns = mig_mlx5_emu_now_ns();
	memset(&res, 0, sizeof(res));
	return mig_mlx5_build_resume_vhca_out(out, outlen, &res) < 0 ?
		       -EMSGSIZE : 0;
}

/* ------------------------------------------------------------- dispatch */

typedef int (*emu_handler_t)(struct mig_mlx5_emu_pf *pf, const void *in,
			     size_t inlen, void *out, size_t outlen,
			     struct emu_res *r);

static const struct {
	uint16_t opcode;
	emu_handler_t fn;
} emu_cmds[] = {
	{ MIG_MLX5_CMD_QUERY_HCA_CAP, emu_query_hca_cap },
	{ MIG_MLX5_CMD_SUSPEND_VHCA, emu_suspend },
	{ MIG_MLX5_CMD_RESUME_VHCA, emu_resume },
	{ MIG_MLX5_CMD_QUERY_VHCA_MIGRATION_STATE, mlx5_emu_query },
	{ MIG_MLX5_CMD_SAVE_VHCA_STATE, mlx5_emu_save },
	{ MIG_MLX5_CMD_LOAD_VHCA_STATE, mlx5_emu_load },
	{ MIG_MLX5_CMD_CREATE_UMEM, emu_create_umem },
	{ MIG_MLX5_CMD_DESTROY_UMEM, emu_destroy_umem },
	{ MIG_MLX5_CMD_CREATE_MKEY, emu_create_mkey },
	{ MIG_MLX5_CMD_DESTROY_MKEY, emu_destroy_mkey },
};

int
mig_mlx5_emu_exec(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		  void *out, size_t outlen, uint64_t *done_ns)
{
	struct emu_res r = { .status = MIG_MLX5_STAT_OK };
	uint16_t opcode;
	uint64_t now, t;
	unsigned int i;
	int ret = 0;

	if (in == NULL || out == NULL || inlen < MIG_MLX5_HDR_LEN ||
	    outlen < MIG_MLX5_HDR_LEN)
		return -EMSGSIZE;
	opcode = (uint16_t)mig_mlx5_get(in, MIG_MLX5_IN_OPCODE);
	/* the command runs from now: its own CPU time overlaps its transfer */
	now = mig_mlx5_emu_now_ns();
	pthread_mutex_lock(&emu_lock);
	for (i = 0; i < RTE_DIM(emu_cmds); i++)
		if (emu_cmds[i].opcode == opcode)
			break;
	if (i == RTE_DIM(emu_cmds))
		mlx5_emu_fail(pf, &r, MIG_MLX5_STAT_BAD_OP, 0,
			      "opcode 0x%x not emulated", opcode);
	else
		ret = emu_cmds[i].fn(pf, in, inlen, out, outlen, &r);
	if (ret == 0 && r.status != MIG_MLX5_STAT_OK) {
		memset(out, 0, RTE_MIN(outlen, (size_t)16));
		mig_mlx5_set(out, MIG_MLX5_OUT_STATUS, r.status);
		mig_mlx5_set(out, MIG_MLX5_OUT_SYNDROME, r.syndrome);
	}
	t = now + pf->c.latency_ns;
	if (r.bytes != 0) {
		if (t < pf->busy_until_ns)
			t = pf->busy_until_ns;
		if (pf->c.bandwidth != 0)
			t += (uint64_t)((unsigned __int128)r.bytes *
					EMU_NS_PER_S / pf->c.bandwidth);
		pf->busy_until_ns = t;
	}
	pthread_mutex_unlock(&emu_lock);
	if (done_ns != NULL)
		*done_ns = t;
	return ret;
}

int
mig_mlx5_emu_vf_flr(struct mig_mlx5_emu_pf *pf, uint16_t vhca_id)
{
	struct emu_vf *v;

	pthread_mutex_lock(&emu_lock);
	v = mlx5_emu_vf_find(pf, vhca_id);
	if (v != NULL)
		mlx5_emu_fresh(v, mig_mlx5_emu_now_ns());
	pthread_mutex_unlock(&emu_lock);
	return v == NULL ? -ENODEV : 0;
}

int
mig_mlx5_emu_vf_digest(struct mig_mlx5_emu_pf *pf, uint16_t vhca_id,
		       uint64_t *digest)
{
	struct emu_vf *v;

	pthread_mutex_lock(&emu_lock);
	v = mlx5_emu_vf_find(pf, vhca_id);
	if (v != NULL)
		*digest = mlx5_emu_digest(v);
	pthread_mutex_unlock(&emu_lock);
	return v == NULL ? -ENODEV : 0;
}

int
mig_mlx5_emu_vf_dirty(struct mig_mlx5_emu_pf *pf, uint16_t vhca_id,
		      uint64_t npages)
{
	struct emu_vf *v;
	uint64_t i;

	pthread_mutex_lock(&emu_lock);
	v = mlx5_emu_vf_find(pf, vhca_id);
	for (i = 0; v != NULL && i < npages; i++)
		mlx5_emu_dirty_page(v, (i * 7919) % v->npages);
	pthread_mutex_unlock(&emu_lock);
	return v == NULL ? -ENODEV : 0;
}
