/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * TCP transport over 127.0.0.1: two instances in one process, both polled
 * from the test loop; every loop is bounded by a deadline.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mig_log.h"
#include "mig_wire.h"
#include "mig_xport.h"

#define BUF_SIZE (UINT32_C(1) << 20)
#define NBUFS 80
#define DEADLINE_S 20

/* A malloc'd buffer provider that counts what is out. */
struct pool {
	void *free[NBUFS];
	unsigned int nfree;
	unsigned int out;
};

static void *
pool_get(void *ctx)
{
	struct pool *p = ctx;

	if (p->nfree == 0)
		return NULL;
	p->out++;
	return p->free[--p->nfree];
}

static void
pool_put(void *ctx, void *buf)
{
	struct pool *p = ctx;

	assert_true(p->nfree < NBUFS);
	p->out--;
	p->free[p->nfree++] = buf;
}

static struct pool *
pool_new(void)
{
	struct pool *p = calloc(1, sizeof(*p));
	unsigned int i;

	assert_non_null(p);
	for (i = 0; i < NBUFS; i++) {
		p->free[i] = malloc(BUF_SIZE);
		assert_non_null(p->free[i]);
	}
	p->nfree = NBUFS;
	return p;
}

static void
pool_free(struct pool *p)
{
	unsigned int i;

	assert_int_equal(p->out, 0);
	for (i = 0; i < p->nfree; i++)
		free(p->free[i]);
	free(p);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint8_t
pat(uint64_t index, uint32_t j)
{
	return (uint8_t)(index * 131 + j * 7 + (j >> 9));
}

static void
fill(uint8_t *b, uint64_t index, uint32_t len)
{
	uint32_t j;

	for (j = 0; j < len; j++)
		b[j] = pat(index, j);
}

static void
check_bytes(const uint8_t *b, uint64_t index, uint32_t len)
{
	uint32_t j;

	for (j = 0; j < len; j++)
		if (b[j] != pat(index, j))
			fail_msg("chunk %llu byte %u: 0x%02x != 0x%02x",
				 (unsigned long long)index, j, b[j],
				 pat(index, j));
}

static void
expect_msg(const char *msg, const char *needle)
{
	if (strstr(msg, needle) == NULL)
		fail_msg("message '%s' lacks '%s'", msg, needle);
}

struct pair {
	struct mig_xport *src;
	struct mig_xport *dst;
	struct pool *pool;
	char addr[MIG_XPORT_ADDR_MAX];
};

static void
pair_listen(struct pair *pr, const char *dst_args)
{
	struct mig_xport_bufs b = {
		.get = pool_get,
		.put = pool_put,
		.buf_size = BUF_SIZE,
	};

	memset(pr, 0, sizeof(*pr));
	pr->pool = pool_new();
	b.ctx = pr->pool;
	pr->dst = mig_xport_open(dst_args);
	if (pr->dst == NULL)
		fail_msg("open %s: %s", dst_args, mig_err_last());
	assert_int_equal(mig_xport_set_bufs(pr->dst, &b), 0);
	assert_int_equal(mig_xport_listen(pr->dst, "127.0.0.1:0"), 0);
	assert_int_equal(mig_xport_local_addr(pr->dst, pr->addr,
					      sizeof(pr->addr)), 0);
	assert_int_equal(strncmp(pr->addr, "127.0.0.1:", 10), 0);
	assert_int_not_equal(strcmp(pr->addr, "127.0.0.1:0"), 0);
}

/* The source connects to a listening destination; both end CONNECTED. */
static void
pair_connect(struct pair *pr, const char *src_args)
{
	double end;
	int r;

	pr->src = mig_xport_open(src_args);
	if (pr->src == NULL)
		fail_msg("open %s: %s", src_args, mig_err_last());
	assert_int_equal(mig_xport_connect(pr->src, pr->addr), 0);
	end = now_s() + DEADLINE_S;
	while (mig_xport_state(pr->src) != MIG_XPORT_S_CONNECTED ||
	       mig_xport_state(pr->dst) != MIG_XPORT_S_CONNECTED) {
		if (mig_xport_state(pr->src) != MIG_XPORT_S_CONNECTED) {
			r = mig_xport_poll(pr->src);
			if (r < 0)
				fail_msg("src poll: %s", mig_err_last());
		}
		if (mig_xport_state(pr->dst) != MIG_XPORT_S_CONNECTED) {
			r = mig_xport_poll(pr->dst);
			if (r < 0)
				fail_msg("dst poll: %s", mig_err_last());
		}
		assert_true(now_s() < end);
	}
}

static void
pair_open(struct pair *pr, const char *src_args, const char *dst_args)
{
	pair_listen(pr, dst_args);
	pair_connect(pr, src_args);
}

static void
pair_close(struct pair *pr)
{
	mig_xport_close(pr->src);
	mig_xport_close(pr->dst);
	pool_free(pr->pool);
}

/* A source's HELLO of session @p session announcing @p ndev devices. */
static struct mig_wire_msg
mk_hello(const char *session, uint32_t ndev)
{
	struct mig_wire_msg m = { .type = MIG_WIRE_T_HELLO };

	m.hello.version_min = 1;
	m.hello.version_max = 1;
	m.hello.role = MIG_WIRE_ROLE_SOURCE;
	m.hello.chunk_size = 4096;
	m.hello.dev_count = ndev;
	m.hello.window = 64;
	m.hello.slot_count = 64;
	snprintf(m.hello.session, sizeof(m.hello.session), "%s", session);
	return m;
}

static void
test_ctrl_round_trip(void **state)
{
	struct mig_xport_rx *rx = calloc(4, sizeof(*rx));
	struct mig_wire_msg m = mk_hello("s-42", 3), d;
	uint8_t frame[MIG_WIRE_ENCODE_MAX];
	struct pair pr;
	double end;
	int len, n = 0;

	(void)state;
	assert_non_null(rx);
	pair_open(&pr, "tcp,streams=2", "tcp");
	len = mig_wire_encode(frame, sizeof(frame), &m);
	if (len <= 0)
		fail_msg("encode HELLO: %s", mig_err_last());
	assert_int_equal(mig_xport_ctrl_send(pr.src, frame, (uint32_t)len), 0);
	end = now_s() + DEADLINE_S;
	while (n == 0) {
		assert_true(mig_xport_poll(pr.src) >= 0);
		n = mig_xport_rx(pr.dst, rx, 4);
		assert_true(n >= 0);
		assert_true(now_s() < end);
	}
	assert_int_equal(n, 1);
	assert_int_equal(rx[0].type, MIG_WIRE_T_HELLO);
	assert_int_equal(rx[0].stream, 0);
	assert_int_equal(rx[0].len, (uint32_t)len);
	assert_memory_equal(rx[0].ctrl, frame, (size_t)len);
	assert_int_equal(mig_wire_decode(rx[0].ctrl, rx[0].len, &d, NULL),
			 len);
	assert_string_equal(d.hello.session, "s-42");
	assert_int_equal(d.hello.dev_count, 3);

	/* and back: DONE from the destination */
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_DONE;
	m.done.dev_count = 3;
	len = mig_wire_encode(frame, sizeof(frame), &m);
	assert_int_equal(mig_xport_ctrl_send(pr.dst, frame, (uint32_t)len), 0);
	n = 0;
	while (n == 0) {
		assert_true(mig_xport_poll(pr.dst) >= 0);
		n = mig_xport_rx(pr.src, rx, 4);
		assert_true(n >= 0);
		assert_true(now_s() < end);
	}
	assert_int_equal(n, 1);
	assert_int_equal(rx[0].type, MIG_WIRE_T_DONE);
	assert_memory_equal(rx[0].ctrl, frame, (size_t)len);
	pair_close(&pr);
	free(rx);
}

static uint32_t
chunk_len(uint64_t i)
{
	uint64_t h = (i + 1) * UINT64_C(0x9e3779b97f4a7c15);

	if (i == 0)
		return 1;
	if (i == 1)
		return BUF_SIZE;
	if (i % 16 == 0)
		return 1 + (uint32_t)((h >> 20) % BUF_SIZE);
	return 1 + (uint32_t)((h >> 20) % 65536);
}

#define NCHUNKS 1000
#define NSEND 8

static void
run_chunks(const char *src_args)
{
	struct mig_xport_rx *rx = calloc(16, sizeof(*rx));
	uint8_t *seen = calloc(NCHUNKS, 1);
	uint8_t *sbuf[NSEND];
	void *freeb[NSEND], *done[NSEND];
	unsigned int nfree = NSEND, i;
	struct mig_xport_info info;
	uint64_t next = 0, got = 0, bytes = 0, want_bytes = 0;
	struct pair pr;
	double end;
	int n, k, r;

	assert_non_null(rx);
	assert_non_null(seen);
	for (i = 0; i < NSEND; i++) {
		sbuf[i] = malloc(BUF_SIZE);
		assert_non_null(sbuf[i]);
		freeb[i] = sbuf[i];
	}
	for (i = 0; i < NCHUNKS; i++)
		want_bytes += chunk_len(i);
	pair_open(&pr, src_args, "tcp,window=32");
	end = now_s() + 60;
	while (got < NCHUNKS) {
		while (next < NCHUNKS && nfree > 0) {
			struct mig_wire_chunk c = {
				.dev_id = (uint32_t)(next % 5),
				.flags = next % 3 ? MIG_WIRE_CHUNK_F_STOPCOPY :
					 MIG_WIRE_CHUNK_F_PRECOPY,
				.index = next,
				.length = chunk_len(next),
			};
			uint8_t *b = freeb[nfree - 1];

			fill(b, next, c.length);
			c.crc = mig_wire_crc32c(b, c.length);
			r = mig_xport_tx(pr.src, &c, b, c.length, b);
			if (r == -EAGAIN)
				break;
			if (r < 0)
				fail_msg("tx %llu: %d %s",
					 (unsigned long long)next, r,
					 mig_err_last());
			nfree--;
			next++;
		}
		n = mig_xport_tx_done(pr.src, done, NSEND);
		if (n < 0)
			fail_msg("tx_done: %s", mig_err_last());
		for (k = 0; k < n; k++)
			freeb[nfree++] = done[k];
		n = mig_xport_rx(pr.dst, rx, 16);
		if (n < 0)
			fail_msg("rx: %s", mig_err_last());
		for (k = 0; k < n; k++) {
			struct mig_wire_chunk *c = &rx[k].chunk;

			assert_int_equal(rx[k].type, MIG_WIRE_T_CHUNK);
			assert_true(c->index < NCHUNKS);
			assert_int_equal(seen[c->index], 0);
			seen[c->index] = 1;
			assert_int_equal(c->dev_id, c->index % 5);
			assert_int_equal(c->flags, c->index % 3 ?
					 MIG_WIRE_CHUNK_F_STOPCOPY :
					 MIG_WIRE_CHUNK_F_PRECOPY);
			assert_int_equal(c->length, chunk_len(c->index));
			assert_int_equal(rx[k].len, c->length);
			assert_ptr_equal(c->payload, rx[k].buf);
			check_bytes(rx[k].buf, c->index, c->length);
			bytes += c->length;
			got++;
			assert_int_equal(mig_xport_rx_release(pr.dst,
							      rx[k].buf), 0);
		}
		assert_true(now_s() < end);
	}
	assert_int_equal(bytes, want_bytes);
	while (nfree < NSEND) {
		n = mig_xport_tx_done(pr.src, done, NSEND);
		assert_true(n >= 0);
		for (k = 0; k < n; k++)
			freeb[nfree++] = done[k];
		assert_true(now_s() < end);
	}
	assert_int_equal(mig_xport_info_get(pr.src, &info), 0);
	assert_int_equal(info.tx_chunks, NCHUNKS);
	assert_int_equal(info.tx_bytes, want_bytes);
	assert_int_equal(mig_xport_info_get(pr.dst, &info), 0);
	assert_int_equal(info.rx_chunks, NCHUNKS);
	assert_int_equal(info.rx_bytes, want_bytes);
	pair_close(&pr);
	for (i = 0; i < NSEND; i++)
		free(sbuf[i]);
	free(seen);
	free(rx);
}

static void
test_chunks_1_stream(void **state)
{
	(void)state;
	run_chunks("tcp,streams=1");
}

static void
test_chunks_4_streams(void **state)
{
	(void)state;
	run_chunks("tcp,streams=4,nodelay=0,sndbuf=256K,rcvbuf=256K");
}

/* Send chunk @p i of @p len bytes from @p b; returns tx's result. */
static int
send_chunk(struct mig_xport *xp, uint8_t *b, uint64_t i, uint32_t len,
	   bool corrupt)
{
	struct mig_wire_chunk c = {
		.dev_id = 3,
		.flags = MIG_WIRE_CHUNK_F_STOPCOPY,
		.index = i,
		.length = len,
	};

	fill(b, i, len);
	c.crc = mig_wire_crc32c(b, len);
	if (corrupt)
		b[len / 2] ^= 0x40;
	return mig_xport_tx(xp, &c, b, len, b);
}

/* Poll both ends until the source has nothing in flight (before @p end);
 * @return the credits it then holds. */
static uint32_t
credits_back(struct pair *pr, double end)
{
	struct mig_xport_info info;

	do {
		assert_true(mig_xport_poll(pr->dst) >= 0);
		assert_true(mig_xport_poll(pr->src) >= 0);
		assert_int_equal(mig_xport_info_get(pr->src, &info), 0);
		assert_true(now_s() < end);
	} while (info.inflight != 0);
	return info.credits;
}

static void
test_credit_throttles_source(void **state)
{
	struct mig_xport_rx *rx = calloc(8, sizeof(*rx));
	void *held[8], *done[8];
	uint8_t *b = malloc(4096);
	unsigned int nheld = 0, sent = 0, eagain = 0;
	struct mig_xport_info info;
	struct pair pr;
	double end, quiet;
	int n, k, r;

	(void)state;
	assert_non_null(rx);
	assert_non_null(b);
	pair_open(&pr, "tcp,streams=1", "tcp,window=4");
	/* the same payload buffer is reused: TCP completes on writev */
	end = now_s() + DEADLINE_S;
	quiet = now_s() + 0.3;
	while (now_s() < quiet) {
		r = send_chunk(pr.src, b, sent, 4096, false);
		if (r == 0)
			sent++;
		else if (r == -EAGAIN)
			eagain++;
		else
			fail_msg("tx: %s", mig_err_last());
		assert_true(sent <= 4);
		n = mig_xport_tx_done(pr.src, done, 8);
		assert_true(n >= 0);
		n = mig_xport_rx(pr.dst, rx, 8);
		assert_true(n >= 0);
		for (k = 0; k < n; k++) {
			assert_int_equal(rx[k].type, MIG_WIRE_T_CHUNK);
			held[nheld++] = rx[k].buf; /* not released: slow dest */
		}
		assert_true(now_s() < end);
	}
	assert_int_equal(sent, 4);
	assert_int_equal(nheld, 4);
	assert_true(eagain > 0);
	assert_int_equal(pr.pool->out, 4);
	assert_int_equal(mig_xport_info_get(pr.src, &info), 0);
	assert_int_equal(info.credits, 0);
	assert_int_equal(info.inflight, 4);
	assert_true(info.tx_blocked > 0);

	/* release two: exactly two more go */
	assert_int_equal(mig_xport_rx_release(pr.dst, held[--nheld]), 0);
	assert_int_equal(mig_xport_rx_release(pr.dst, held[--nheld]), 0);
	quiet = now_s() + 0.3;
	while (now_s() < quiet) {
		assert_true(mig_xport_poll(pr.dst) >= 0);
		r = send_chunk(pr.src, b, sent, 4096, false);
		if (r == 0)
			sent++;
		else if (r != -EAGAIN)
			fail_msg("tx: %s", mig_err_last());
		assert_true(sent <= 6);
		n = mig_xport_rx(pr.dst, rx, 8);
		assert_true(n >= 0);
		for (k = 0; k < n; k++) {
			check_bytes(rx[k].buf, rx[k].chunk.index, 4096);
			held[nheld++] = rx[k].buf;
		}
		assert_true(now_s() < end);
	}
	assert_int_equal(sent, 6);
	assert_int_equal(nheld, 4);
	assert_int_equal(mig_xport_info_get(pr.src, &info), 0);
	assert_int_equal(info.inflight, 4);
	while (nheld > 0)
		assert_int_equal(mig_xport_rx_release(pr.dst, held[--nheld]),
				 0);
	/* every buffer released: nothing is in flight once the credits
	 * are back */
	assert_int_equal(credits_back(&pr, end), 4);
	pair_close(&pr);
	free(b);
	free(rx);
}

/* Credits are returned in batches while chunks keep coming, but an idle
 * receiver returns every released buffer: the sender's "inflight" is then
 * the real backlog (0), not what a batch holds back (window 64: batches
 * of 16). */
static void
test_idle_receiver_returns_credits(void **state)
{
	struct mig_xport_rx rx[8];
	uint8_t *b = malloc(4096);
	unsigned int sent = 0, got = 0;
	void *done[8];
	struct pair pr;
	double end;
	int n, k, r;

	(void)state;
	assert_non_null(b);
	pair_open(&pr, "tcp,streams=1", "tcp,window=64");
	end = now_s() + DEADLINE_S;
	while (got < 3) {
		if (sent < 3) {
			r = send_chunk(pr.src, b, sent, 4096, false);
			if (r == 0)
				sent++;
			else if (r != -EAGAIN)
				fail_msg("tx: %s", mig_err_last());
		}
		assert_true(mig_xport_tx_done(pr.src, done, 8) >= 0);
		n = mig_xport_rx(pr.dst, rx, 8);
		assert_true(n >= 0);
		for (k = 0; k < n; k++) {
			assert_int_equal(rx[k].type, MIG_WIRE_T_CHUNK);
			assert_int_equal(mig_xport_rx_release(pr.dst, rx[k].buf),
					 0);
			got++;
		}
		assert_true(now_s() < end);
	}
	assert_int_equal(credits_back(&pr, end), 64);
	pair_close(&pr);
	free(b);
}

/* A stream whose recv() found nothing is not read again until epoll
 * reports bytes: 1000 idle polls of both sides make at most one empty
 * recv() per stream (without the gate: one per stream per poll, each
 * taking the socket lock the sender's softirq needs). A chunk sent
 * afterwards still arrives. */
static void
test_idle_polls_do_not_read(void **state)
{
	struct mig_xport_info si, di;
	struct mig_xport_rx rx[8];
	uint8_t *b = malloc(4096);
	struct pair pr;
	unsigned int i;
	double end;
	int n, k, got = 0;

	(void)state;
	assert_non_null(b);
	pair_open(&pr, "tcp,streams=2", "tcp");
	/* the initial CREDIT frames: read them, then go idle */
	end = now_s() + DEADLINE_S;
	while (credits_back(&pr, end) < 64)
		;
	assert_int_equal(mig_xport_info_get(pr.src, &si), 0);
	assert_int_equal(mig_xport_info_get(pr.dst, &di), 0);
	for (i = 0; i < 1000; i++) {
		assert_true(mig_xport_poll(pr.src) >= 0);
		assert_true(mig_xport_rx(pr.dst, rx, 8) == 0);
	}
	{
		struct mig_xport_info s2, d2;

		assert_int_equal(mig_xport_info_get(pr.src, &s2), 0);
		assert_int_equal(mig_xport_info_get(pr.dst, &d2), 0);
		if (s2.rx_empty - si.rx_empty > 2 ||
		    d2.rx_empty - di.rx_empty > 2)
			fail_msg("1000 idle polls: %llu empty reads at the source, %llu at the destination (at most 2 each)",
				 (unsigned long long)(s2.rx_empty - si.rx_empty),
				 (unsigned long long)(d2.rx_empty - di.rx_empty));
	}
	fill(b, 5, 4096);
	while (send_chunk(pr.src, b, 5, 4096, false) == -EAGAIN)
		assert_true(now_s() < end);
	while (got == 0) {
		n = mig_xport_rx(pr.dst, rx, 8);
		assert_true(n >= 0);
		for (k = 0; k < n; k++) {
			assert_int_equal(rx[k].type, MIG_WIRE_T_CHUNK);
			check_bytes(rx[k].buf, 5, 4096);
			assert_int_equal(mig_xport_rx_release(pr.dst,
							      rx[k].buf), 0);
			got++;
		}
		assert_true(mig_xport_poll(pr.src) >= 0);
		assert_true(now_s() < end);
	}
	pair_close(&pr);
	free(b);
}

/* Poll the destination until rx fails; return the error. */
static int
dst_until_error(struct pair *pr, struct mig_xport *src)
{
	struct mig_xport_rx *rx = calloc(8, sizeof(*rx));
	double end = now_s() + DEADLINE_S;
	int n, k;

	assert_non_null(rx);
	for (;;) {
		if (src != NULL)
			(void)mig_xport_poll(src);
		if (mig_xport_state(pr->dst) == MIG_XPORT_S_CONNECTED)
			n = mig_xport_rx(pr->dst, rx, 8);
		else
			n = mig_xport_poll(pr->dst);
		if (n < 0)
			break;
		for (k = 0; k < n && mig_xport_state(pr->dst) ==
		     MIG_XPORT_S_CONNECTED; k++)
			if (rx[k].buf != NULL)
				mig_xport_rx_release(pr->dst, rx[k].buf);
		assert_true(now_s() < end);
	}
	free(rx);
	assert_int_equal(mig_xport_state(pr->dst), MIG_XPORT_S_ERROR);
	return n;
}

static void
test_corrupted_payload(void **state)
{
	uint8_t *b = malloc(10000);
	void *done[2];
	struct pair pr;
	int r;

	(void)state;
	assert_non_null(b);
	pair_open(&pr, "tcp,streams=1", "tcp");
	r = send_chunk(pr.src, b, 7, 10000, true);
	assert_true(r == 0 || r == -EAGAIN);
	while (r == -EAGAIN) {
		(void)mig_xport_poll(pr.dst);
		r = send_chunk(pr.src, b, 7, 10000, true);
	}
	mig_err_clear();
	assert_int_equal(dst_until_error(&pr, pr.src), -EBADMSG);
	expect_msg(mig_err_last(), "device 3 chunk 7");
	expect_msg(mig_err_last(), "CRC");
	expect_msg(mig_xport_errmsg(pr.dst), "payload CRC mismatch");
	/* sticky */
	assert_int_equal(mig_xport_rx(pr.dst, NULL, 0), -EBADMSG);
	assert_int_equal(mig_xport_poll(pr.dst), -EBADMSG);
	while (mig_xport_tx_done(pr.src, done, 2) == 0)
		;
	pair_close(&pr);
	free(b);
}

static int
raw_connect(const char *addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *port = strrchr(addr, ':');
	int fd;

	sa.sin_port = htons((uint16_t)atoi(port + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* A frame as a raw client writes it. */
static int
raw_frame(uint8_t *frame, size_t size, const struct mig_wire_msg *m)
{
	int len = mig_wire_encode(frame, size, m);

	assert_true(len > 0);
	return len;
}

/* The transport's STREAM frame (tcp_priv.h): stream @p id of @p n. */
static int
raw_stream_frame(uint8_t *frame, size_t size, uint64_t session, uint16_t id,
		 uint16_t n)
{
	uint8_t body[16] = { 0 };
	int len;

	memcpy(body, &session, 8);
	memcpy(body + 8, &id, 2);
	memcpy(body + 10, &n, 2);
	len = mig_wire_encode_raw(frame, size, 0x40, MIG_WIRE_F_OPTIONAL,
				  body, sizeof(body));
	assert_true(len > 0);
	return len;
}

static uint64_t
dropped(struct mig_xport *xp)
{
	struct mig_xport_info info;

	assert_int_equal(mig_xport_info_get(xp, &info), 0);
	return info.conn_dropped;
}

/* Poll the listening destination until @p n connections were dropped. */
static void
dst_until_dropped(struct pair *pr, uint64_t n)
{
	double end = now_s() + DEADLINE_S;

	while (dropped(pr->dst) < n) {
		assert_true(mig_xport_poll(pr->dst) >= 0);
		assert_int_equal(mig_xport_state(pr->dst),
				 MIG_XPORT_S_LISTENING);
		assert_true(now_s() < end);
	}
	assert_int_equal(dropped(pr->dst), n);
}

/* A HELLO from source to destination arrives whole. */
static void
ctrl_works(struct pair *pr)
{
	struct mig_wire_msg m = { .type = MIG_WIRE_T_KEEPALIVE };
	struct mig_xport_rx rx[4];
	uint8_t frame[MIG_WIRE_ENCODE_MAX];
	double end = now_s() + DEADLINE_S;
	int len, n = 0;

	m.keepalive.seq = 77;
	len = raw_frame(frame, sizeof(frame), &m);
	assert_int_equal(mig_xport_ctrl_send(pr->src, frame, (uint32_t)len), 0);
	while (n == 0) {
		assert_true(mig_xport_poll(pr->src) >= 0);
		n = mig_xport_rx(pr->dst, rx, 4);
		assert_true(n >= 0);
		assert_true(now_s() < end);
	}
	assert_int_equal(n, 1);
	assert_memory_equal(rx[0].ctrl, frame, (size_t)len);
}

/* The destination closed @p fd: read() sees the end (bounded wait). */
static void
raw_expect_closed(int fd)
{
	double end = now_s() + DEADLINE_S;
	char c;
	ssize_t r;

	for (;;) {
		r = recv(fd, &c, 1, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			break;
		assert_true(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
		assert_true(now_s() < end);
		usleep(1000);
	}
	close(fd);
}

/*
 * Connections that are not the source's are dropped and the listener
 * keeps waiting: garbage, a first frame other than STREAM (a DONE, a
 * HELLO of another session), a connection that says nothing or half a
 * header, streams of another session that never completes. The real
 * source then connects, the rest are closed, and its frames flow.
 */
static void
test_bad_connections_dropped(void **state)
{
	const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct mig_wire_msg done = { .type = MIG_WIRE_T_DONE };
	struct mig_wire_msg hello = mk_hello("other", 0);
	uint8_t frame[MIG_WIRE_ENCODE_MAX];
	struct pair pr;
	int fd[7], len, i;

	(void)state;
	pair_listen(&pr, "tcp");
	fd[0] = raw_connect(pr.addr);
	assert_int_equal(write(fd[0], junk, sizeof(junk) - 1),
			 (ssize_t)sizeof(junk) - 1);
	fd[1] = raw_connect(pr.addr);
	len = raw_frame(frame, sizeof(frame), &done);
	assert_int_equal(write(fd[1], frame, (size_t)len), len);
	fd[2] = raw_connect(pr.addr);
	len = raw_frame(frame, sizeof(frame), &hello);
	assert_int_equal(write(fd[2], frame, (size_t)len), len);
	fd[3] = raw_connect(pr.addr);
	assert_int_equal(write(fd[3], "ab", 2), 2);
	close(fd[3]); /* gone before its stream frame */
	dst_until_dropped(&pr, 4);

	fd[3] = raw_connect(pr.addr);   /* says nothing */
	fd[4] = raw_connect(pr.addr);   /* half a header */
	len = raw_stream_frame(frame, sizeof(frame), 77, 0, 2);
	assert_int_equal(write(fd[4], frame, 10), 10);
	fd[5] = raw_connect(pr.addr);   /* another session, incomplete */
	assert_int_equal(write(fd[5], frame, (size_t)len), len);
	fd[6] = raw_connect(pr.addr);   /* the same stream twice */
	assert_int_equal(write(fd[6], frame, (size_t)len), len);
	dst_until_dropped(&pr, 5);

	pair_connect(&pr, "tcp,streams=2");
	assert_int_equal(dropped(pr.dst), 8);
	ctrl_works(&pr);
	for (i = 0; i < 3; i++)
		close(fd[i]);
	for (i = 3; i < 7; i++)
		raw_expect_closed(fd[i]);
	pair_close(&pr);
}

/* A connection that stays silent past connect_timeout is dropped. */
static void
test_silent_connection_times_out(void **state)
{
	struct pair pr;
	double t0;
	int fd;

	(void)state;
	pair_listen(&pr, "tcp,connect_timeout=200ms");
	fd = raw_connect(pr.addr);
	t0 = now_s();
	dst_until_dropped(&pr, 1);
	assert_true(now_s() - t0 >= 0.15);
	raw_expect_closed(fd);
	pair_connect(&pr, "tcp");
	ctrl_works(&pr);
	pair_close(&pr);
}

/*
 * More connections at once than the listener has slots: the oldest
 * unidentified ones make room, so a flood never locks the source out.
 */
static void
test_connection_flood(void **state)
{
	enum { FLOOD = 40 };
	struct pair pr;
	int fd[FLOOD], i;

	(void)state;
	pair_listen(&pr, "tcp");
	for (i = 0; i < FLOOD; i++) {
		fd[i] = raw_connect(pr.addr);
		assert_true(mig_xport_poll(pr.dst) >= 0);
	}
	assert_int_equal(mig_xport_state(pr.dst), MIG_XPORT_S_LISTENING);
	pair_connect(&pr, "tcp,streams=4");
	ctrl_works(&pr);
	assert_int_equal(dropped(pr.dst), FLOOD);
	for (i = 0; i < FLOOD; i++)
		raw_expect_closed(fd[i]);
	pair_close(&pr);
}

static void
test_peer_closes_mid_chunk(void **state)
{
	uint8_t *b = malloc(BUF_SIZE);
	struct pair pr;
	int r;

	(void)state;
	assert_non_null(b);
	pair_open(&pr, "tcp,streams=1,sndbuf=16K", "tcp,rcvbuf=16K");
	r = send_chunk(pr.src, b, 0, BUF_SIZE, false);
	assert_int_equal(r, 0);
	/* let some of it through, then the source goes away */
	(void)mig_xport_rx(pr.dst, NULL, 0);
	mig_xport_close(pr.src);
	pr.src = NULL;
	assert_int_equal(dst_until_error(&pr, NULL), -ECONNRESET);
	expect_msg(mig_xport_errmsg(pr.dst),
		   "tcp stream 0: peer closed the connection");
	pair_close(&pr);
	free(b);
}

static void
test_connect_refused(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct mig_xport *xp;
	char addr[64];
	double end;
	int fd, r = 0;

	(void)state;
	/* a port that was free a moment ago */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(sa.sin_port));

	xp = mig_xport_open("tcp,connect_timeout=5s");
	assert_non_null(xp);
	assert_int_equal(mig_xport_connect(xp, addr), 0);
	end = now_s() + DEADLINE_S;
	while (r >= 0 && mig_xport_state(xp) != MIG_XPORT_S_CONNECTED) {
		r = mig_xport_poll(xp);
		assert_true(now_s() < end);
	}
	assert_int_equal(r, -ECONNREFUSED);
	expect_msg(mig_err_last(), "tcp: connect to 127.0.0.1:");
	expect_msg(mig_err_last(), "refused");
	assert_int_equal(mig_xport_state(xp), MIG_XPORT_S_ERROR);
	assert_int_equal(mig_xport_tx_done(xp, NULL, 0), -ECONNREFUSED);
	mig_xport_close(xp);
}

static void
expect_open_error(const char *args, const char *needle)
{
	mig_err_clear();
	assert_null(mig_xport_open(args));
	expect_msg(mig_err_last(), needle);
}

static void
test_bad_devargs(void **state)
{
	struct mig_xport *xp;

	(void)state;
	expect_open_error("tcp,streams=0", "streams");
	expect_open_error("tcp,streams=17", "streams");
	expect_open_error("tcp,bogus=1", "bogus");
	expect_open_error("tcp,window=0", "window");
	expect_open_error("tcp,nodelay=maybe", "nodelay");
	expect_open_error("tcp,connect_timeout=soon", "connect_timeout");
	expect_open_error("udp,streams=1", "no such driver");
	expect_open_error("", "empty");
	xp = mig_xport_open("tcp,streams=16,window=16,sndbuf=1M,rcvbuf=1M,"
			    "nodelay=1,connect_timeout=200ms");
	assert_non_null(xp);
	/* state checks and address syntax */
	assert_int_equal(mig_xport_tx(xp, &(struct mig_wire_chunk){
		.length = 1 }, xp, 1, NULL), -EBUSY);
	assert_int_equal(mig_xport_listen(xp, "127.0.0.1:0"), -EINVAL);
	expect_msg(mig_err_last(), "buffer provider");
	assert_int_equal(mig_xport_connect(xp, "no-port"), -EINVAL);
	expect_msg(mig_err_last(), "no-port");
	assert_int_equal(mig_xport_connect(xp, "[::1:7000"), -EINVAL);
	mig_xport_close(xp);
}

static void
test_ipv6(void **state)
{
	struct mig_xport_bufs b = {
		.get = pool_get, .put = pool_put, .buf_size = BUF_SIZE,
	};
	struct mig_xport *dst, *src;
	struct pool *pool = pool_new();
	char addr[MIG_XPORT_ADDR_MAX];
	double end;

	(void)state;
	b.ctx = pool;
	dst = mig_xport_open("tcp");
	assert_non_null(dst);
	assert_int_equal(mig_xport_set_bufs(dst, &b), 0);
	if (mig_xport_listen(dst, "[::1]:0") < 0) {
		mig_xport_close(dst);
		pool_free(pool);
		skip(); /* no IPv6 loopback here */
	}
	assert_int_equal(mig_xport_local_addr(dst, addr, sizeof(addr)), 0);
	assert_int_equal(strncmp(addr, "[::1]:", 6), 0);
	src = mig_xport_open("tcp,streams=3");
	assert_non_null(src);
	assert_int_equal(mig_xport_connect(src, addr), 0);
	end = now_s() + DEADLINE_S;
	while (mig_xport_state(src) != MIG_XPORT_S_CONNECTED ||
	       mig_xport_state(dst) != MIG_XPORT_S_CONNECTED) {
		if (mig_xport_state(src) != MIG_XPORT_S_CONNECTED)
			assert_true(mig_xport_poll(src) >= 0);
		if (mig_xport_state(dst) != MIG_XPORT_S_CONNECTED)
			assert_true(mig_xport_poll(dst) >= 0);
		assert_true(now_s() < end);
	}
	mig_xport_close(src);
	mig_xport_close(dst);
	pool_free(pool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_devargs),
		cmocka_unit_test(test_ctrl_round_trip),
		cmocka_unit_test(test_chunks_1_stream),
		cmocka_unit_test(test_chunks_4_streams),
		cmocka_unit_test(test_idle_receiver_returns_credits),
		cmocka_unit_test(test_idle_polls_do_not_read),
		cmocka_unit_test(test_credit_throttles_source),
		cmocka_unit_test(test_corrupted_payload),
		cmocka_unit_test(test_bad_connections_dropped),
		cmocka_unit_test(test_silent_connection_times_out),
		cmocka_unit_test(test_connection_flood),
		cmocka_unit_test(test_peer_closes_mid_chunk),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
