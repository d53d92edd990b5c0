/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The vfio driver's I/O engines (uring, read) on fds the host has: a
 * regular file and pipes fed or drained by a thread, which read and write
 * like a data fd (a stream, 0 at the end). Every case runs on both engines;
 * the bytes that come out must be the bytes that went in, in order, with
 * several requests in flight.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mig_hash.h"
#include "mig_time.h"
#include "vfio_io.h"

#define KIB 1024u
#define MIB (KIB * KIB)
#define IO_TIMEOUT_NS (20 * MIG_NS_PER_S)

static void
pattern(uint8_t *p, size_t n, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(mig_mix64(seed + i / 8) >> (8 * (i % 8)));
}

/* Engine of @p kind, or a skip when io_uring is not allowed here. */
static void
engine(struct mig_vfio_io *io, enum mig_vfio_io_kind kind, unsigned int depth)
{
	char why[160];
	int ret;

	ret = mig_vfio_io_init(io, kind, depth, why, sizeof(why));
	if (ret < 0)
		fail_msg("%s engine: %s", kind == MIG_VFIO_IO_READ ? "read" :
			 "uring", why);
	assert_string_equal(mig_vfio_io_name(io),
			    kind == MIG_VFIO_IO_READ ? "read" : "uring");
}

/*
 * Read @p fd to its end with @p depth reads of @p cap bytes in flight;
 * return the bytes read (malloc'd) and their count.
 */
static uint8_t *
drain(struct mig_vfio_io *io, int fd, unsigned int depth, uint32_t cap,
      size_t *total)
{
	struct mig_io ios[MIG_VFIO_IO_DEPTH_MAX], *done[8];
	size_t len = 0, size = 4 * MIB;
	uint8_t *out = malloc(size);
	unsigned int i, next = 0, busy = 0;
	uint64_t t0 = mig_time_ns();
	bool eof = false;
	int k, j;

	assert_non_null(out);
	mig_vfio_io_set_fd(io, fd);
	for (i = 0; i < depth; i++) {
		memset(&ios[i], 0, sizeof(ios[i]));
		ios[i].buf = malloc(cap);
		ios[i].cap = cap;
		ios[i].flags = MIG_IO_F_SAVE;
		assert_non_null(ios[i].buf);
	}
	while (!eof || busy > 0) {
		while (!eof && busy < depth) {
			assert_int_equal(mig_vfio_io_submit(io, &ios[next]), 0);
			next = (next + 1) % depth;
			busy++;
		}
		k = mig_vfio_io_poll(io, done, 8);
		assert_true(k >= 0);
		for (j = 0; j < k; j++) {
			busy--;
			assert_int_equal(done[j]->status, 0);
			if (done[j]->len == 0) {
				eof = true;
				continue;
			}
			/* completions arrive in submission order */
			while (len + done[j]->len > size) {
				size *= 2;
				out = realloc(out, size);
				assert_non_null(out);
			}
			memcpy(out + len, done[j]->buf, done[j]->len);
			len += done[j]->len;
		}
		if (mig_time_ns() - t0 > IO_TIMEOUT_NS)
			fail_msg("reads did not complete in 20 s");
	}
	for (i = 0; i < depth; i++)
		free(ios[i].buf);
	*total = len;
	return out;
}

static void
read_file(enum mig_vfio_io_kind kind)
{
	const size_t n = 3 * MIB + 123;
	uint8_t *src = malloc(n), *got;
	char path[] = "/tmp/test_vfio_io.XXXXXX";
	struct mig_vfio_io io;
	size_t total;
	int fd;

	engine(&io, kind, 8);
	assert_non_null(src);
	pattern(src, n, 1);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, src, n), (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	got = drain(&io, fd, 8, 64 * KIB, &total);
	assert_int_equal(total, n);
	assert_memory_equal(got, src, n);
	mig_vfio_io_fini(&io);
	close(fd);
	free(got);
	free(src);
}

static void
test_read_file_uring(void **state)
{
	(void)state;
	read_file(MIG_VFIO_IO_URING);
}

static void
test_read_file_read(void **state)
{
	(void)state;
	read_file(MIG_VFIO_IO_READ);
}

/* Feeds a pipe in odd-sized pieces with pauses, then closes it. */
struct feeder {
	int fd;
	const uint8_t *src;
	size_t n;
};

