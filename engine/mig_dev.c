/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "mig_dev_driver.h"
#include "mig_log.h"

static TAILQ_HEAD(, mig_dev_driver) g_drivers =
	TAILQ_HEAD_INITIALIZER(g_drivers);
static unsigned int g_dev_count;

void
mig_dev_driver_register(struct mig_dev_driver *drv)
{
	TAILQ_INSERT_TAIL(&g_drivers, drv, next);
}

void
mig_dev_driver_foreach(void (*fn)(const char *name, const char *params,
				  void *arg),
		       void *arg)
{
	const struct mig_dev_driver *drv;

	TAILQ_FOREACH(drv, &g_drivers, next)
		fn(drv->name, drv->params ? drv->params : "", arg);
}

static const struct mig_dev_driver *
dev_driver_find(const char *name, size_t len)
{
	const struct mig_dev_driver *drv;

	TAILQ_FOREACH(drv, &g_drivers, next)
		if (strlen(drv->name) == len &&
		    strncmp(drv->name, name, len) == 0)
			return drv;
	return NULL;
}

/*
 * Split "drv,k=v,id=x,k=v" into the driver name, the id and the rest, which
 * goes to the driver's probe.
 */
static int
dev_split_args(const char *devargs, const struct mig_dev_driver **drv,
	       char *id, size_t id_len, char **rest)
{
	const char *p, *end;
	size_t nlen, off = 0, n;
	char *out;

	nlen = strcspn(devargs, ",");
	*drv = dev_driver_find(devargs, nlen);
	if (*drv == NULL) {
		char names[256] = "";
		const struct mig_dev_driver *d;
		size_t o = 0;

		TAILQ_FOREACH(d, &g_drivers, next)
			o += (size_t)snprintf(names + o,
				o < sizeof(names) ? sizeof(names) - o : 0,
				"%s%s", o ? ", " : "", d->name);
		mig_err_set(mig_logtype_engine,
			    "device '%.*s': no such driver (known: %s)",
			    (int)nlen, devargs, names);
		return -ENODEV;
	}
	out = calloc(1, strlen(devargs) + 1);
	if (out == NULL)
		return -ENOMEM;
	id[0] = '\0';
	p = devargs[nlen] == ',' ? devargs + nlen + 1 : devargs + nlen;
	while (*p != '\0') {
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		if (n > 3 && strncmp(p, "id=", 3) == 0) {
			if (n - 3 >= id_len) {
				mig_err_set(mig_logtype_engine,
					    "%s: value for key 'id' is longer than %zu characters",
					    (*drv)->name, id_len - 1);
				free(out);
				return -EINVAL;
			}
			memcpy(id, p + 3, n - 3);
			id[n - 3] = '\0';
		} else {
			if (off)
				out[off++] = ',';
			memcpy(out + off, p, n);
			off += n;
		}
		p = *end ? end + 1 : end;
	}
	out[off] = '\0';
	*rest = out;
	return 0;
}

