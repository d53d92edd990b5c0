/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * vfio: the state of any device whose kernel driver implements VFIO
 * migration v2 (vfio-pci variant drivers: mlx5, hisi_acc, pds, ours ...).
 *
 * The engine's state machine decides the arcs; each arc is one
 * VFIO_DEVICE_FEATURE(SET, MIG_DEVICE_STATE). An arc that opens a session
 * (-> PRE_COPY, -> STOP_COPY from STOP, -> RESUMING) returns the data fd;
 * chunks are read from or written to it by an I/O engine (vfio_io.h),
 * io_uring by default. Sizes come from MIG_DATA_SIZE and, in PRE_COPY,
 * VFIO_MIG_GET_PRECOPY_INFO. This file holds devargs, probe/remove and the
 * ops table.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "mig_devargs.h"
#include "mig_dev_driver.h"
#include "mig_fsm.h"
#include "mig_log.h"
#include "vfio_priv.h"
#include "vfio_uapi.h"

RTE_LOG_REGISTER(mig_vfio_logtype, mig.dev.vfio, INFO);

#define VFIO_ARG_BDF "bdf"
#define VFIO_ARG_IO "io"
#define VFIO_ARG_DEPTH "depth"
#define VFIO_ARG_CHUNK "chunk"
#define VFIO_ARG_DIRTY_RATE "dirty_rate"
#define VFIO_ARG_DIRTY_REGION "dirty_region"
#define VFIO_ARG_CORRUPT_SAVE "corrupt_save"
#define VFIO_ARG_TRUNCATE_SAVE "truncate_save"
#define VFIO_ARG_RECONFIG "reconfig"

static const char *const vfio_valid_args[] = {
	VFIO_ARG_BDF,
	VFIO_ARG_IO,
	VFIO_ARG_DEPTH,
	VFIO_ARG_CHUNK,
	VFIO_ARG_DIRTY_RATE,
	VFIO_ARG_DIRTY_REGION,
	VFIO_ARG_CORRUPT_SAVE,
	VFIO_ARG_TRUNCATE_SAVE,
	VFIO_ARG_RECONFIG,
	NULL,
};

#define VFIO_KIB UINT64_C(1024)
#define VFIO_MIB (VFIO_KIB * 1024)
#define VFIO_STR_MAX 32
/* BAR2 of a PCI device: VFIO_PCI_BAR2_REGION_INDEX */
#define VFIO_DIRTY_REGION_DEFAULT 2

static void
vfio_opts_default(struct vfio_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->io = MIG_VFIO_IO_AUTO;
	o->depth = 4;
	o->chunk = VFIO_MIB;
	o->dirty_region = VFIO_DIRTY_REGION_DEFAULT;
}

int
mig_vfio_parse_args(const char *name, const char *args, struct vfio_opts *o)
{
	char who[MIG_DEV_NAME_MAX + 8], s[VFIO_STR_MAX];
	struct rte_kvargs *kv;
	int ret = -EINVAL;

	vfio_opts_default(o);
	snprintf(who, sizeof(who), "vfio %s", name);
	kv = mig_devargs_parse(who, args, vfio_valid_args);
	if (kv == NULL)
		return -EINVAL;
	if (rte_kvargs_count(kv, VFIO_ARG_BDF) == 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: missing bdf=<PCI address>, e.g. vfio,bdf=0000:01:00.0",
			    name);
		goto free_kvlist;
	}
	if (mig_devargs_str(kv, who, VFIO_ARG_BDF, s, sizeof(s)) < 0)
		goto free_kvlist;
	if (mig_vfio_bdf_parse(s, o->bdf) < 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: bdf=%s: expected a PCI address DDDD:BB:DD.F or BB:DD.F",
			    name, s);
		goto free_kvlist;
	}
	if (rte_kvargs_count(kv, VFIO_ARG_IO) > 0) {
		if (mig_devargs_str(kv, who, VFIO_ARG_IO, s, sizeof(s)) < 0)
			goto free_kvlist;
		if (mig_vfio_io_kind_parse(s, &o->io) < 0) {
			mig_err_set(mig_vfio_logtype,
				    "vfio %s: io=%s: expected auto, uring or read",
				    name, s);
			goto free_kvlist;
		}
	}
	if (mig_devargs_u64(kv, who, VFIO_ARG_DEPTH, &o->depth, 1,
			    MIG_VFIO_IO_DEPTH_MAX) < 0 ||
	    mig_devargs_size(kv, who, VFIO_ARG_CHUNK, &o->chunk, 4 * VFIO_KIB,
			     64 * VFIO_MIB) < 0 ||
	    mig_devargs_size(kv, who, VFIO_ARG_DIRTY_RATE, &o->dirty_rate, 0,
			     UINT64_C(1) << 34) < 0 ||
	    mig_devargs_u64(kv, who, VFIO_ARG_DIRTY_REGION, &o->dirty_region,
			    0, UINT32_MAX) < 0 ||
	    mig_devargs_u64(kv, who, VFIO_ARG_CORRUPT_SAVE, &o->corrupt_save,
			    0, UINT64_MAX) < 0 ||
	    mig_devargs_u64(kv, who, VFIO_ARG_TRUNCATE_SAVE,
			    &o->truncate_save, 0, UINT64_MAX) < 0 ||
	    mig_devargs_u64(kv, who, VFIO_ARG_RECONFIG, &o->reconfig, 0,
			    1) < 0)
		goto free_kvlist;
	ret = 0;