static void *
feed(void *arg)
{
	struct feeder *f = arg;
	size_t off = 0, piece;
	uint64_t r = 7;
	struct timespec ts = { .tv_nsec = 200000 };

	while (off < f->n) {
		r = mig_mix64(r);
		piece = 1 + r % (48 * KIB);
		if (piece > f->n - off)
			piece = f->n - off;
		if (write(f->fd, f->src + off, piece) != (ssize_t)piece)
			break;
		off += piece;
		if (r & 1)
			nanosleep(&ts, NULL);
	}
	close(f->fd);
	return NULL;
}

static void
read_pipe(enum mig_vfio_io_kind kind)
{
	const size_t n = 2 * MIB + 5;
	uint8_t *src = malloc(n), *got;
	struct mig_vfio_io io;
	struct feeder f;
	pthread_t th;
	size_t total;
	int p[2];

	engine(&io, kind, 8);
	assert_non_null(src);
	pattern(src, n, 2);
	assert_int_equal(pipe(p), 0);
	f.fd = p[1];
	f.src = src;
	f.n = n;
	assert_int_equal(pthread_create(&th, NULL, feed, &f), 0);
	got = drain(&io, p[0], 8, 16 * KIB, &total);
	pthread_join(th, NULL);
	assert_int_equal(total, n);
	assert_memory_equal(got, src, n);
	mig_vfio_io_fini(&io);
	close(p[0]);
	free(got);
	free(src);
}

static void
test_read_pipe_uring(void **state)
{
	(void)state;
	read_pipe(MIG_VFIO_IO_URING);
}

static void
test_read_pipe_read(void **state)
{
	(void)state;
	read_pipe(MIG_VFIO_IO_READ);
}

/* Drains a pipe into a buffer until EOF. */
struct sink {
	int fd;
	uint8_t *dst;
	size_t cap;
	size_t len;
};

static void *
sink_run(void *arg)
{
	struct sink *s = arg;
	ssize_t k;

	while (s->len < s->cap &&
	       (k = read(s->fd, s->dst + s->len, s->cap - s->len)) > 0)
		s->len += (size_t)k;
	return NULL;
}

/* Writes of @p piece bytes, @p depth in flight, into a pipe. */
static void
write_pipe(enum mig_vfio_io_kind kind, unsigned int depth, uint32_t piece)
{
	const size_t n = 2 * MIB;
	uint8_t *src = malloc(n);
	struct mig_io ios[MIG_VFIO_IO_DEPTH_MAX], *done[8];
	struct mig_vfio_io io;
	struct sink s;
	pthread_t th;
	size_t off = 0;
	unsigned int i, next = 0, busy = 0;
	uint64_t t0 = mig_time_ns();
	int p[2], k, j;

	engine(&io, kind, depth);
	assert_non_null(src);
	pattern(src, n, 3);
	assert_int_equal(pipe(p), 0);
	s.fd = p[0];
	s.dst = malloc(n + 1);
	s.cap = n + 1;
	s.len = 0;
	assert_non_null(s.dst);
	assert_int_equal(pthread_create(&th, NULL, sink_run, &s), 0);
	mig_vfio_io_set_fd(&io, p[1]);
	for (i = 0; i < depth; i++)
		memset(&ios[i], 0, sizeof(ios[i]));
	while (off < n || busy > 0) {
		while (off < n && busy < depth) {
			struct mig_io *m = &ios[next];

			m->buf = src + off;
			m->len = (uint32_t)(n - off < piece ? n - off : piece);
			m->flags = MIG_IO_F_LOAD;
			assert_int_equal(mig_vfio_io_submit(&io, m), 0);
			off += m->len;
			next = (next + 1) % depth;
			busy++;
		}
		k = mig_vfio_io_poll(&io, done, 8);
		assert_true(k >= 0);
		for (j = 0; j < k; j++) {
			if (done[j]->status != 0)
				fail_msg("write failed: %d (%s)",
					 done[j]->status, io.errmsg);
			busy--;
		}
		if (mig_time_ns() - t0 > IO_TIMEOUT_NS)
			fail_msg("writes did not complete in 20 s");
	}
	close(p[1]);
	pthread_join(th, NULL);
	assert_int_equal(s.len, n);
	assert_memory_equal(s.dst, src, n);
	mig_vfio_io_fini(&io);
	close(p[0]);
	free(s.dst);
	free(src);
}

