/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Emulated mlx5 firmware: the PF registry, command dispatch, capabilities
 * and SUSPEND/RESUME. The buffer objects and DMA live in mlx5_emu_obj.c,
 * QUERY/SAVE/LOAD in mlx5_emu_image.c. Every inbox is parsed and
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

#include <rte_common.h>

#include "mig_hash.h"
#include "mig_log.h"
#include "mig_time.h"

#include "mlx5_cmd.h"
#include "mlx5_emu.h"
#include "mlx5_emu_priv.h"


static pthread_mutex_t emu_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mig_mlx5_emu_pf *emu_pfs;

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
	       a->chunk_grow == b->chunk_grow && a->mig_state == b->mig_state &&
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
	pf->session_rng = mig_mix64(mig_time_ns() ^
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
	mlx5_emu_fresh(v, mig_time_ns());
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
	mlx5_emu_dirty_advance(v, mig_time_ns());
	return v;
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
	if (v != NULL && type == MIG_MLX5_CAP_TYPE_GENERAL_2 &&
	    (a.op_mod & 1) == MIG_MLX5_HCA_CAP_CUR)
		return mlx5_emu_fail(pf, r, MIG_MLX5_STAT_BAD_PARAM,
				     EMU_SYN_CAP,
				     "QUERY_HCA_CAP: general-2 capabilities of function %u are read as maximum (op_mod 0x%x), as upstream's mlx5_vport_get_other_func_cap; got op_mod 0x%x",
				     a.function_id,
				     MIG_MLX5_HCA_CAP_OP_MOD(
					     MIG_MLX5_CAP_TYPE_GENERAL_2,
					     MIG_MLX5_HCA_CAP_MAX),
				     a.op_mod);
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
			c.migration_state = pf->c.mig_state;
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
		v->dirty_last_ns = mig_time_ns();
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
	{ MIG_MLX5_CMD_CREATE_UMEM, mlx5_emu_create_umem },
	{ MIG_MLX5_CMD_DESTROY_UMEM, mlx5_emu_destroy_umem },
	{ MIG_MLX5_CMD_CREATE_MKEY, mlx5_emu_create_mkey },
	{ MIG_MLX5_CMD_DESTROY_MKEY, mlx5_emu_destroy_mkey },
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
	now = mig_time_ns();
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
					MIG_NS_PER_S / pf->c.bandwidth);
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
		mlx5_emu_fresh(v, mig_time_ns());
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