free_kvlist:
	rte_kvargs_free(kv);
	return ret;
}

static void
vfio_data_close(struct vfio_dev *vd)
{
	if (vd->data_fd >= 0)
		close(vd->data_fd);
	vd->data_fd = -1;
	mig_vfio_io_set_fd(&vd->io, -1);
}

static void
vfio_release(struct vfio_dev *vd)
{
	mig_vfio_io_abandon(&vd->io);
	vfio_data_close(vd);
	mig_vfio_io_fini(&vd->io);
	mig_vfio_close(&vd->h);
}

static int
vfio_probe(struct mig_dev *dev, const char *args)
{
	struct vfio_dev *vd = dev->priv;
	const char *nm = dev->name;
	char why[160], caps[48];
	uint64_t kcaps, size;
	int ret;

	vd->dev = dev;
	vd->data_fd = -1;
	vd->h.container_fd = vd->h.group_fd = vd->h.device_fd = -1;
	ret = mig_vfio_parse_args(nm, args, &vd->o);
	if (ret < 0)
		return ret;
	ret = mig_vfio_open(nm, vd->o.bdf, "/sys", "/dev", &vd->h);
	if (ret < 0)
		return ret;
	ret = mig_vfio_mig_caps(vd->h.device_fd, &kcaps);
	if (ret < 0 || !(kcaps & MIG_CAP_STOP_COPY)) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: PCI device %s (driver %s) has no migration support: %s",
			    nm, vd->o.bdf, vd->h.driver,
			    ret == -ENOTTY ? "VFIO_DEVICE_FEATURE_MIGRATION is not implemented (plain vfio-pci, or a variant driver without migration)" :
			    ret < 0 ? strerror(-ret) :
				      "the driver does not offer STOP_COPY");
		ret = -ENOTSUP;
		goto fail;
	}
	ret = mig_vfio_io_init(&vd->io, vd->o.io, (unsigned int)vd->o.depth,
			       why, sizeof(why));
	if (ret < 0) {
		mig_err_set(mig_vfio_logtype, "vfio %s: io=%s: %s", nm,
			    vd->o.io == MIG_VFIO_IO_URING ? "uring" : "read",
			    why);
		goto fail;
	}
	if (why[0] != '\0')
		VFIO_LOG(NOTICE, "vfio %s: %s, using read()", nm, why);
	ret = mig_vfio_workload_init(&vd->wl, nm, vd->h.device_fd,
				     vd->o.dirty_rate,
				     (uint32_t)vd->o.dirty_region);
	if (ret < 0)
		goto fail;
	/* REINIT needs the opt-in; without it (kernels before 7.1, drivers
	 * that lack it) the flags of PRECOPY_INFO are not to be trusted */
	if (kcaps & MIG_VFIO_MIGRATION_PRE_COPY) {
		ret = mig_vfio_mig_precopy_v2(vd->h.device_fd);
		vd->precopy_v2 = ret == 0;
		VFIO_LOG(DEBUG, "vfio %s: PRECOPY_INFO v2 %s", nm,
			 ret == 0 ? "on" : strerror(-ret));
	}
	vd->state = MIG_STATE_RUNNING;
	dev->info.caps = kcaps & MIG_CAP_ALL;
	dev->info.state_size =
		mig_vfio_mig_data_size(vd->h.device_fd, &size) == 0 ? size : 0;
	dev->info.chunk_size = (uint32_t)vd->o.chunk;
	dev->info.chunk_min = 1;
	dev->info.max_inflight = (uint32_t)vd->o.depth;
	dev->info.socket_id = vd->h.numa_node >= 0 ? vd->h.numa_node :
						     SOCKET_ID_ANY;
	VFIO_LOG(INFO, "vfio %s: %s (driver %s, group %d), caps %s, stop-copy size %" PRIu64 ", io %s depth %" PRIu64,
		 nm, vd->o.bdf, vd->h.driver, vd->h.group_id,
		 mig_caps_str(dev->info.caps, caps, sizeof(caps)),
		 dev->info.state_size, mig_vfio_io_name(&vd->io), vd->o.depth);
	return 0;