static void
test_write_pipe_uring(void **state)
{
	(void)state;
	/* 4 KiB pipe writes are atomic: never short, so 8 may be in flight */
	write_pipe(MIG_VFIO_IO_URING, 8, 4 * KIB);
}

static void
test_write_pipe_read(void **state)
{
	(void)state;
	write_pipe(MIG_VFIO_IO_READ, 8, 4 * KIB);
}

static void
test_write_pipe_long_uring(void **state)
{
	(void)state;
	/* 1 MiB writes into a 64 KiB pipe may come back short: continued */
	write_pipe(MIG_VFIO_IO_URING, 1, MIB);
}

static void
test_write_pipe_long_read(void **state)
{
	(void)state;
	write_pipe(MIG_VFIO_IO_READ, 1, MIB);
}

/* Reads parked on an empty pipe are cancelled; they consumed nothing. */
static void
test_abandon_uring(void **state)
{
	struct mig_io ios[4], *done[4];
	struct mig_vfio_io io;
	uint8_t bufs[4][64], got[5];
	uint64_t t0;
	unsigned int i;
	int p[2];

	(void)state;
	engine(&io, MIG_VFIO_IO_URING, 4);
	assert_int_equal(pipe(p), 0);
	mig_vfio_io_set_fd(&io, p[0]);
	for (i = 0; i < 4; i++) {
		memset(&ios[i], 0, sizeof(ios[i]));
		ios[i].buf = bufs[i];
		ios[i].cap = sizeof(bufs[i]);
		ios[i].flags = MIG_IO_F_SAVE;
		assert_int_equal(mig_vfio_io_submit(&io, &ios[i]), 0);
	}
	assert_int_equal(mig_vfio_io_submit(&io, &ios[0]), -EBUSY);
	assert_int_equal(mig_vfio_io_poll(&io, done, 4), 0);
	t0 = mig_time_ns();
	assert_int_equal(mig_vfio_io_abandon(&io), 0);
	assert_true(mig_time_ns() - t0 < 5 * MIG_NS_PER_S);
	assert_int_equal(io.inflight, 0);
	assert_int_equal(mig_vfio_io_poll(&io, done, 4), 0);
	assert_int_equal(write(p[1], "hello", 5), 5);
	assert_int_equal(read(p[0], got, 5), 5);
	assert_memory_equal(got, "hello", 5);
	mig_vfio_io_fini(&io);
	close(p[0]);
	close(p[1]);
}

/* A failing fd: the error is the request's status, and said in errmsg. */
static void
engine_error(enum mig_vfio_io_kind kind)
{
	struct mig_io m, *done[1];
	struct mig_vfio_io io;
	uint8_t buf[16];
	uint64_t t0 = mig_time_ns();
	int fd, k;

	engine(&io, kind, 2);
	fd = open("/dev/null", O_WRONLY);
	assert_true(fd >= 0);
	mig_vfio_io_set_fd(&io, fd);
	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.cap = sizeof(buf);
	m.flags = MIG_IO_F_SAVE;
	assert_int_equal(mig_vfio_io_submit(&io, &m), 0);
	while ((k = mig_vfio_io_poll(&io, done, 1)) == 0)
		assert_true(mig_time_ns() - t0 < IO_TIMEOUT_NS);
	assert_int_equal(k, 1);
	assert_ptr_equal(done[0], &m);
	assert_int_equal(m.status, -EBADF);
	assert_non_null(strstr(io.errmsg, "read of 16 bytes"));
	mig_vfio_io_fini(&io);
	close(fd);
}

static void
test_error_uring(void **state)
{
	(void)state;
	engine_error(MIG_VFIO_IO_URING);
}

static void
test_error_read(void **state)
{
	(void)state;
	engine_error(MIG_VFIO_IO_READ);
}

