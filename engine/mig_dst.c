/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mig_dst.h"
#include "mig_log.h"

#define DST_POLL_BURST 16

/* Entries a chunk can hold at once: the window, the loads, one stalled. */
static size_t
dst_items_max(const struct mig_dst_cfg *cfg)
{
	return (size_t)cfg->window + cfg->depth + 1;
}

static void
dst_item_put(struct mig_dst *d, struct mig_dst_item *it)
{
	it->next_free = d->free_items;
	d->free_items = it;
}

static struct mig_dst_item *
dst_item_get(struct mig_dst *d)
{
	struct mig_dst_item *it = d->free_items;

	if (it != NULL)
		d->free_items = it->next_free;
	return it;
}

int
mig_dst_init(struct mig_dst *d, struct mig_dev *dev,
	     const struct mig_dst_cfg *cfg)
{
	struct mig_dev_info info;
	size_t i, n;
	int ret;

	memset(d, 0, sizeof(*d));
	if (cfg->depth == 0 || cfg->depth > MIG_DST_DEPTH_MAX ||
	    cfg->window == 0 || cfg->release == NULL) {
		mig_err_set(mig_logtype_engine,
			    "device %s: destination stage: bad configuration (depth %u, window %u)",
			    mig_dev_name(dev), cfg->depth, cfg->window);
		return -EINVAL;
	}
	ret = mig_reorder_init(&d->reorder, cfg->window);
	if (ret < 0)
		return ret;
	n = dst_items_max(cfg);
	d->items = calloc(n, sizeof(d->items[0]));
	if (d->items == NULL) {
		mig_reorder_fini(&d->reorder);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		dst_item_put(d, &d->items[i]);
	d->dev = dev;
	d->cfg = *cfg;
	mig_dev_info_get(dev, &info);
	if (d->cfg.depth > info.max_inflight)
		d->cfg.depth = info.max_inflight;
	return 0;
}

static void
dst_release_item(void *item, void *arg)
{
	struct mig_dst *d = arg;
	struct mig_dst_item *it = item;

	d->cfg.release(d->cfg.release_ctx, it->cookie);
}

void
mig_dst_fini(struct mig_dst *d)
{
	unsigned int i;

	if (d->items == NULL)
		return;
	mig_reorder_drain(&d->reorder, dst_release_item, d);
	if (d->stalled != NULL)
		dst_release_item(d->stalled, d);
	/* Loads still in the device were abandoned by a reset or close. */
	for (i = 0; i < MIG_DST_DEPTH_MAX; i++)
		if (d->io_item[i] != NULL)
			dst_release_item(d->io_item[i], d);
	mig_reorder_fini(&d->reorder);
	free(d->items);
	memset(d, 0, sizeof(*d));
}

static int
dst_fail(struct mig_dst *d, int err)
{
	if (d->error == 0)
		d->error = err;
	return d->error;
}

int
mig_dst_push(struct mig_dst *d, uint64_t index, void *buf, uint32_t len,
	     void *cookie)
{
	struct mig_dst_item *it;
	int ret;

	if (d->error)
		return d->error;
	it = dst_item_get(d);
	if (it == NULL) {
		/* cannot happen while the window is enforced: a bug here */
		mig_err_set(mig_logtype_engine,
			    "device %s: chunk %" PRIu64 ": no free window entry",
			    mig_dev_name(d->dev), index);
		return dst_fail(d, -ENOBUFS);
	}
	ret = mig_reorder_insert(&d->reorder, index, it);
	if (ret < 0) {
		dst_item_put(d, it);
		mig_err_set(mig_logtype_engine,
			    "device %s: chunk %" PRIu64 " %s (next expected %" PRIu64
			    ", window %u)",
			    mig_dev_name(d->dev), index,
			    ret == -EEXIST ? "received twice"
					   : "is beyond the reorder window",
			    d->reorder.next, d->cfg.window);
		return dst_fail(d, ret);
	}
	it->buf = buf;
	it->cookie = cookie;
	it->index = index;
	it->len = len;
	return 0;
}

static int
dst_free_io(struct mig_dst *d)
{
	unsigned int i;

	for (i = 0; i < d->cfg.depth; i++)
		if (d->io_item[i] == NULL)
			return (int)i;
	return -1;
}

static int
dst_submit(struct mig_dst *d)
{
	struct mig_dst_item *it;
	struct mig_io *io;
	int slot, ret, n = 0;

	for (;;) {
		it = d->stalled != NULL ? d->stalled
					: mig_reorder_pop(&d->reorder);
		if (it == NULL)
			break;
		d->stalled = it;
		slot = dst_free_io(d);
		if (slot < 0)
			break;
		io = &d->ios[slot];
		memset(io, 0, sizeof(*io));
		io->buf = it->buf;
		io->len = it->len;
		io->index = it->index;
		io->cookie = (void *)(uintptr_t)slot;
		ret = mig_dev_load_submit(d->dev, io);
		if (ret == -EBUSY)
			break;
		if (ret < 0)
			return dst_fail(d, ret);
		d->io_item[slot] = it;
		d->stalled = NULL;
		d->inflight++;
		n++;
	}
	return n;
}

static int
dst_complete(struct mig_dst *d)
{
	struct mig_io *done[DST_POLL_BURST];
	struct mig_dst_item *it;
	unsigned int slot;
	int i, n;

	n = mig_dev_poll(d->dev, done, DST_POLL_BURST);
	if (n < 0)
		return dst_fail(d, n);
	for (i = 0; i < n; i++) {
		slot = (unsigned int)(uintptr_t)done[i]->cookie;
		it = d->io_item[slot];
		d->io_item[slot] = NULL;
		d->inflight--;
		if (done[i]->status < 0) {
			mig_err_set(mig_logtype_engine,
				    "device %s: load of chunk %" PRIu64 " failed: %s",
				    mig_dev_name(d->dev), it->index,
				    mig_err_last()[0] ? mig_err_last()
						      : strerror(-done[i]->status));
			d->cfg.release(d->cfg.release_ctx, it->cookie);
			dst_item_put(d, it);
			return dst_fail(d, done[i]->status);
		}
		d->loaded_chunks++;
		d->loaded_bytes += it->len;
		d->cfg.release(d->cfg.release_ctx, it->cookie);
		dst_item_put(d, it);
	}
	return n;
}

int
mig_dst_poll(struct mig_dst *d)
{
	int a, b;

	if (d->error)
		return d->error;
	a = dst_complete(d);
	if (a < 0)
		return a;
	b = dst_submit(d);
	if (b < 0)
		return b;
	return a + b;
}

bool
mig_dst_idle(const struct mig_dst *d)
{
	return d->inflight == 0 && d->stalled == NULL && d->reorder.count == 0;
}