struct mig_dev *
mig_dev_open(const char *devargs)
{
	const struct mig_dev_driver *drv;
	struct mig_dev *dev = NULL;
	char id[MIG_DEV_NAME_MAX];
	char *rest = NULL;
	int ret;

	if (devargs == NULL || devargs[0] == '\0') {
		mig_err_set(mig_logtype_engine, "device: empty devargs");
		rte_errno = EINVAL;
		return NULL;
	}
	ret = dev_split_args(devargs, &drv, id, sizeof(id), &rest);
	if (ret < 0)
		goto fail;
	if (drv->ops == NULL || drv->ops->version != MIG_DEV_OPS_VERSION ||
	    drv->ops->probe == NULL || drv->ops->set_state == NULL) {
		mig_err_set(mig_logtype_engine,
			    "%s: driver ops table version %u, expected %u",
			    drv->name, drv->ops ? drv->ops->version : 0,
			    MIG_DEV_OPS_VERSION);
		ret = -ENOTSUP;
		goto fail;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	if (drv->priv_size) {
		dev->priv = calloc(1, drv->priv_size);
		if (dev->priv == NULL) {
			ret = -ENOMEM;
			goto fail;
		}
	}
	dev->drv = drv;
	dev->state = MIG_STATE_RUNNING;
	if (id[0] != '\0')
		snprintf(dev->name, sizeof(dev->name), "%s", id);
	else
		snprintf(dev->name, sizeof(dev->name), "%s%u", drv->name,
			 __atomic_fetch_add(&g_dev_count, 1,
					    __ATOMIC_RELAXED));
	dev->info.socket_id = SOCKET_ID_ANY;
	dev->info.max_inflight = 1;
	ret = drv->ops->probe(dev, rest);
	if (ret < 0)
		goto fail;
	if (!(dev->info.caps & MIG_CAP_STOP_COPY)) {
		mig_err_set(mig_logtype_engine,
			    "device %s: driver %s reports no STOP_COPY capability",
			    dev->name, drv->name);
		if (drv->ops->remove)
			drv->ops->remove(dev);
		ret = -ENOTSUP;
		goto fail;
	}
	if (dev->info.max_inflight == 0)
		dev->info.max_inflight = 1;
	dev->info.name = dev->name;
	dev->info.driver = drv->name;
	free(rest);
	return dev;
fail:
	if (dev != NULL) {
		free(dev->priv);
		free(dev);
	}
	free(rest);
	rte_errno = -ret;
	return NULL;
}

void
mig_dev_close(struct mig_dev *dev)
{
	if (dev == NULL)
		return;
	if (dev->drv->ops->remove)
		dev->drv->ops->remove(dev);
	free(dev->priv);
	free(dev);
}

const char *
mig_dev_name(const struct mig_dev *dev)
{
	return dev->name;
}

int
mig_dev_info_get(const struct mig_dev *dev, struct mig_dev_info *info)
{
	if (dev == NULL || info == NULL)
		return -EINVAL;
	*info = dev->info;
	return 0;
}

enum mig_state
mig_dev_state(const struct mig_dev *dev)
{
	return dev->state;
}

unsigned int
mig_dev_inflight(const struct mig_dev *dev)
{
	return dev->inflight;
}

/* Take the arcs from dev->state to target; stop at the first failure. */
static int
dev_walk(struct mig_dev *dev, enum mig_state target, char *cause,
	 size_t cause_len, enum mig_state *failed_to)
{
	enum mig_state next, actual;
	int ret;

	while (dev->state != target) {
		ret = mig_fsm_next(dev->info.caps, dev->state, target, &next);
		if (ret < 0) {
			snprintf(cause, cause_len,
				 "%s -> %s is not a valid transition for a device with %s",
				 mig_state_name(dev->state),
				 mig_state_name(target),
				 mig_caps_str(dev->info.caps,
					      (char[48]){ 0 }, 48));
			*failed_to = target;
			return ret;
		}
		mig_err_clear();
		ret = dev->drv->ops->set_state(dev, next);
		if (ret < 0) {
			snprintf(cause, cause_len, "%s",
				 mig_err_last()[0] ? mig_err_last()
						   : strerror(-ret));
			*failed_to = next;
			if (dev->drv->ops->get_state != NULL &&
			    dev->drv->ops->get_state(dev, &actual) == 0)
				dev->state = actual;
			return ret;
		}
		MIG_LOG(DEBUG, mig_logtype_engine, "%s: %s -> %s", dev->name,
			mig_state_name(dev->state), mig_state_name(next));
		dev->state = next;
	}
	return 0;
}

/*
 * A NULL op: -ENOTSUP with a message of its own, so that a caller printing
 * mig_err_last() never shows an older, unrelated one.
 */
static int
dev_op_unsupported(const struct mig_dev *dev, const char *op)
{
	mig_err_set(mig_logtype_engine,
		    "device %s: %s: not supported by driver %s", dev->name, op,
		    dev->drv->name);
	return -ENOTSUP;
}

int
mig_dev_reset(struct mig_dev *dev)
{
	int ret;

	if (dev->drv->ops->reset == NULL) {
		dev->state = MIG_STATE_ERROR;
		return dev_op_unsupported(dev, "reset");
	}
	ret = dev->drv->ops->reset(dev);
	dev->inflight = 0;
	if (ret < 0) {
		dev->state = MIG_STATE_ERROR;
		return ret;
	}
	dev->state = MIG_STATE_RUNNING;
	return 0;
}

int
mig_dev_set_state(struct mig_dev *dev, enum mig_state target,
		  enum mig_state recover)
{
	char cause[MIG_ERR_MAX], rcause[MIG_ERR_MAX];
	enum mig_state from = dev->state, failed_to, rfailed;
	const char *outcome;
	int ret;

	if (dev->inflight) {
		mig_err_set(mig_logtype_engine,
			    "device %s: set state %s: %u I/Os still outstanding",
			    dev->name, mig_state_name(target), dev->inflight);
		return -EBUSY;
	}
	if (dev->state == MIG_STATE_ERROR) {
		mig_err_set(mig_logtype_engine,
			    "device %s: set state %s: device is in ERROR, reset it first",
			    dev->name, mig_state_name(target));
		return -EIO;
	}
	if (!mig_state_supported(dev->info.caps, target) ||
	    mig_fsm_path(dev->info.caps, dev->state, target,
			 (enum mig_state[MIG_FSM_MAX_PATH]){ 0 },
			 MIG_FSM_MAX_PATH) < 0) {
		/* Refused up front: nothing was touched, nothing to recover. */
		mig_err_set(mig_logtype_engine,
			    "device %s: set state: %s -> %s is not a valid transition for a device with %s",
			    dev->name, mig_state_name(dev->state),
			    mig_state_name(target),
			    mig_caps_str(dev->info.caps, (char[48]){ 0 }, 48));
		return -EINVAL;
	}
	ret = dev_walk(dev, target, cause, sizeof(cause), &failed_to);
	if (ret == 0)
		return 0;

	/* QEMU's policy: try the recovery state, else reset. */
	if (recover != MIG_STATE_ERROR && dev->state != MIG_STATE_ERROR &&
	    dev_walk(dev, recover, rcause, sizeof(rcause), &rfailed) == 0) {
		outcome = mig_state_name(recover);
	} else if (mig_dev_reset(dev) == 0) {
		outcome = "running (reset)";
	} else {
		outcome = "error (reset failed)";
	}
	mig_err_set(mig_logtype_engine,
		    "device %s: set state %s -> %s: arc to %s failed: %s; device now %s",
		    dev->name, mig_state_name(from), mig_state_name(target),
		    mig_state_name(failed_to), cause, outcome);
	return ret;
}

int
mig_dev_query_sizes(struct mig_dev *dev, struct mig_dev_sizes *sizes)
{
	int ret;

	memset(sizes, 0, sizeof(*sizes));
	if (dev->drv->ops->query_sizes == NULL)
		return dev_op_unsupported(dev, "query sizes");
	ret = dev->drv->ops->query_sizes(dev, sizes);
	if (ret == 0 && (sizes->flags & MIG_DEV_SIZES_F_REINIT)) {
		dev->reinits++;
		MIG_LOG(NOTICE, mig_logtype_engine,
			"device %s: new initial data (re-init %" PRIu64 "): %" PRIu64 " initial bytes to read",
			dev->name, dev->reinits, sizes->initial_bytes);
	}
	return ret;
}

static int
dev_submit_check(struct mig_dev *dev, struct mig_io *io, const char *what)
{
	if (io == NULL || io->buf == NULL) {
		mig_err_set(mig_logtype_engine, "device %s: %s: no buffer",
			    dev->name, what);
		return -EINVAL;
	}
	if (dev->inflight >= dev->info.max_inflight)
		return -EBUSY;
	return 0;
}

int
mig_dev_save_submit(struct mig_dev *dev, struct mig_io *io)
{
	int ret;

	ret = dev_submit_check(dev, io, "save");
	if (ret < 0)
		return ret;
	if (!mig_state_is_saving(dev->state)) {
		mig_err_set(mig_logtype_engine,
			    "device %s: save: device is in %s, not a saving state",
			    dev->name, mig_state_name(dev->state));
		return -EINVAL;
	}
	if (io->cap == 0 || io->cap < dev->info.chunk_min) {
		mig_err_set(mig_logtype_engine,
			    "device %s: save: buffer of %u bytes is smaller than the device minimum %u",
			    dev->name, io->cap, dev->info.chunk_min);
		return -EINVAL;
	}
	if (dev->drv->ops->save_submit == NULL)
		return dev_op_unsupported(dev, "save");
	io->flags = MIG_IO_F_SAVE;
	io->len = 0;
	io->status = 0;
	ret = dev->drv->ops->save_submit(dev, io);
	if (ret == 0)
		dev->inflight++;
	return ret;
}

int
mig_dev_load_submit(struct mig_dev *dev, struct mig_io *io)
{
	int ret;

	ret = dev_submit_check(dev, io, "load");
	if (ret < 0)
		return ret;
	if (dev->state != MIG_STATE_RESUMING) {
		mig_err_set(mig_logtype_engine,
			    "device %s: load: device is in %s, not resuming",
			    dev->name, mig_state_name(dev->state));
		return -EINVAL;
	}
	if (io->len == 0) {
		mig_err_set(mig_logtype_engine,
			    "device %s: load: empty chunk", dev->name);
		return -EINVAL;
	}
	if (dev->drv->ops->load_submit == NULL)
		return dev_op_unsupported(dev, "load");
	io->flags = MIG_IO_F_LOAD;
	io->status = 0;
	ret = dev->drv->ops->load_submit(dev, io);
	if (ret == 0)
		dev->inflight++;
	return ret;
}

int
mig_dev_poll(struct mig_dev *dev, struct mig_io **done, unsigned int n)
{
	int ret;

	if (dev->inflight == 0 || n == 0)
		return 0;
	if (dev->drv->ops->poll == NULL)
		return dev_op_unsupported(dev, "poll");
	ret = dev->drv->ops->poll(dev, done, n);
	if (ret > 0)
		dev->inflight -= RTE_MIN((unsigned int)ret, dev->inflight);
	return ret;
}

int
mig_dev_digest(struct mig_dev *dev, uint64_t *digest)
{
	if (dev->drv->ops->digest == NULL)
		return dev_op_unsupported(dev, "digest");
	return dev->drv->ops->digest(dev, digest);
}

int
mig_dev_owner_get(struct mig_dev *dev, struct mig_dev_owner *owner)
{
	if (dev->drv->ops->owner_get == NULL)
		return dev_op_unsupported(dev, "owner");
	return dev->drv->ops->owner_get(dev, owner);
}

int
mig_dev_owner_end(struct mig_dev *dev, int status)
{
	if (dev->drv->ops->owner_end == NULL)
		return dev_op_unsupported(dev, "owner end");
	return dev->drv->ops->owner_end(dev, status);
}