fail:
	vfio_release(vd);
	return ret;
}

static void
vfio_remove(struct mig_dev *dev)
{
	vfio_release(dev->priv);
}

/* Guest writes go on only while the device runs (not quiesced). */
static int
vfio_workload(struct vfio_dev *vd)
{
	if (vd->state != MIG_STATE_RUNNING && vd->state != MIG_STATE_PRE_COPY)
		return 0;
	return mig_vfio_workload_tick(&vd->wl, vd->dev->name, vd->h.device_fd);
}

static int
vfio_set_state(struct mig_dev *dev, enum mig_state next)
{
	struct vfio_dev *vd = dev->priv;
	enum mig_state from = vd->state;
	int ret, fd;

	ret = mig_vfio_mig_set_state(vd->h.device_fd, next, &fd);
	if (ret < 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: %s -> %s: the kernel driver %s refused: %s%s",
			    dev->name, mig_state_name(from),
			    mig_state_name(next), vd->h.driver, strerror(-ret),
			    from == MIG_STATE_RESUMING ?
			    " (the loaded state is incomplete or corrupt)" : "");
		return ret;
	}
	vd->state = next;
	if (fd >= 0) {
		if (vd->data_fd >= 0) {
			close(fd);
			mig_err_set(mig_vfio_logtype,
				    "vfio %s: %s -> %s: the kernel returned a second data fd while a session is open",
				    dev->name, mig_state_name(from),
				    mig_state_name(next));
			return -EBADF;
		}
		vd->data_fd = fd;
		mig_vfio_io_set_fd(&vd->io, fd);
		vd->saves_with_data = 0;
		vd->stop_copy_saves = 0;
	} else if (!mig_state_is_saving(next) &&
		   next != MIG_STATE_RESUMING) {
		/* the session ended (-> RUNNING(_P2P), -> STOP) */
		vfio_data_close(vd);
	}
	if ((mig_state_is_saving(next) || next == MIG_STATE_RESUMING) &&
	    vd->data_fd < 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: %s -> %s: the kernel returned no data fd",
			    dev->name, mig_state_name(from),
			    mig_state_name(next));
		return -EBADF;
	}
	return 0;
}

/*
 * The states the kernel driver entered in its last SET, where it tells
 * (mig_vfio_pci: sysfs mig_last_path, "2 5 1 3"); 0 when it does not.
 */
static int
vfio_last_path(struct vfio_dev *vd, enum mig_state *path, unsigned int max)
{
	char fn[96], line[64], *p, *end;
	unsigned int n = 0;
	unsigned long v;
	FILE *f;

	snprintf(fn, sizeof(fn), "/sys/bus/pci/devices/%s/mig_last_path",
		 vd->o.bdf);
	f = fopen(fn, "r");
	if (f == NULL)
		return 0;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	while (p != NULL && n < max) {
		v = strtoul(p, &end, 10);
		if (end == p || v >= MIG_STATE_COUNT)
			break;
		path[n++] = (enum mig_state)v;
		p = end;
	}
	return (int)n;
}

/* One SET for a combination arc: the kernel decomposes it (--check). */
static int
vfio_request_state(struct mig_dev *dev, enum mig_state target,
		   enum mig_state *path, unsigned int max)
{
	struct vfio_dev *vd = dev->priv;
	int ret;

