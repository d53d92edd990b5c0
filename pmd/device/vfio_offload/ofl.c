/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * vfio_offload: a device of mig_vfio_pci whose VMM (QEMU) keeps the VFIO
 * control plane, its state moved by the agent (doc/offload.md). Probe
 * attaches to the device through the module's bulk-state interface
 * (kernel/include/uapi/mig_vfio_offload.h); the VMM's events say when it
 * saves or resumes the device. The engine's states mirror the VMM's: an
 * arc here changes nothing in the device, except RESUMING -> STOP, which
 * is RESUME_DONE (the kernel verifies the stream). The job's outcome goes
 * back to the VMM with owner_end (SAVE_DONE, or RESUME_DONE failed). This
 * file: devargs, attach, events, states, the ops table.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "mig_devargs.h"
#include "mig_log.h"
#include "ofl_priv.h"

RTE_LOG_REGISTER(mig_ofl_logtype, mig.dev.vfio_offload, INFO);

#define OFL_ARG_BDF "bdf"
#define OFL_ARG_CTL "ctl"
#define OFL_ARG_DEPTH "depth"
#define OFL_ARG_CHUNK "chunk"

static const char *const ofl_valid_args[] = {
	OFL_ARG_BDF,
	OFL_ARG_CTL,
	OFL_ARG_DEPTH,
	OFL_ARG_CHUNK,
	NULL,
};

#define OFL_KIB UINT64_C(1024)
#define OFL_MIB (OFL_KIB * 1024)
#define OFL_DEPTH_MAX 64

static int
ofl_sys_open(const char *path, int flags)
{
	return open(path, flags);
}

static int
ofl_sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static const struct ofl_sys ofl_sys_libc = {
	.open = ofl_sys_open,
	.close = close,
	.ioctl = ofl_sys_ioctl,
	.read = read,
};

const struct ofl_sys *g_ofl_sys = &ofl_sys_libc;

void
mig_ofl_sys_set(const struct ofl_sys *sys)
{
	g_ofl_sys = sys != NULL ? sys : &ofl_sys_libc;
}

/* DDDD:BB:DD.F, hex digits. */
static bool
ofl_bdf_valid(const char *s)
{
	unsigned int dom, bus, slot, fn;
	char end;

	return strlen(s) == 12 &&
	       sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &slot, &fn,
		      &end) == 4 && slot < 32 && fn < 8;
}

int
mig_ofl_parse_args(const char *name, const char *args, struct ofl_opts *o)
{
	char who[MIG_DEV_NAME_MAX + 16];
	struct rte_kvargs *kv;
	int ret = -EINVAL;

	memset(o, 0, sizeof(*o));
	snprintf(o->ctl, sizeof(o->ctl), "%s", MIG_VFIO_OFFLOAD_DEV_PATH);
	o->depth = 4;
	o->chunk = OFL_MIB;
	snprintf(who, sizeof(who), "vfio_offload %s", name);
	kv = mig_devargs_parse(who, args, ofl_valid_args);
	if (kv == NULL)
		return -EINVAL;
	if (rte_kvargs_count(kv, OFL_ARG_BDF) == 0) {
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: missing bdf=<PCI address>, e.g. vfio_offload,bdf=0000:01:00.0",
			    name);
		goto free_kvlist;
	}
	if (mig_devargs_str(kv, who, OFL_ARG_BDF, o->bdf, sizeof(o->bdf)) < 0)
		goto free_kvlist;
	if (!ofl_bdf_valid(o->bdf)) {
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: bdf=%s: expected a full PCI address DDDD:BB:DD.F",
			    name, o->bdf);
		goto free_kvlist;
	}
	if (mig_devargs_str(kv, who, OFL_ARG_CTL, o->ctl, sizeof(o->ctl)) < 0 ||
	    mig_devargs_u64(kv, who, OFL_ARG_DEPTH, &o->depth, 1,
			    OFL_DEPTH_MAX) < 0 ||
	    mig_devargs_size(kv, who, OFL_ARG_CHUNK, &o->chunk, 4 * OFL_KIB,
			     64 * OFL_MIB) < 0)
		goto free_kvlist;
	ret = 0;
free_kvlist:
	rte_kvargs_free(kv);
	return ret;
}

