/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * vfio_offload: the bulk. Saves are SAVE_READ, loads RESUME_WRITE, both
 * synchronous ioctls executed by poll in submission order (the stream's
 * order). The first save of a job starts with the driver's prefix (magic
 * and the VMM's session token), which the destination's first load takes
 * off to name the session in RESUME_BEGIN. The last OFL_END_LEN bytes of
 * the stream are kept: their END record's stream CRC is the digest of
 * SAVE_DONE and RESUME_DONE.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "mig_log.h"
#include "ofl_priv.h"

static void
ofl_tail_add(struct ofl_stream *st, const uint8_t *p, uint32_t n)
{
	if (n >= OFL_END_LEN) {
		memcpy(st->tail, p + n - OFL_END_LEN, OFL_END_LEN);
		return;
	}
	memmove(st->tail, st->tail + n, OFL_END_LEN - n);
	memcpy(st->tail + OFL_END_LEN - n, p, n);
}

static bool
ofl_saving(enum mig_state s)
{
	return s == MIG_STATE_PRE_COPY || s == MIG_STATE_PRE_COPY_P2P ||
	       s == MIG_STATE_STOP_COPY;
}

static bool
ofl_precopy(enum mig_state s)
{
	return s == MIG_STATE_PRE_COPY || s == MIG_STATE_PRE_COPY_P2P;
}

/* The prefix at the head of the first save. */
static uint32_t
ofl_prefix_put(struct ofl_dev *od, uint8_t *p)
{
	uint64_t v;

	if (od->st.prefix_len == OFL_PREFIX_LEN)
		return 0;
	v = rte_cpu_to_le_64(OFL_PREFIX_MAGIC);
	memcpy(p, &v, sizeof(v));
	v = rte_cpu_to_le_64(od->own.token);
	memcpy(p + 8, &v, sizeof(v));
	od->st.prefix_len = OFL_PREFIX_LEN;
	return OFL_PREFIX_LEN;
}

/* One save: 1 when complete, 0 when the kernel has nothing yet in
 * STOP_COPY (tried again at the next poll). */
static int
ofl_save_exec(struct mig_dev *dev, struct mig_io *io)
{
	struct ofl_dev *od = ofl_dev(dev);
	struct mig_vfio_offload_read rd;
	uint8_t *p = io->buf;
	uint32_t out;

	out = ofl_prefix_put(od, p);
	if (!od->st.end) {
		memset(&rd, 0, sizeof(rd));
		rd.argsz = sizeof(rd);
		rd.token = od->own.token;
		rd.buf = (uintptr_t)(p + out);
		rd.len = io->cap - out;
		if (g_ofl_sys->ioctl(od->fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ,
				     &rd) < 0) {
			io->status = -errno;
			mig_err_set(mig_ofl_logtype,
				    "vfio_offload %s: SAVE_READ at stream offset %" PRIu64 ": %s",
				    dev->name, od->st.bytes,
				    strerror(-io->status));
			return 1;
		}
		if (rd.bytes > rd.len ||
		    (rd.bytes > 0 && rd.offset != od->st.bytes)) {
			io->status = -EPROTO;
			mig_err_set(mig_ofl_logtype,
				    "vfio_offload %s: SAVE_READ gave %u bytes at stream offset %" PRIu64 ", expected at most %u at %" PRIu64,
				    dev->name, rd.bytes, (uint64_t)rd.offset, rd.len,
				    od->st.bytes);
			return 1;
		}
		ofl_tail_add(&od->st, p + out, rd.bytes);
		od->st.bytes += rd.bytes;
		od->st.initial = rd.initial;
		od->st.dirty = rd.dirty;
		od->st.sized = true;
		od->st.end = (rd.flags & MIG_VFIO_OFFLOAD_RD_F_END) != 0;
		out += rd.bytes;
	}
	if (out == 0 && ofl_precopy(dev->state)) {
		io->status = -ENOMSG;
		return 1;
	}
	if (out == 0 && !od->st.end)
		return 0;
	io->len = out;
	io->status = 0;
	return 1;
}

/* The prefix: magic, then the token RESUME_BEGIN names. */
static int
ofl_resume_begin(struct mig_dev *dev)
{
	struct ofl_dev *od = ofl_dev(dev);
	struct mig_vfio_offload_begin b;
	uint64_t magic, token;
	int ret;

	memcpy(&magic, od->st.prefix, sizeof(magic));
	memcpy(&token, od->st.prefix + 8, sizeof(token));
	if (rte_le_to_cpu_64(magic) != OFL_PREFIX_MAGIC) {
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: load: the stream does not start with the offload prefix (is the source device a vfio_offload device?)",
			    dev->name);
		return -EPROTO;
	}
	memset(&b, 0, sizeof(b));
	b.argsz = sizeof(b);
	b.token = rte_le_to_cpu_64(token);
	if (g_ofl_sys->ioctl(od->fd, MIG_VFIO_OFFLOAD_IOC_RESUME_BEGIN,
			     &b) < 0) {
		ret = -errno;
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: RESUME_BEGIN (session %016" PRIx64 ") refused: %s",
			    dev->name, (uint64_t)b.token, strerror(-ret));
		return ret;
	}
	od->own.token = b.token;
	od->st.begun = true;
	return 0;
}