static void
test_misc(void **state)
{
	struct mig_vfio_io io;
	enum mig_vfio_io_kind kind;
	struct mig_io m = { 0 };
	char why[160];

	(void)state;
	assert_int_equal(mig_vfio_io_kind_parse("uring", &kind), 0);
	assert_int_equal(kind, MIG_VFIO_IO_URING);
	assert_int_equal(mig_vfio_io_kind_parse("READ", &kind), 0);
	assert_int_equal(kind, MIG_VFIO_IO_READ);
	assert_int_equal(mig_vfio_io_kind_parse("auto", &kind), 0);
	assert_int_equal(kind, MIG_VFIO_IO_AUTO);
	assert_int_equal(mig_vfio_io_kind_parse("aio", &kind), -EINVAL);
	assert_int_equal(mig_vfio_io_init(&io, MIG_VFIO_IO_READ, 0, why,
					  sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "depth 0"));
	assert_int_equal(mig_vfio_io_init(&io, MIG_VFIO_IO_AUTO, 4, why,
					  sizeof(why)), 0);
	/* no fd yet */
	m.flags = MIG_IO_F_SAVE;
	assert_int_equal(mig_vfio_io_submit(&io, &m), -EBADF);
	mig_vfio_io_fini(&io);
	/* the PRE_COPY temporary end stays a status, no bytes */
	m.len = 99;
	mig_vfio_io_complete_read(&io, &m, -ENOMSG);
	assert_int_equal(m.status, -ENOMSG);
	assert_int_equal(m.len, 0);
	mig_vfio_io_complete_read(&io, &m, 0);
	assert_int_equal(m.status, 0);
	assert_int_equal(m.len, 0);
}

/*
 * A kernel driver's read() or write() that claims more bytes than it was
 * asked fails the request: a save never reports bytes past its buffer
 * (found by tests/fuzz/fuzz_vfio: len was cap + 1), a load never counts
 * bytes it did not give.
 */
static void
test_oversize_result(void **state)
{
	struct mig_vfio_io io;
	struct mig_io m;

	(void)state;
	memset(&io, 0, sizeof(io));
	memset(&m, 0, sizeof(m));
	m.cap = 4096;
	mig_vfio_io_complete_read(&io, &m, 4096);
	assert_int_equal(m.status, 0);
	assert_int_equal(m.len, 4096);
	mig_vfio_io_complete_read(&io, &m, 4097);
	assert_int_equal(m.status, -EIO);
	assert_int_equal(m.len, 0);
	assert_non_null(strstr(io.errmsg, "more than asked"));
	mig_vfio_io_complete_read(&io, &m, 1L << 33);
	assert_int_equal(m.status, -EIO);
	assert_int_equal(m.len, 0);
	/* a load of 100 bytes: 60, then 40 of the 40 left, then 1 too many */
	memset(&io, 0, sizeof(io));
	memset(&m, 0, sizeof(m));
	m.len = 100;
	assert_true(mig_vfio_io_wrote(&io, &m, 60));
	assert_int_equal(m.drv[MIG_VFIO_IO_OFF], 60);
	assert_false(mig_vfio_io_wrote(&io, &m, 41));
	assert_int_equal(m.status, -EIO);
	assert_int_equal(m.drv[MIG_VFIO_IO_OFF], 60);
	assert_non_null(strstr(io.errmsg, "more than asked"));
	m.status = 0;
	assert_true(mig_vfio_io_wrote(&io, &m, 40));
	assert_int_equal(m.drv[MIG_VFIO_IO_OFF], 100);
}

static void
test_skipped(void **state)
{
	(void)state;
}

int
main(void)
{
	static char names[MIG_VFIO_IO_DEPTH_MAX][256];
	struct mig_vfio_io probe;
	char why[160];
	unsigned int i, k = 0;
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_oversize_result),
		cmocka_unit_test(test_read_file_uring),
		cmocka_unit_test(test_read_file_read),
		cmocka_unit_test(test_read_pipe_uring),
		cmocka_unit_test(test_read_pipe_read),
		cmocka_unit_test(test_write_pipe_uring),
		cmocka_unit_test(test_write_pipe_read),
		cmocka_unit_test(test_write_pipe_long_uring),
		cmocka_unit_test(test_write_pipe_long_read),
		cmocka_unit_test(test_abandon_uring),
		cmocka_unit_test(test_error_uring),
		cmocka_unit_test(test_error_read),
	};

	/* the uring cases need io_uring (kernel.io_uring_disabled, seccomp) */
	if (mig_vfio_io_init(&probe, MIG_VFIO_IO_URING, 1, why,
			     sizeof(why)) == 0) {
		mig_vfio_io_fini(&probe);
	} else {
		for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
			if (strstr(tests[i].name, "uring") == NULL)
				continue;
			snprintf(names[k], sizeof(names[k]), "%s # SKIP %s",
				 tests[i].name, why);
			tests[i].name = names[k++];
			tests[i].test_func = test_skipped;
		}
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