	/* a new session may start on the way: the old fd ends here */
	if (!(mig_state_is_saving(vd->state) && mig_state_is_saving(target)))
		vfio_data_close(vd);
	ret = vfio_set_state(dev, target);
	if (ret < 0)
		return ret;
	return vfio_last_path(vd, path, max);
}

static int
vfio_get_state(struct mig_dev *dev, enum mig_state *state)
{
	struct vfio_dev *vd = dev->priv;
	int ret;

	ret = mig_vfio_mig_get_state(vd->h.device_fd, state);
	if (ret < 0)
		return ret;
	vd->state = *state;
	if (!mig_state_is_saving(*state) && *state != MIG_STATE_RESUMING)
		vfio_data_close(vd);
	return 0;
}

static int
vfio_query_sizes(struct mig_dev *dev, struct mig_dev_sizes *sizes)
{
	struct vfio_dev *vd = dev->priv;
	int ret;

	ret = vfio_workload(vd);
	if (ret < 0)
		return ret;
	ret = mig_vfio_mig_data_size(vd->h.device_fd, &sizes->stop_copy_bytes);
	if (ret == -ENOTTY) {
		/* kernels before 6.2: unknown, as QEMU assumes */
		sizes->stop_copy_bytes = MIG_VFIO_STOP_COPY_UNKNOWN;
	} else if (ret < 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: MIG_DATA_SIZE failed in %s: %s", dev->name,
			    mig_state_name(vd->state), strerror(-ret));
		return ret;
	}
	if ((vd->state == MIG_STATE_PRE_COPY ||
	     vd->state == MIG_STATE_PRE_COPY_P2P) && vd->data_fd >= 0) {
		uint32_t flags = 0;

		ret = mig_vfio_mig_precopy_info(vd->data_fd,
						&sizes->initial_bytes,
						&sizes->dirty_bytes, &flags);
		if (ret == 0 && vd->precopy_v2 &&
		    (flags & MIG_VFIO_PRECOPY_INFO_REINIT))
			sizes->flags |= MIG_DEV_SIZES_F_REINIT;
		if (ret < 0) {
			mig_err_set(mig_vfio_logtype,
				    "vfio %s: VFIO_MIG_GET_PRECOPY_INFO failed in %s: %s",
				    dev->name, mig_state_name(vd->state),
				    strerror(-ret));
			return ret;
		}
		/* reconfig=1: once the first pass is read, the guest
		 * reconfigures the device; asked again at once, so that
		 * the engine sees what the driver says of it */
		if (vd->o.reconfig && !vd->reconfig_done &&
		    sizes->initial_bytes == 0) {
			vd->reconfig_done = true;
			ret = mig_vfio_workload_reconfig(dev->name,
							 vd->h.device_fd);
			if (ret < 0)
				return ret;
			return vfio_query_sizes(dev, sizes);
		}
	}
	return 0;
}

static int
vfio_submit(struct mig_dev *dev, struct mig_io *io, const char *what)
{
	struct vfio_dev *vd = dev->priv;
	int ret;

	ret = vfio_workload(vd);
	if (ret < 0)
		return ret;
	if (vd->data_fd < 0) {
		mig_err_set(mig_vfio_logtype, "vfio %s: %s in %s: no data fd",
			    dev->name, what, mig_state_name(vd->state));
		return -EBADF;
	}
	ret = mig_vfio_io_submit(&vd->io, io);
	if (ret < 0 && ret != -EBUSY)
		mig_err_set(mig_vfio_logtype, "vfio %s: %s: %s", dev->name,
			    what, vd->io.errmsg[0] ? vd->io.errmsg :
			    strerror(-ret));
	return ret;
}

static int
vfio_save_submit(struct mig_dev *dev, struct mig_io *io)
{
	return vfio_submit(dev, io, "save");
}

static int
vfio_load_submit(struct mig_dev *dev, struct mig_io *io)
{
	return vfio_submit(dev, io, "load");
}