static const char *
ofl_attach_hint(int err)
{
	switch (err) {
	case ENOENT:
		return " (the mig_vfio_pci module is not loaded, or has no offload interface)";
	case EBUSY:
		return " (another agent is attached to this device)";
	case ENODEV:
		return " (no such device bound to mig_vfio_pci)";
	case EPERM:
	case EACCES:
		return " (the agent must run as root: CAP_SYS_ADMIN)";
	default:
		return "";
	}
}

static int
ofl_probe(struct mig_dev *dev, const char *args)
{
	struct ofl_dev *od = ofl_dev(dev);
	struct mig_vfio_offload_attach at;
	int ret;

	od->fd = -1;
	ret = mig_ofl_parse_args(dev->name, args, &od->o);
	if (ret < 0)
		return ret;
	od->fd = g_ofl_sys->open(od->o.ctl, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (od->fd < 0) {
		ret = -errno;
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: attach to %s: cannot open %s: %s%s",
			    dev->name, od->o.bdf, od->o.ctl, strerror(-ret),
			    ofl_attach_hint(-ret));
		return ret;
	}
	memset(&at, 0, sizeof(at));
	at.argsz = sizeof(at);
	at.flags = MIG_VFIO_OFFLOAD_F_ENABLE;
	snprintf(at.bdf, sizeof(at.bdf), "%s", od->o.bdf);
	if (g_ofl_sys->ioctl(od->fd, MIG_VFIO_OFFLOAD_IOC_ATTACH, &at) < 0) {
		ret = -errno;
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: attach to %s refused: %s%s",
			    dev->name, od->o.bdf, strerror(-ret),
			    ofl_attach_hint(-ret));
		g_ofl_sys->close(od->fd);
		od->fd = -1;
		return ret;
	}
	if (at.version != MIG_VFIO_OFFLOAD_UAPI_VERSION) {
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: attach to %s: the module speaks offload interface version %u, this agent %u",
			    dev->name, od->o.bdf, at.version,
			    MIG_VFIO_OFFLOAD_UAPI_VERSION);
		g_ofl_sys->close(od->fd);
		od->fd = -1;
		return -EPROTO;
	}
	od->state_size = at.state_size;
	od->own.state = (enum mig_state)at.state;
	dev->info.caps = MIG_CAP_STOP_COPY | MIG_CAP_P2P | MIG_CAP_PRE_COPY;
	dev->info.state_size = at.state_size;
	dev->info.chunk_size = (uint32_t)od->o.chunk;
	dev->info.chunk_min = OFL_PREFIX_LEN + 64;
	dev->info.max_inflight = (uint32_t)od->o.depth;
	dev->info.socket_id = SOCKET_ID_ANY;
	MIG_LOG(INFO, mig_ofl_logtype,
		"%s: attached to %s (%04x:%04x, %" PRIu64 " bytes of state, VMM state %s)",
		dev->name, od->o.bdf, at.vendor, at.device, od->state_size,
		mig_state_name(od->own.state));
	return 0;
}

static void
ofl_remove(struct mig_dev *dev)
{
	struct ofl_dev *od = ofl_dev(dev);

	ofl_io_drop(od);
	/* Closing detaches: a job in flight fails the VMM's arc. */
	if (od->fd >= 0)
		g_ofl_sys->close(od->fd);
	od->fd = -1;
}

void
ofl_stream_reset(struct ofl_dev *od)
{
	memset(&od->st, 0, sizeof(od->st));
}

static void
ofl_job_start(struct ofl_dev *od, enum mig_dev_owner_job job,
	      const struct mig_vfio_offload_event *ev)
{
	od->own.job = job;
	od->own.job_id = ev->seq;
	od->own.token = ev->token;
	od->own.aborted = 0;
	od->job_ended = false;
	ofl_stream_reset(od);
}

