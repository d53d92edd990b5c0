/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * channel=vfio: rdma-core's mlx5 VFIO provider drives the PF (bound to
 * vfio-pci) from userspace; its devx_general_cmd posts a box straight to
 * the PF's command queue, without the kernel's DevX opcode filter that
 * blocks the migration commands (spec: "Privilege blocker"). Commands are
 * synchronous; a submitted command is complete when submit returns.
 * Buffers are DevX UMEMs (mapped into the PF's IOMMU container by the
 * provider) with an MTT mkey over each.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/mlx5dv.h>
#include <infiniband/verbs.h>

#include "mig_log.h"

#include "mlx5_chan.h"
#include "mlx5_cmd.h"

static const char *const chan_vfio_keys[] = { NULL };

struct chan_vfio {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
};

struct chan_vfio_buf {
	struct mlx5dv_devx_umem *umem;
	struct mlx5dv_devx_obj *mkey;
};

static void
chan_vfio_close(struct mig_mlx5_chan *ch)
{
	struct chan_vfio *v = ch->priv;

	if (v == NULL)
		return;
	if (v->pd != NULL)
		ibv_dealloc_pd(v->pd);
	if (v->ctx != NULL)
		ibv_close_device(v->ctx);
	free(v);
	ch->priv = NULL;
}

static int
chan_vfio_open(struct mig_mlx5_chan *ch, struct rte_kvargs *kv)
{
	struct mlx5dv_vfio_context_attr va = {
		.pci_name = ch->pf,
		.flags = MLX5DV_VFIO_CTX_FLAGS_INIT_LINK_DOWN,
	};
	struct mlx5dv_context_attr ca = {
		.flags = MLX5DV_CONTEXT_FLAGS_DEVX,
	};
	struct mlx5dv_pd dvpd;
	struct mlx5dv_obj obj;
	struct ibv_device **list;
	struct chan_vfio *v;
	int err;

	RTE_SET_USED(kv);
	errno = 0;
	list = mlx5dv_get_vfio_device_list(&va);
	if (list == NULL || list[0] == NULL) {
		err = errno != 0 ? errno : ENODEV;
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=vfio: no mlx5 PF %s driven through VFIO (mlx5dv_get_vfio_device_list: %s); bind the PF to vfio-pci, or use channel=kernel or channel=emu",
			    ch->dev, ch->pf, strerror(err));
		if (list != NULL)
			ibv_free_device_list(list);
		return -ENODEV;
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		ibv_free_device_list(list);
		return -ENOMEM;
	}
	ch->priv = v;
	v->ctx = mlx5dv_open_device(list[0], &ca);
	ibv_free_device_list(list);
	if (v->ctx == NULL) {
		err = errno;
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=vfio: open PF %s with DevX: %s",
			    ch->dev, ch->pf, strerror(err));
		chan_vfio_close(ch);
		return -ENODEV;
	}
	v->pd = ibv_alloc_pd(v->ctx);
	memset(&obj, 0, sizeof(obj));
	obj.pd.in = v->pd;
	obj.pd.out = &dvpd;
	if (v->pd == NULL || mlx5dv_init_obj(&obj, MLX5DV_OBJ_PD) != 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=vfio: PF %s: cannot allocate a protection domain",
			    ch->dev, ch->pf);
		chan_vfio_close(ch);
		return -ENOMEM;
	}
	ch->pd = dvpd.pdn;
	return 0;
}

static int
chan_vfio_exec(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
	       void *out, size_t outlen)
{
	struct chan_vfio *v = ch->priv;
	int ret;

	errno = 0;
	ret = mlx5dv_devx_general_cmd(v->ctx, in, inlen, out, outlen);
	/* EREMOTEIO: firmware failed it, the outbox says how */
	if (ret == 0 || ret == EREMOTEIO || errno == EREMOTEIO)
		return 0;
	return -(ret > 0 ? ret : (errno != 0 ? errno : EIO));
}

static int
chan_vfio_submit(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
		 struct mig_mlx5_cmd *c)
{
	c->done_ns = 0;
	c->err = chan_vfio_exec(ch, in, inlen, c->out, c->outlen);
	mig_mlx5_chan_enqueue(ch, c);
	return 0;
}

static int
chan_vfio_poll(struct mig_mlx5_chan *ch, struct mig_mlx5_cmd **done,
	       unsigned int n)
{
	return mig_mlx5_chan_dequeue(ch, UINT64_MAX, done, n);
}

static int
chan_vfio_buf_reg(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b)
{
	struct chan_vfio *v = ch->priv;
	struct mig_mlx5_create_mkey_res res;
	uint8_t in[MIG_MLX5_CREATE_MKEY_IN_LEN];
	uint8_t out[MIG_MLX5_CREATE_MKEY_OUT_LEN];
	struct chan_vfio_buf *h;
	int ret;

	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->umem = mlx5dv_devx_umem_reg(v->ctx, b->addr, b->len,
				       IBV_ACCESS_LOCAL_WRITE |
				       IBV_ACCESS_REMOTE_WRITE |
				       IBV_ACCESS_REMOTE_READ);
	if (h->umem == NULL) {
		ret = -errno;
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=vfio: register a %llu-byte buffer: %s",
			    ch->dev, (unsigned long long)b->len, strerror(-ret));
		free(h);
		return ret;
	}
	ret = mig_mlx5_chan_mkey_in(ch, b, h->umem->umem_id, in, sizeof(in));
	if (ret >= 0)
		h->mkey = mlx5dv_devx_obj_create(v->ctx, in, (size_t)ret, out,
						 sizeof(out));
	if (ret < 0 || h->mkey == NULL ||
	    mig_mlx5_parse_create_mkey_out(out, sizeof(out), &res) < 0) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=vfio: CREATE_MKEY over umem %u: %s",
			    ch->dev, h->umem->umem_id, mig_err_last());
		if (h->mkey != NULL)
			mlx5dv_devx_obj_destroy(h->mkey);
		mlx5dv_devx_umem_dereg(h->umem);
		free(h);
		return -EIO;
	}
	b->mkey = mig_mlx5_mkey(res.mkey_index, 0);
	b->va = (uintptr_t)b->addr;
	b->h = h;
	return 0;
}

static void
chan_vfio_buf_dereg(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b)
{
	struct chan_vfio_buf *h = b->h;

	RTE_SET_USED(ch);
	if (h == NULL)
		return;
	mlx5dv_devx_obj_destroy(h->mkey);
	mlx5dv_devx_umem_dereg(h->umem);
	free(h);
	b->h = NULL;
}

const struct mig_mlx5_chan_ops mig_mlx5_chan_vfio = {
	.name = "vfio",
	.keys = chan_vfio_keys,
	.open = chan_vfio_open,
	.close = chan_vfio_close,
	.exec = chan_vfio_exec,
	.submit = chan_vfio_submit,
	.poll = chan_vfio_poll,
	.buf_reg = chan_vfio_buf_reg,
	.buf_dereg = chan_vfio_buf_dereg,
};