/* Check a completed save against the uAPI; fault injection. */
static void
vfio_save_done(struct vfio_dev *vd, struct mig_io *io)
{
	const char *nm = vd->dev->name;

	if (io->status == -ENOMSG && vd->state == MIG_STATE_STOP_COPY) {
		io->status = -EPROTO;
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: save: the kernel driver %s returned ENOMSG in stop_copy (the uAPI allows it only in pre_copy)",
			    nm, vd->h.driver);
		return;
	}
	if (io->status == -ENOMSG)
		return;
	if (io->status < 0) {
		mig_err_set(mig_vfio_logtype, "vfio %s: save in %s: %s", nm,
			    mig_state_name(vd->state), vd->io.errmsg);
		return;
	}
	if (io->len == 0)
		return;
	if (vd->state == MIG_STATE_STOP_COPY && vd->o.truncate_save != 0 &&
	    ++vd->stop_copy_saves > vd->o.truncate_save) {
		if (vd->stop_copy_saves == vd->o.truncate_save + 1)
			VFIO_LOG(NOTICE, "vfio %s: stream ended after %" PRIu64 " stop_copy chunks (fault injection truncate_save)",
				 nm, vd->o.truncate_save);
		io->len = 0;
		return;
	}
	if (++vd->saves_with_data == vd->o.corrupt_save) {
		((uint8_t *)io->buf)[io->len / 2] ^= 0xff;
		VFIO_LOG(NOTICE, "vfio %s: corrupted byte %u of save #%" PRIu64 " (fault injection corrupt_save)",
			 nm, io->len / 2, vd->saves_with_data);
	}
}

static int
vfio_poll(struct mig_dev *dev, struct mig_io **done, unsigned int n)
{
	struct vfio_dev *vd = dev->priv;
	int i, k, ret;

	ret = vfio_workload(vd);
	if (ret < 0)
		return ret;
	k = mig_vfio_io_poll(&vd->io, done, n);
	if (k < 0)
		return k;
	for (i = 0; i < k; i++) {
		if (done[i]->flags & MIG_IO_F_SAVE)
			vfio_save_done(vd, done[i]);
		else if (done[i]->status < 0)
			mig_err_set(mig_vfio_logtype,
				    "vfio %s: load: %s", dev->name,
				    vd->io.errmsg);
	}
	return k;
}

static int
vfio_reset(struct mig_dev *dev)
{
	struct vfio_dev *vd = dev->priv;
	enum mig_state st;
	int ret, aret;

	if (!vd->h.has_reset) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: reset: PCI device %s has no reset method (put it behind a PCIe root port or bridge)",
			    dev->name, vd->o.bdf);
		return -ENOTSUP;
	}
	/* the reset ends the session: reads in flight return at once */
	ret = mig_vfio_mig_reset(vd->h.device_fd);
	aret = mig_vfio_io_abandon(&vd->io);
	vfio_data_close(vd);
	if (aret < 0)
		VFIO_LOG(ERR, "vfio %s: reset: %s", dev->name, vd->io.errmsg);
	if (ret < 0) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: VFIO_DEVICE_RESET failed: %s", dev->name,
			    strerror(-ret));
		return ret;
	}
	ret = mig_vfio_mig_get_state(vd->h.device_fd, &st);
	if (ret == 0 && st != MIG_STATE_RUNNING) {
		mig_err_set(mig_vfio_logtype,
			    "vfio %s: after VFIO_DEVICE_RESET the device is in %s, not running",
			    dev->name, mig_state_name(st));
		vd->state = st;
		return -EIO;
	}
	vd->state = MIG_STATE_RUNNING;
	vd->wl.last_ns = 0;
	return 0;
}

static const struct mig_dev_ops vfio_ops = {
	.version = MIG_DEV_OPS_VERSION,
	.probe = vfio_probe,
	.remove = vfio_remove,
	.set_state = vfio_set_state,
	.get_state = vfio_get_state,
	.query_sizes = vfio_query_sizes,
	.save_submit = vfio_save_submit,
	.load_submit = vfio_load_submit,
	.poll = vfio_poll,
	.reset = vfio_reset,
	.request_state = vfio_request_state,
};

static struct mig_dev_driver vfio_driver = {
	.params = "bdf=<PCI address> io=<auto|uring|read> depth=<1..64> "
		  "chunk=<bytes 4K..64M> dirty_rate=<bytes/s, test workload> "
		  "dirty_region=<region index, default 2> corrupt_save=<n> "
		  "truncate_save=<n> reconfig=<0|1, test workload>",
	.priv_size = sizeof(struct vfio_dev),
	.ops = &vfio_ops,
};

MIG_PMD_REGISTER(vfio, vfio_driver);
