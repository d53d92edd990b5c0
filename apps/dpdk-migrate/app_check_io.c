/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * --check: driving the device under test through the engine's device API,
 * synchronously, one I/O at a time, with findings worded for the report.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "app_check.h"
#include "mig_log.h"
#include "mig_time.h"

/* An I/O not completed within this is reported as hung. */
#define CHK_IO_TIMEOUT_NS (30 * MIG_NS_PER_S)

static enum chk_result
chk_note(struct chk_ctx *c, enum chk_result r, const char *fmt, va_list ap)
{
	size_t off = strlen(c->detail);

	/* the first notes in full, of the others only the last one */
	if (++c->notes > CHK_NOTES_MAX) {
		vsnprintf(c->last, sizeof(c->last), fmt, ap);
		return r;
	}
	if (off > 0 && off + 2 < sizeof(c->detail)) {
		memcpy(c->detail + off, "; ", 3);
		off += 2;
	}
	if (off < sizeof(c->detail))
		vsnprintf(c->detail + off, sizeof(c->detail) - off, fmt, ap);
	return r;
}

enum chk_result
chk_fail(struct chk_ctx *c, const char *fmt, ...)
{
	enum chk_result r;
	va_list ap;

	va_start(ap, fmt);
	r = chk_note(c, CHK_FAIL, fmt, ap);
	va_end(ap);
	return r;
}

enum chk_result
chk_skip(struct chk_ctx *c, const char *fmt, ...)
{
	enum chk_result r;
	va_list ap;

	va_start(ap, fmt);
	r = chk_note(c, CHK_SKIP, fmt, ap);
	va_end(ap);
	return r;
}

enum chk_result
chk_pass(struct chk_ctx *c, const char *fmt, ...)
{
	enum chk_result r;
	va_list ap;

	va_start(ap, fmt);
	r = chk_note(c, CHK_PASS, fmt, ap);
	va_end(ap);
	return r;
}

int
chk_state(struct chk_ctx *c, enum mig_state *s)
{
	return mig_dev_state_read(c->dev, s);
}

/* The device must report @p want; drivers that cannot tell are trusted. */
static int
chk_expect(struct chk_ctx *c, enum mig_state want, const char *after)
{
	enum mig_state s;
	int ret;

	ret = chk_state(c, &s);
	if (ret == -ENOTSUP)
		return 0;
	if (ret < 0) {
		chk_fail(c, "after %s the state cannot be read: %s", after,
			 mig_err_last());
		return ret;
	}
	if (s != want) {
		chk_fail(c, "after %s the device reports %s, not %s", after,
			 mig_state_name(s), mig_state_name(want));
		return -EPROTO;
	}
	return 0;
}

/*
 * Every rule starts from RUNNING: a reset, else (no reset, or a reset that
 * failed: the rule "reset" reports that) the walk back from the state the
 * device reports.
 */
int
chk_fresh(struct chk_ctx *c)
{
	enum mig_state s;
	int ret;

	ret = mig_dev_reset(c->dev);
	if (ret == 0 && chk_state(c, &s) == 0 && s != MIG_STATE_RUNNING)
		ret = -EPROTO;
	if (ret < 0 && chk_state(c, &s) == 0)
		ret = mig_dev_set_state(c->dev, MIG_STATE_RUNNING,
					MIG_STATE_ERROR);
	if (ret < 0) {
		chk_fail(c, "cannot bring the device back to running: %s",
			 mig_err_last());
		return ret;
	}
	return chk_expect(c, MIG_STATE_RUNNING, "a reset");
}

int
chk_goto(struct chk_ctx *c, enum mig_state s)
{
	char what[64];
	int ret;

	ret = mig_dev_set_state(c->dev, s, MIG_STATE_ERROR);
	if (ret < 0) {
		chk_fail(c, "cannot reach %s: %s", mig_state_name(s),
			 mig_err_last());
		return ret;
	}
	snprintf(what, sizeof(what), "the walk to %s", mig_state_name(s));
	return chk_expect(c, s, what);
}

/* Wait for the one I/O in flight. */
static int
chk_wait(struct chk_ctx *c, const char *what)
{
	uint64_t deadline = mig_time_ns() + CHK_IO_TIMEOUT_NS;
	struct mig_io *done;
	int n;

	for (;;) {
		n = mig_dev_poll(c->dev, &done, 1);
		if (n < 0) {
			chk_fail(c, "%s: poll failed: %s", what,
				 mig_err_last());
			return n;
		}
		if (n == 1)
			return 0;
		if (mig_time_ns() > deadline) {
			chk_fail(c, "%s: no completion in %u s", what,
				 (unsigned int)(CHK_IO_TIMEOUT_NS /
						MIG_NS_PER_S));
			return -ETIMEDOUT;
		}
		usleep(100);
	}
}

