/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * channel=kernel: commands through our variant driver's character device
 * (kernel/include/uapi/mig_mlx5_cmd.h). Commands are synchronous ioctls;
 * a submitted command is complete when submit returns.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mig_log.h"

#include "mig_mlx5_cmd.h"
#include "mlx5_chan.h"
#include "mlx5_cmd.h"

static const char *const chan_kernel_keys[] = { NULL };

struct chan_kernel {
	int fd;
};

static int
chan_kernel_open(struct mig_mlx5_chan *ch, struct rte_kvargs *kv)
{
	struct mig_mlx5_ioc_bind bind;
	struct chan_kernel *k;
	int fd, err;

	RTE_SET_USED(kv);
	fd = open(MIG_MLX5_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=kernel: cannot open %s: %s (is the dpdk-migrate mlx5 variant driver loaded, with PF %s's VFs bound to it?)",
			    ch->dev, MIG_MLX5_DEV_PATH, strerror(err), ch->pf);
		return err == ENOENT ? -ENODEV : -err;
	}
	memset(&bind, 0, sizeof(bind));
	bind.argsz = sizeof(bind);
	snprintf(bind.pf, sizeof(bind.pf), "%s", ch->pf);
	bind.vf = ch->vf >= 0 ? (__u32)ch->vf : MIG_MLX5_VF_BY_VHCA;
	bind.vhca_id = ch->vhca_id;
	if (ioctl(fd, MIG_MLX5_IOC_BIND, &bind) < 0) {
		err = errno;
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=kernel: bind to PF %s VF %d (vhca_id %u): %s",
			    ch->dev, ch->pf, ch->vf, ch->vhca_id, strerror(err));
		close(fd);
		return -err;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		close(fd);
		return -ENOMEM;
	}
	k->fd = fd;
	ch->vhca_id = bind.vhca_id;
	ch->priv = k;
	return 0;
}

static void
chan_kernel_close(struct mig_mlx5_chan *ch)
{
	struct chan_kernel *k = ch->priv;

	if (k == NULL)
		return;
	close(k->fd);
	free(k);
	ch->priv = NULL;
}

static int
chan_kernel_exec(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
		 void *out, size_t outlen)
{
	struct chan_kernel *k = ch->priv;
	struct mig_mlx5_ioc_cmd cmd = {
		.argsz = sizeof(cmd),
		.in = (uintptr_t)in,
		.out = (uintptr_t)out,
		.inlen = (__u32)inlen,
		.outlen = (__u32)outlen,
	};

	return ioctl(k->fd, MIG_MLX5_IOC_CMD, &cmd) < 0 ? -errno : 0;
}

static int
chan_kernel_submit(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
		   struct mig_mlx5_cmd *c)
{
	c->done_ns = 0;
	c->err = chan_kernel_exec(ch, in, inlen, c->out, c->outlen);
	mig_mlx5_chan_enqueue(ch, c);
	return 0;
}

static int
chan_kernel_poll(struct mig_mlx5_chan *ch, struct mig_mlx5_cmd **done,
		 unsigned int n)
{
	return mig_mlx5_chan_dequeue(ch, UINT64_MAX, done, n);
}

static int
chan_kernel_buf_reg(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b)
{
	struct chan_kernel *k = ch->priv;
	struct mig_mlx5_ioc_buf r = {
		.argsz = sizeof(r),
		.addr = (uintptr_t)b->addr,
		.len = b->len,
	};

	if (ioctl(k->fd, MIG_MLX5_IOC_BUF_REG, &r) < 0) {
		int err = errno;

		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: channel=kernel: register a %llu-byte buffer: %s",
			    ch->dev, (unsigned long long)b->len, strerror(err));
		return -err;
	}
	b->mkey = r.mkey;
	b->va = (uintptr_t)b->addr;
	b->h = (void *)(uintptr_t)(r.handle + 1);
	return 0;
}

static void
chan_kernel_buf_dereg(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b)
{
	struct chan_kernel *k = ch->priv;
	struct mig_mlx5_ioc_handle h = {
		.argsz = sizeof(h),
		.handle = (__u32)((uintptr_t)b->h - 1),
	};

	if (b->h != NULL)
		ioctl(k->fd, MIG_MLX5_IOC_BUF_UNREG, &h);
	b->h = NULL;
}

static int
chan_kernel_vf_reset(struct mig_mlx5_chan *ch)
{
	struct chan_kernel *k = ch->priv;

	return ioctl(k->fd, MIG_MLX5_IOC_VF_RESET) < 0 ? -errno : 0;
}

const struct mig_mlx5_chan_ops mig_mlx5_chan_kernel = {
	.name = "kernel",
	.keys = chan_kernel_keys,
	.open = chan_kernel_open,
	.close = chan_kernel_close,
	.exec = chan_kernel_exec,
	.submit = chan_kernel_submit,
	.poll = chan_kernel_poll,
	.buf_reg = chan_kernel_buf_reg,
	.buf_dereg = chan_kernel_buf_dereg,
	.vf_reset = chan_kernel_vf_reset,
};
