/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Command channel: backend lookup, synchronous execution on top of
 * submit/poll, migration buffers (page-aligned anonymous memory described
 * to firmware by an MTT mkey), and the in-flight queue backends share.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_common.h>

#include "mig_log.h"
#include "mig_rate.h"
#include "mig_time.h"

#include "mlx5_chan.h"
#include "mlx5_cmd.h"

#define CHAN_PAGE 4096u

const struct mig_mlx5_chan_ops *const mig_mlx5_chan_all[] = {
	&mig_mlx5_chan_emu,
	&mig_mlx5_chan_vfio,
	&mig_mlx5_chan_kernel,
	NULL,
};

const struct mig_mlx5_chan_ops *
mig_mlx5_chan_find(const char *name)
{
	unsigned int i;

	for (i = 0; mig_mlx5_chan_all[i] != NULL; i++)
		if (strcmp(mig_mlx5_chan_all[i]->name, name) == 0)
			return mig_mlx5_chan_all[i];
	return NULL;
}

void
mig_mlx5_sleep_until(uint64_t t_ns)
{
	uint64_t now = mig_time_ns();
	struct timespec ts;

	if (t_ns <= now)
		return;
	ts.tv_sec = (time_t)((t_ns - now) / 1000000000u);
	ts.tv_nsec = (long)((t_ns - now) % 1000000000u);
	nanosleep(&ts, NULL);
}

void
mig_mlx5_chan_enqueue(struct mig_mlx5_chan *ch, struct mig_mlx5_cmd *c)
{
	c->next = NULL;
	if (ch->q_tail == NULL)
		ch->q_head = c;
	else
		ch->q_tail->next = c;
	ch->q_tail = c;
	ch->q_len++;
}

/* Commands complete in order: the head when its time has come. */
int
mig_mlx5_chan_dequeue(struct mig_mlx5_chan *ch, uint64_t now_ns,
		      struct mig_mlx5_cmd **done, unsigned int n)
{
	unsigned int k = 0;

	while (k < n && ch->q_head != NULL && ch->q_head->done_ns <= now_ns) {
		struct mig_mlx5_cmd *c = ch->q_head;

		ch->q_head = c->next;
		if (ch->q_head == NULL)
			ch->q_tail = NULL;
		c->next = NULL;
		ch->q_len--;
		done[k++] = c;
	}
	return (int)k;
}

int
mig_mlx5_chan_exec(struct mig_mlx5_chan *ch, const void *in, size_t inlen,
		   void *out, size_t outlen)
{
	return ch->ops->exec(ch, in, inlen, out, outlen);
}

int
mig_mlx5_chan_mkey_in(const struct mig_mlx5_chan *ch,
		      const struct mig_mlx5_buf *b, uint32_t umem_id,
		      void *in, size_t len)
{
	struct mig_mlx5_create_mkey_args a;

	memset(&a, 0, sizeof(a));
	a.umem_valid = 1;
	a.access_mode = MIG_MLX5_MKC_ACCESS_MODE_MTT;
	a.rw = 1;
	a.rr = 1;
	a.lw = 1;
	a.lr = 1;
	a.qpn = MIG_MLX5_MKC_QPN_NONE;
	a.pd = ch->pd;
	a.start_addr = (uint64_t)(uintptr_t)b->addr;
	a.len = b->len;
	a.translations_octword_size = (uint32_t)((b->len / CHAN_PAGE + 1) / 2);
	a.log_page_size = 12;
	a.umem_id = umem_id;
	return mig_mlx5_build_create_mkey_in(in, len, &a);
}

int
mig_mlx5_chan_mkey_mtt_in(const struct mig_mlx5_chan *ch,
			  const struct mig_mlx5_buf *b, const uint64_t *mtt,
			  uint64_t n, void *in, size_t len)
{
	struct mig_mlx5_create_mkey_args a;

	if (n > UINT32_MAX - 1)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.access_mode = MIG_MLX5_MKC_ACCESS_MODE_MTT;
	a.rw = 1;
	a.rr = 1;
	a.lw = 1;
	a.lr = 1;
	a.qpn = MIG_MLX5_MKC_QPN_NONE;
	a.pd = ch->pd;
	a.start_addr = 0;
	a.len = b->len;
	a.log_page_size = 12;
	a.translations_octword_size = (uint32_t)((n + 1) / 2);
	a.translations_octword_actual_size = (uint32_t)((n + 1) / 2);
	a.mtt = mtt;
	a.n_mtt = (uint32_t)n;
	return mig_mlx5_build_create_mkey_in(in, len, &a);
}

int
mig_mlx5_buf_alloc(struct mig_mlx5_chan *ch, uint64_t len,
		   struct mig_mlx5_buf *b)
{
	void *p;
	int ret;

	memset(b, 0, sizeof(*b));
	len = RTE_ALIGN_CEIL(len, (uint64_t)CHAN_PAGE);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		mig_err_set(mig_mlx5_logtype,
			    "mlx5 %s: cannot allocate a %" PRIu64 "-byte migration buffer",
			    ch->dev, len);
		return -ENOMEM;
	}
	b->addr = p;
	b->len = len;
	ret = ch->ops->buf_reg(ch, b);
	if (ret < 0) {
		munmap(p, len);
		memset(b, 0, sizeof(*b));
		return ret;
	}
	return 0;
}

void
mig_mlx5_buf_free(struct mig_mlx5_chan *ch, struct mig_mlx5_buf *b)
{
	if (b->addr == NULL)
		return;
	ch->ops->buf_dereg(ch, b);
	munmap(b->addr, b->len);
	memset(b, 0, sizeof(*b));
}