static void
ofl_event(struct mig_dev *dev, const struct mig_vfio_offload_event *ev)
{
	struct ofl_dev *od = ofl_dev(dev);

	if (ev->flags & MIG_VFIO_OFFLOAD_EV_F_LOST) {
		od->own.lost++;
		MIG_LOG(WARNING, mig_ofl_logtype,
			"%s: events of the VMM were lost (queue overflow)",
			dev->name);
	}
	switch (ev->type) {
	case MIG_VFIO_OFFLOAD_EV_STATE:
		od->own.state = (enum mig_state)ev->state;
		/* Back to RUNNING: the VMM's migration is over, one way or
		 * the other; a job not ended by us was given up by it. */
		if (ev->state == MIG_STATE_RUNNING &&
		    od->own.job != MIG_DEV_OWNER_IDLE) {
			if (!od->job_ended)
				od->own.aborted = -ECANCELED;
			od->own.job = MIG_DEV_OWNER_IDLE;
		}
		break;
	case MIG_VFIO_OFFLOAD_EV_SAVE:
		ofl_job_start(od, MIG_DEV_OWNER_SAVE, ev);
		break;
	case MIG_VFIO_OFFLOAD_EV_RESUME:
		ofl_job_start(od, MIG_DEV_OWNER_RESUME, ev);
		break;
	case MIG_VFIO_OFFLOAD_EV_ABORT:
		od->own.aborted = ev->status < 0 ? ev->status : -ECANCELED;
		od->own.job = MIG_DEV_OWNER_IDLE;
		od->job_ended = true;
		break;
	default:
		MIG_LOG(DEBUG, mig_ofl_logtype, "%s: unknown event type %u",
			dev->name, ev->type);
		break;
	}
}

int
ofl_events(struct mig_dev *dev)
{
	struct ofl_dev *od = ofl_dev(dev);
	struct mig_vfio_offload_event ev;
	ssize_t n;
	int ret;

	for (;;) {
		n = g_ofl_sys->read(od->fd, &ev, sizeof(ev));
		if (n == (ssize_t)sizeof(ev)) {
			ofl_event(dev, &ev);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n == 0) {
			mig_err_set(mig_ofl_logtype,
				    "vfio_offload %s: %s is no longer bound to mig_vfio_pci (removed or unbound)",
				    dev->name, od->o.bdf);
			return -ENODEV;
		}
		ret = n < 0 ? -errno : -EPROTO;
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: reading the VMM's events: %s",
			    dev->name, n < 0 ? strerror(-ret) : "short event");
		return ret;
	}
}

int
ofl_stream_digest(struct mig_dev *dev, const char *step, uint64_t *digest)
{
	struct ofl_dev *od = ofl_dev(dev);
	const uint8_t *t = od->st.tail;
	uint16_t tag;
	uint32_t len, crc;

	memcpy(&tag, t, sizeof(tag));
	memcpy(&len, t + 4, sizeof(len));
	memcpy(&crc, t + OFL_END_CRC_OFF, sizeof(crc));
	if (od->st.bytes < OFL_END_LEN ||
	    rte_le_to_cpu_16(tag) != OFL_END_TAG ||
	    rte_le_to_cpu_32(len) != OFL_END_LEN - 24) {
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: %s: the stream (%" PRIu64 " bytes) does not end with an END record",
			    dev->name, step, od->st.bytes);
		return -EPROTO;
	}
	*digest = rte_le_to_cpu_32(crc);
	return 0;
}

int
ofl_job_check(struct mig_dev *dev, enum mig_dev_owner_job job,
	      const char *step)
{
	struct ofl_dev *od = ofl_dev(dev);
	int ret;

	ret = ofl_events(dev);
	if (ret < 0)
		return ret;
	if (od->own.job == job)
		return 0;
	if (od->own.aborted != 0) {
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: %s: the VMM ended its migration (%s)",
			    dev->name, step, strerror(-od->own.aborted));
		return -ECANCELED;
	}
	mig_err_set(mig_ofl_logtype,
		    "vfio_offload %s: %s: the VMM is not %s the device (its state is %s)",
		    dev->name, step,
		    job == MIG_DEV_OWNER_SAVE ? "saving" : "resuming",
		    mig_state_name(od->own.state));
	return -EBUSY;
}

static int
ofl_resume_done(struct mig_dev *dev, int status)
{
	struct ofl_dev *od = ofl_dev(dev);
	struct mig_vfio_offload_done d;
	uint64_t digest = 0;
	int ret;

	if (status == 0) {
		ret = ofl_stream_digest(dev, "resume done", &digest);
		if (ret < 0)
			return ret;
	}
	memset(&d, 0, sizeof(d));
	d.argsz = sizeof(d);
	d.token = od->own.token;
	d.bytes = od->st.bytes;
	d.digest = digest;
	d.status = status;
	od->job_ended = true;
	if (g_ofl_sys->ioctl(od->fd, MIG_VFIO_OFFLOAD_IOC_RESUME_DONE,
			     &d) < 0) {
		ret = -errno;
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: RESUME_DONE (%" PRIu64 " bytes, digest %016" PRIx64 ") refused: %s%s",
			    dev->name, od->st.bytes, digest, strerror(-ret),
			    ret == -EILSEQ || ret == -EINVAL ?
			    " (the stream is incomplete or corrupt)" : "");
		return ret;
	}
	return 0;
}

