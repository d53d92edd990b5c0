/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Unit tests of the vfio_offload device driver against a mock of the
 * kernel's bulk-state interface (mig_vfio_offload.h): devargs and attach
 * errors, the VMM's events, a save (prefix, pre-copy's temporary end, the
 * owner's stop, the END record's digest, SAVE_DONE) and its stream loaded
 * into a second device (RESUME_BEGIN with the token, sequential
 * RESUME_WRITE, RESUME_DONE with the digest), and the failures: no job, a
 * job the VMM aborted, a stream that is not an offload stream, one without
 * END, detach on close.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mig_dev.h"
#include "mig_log.h"
#include "ofl_priv.h"

#define MOCK_FD 100
#define MOCK_FDS 2
#define STREAM_DATA 10000
#define STREAM_LEN (STREAM_DATA + OFL_END_LEN)
#define EVQ 8
#define TOKEN UINT64_C(0x1234abcd5678ef00)
#define CRC 0xc0ffee11u

/* One attached file of the mock module. */
struct mock_file {
	bool open;
	int attach_err;                 /* errno ATTACH fails with */
	struct mig_vfio_offload_event ev[EVQ];
	unsigned int nev;
	uint64_t seq;
	/* source: the record stream and how far the VMM's state lets it go */
	uint64_t rd_off, rd_avail;
	bool stopped;                   /* VMM in STOP_COPY: END reachable */
	struct mig_vfio_offload_done save_done;
	unsigned int save_dones;
	/* destination */
	uint64_t begin_token;
	uint8_t wr[STREAM_LEN];
	uint64_t wr_len;
	struct mig_vfio_offload_done resume_done;
	unsigned int resume_dones;
};

static struct mock_file g_mf[MOCK_FDS];
static uint8_t g_stream[STREAM_LEN];
static unsigned int g_closes;

static struct mock_file *
mock_file(int fd)
{
	assert_true(fd >= MOCK_FD && fd < MOCK_FD + MOCK_FDS);
	assert_true(g_mf[fd - MOCK_FD].open);
	return &g_mf[fd - MOCK_FD];
}

static int
mock_open(const char *path, int flags)
{
	int i;

	(void)flags;
	if (strcmp(path, "mock") != 0) {
		errno = ENOENT;
		return -1;
	}
	for (i = 0; i < MOCK_FDS; i++)
		if (!g_mf[i].open) {
			g_mf[i].open = true;
			return MOCK_FD + i;
		}
	errno = EMFILE;
	return -1;
}

static int
mock_close(int fd)
{
	mock_file(fd)->open = false;
	g_closes++;
	return 0;
}

static ssize_t
mock_read(int fd, void *buf, size_t len)
{
	struct mock_file *f = mock_file(fd);

	if (len < sizeof(f->ev[0])) {
		errno = EINVAL;
		return -1;
	}
	if (f->nev == 0) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(buf, &f->ev[0], sizeof(f->ev[0]));
	memmove(&f->ev[0], &f->ev[1], --f->nev * sizeof(f->ev[0]));
	return sizeof(f->ev[0]);
}

static int
mock_save_read(struct mock_file *f, struct mig_vfio_offload_read *rd)
{
	uint64_t n = RTE_MIN((uint64_t)rd->len, f->rd_avail - f->rd_off);

	assert_int_equal(rd->argsz, sizeof(*rd));
	assert_true(rd->token == TOKEN);
	rd->flags = 0;
	rd->offset = f->rd_off;
	rd->bytes = (uint32_t)n;
	memcpy((void *)(uintptr_t)rd->buf, g_stream + f->rd_off, n);
	f->rd_off += n;
	if (n == 0 && !f->stopped)
		rd->flags |= MIG_VFIO_OFFLOAD_RD_F_AGAIN;
	if (f->stopped && f->rd_off == STREAM_LEN)
		rd->flags |= MIG_VFIO_OFFLOAD_RD_F_END;
	rd->initial = f->stopped ? 0 : f->rd_avail - f->rd_off;
	rd->dirty = 0;
	return 0;
}