int
chk_read(struct chk_ctx *c, uint32_t *len)
{
	struct mig_io io = { .buf = c->buf, .cap = c->chunk };
	int ret;

	*len = 0;
	mig_err_clear();
	ret = mig_dev_save_submit(c->dev, &io);
	if (ret < 0) {
		chk_fail(c, "save in %s: %s",
			 mig_state_name(mig_dev_state(c->dev)), mig_err_last());
		return ret;
	}
	ret = chk_wait(c, "save");
	if (ret < 0)
		return ret;
	if (io.status < 0 && io.status != -ENOMSG) {
		chk_fail(c, "save in %s: %s",
			 mig_state_name(mig_dev_state(c->dev)),
			 mig_err_last()[0] ? mig_err_last() :
					     strerror(-io.status));
		return io.status;
	}
	*len = io.len;
	return io.status;
}

static int
chk_stream_add(struct chk_stream *s, const void *data, size_t len)
{
	size_t cap;
	uint8_t *p;

	if (s->len + len > s->cap) {
		cap = RTE_MAX(s->cap * 2, s->len + len);
		cap = RTE_MAX(cap, (size_t)1 << 20);
		p = realloc(s->data, cap);
		if (p == NULL)
			return -ENOMEM;
		s->data = p;
		s->cap = cap;
	}
	memcpy(s->data + s->len, data, len);
	s->len += len;
	return 0;
}

void
chk_stream_free(struct chk_stream *s)
{
	free(s->data);
	memset(s, 0, sizeof(*s));
}

int
chk_read_until(struct chk_ctx *c, struct chk_stream *s, uint64_t limit,
	       uint64_t *bytes)
{
	uint32_t len;
	int ret;

	for (;;) {
		ret = chk_read(c, &len);
		if (ret < 0 || len == 0)
			return ret;
		*bytes += len;
		if (*bytes > limit) {
			chk_fail(c, "the stream goes on past %" PRIu64 " bytes",
				 limit);
			return -EFBIG;
		}
		if (s != NULL && *bytes <= CHK_STREAM_KEEP_MAX &&
		    chk_stream_add(s, c->buf, len) < 0) {
			chk_fail(c, "out of memory keeping the stream");
			return -ENOMEM;
		}
	}
}

int
chk_write(struct chk_ctx *c, const uint8_t *data, size_t len)
{
	struct mig_io io;
	size_t off = 0;
	int ret;

	while (off < len) {
		memset(&io, 0, sizeof(io));
		io.buf = c->buf;
		io.len = (uint32_t)RTE_MIN((size_t)c->chunk, len - off);
		memcpy(c->buf, data + off, io.len);
		mig_err_clear();
		ret = mig_dev_load_submit(c->dev, &io);
		if (ret == 0)
			ret = chk_wait(c, "load");
		if (ret == 0)
			ret = io.status;
		if (ret < 0)
			return ret; /* the caller decides if it is a finding */
		off += io.len;
	}
	return 0;
}

int
chk_sizes(struct chk_ctx *c, struct mig_dev_sizes *sz)
{
	int ret;

	ret = mig_dev_query_sizes(c->dev, sz);
	if (ret < 0)
		chk_fail(c, "size query in %s: %s",
			 mig_state_name(mig_dev_state(c->dev)), mig_err_last());
	return ret;
}

/* Read limit: a stream this much longer than its estimate never ends. */
uint64_t
chk_limit(uint64_t estimate)
{
	return RTE_MAX(estimate * 8, UINT64_C(256) << 20);
}

enum chk_result
chk_saved_stream(struct chk_ctx *c, struct chk_stream **out)
{
	struct mig_dev_sizes sz;
	uint64_t bytes = 0;

	*out = &c->saved;
	if (c->saved_ok)
		return CHK_PASS;
	chk_stream_free(&c->saved);
	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_STOP) < 0 ||
	    chk_sizes(c, &sz) < 0 || chk_goto(c, MIG_STATE_STOP_COPY) < 0 ||
	    chk_read_until(c, &c->saved, chk_limit(sz.stop_copy_bytes),
			   &bytes) < 0)
		return CHK_FAIL;
	if (bytes > CHK_STREAM_KEEP_MAX)
		return chk_skip(c, "the stream (%" PRIu64 " bytes) is larger than --check keeps in memory (%" PRIu64 ")",
				bytes, CHK_STREAM_KEEP_MAX);
	c->saved_ok = true;
	return CHK_PASS;
}