/*
 * The engine's arcs follow the VMM's. Leaving RUNNING (or STOP) for a
 * saving state needs the VMM's save; entering RESUMING its resume;
 * RESUMING -> STOP is the end of the stream, verified by the kernel.
 */
static int
ofl_set_state(struct mig_dev *dev, enum mig_state next)
{
	enum mig_state cur = dev->state;

	if ((cur == MIG_STATE_RUNNING || cur == MIG_STATE_STOP) &&
	    (next == MIG_STATE_PRE_COPY || next == MIG_STATE_STOP_COPY))
		return ofl_job_check(dev, MIG_DEV_OWNER_SAVE, "save");
	if (next == MIG_STATE_RESUMING)
		return ofl_job_check(dev, MIG_DEV_OWNER_RESUME, "resume");
	if (cur == MIG_STATE_RESUMING && next == MIG_STATE_STOP)
		return ofl_resume_done(dev, 0);
	return 0;
}

/* The VMM owns the device: forget the engine's stream, touch nothing. */
static int
ofl_reset(struct mig_dev *dev)
{
	struct ofl_dev *od = ofl_dev(dev);

	ofl_io_drop(od);
	return 0;
}

static int
ofl_owner_get(struct mig_dev *dev, struct mig_dev_owner *owner)
{
	struct ofl_dev *od = ofl_dev(dev);
	int ret;

	ret = ofl_events(dev);
	if (ret < 0)
		return ret;
	*owner = od->own;
	return 0;
}

static int
ofl_save_done(struct mig_dev *dev, int status)
{
	struct ofl_dev *od = ofl_dev(dev);
	struct mig_vfio_offload_done d;
	uint64_t digest = 0;
	int ret;

	if (status == 0) {
		ret = ofl_stream_digest(dev, "save done", &digest);
		if (ret < 0)
			return ret;
	}
	memset(&d, 0, sizeof(d));
	d.argsz = sizeof(d);
	d.token = od->own.token;
	d.bytes = od->st.bytes;
	d.digest = digest;
	d.status = status;
	od->job_ended = true;
	if (g_ofl_sys->ioctl(od->fd, MIG_VFIO_OFFLOAD_IOC_SAVE_DONE, &d) < 0) {
		ret = -errno;
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: SAVE_DONE (status %d, %" PRIu64 " bytes) refused: %s%s",
			    dev->name, status, od->st.bytes, strerror(-ret),
			    ret == -ETIMEDOUT ?
			    " (too late: the module's offload_timeout_ms passed)" :
			    "");
		return ret;
	}
	return 0;
}

static int
ofl_owner_end(struct mig_dev *dev, int status)
{
	struct ofl_dev *od = ofl_dev(dev);
	int ret;

	ret = ofl_events(dev);
	if (ret < 0)
		return ret;
	if (od->job_ended || od->own.job == MIG_DEV_OWNER_IDLE)
		return 0;
	if (od->own.job == MIG_DEV_OWNER_SAVE)
		return ofl_save_done(dev, status);
	/* A resume is ended by RESUMING -> STOP when it succeeds; a failed
	 * one only once the kernel knows its token. */
	if (!od->st.begun || status == 0)
		return 0;
	return ofl_resume_done(dev, status);
}

static const struct mig_dev_ops ofl_ops = {
	.version = MIG_DEV_OPS_VERSION,
	.probe = ofl_probe,
	.remove = ofl_remove,
	.set_state = ofl_set_state,
	.query_sizes = ofl_query_sizes,
	.save_submit = ofl_save_submit,
	.load_submit = ofl_load_submit,
	.poll = ofl_poll,
	.reset = ofl_reset,
	.digest = ofl_digest,
	.owner_get = ofl_owner_get,
	.owner_end = ofl_owner_end,
};

static struct mig_dev_driver ofl_driver = {
	.params = "bdf=<DDDD:BB:DD.F> ctl=<path> depth=<1..64> chunk=<size> id=<name>",
	.priv_size = sizeof(struct ofl_dev),
	.ops = &ofl_ops,
};

MIG_PMD_REGISTER(vfio_offload, ofl_driver);