static int
mock_resume_write(struct mock_file *f, struct mig_vfio_offload_write *w)
{
	if (w->offset != f->wr_len || f->wr_len + w->len > STREAM_LEN) {
		errno = EINVAL;
		return -1;
	}
	assert_true(w->token == f->begin_token);
	memcpy(f->wr + f->wr_len, (void *)(uintptr_t)w->buf, w->len);
	f->wr_len += w->len;
	return 0;
}

static int
mock_ioctl(int fd, unsigned long req, void *arg)
{
	struct mock_file *f = mock_file(fd);
	struct mig_vfio_offload_attach *at = arg;

	switch (req) {
	case MIG_VFIO_OFFLOAD_IOC_ATTACH:
		assert_int_equal(at->flags, MIG_VFIO_OFFLOAD_F_ENABLE);
		if (f->attach_err != 0) {
			errno = f->attach_err;
			return -1;
		}
		at->version = MIG_VFIO_OFFLOAD_UAPI_VERSION;
		at->vendor = 0x1af4;
		at->device = 0x1110;
		at->state_size = STREAM_LEN;
		at->state = MIG_STATE_RUNNING;
		return 0;
	case MIG_VFIO_OFFLOAD_IOC_SAVE_READ:
		return mock_save_read(f, arg);
	case MIG_VFIO_OFFLOAD_IOC_SAVE_DONE:
		f->save_done = *(struct mig_vfio_offload_done *)arg;
		f->save_dones++;
		return 0;
	case MIG_VFIO_OFFLOAD_IOC_RESUME_BEGIN:
		f->begin_token = ((struct mig_vfio_offload_begin *)arg)->token;
		return 0;
	case MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE:
		return mock_resume_write(f, arg);
	case MIG_VFIO_OFFLOAD_IOC_RESUME_DONE:
		f->resume_done = *(struct mig_vfio_offload_done *)arg;
		f->resume_dones++;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static const struct ofl_sys g_mock = {
	.open = mock_open,
	.close = mock_close,
	.ioctl = mock_ioctl,
	.read = mock_read,
};

static void
mock_event(int i, uint32_t type, uint32_t state, int32_t status)
{
	struct mock_file *f = &g_mf[i];
	struct mig_vfio_offload_event *e;

	assert_true(f->nev < EVQ);
	e = &f->ev[f->nev++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->seq = ++f->seq;
	e->token = TOKEN;
	e->state = state;
	e->status = status;
}

static void
expect_msg(const char *needle)
{
	if (strstr(mig_err_last(), needle) == NULL)
		fail_msg("message '%s' lacks '%s'", mig_err_last(), needle);
}

/* A stream of STREAM_DATA bytes and its END record (tag 3, len 24,
 * stream_crc CRC). */
static void
stream_build(void)
{
	uint16_t tag = OFL_END_TAG;
	uint32_t len = 24, crc = CRC;
	unsigned int i;

	for (i = 0; i < STREAM_DATA; i++)
		g_stream[i] = (uint8_t)(i * 7 + 3);
	memset(g_stream + STREAM_DATA, 0, OFL_END_LEN);
	memcpy(g_stream + STREAM_DATA, &tag, sizeof(tag));
	memcpy(g_stream + STREAM_DATA + 4, &len, sizeof(len));
	memcpy(g_stream + STREAM_DATA + OFL_END_CRC_OFF, &crc, sizeof(crc));
}

static int
setup(void **state)
{
	(void)state;
	memset(g_mf, 0, sizeof(g_mf));
	g_closes = 0;
	stream_build();
	mig_ofl_sys_set(&g_mock);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mig_ofl_sys_set(NULL);
	return 0;
}

static struct mig_dev *
open_dev(const char *name)
{
	char args[128];
	struct mig_dev *dev;

	snprintf(args, sizeof(args),
		 "vfio_offload,id=%s,bdf=0000:01:00.0,ctl=mock", name);
	dev = mig_dev_open(args);
	if (dev == NULL)
		fail_msg("open %s: %s", name, mig_err_last());
	return dev;
}

/* One save or load, completed. */
static int
io_run(struct mig_dev *dev, struct mig_io *io, bool save)
{
	struct mig_io *done;
	int ret;

	ret = save ? mig_dev_save_submit(dev, io) :
		     mig_dev_load_submit(dev, io);
	assert_int_equal(ret, 0);
	assert_int_equal(mig_dev_poll(dev, &done, 1), 1);
	assert_ptr_equal(done, io);
	return io->status;
}

static void
test_devargs(void **state)
{
	struct ofl_opts o;

	(void)state;
	assert_int_equal(mig_ofl_parse_args("d", "bdf=0000:3b:00.2", &o), 0);
	assert_string_equal(o.bdf, "0000:3b:00.2");
	assert_string_equal(o.ctl, MIG_VFIO_OFFLOAD_DEV_PATH);
	assert_int_equal(o.depth, 4);
	assert_int_equal(o.chunk, 1 << 20);
	assert_int_equal(mig_ofl_parse_args("d",
		"bdf=0000:3b:00.2,ctl=/x,depth=8,chunk=4M", &o), 0);
	assert_string_equal(o.ctl, "/x");
	assert_int_equal(o.depth, 8);
	assert_int_equal(o.chunk, 4 << 20);
	assert_int_equal(mig_ofl_parse_args("d", "", &o), -EINVAL);
	expect_msg("vfio_offload d: missing bdf=");
	assert_int_equal(mig_ofl_parse_args("d", "bdf=3b:00.2", &o), -EINVAL);
	expect_msg("bdf=3b:00.2: expected a full PCI address");
	assert_int_equal(mig_ofl_parse_args("d", "bdf=0000:3b:20.0", &o),
			 -EINVAL);
	assert_int_equal(mig_ofl_parse_args("d", "bdf=0000:3b:00.2,dept=1",
					    &o), -EINVAL);
	expect_msg("dept");
	assert_int_equal(mig_ofl_parse_args("d", "bdf=0000:3b:00.2,depth=0",
					    &o), -EINVAL);
	expect_msg("depth");
}

static void
test_attach_errors(void **state)
{
	struct mig_dev *dev;

	(void)state;
	dev = mig_dev_open("vfio_offload,id=a,bdf=0000:01:00.0,ctl=nothere");
	assert_null(dev);
	expect_msg("vfio_offload a: attach to 0000:01:00.0: cannot open nothere: No such file or directory (the mig_vfio_pci module is not loaded");
	g_mf[0].attach_err = EBUSY;
	dev = mig_dev_open("vfio_offload,id=a,bdf=0000:01:00.0,ctl=mock");
	assert_null(dev);
	expect_msg("vfio_offload a: attach to 0000:01:00.0 refused: Device or resource busy (another agent is attached to this device)");
	assert_int_equal(g_closes, 1);
	g_mf[0].attach_err = 0;
	dev = open_dev("a");
	mig_dev_close(dev);
	/* Closing detaches. */
	assert_int_equal(g_closes, 2);
	assert_false(g_mf[0].open);
}

/* Saves until the end: the stream produced, prefix included, in out. */
static size_t
save_all(struct mig_dev *dev, uint8_t *out, size_t cap)
{
	struct mig_dev_sizes sz;
	struct mig_io io;
	size_t n = 0;
	int ret;

	for (;;) {
		memset(&io, 0, sizeof(io));
		io.buf = out + n;
		io.cap = (uint32_t)RTE_MIN(cap - n, (size_t)3000);
		ret = io_run(dev, &io, true);
		if (ret == -ENOMSG) {
			/* Pre-copy's temporary end: the VMM stops the
			 * device, the engine follows. */
			assert_int_equal(mig_dev_query_sizes(dev, &sz), 0);
			assert_false(sz.flags & MIG_DEV_SIZES_F_OWNER_STOP);
			g_mf[0].stopped = true;
			g_mf[0].rd_avail = STREAM_LEN;
			mock_event(0, MIG_VFIO_OFFLOAD_EV_STATE,
				   MIG_STATE_STOP_COPY, 0);
			assert_int_equal(mig_dev_query_sizes(dev, &sz), 0);
			assert_true(sz.flags & MIG_DEV_SIZES_F_OWNER_STOP);
			assert_int_equal(mig_dev_set_state(dev,
				MIG_STATE_STOP_COPY, MIG_STATE_ERROR), 0);
			continue;
		}
		if (ret != 0)
			fail_msg("save at %zu: %d: %s", n, ret, mig_err_last());
		if (io.len == 0)
			return n;
		n += io.len;
	}
}

static void
test_save_load(void **state)
{
	static uint8_t out[STREAM_LEN + OFL_PREFIX_LEN + 4096];
	struct mig_dev *src, *dst;
	struct mig_dev_owner own;
	struct mig_io io;
	uint64_t digest, v;
	size_t n, off, k;

	(void)state;
	src = open_dev("src");
	assert_int_equal(mig_dev_owner_get(src, &own), 0);
	assert_int_equal(own.job, MIG_DEV_OWNER_IDLE);
	/* The VMM begins a save; half the state is there in pre-copy. */
	g_mf[0].rd_avail = STREAM_DATA / 2;
	mock_event(0, MIG_VFIO_OFFLOAD_EV_STATE, MIG_STATE_PRE_COPY, 0);
	mock_event(0, MIG_VFIO_OFFLOAD_EV_SAVE, 0, 0);
	assert_int_equal(mig_dev_owner_get(src, &own), 0);
	assert_int_equal(own.job, MIG_DEV_OWNER_SAVE);
	assert_true(own.token == TOKEN);
	assert_int_equal(own.state, MIG_STATE_PRE_COPY);
	assert_int_equal(mig_dev_set_state(src, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	n = save_all(src, out, sizeof(out));
	assert_int_equal(n, STREAM_LEN + OFL_PREFIX_LEN);
	memcpy(&v, out, sizeof(v));
	assert_true(v == OFL_PREFIX_MAGIC);
	memcpy(&v, out + 8, sizeof(v));
	assert_true(v == TOKEN);
	assert_memory_equal(out + OFL_PREFIX_LEN, g_stream, STREAM_LEN);
	assert_int_equal(mig_dev_digest(src, &digest), 0);
	assert_true(digest == CRC);

	/* Into a device the other VMM resumes, in pieces that split the
	 * prefix. */
	dst = open_dev("dst");
	mock_event(1, MIG_VFIO_OFFLOAD_EV_STATE, MIG_STATE_RESUMING, 0);
	mock_event(1, MIG_VFIO_OFFLOAD_EV_RESUME, 0, 0);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	for (off = 0; off < n; off += k) {
		k = RTE_MIN(off == 0 ? (size_t)10 : (size_t)2500, n - off);
		memset(&io, 0, sizeof(io));
		io.buf = out + off;
		io.len = (uint32_t)k;
		assert_int_equal(io_run(dst, &io, false), 0);
	}
	assert_true(g_mf[1].begin_token == TOKEN);
	assert_int_equal(g_mf[1].wr_len, STREAM_LEN);
	assert_memory_equal(g_mf[1].wr, g_stream, STREAM_LEN);
	assert_int_equal(mig_dev_set_state(dst, MIG_STATE_STOP,
					   MIG_STATE_ERROR), 0);
	assert_int_equal(g_mf[1].resume_dones, 1);
	assert_int_equal(g_mf[1].resume_done.status, 0);
	assert_true(g_mf[1].resume_done.digest == CRC);
	assert_true(g_mf[1].resume_done.bytes == STREAM_LEN);
	assert_true(g_mf[1].resume_done.token == TOKEN);
	/* Delivered and loaded: the source's VMM is told, once. */
	assert_int_equal(mig_dev_owner_end(src, 0), 0);
	assert_int_equal(mig_dev_owner_end(src, 0), 0);
	assert_int_equal(g_mf[0].save_dones, 1);
	assert_int_equal(g_mf[0].save_done.status, 0);
	assert_true(g_mf[0].save_done.digest == CRC);
	assert_true(g_mf[0].save_done.bytes == STREAM_LEN);
	mig_dev_close(src);
	mig_dev_close(dst);
}

static void
test_no_job(void **state)
{
	struct mig_dev *dev;

	(void)state;
	dev = open_dev("a");
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), -EBUSY);
	expect_msg("vfio_offload a: save: the VMM is not saving the device (its state is running)");
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), -EBUSY);
	expect_msg("the VMM is not resuming the device");
	/* No job: nothing to tell the VMM. */
	assert_int_equal(mig_dev_owner_end(dev, -EIO), 0);
	assert_int_equal(g_mf[0].save_dones, 0);
	mig_dev_close(dev);
}

static void
test_vmm_abort(void **state)
{
	struct mig_dev_owner own;
	struct mig_dev_sizes sz;
	struct mig_dev *dev;

	(void)state;
	dev = open_dev("a");
	mock_event(0, MIG_VFIO_OFFLOAD_EV_SAVE, 0, 0);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	assert_int_equal(mig_dev_query_sizes(dev, &sz), 0);
	assert_true(sz.initial_bytes == STREAM_LEN);
	mock_event(0, MIG_VFIO_OFFLOAD_EV_ABORT, 0, -ETIMEDOUT);
	assert_int_equal(mig_dev_query_sizes(dev, &sz), -ECANCELED);
	expect_msg("vfio_offload a: pre-copy: the VMM ended its migration (Connection timed out)");
	assert_int_equal(mig_dev_owner_get(dev, &own), 0);
	assert_int_equal(own.job, MIG_DEV_OWNER_IDLE);
	assert_int_equal(own.aborted, -ETIMEDOUT);
	/* The VMM gave it up: no SAVE_DONE after that. */
	assert_int_equal(mig_dev_owner_end(dev, -ECANCELED), 0);
	assert_int_equal(g_mf[0].save_dones, 0);
	/* A VMM back to RUNNING ends its job the same way. */
	mock_event(0, MIG_VFIO_OFFLOAD_EV_SAVE, 0, 0);
	mock_event(0, MIG_VFIO_OFFLOAD_EV_STATE, MIG_STATE_RUNNING, 0);
	assert_int_equal(mig_dev_owner_get(dev, &own), 0);
	assert_int_equal(own.job, MIG_DEV_OWNER_IDLE);
	assert_int_equal(own.aborted, -ECANCELED);
	mig_dev_close(dev);
}

static void
test_failures(void **state)
{
	uint8_t buf[256];
	struct mig_dev *dev;
	struct mig_io io;

	(void)state;
	dev = open_dev("a");
	mock_event(0, MIG_VFIO_OFFLOAD_EV_RESUME, 0, 0);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_RESUMING,
					   MIG_STATE_ERROR), 0);
	memset(buf, 0x5a, sizeof(buf));
	memset(&io, 0, sizeof(io));
	io.buf = buf;
	io.len = sizeof(buf);
	assert_int_equal(io_run(dev, &io, false), -EPROTO);
	expect_msg("vfio_offload a: load: the stream does not start with the offload prefix");
	mig_dev_close(dev);

	/* A save whose stream lacks END cannot be reported done. */
	dev = open_dev("b");
	g_mf[0].rd_avail = STREAM_DATA;
	mock_event(0, MIG_VFIO_OFFLOAD_EV_SAVE, 0, 0);
	assert_int_equal(mig_dev_set_state(dev, MIG_STATE_PRE_COPY,
					   MIG_STATE_RUNNING), 0);
	memset(&io, 0, sizeof(io));
	io.buf = buf;
	io.cap = sizeof(buf);
	assert_int_equal(io_run(dev, &io, true), 0);
	assert_int_equal(mig_dev_owner_end(dev, 0), -EPROTO);
	expect_msg("vfio_offload b: save done: the stream (240 bytes) does not end with an END record");
	/* ... but its failure can. */
	assert_int_equal(mig_dev_owner_end(dev, -ECONNRESET), 0);
	assert_int_equal(g_mf[0].save_dones, 1);
	assert_int_equal(g_mf[0].save_done.status, -ECONNRESET);
	mig_dev_close(dev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_devargs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_save_load, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmm_abort, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failures, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