static int
ofl_load_exec(struct mig_dev *dev, struct mig_io *io)
{
	struct ofl_dev *od = ofl_dev(dev);
	struct mig_vfio_offload_write w;
	const uint8_t *p = io->buf;
	uint32_t n = io->len, k;
	int ret;

	if (od->st.prefix_len < OFL_PREFIX_LEN) {
		k = RTE_MIN(n, OFL_PREFIX_LEN - od->st.prefix_len);
		memcpy(od->st.prefix + od->st.prefix_len, p, k);
		od->st.prefix_len += k;
		p += k;
		n -= k;
	}
	if (od->st.prefix_len == OFL_PREFIX_LEN && !od->st.begun) {
		ret = ofl_resume_begin(dev);
		if (ret < 0)
			return ret;
	}
	if (n == 0)
		return 0;
	memset(&w, 0, sizeof(w));
	w.argsz = sizeof(w);
	w.token = od->own.token;
	w.buf = (uintptr_t)p;
	w.offset = od->st.bytes;
	w.len = n;
	if (g_ofl_sys->ioctl(od->fd, MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE,
			     &w) < 0) {
		ret = -errno;
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: RESUME_WRITE of %u bytes at stream offset %" PRIu64 " refused: %s",
			    dev->name, n, od->st.bytes, strerror(-ret));
		return ret;
	}
	ofl_tail_add(&od->st, p, n);
	od->st.bytes += n;
	return 0;
}

static void
ofl_queue(struct ofl_dev *od, struct mig_io *io)
{
	io->drv_next = NULL;
	if (od->tail != NULL)
		od->tail->drv_next = io;
	else
		od->head = io;
	od->tail = io;
}

int
ofl_save_submit(struct mig_dev *dev, struct mig_io *io)
{
	ofl_queue(ofl_dev(dev), io);
	return 0;
}

int
ofl_load_submit(struct mig_dev *dev, struct mig_io *io)
{
	ofl_queue(ofl_dev(dev), io);
	return 0;
}

int
ofl_poll(struct mig_dev *dev, struct mig_io **done, unsigned int n)
{
	struct ofl_dev *od = ofl_dev(dev);
	struct mig_io *io;
	unsigned int k = 0;

	while (k < n && (io = od->head) != NULL) {
		if (io->flags & MIG_IO_F_LOAD) {
			io->status = ofl_load_exec(dev, io);
		} else if (ofl_save_exec(dev, io) == 0) {
			break;
		}
		od->head = io->drv_next;
		if (od->head == NULL)
			od->tail = NULL;
		done[k++] = io;
	}
	return (int)k;
}

void
ofl_io_drop(struct ofl_dev *od)
{
	od->head = NULL;
	od->tail = NULL;
}

int
ofl_query_sizes(struct mig_dev *dev, struct mig_dev_sizes *sz)
{
	struct ofl_dev *od = ofl_dev(dev);
	int ret;

	memset(sz, 0, sizeof(*sz));
	if (ofl_saving(dev->state))
		ret = ofl_job_check(dev, MIG_DEV_OWNER_SAVE, "pre-copy");
	else if (dev->state == MIG_STATE_RESUMING)
		ret = ofl_job_check(dev, MIG_DEV_OWNER_RESUME, "resume");
	else
		ret = ofl_events(dev);
	if (ret < 0)
		return ret;
	if (!ofl_saving(dev->state)) {
		sz->stop_copy_bytes = od->state_size;
		return 0;
	}
	sz->initial_bytes = od->st.sized ? od->st.initial : od->state_size;
	sz->dirty_bytes = od->st.sized ? od->st.dirty : 0;
	if (!od->st.end)
		sz->stop_copy_bytes = od->st.sized ?
			od->st.initial + od->st.dirty : od->state_size;
	if (od->own.state == MIG_STATE_STOP_COPY || od->st.end)
		sz->flags |= MIG_DEV_SIZES_F_OWNER_STOP;
	return 0;
}

int
ofl_digest(struct mig_dev *dev, uint64_t *digest)
{
	struct ofl_dev *od = ofl_dev(dev);

	if (od->st.bytes < OFL_END_LEN) {
		mig_err_set(mig_ofl_logtype,
			    "vfio_offload %s: digest: no stream yet",
			    dev->name);
		return -ENOTSUP;
	}
	return ofl_stream_digest(dev, "digest", digest);
}
