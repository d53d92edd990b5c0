/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * libFuzzer target for the sim device's stream loader
 * (pmd/device/sim/sim_stream.c), which parses the bytes a source sent.
 *
 * Input: an 8-byte header, then either a raw stream or saver operations.
 *   byte 0  bit 0: round trip (else raw); bit 1: mem backing (else gen)
 *   byte 1  page size 8 << (byte % 7) (8..512 bytes)
 *   byte 2-3 device size 1 + (le16 % (12 * page))
 *   byte 4-7 seed of the contents and of the chunking
 *
 * Raw: the rest is a stream, fed to one loader in pseudo-random chunks and
 * to another in one piece. Both must end in the same state (the loader's
 * record, page versions, received bitmap, memory; after an error the same
 * error at the same stream offset): parsing does not depend on chunk
 * boundaries. Errors are
 * sticky (a later call returns the same error and changes nothing) and
 * nothing is read past the input (exact-size copies under ASan). A stream
 * that finishes (RESUMING -> STOP) left every page equal to its pattern
 * and the digest equal to the trailer's.
 *
 * Round trip: a source device with random page versions saves (PRE_COPY,
 * then STOP_COPY); each rest byte is an operation: 00xxxxxx emit up to
 * 1 + 7x bytes, 01xxxxxx dirty page x % npages (pre-copy only),
 * 10xxxxxx switch to STOP_COPY, 11xxxxxx flip bit x % 8 of the next byte
 * emitted. The destination loads the bytes as they come. Without a flip
 * the load must finish with the source's versions, memory and digest, and
 * the stop-copy size announced at the switch must be exactly the bytes
 * that followed. With a flip in the header or the trailer it must fail;
 * with one in a page record it fails or, if the record was replaced by a
 * later one of the same page (a short last page checks few bytes, so a
 * changed version can match them), finishes with the source's state.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "sim_priv.h"

int mig_sim_logtype;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_BYTES 8
#define STREAM_MAX (1u << 20)

struct dev {
	struct mig_dev md;
	struct sim_dev sd;
};

static uint64_t
rng_next(uint64_t *s)
{
	*s += SIM_WORD_STEP;
	return mig_mix64(*s);
}

static void
dev_init(struct dev *d, const uint8_t *hdr)
{
	struct sim_dev *sd = &d->sd;
	uint64_t words;

	memset(d, 0, sizeof(*d));
	strcpy(d->md.name, "fuzz");
	sd->dev = &d->md;
	d->md.priv = sd;
	sd->o.page = UINT64_C(8) << (hdr[1] % 7);
	sd->o.size = 1 + (uint64_t)(hdr[2] | hdr[3] << 8) % (12 * sd->o.page);
	sd->o.backing = (hdr[0] & 2) ? SIM_BACKING_MEM : SIM_BACKING_GEN;
	sd->npages = (sd->o.size + sd->o.page - 1) / sd->o.page;
	words = sim_bitmap_words(sd->npages);
	sd->ver = calloc(sd->npages, sizeof(*sd->ver));
	sd->dirty = calloc(words, sizeof(uint64_t));
	sd->recv = calloc(words, sizeof(uint64_t));
	if (sd->ver == NULL || sd->dirty == NULL || sd->recv == NULL)
		abort();
	if (sd->o.backing == SIM_BACKING_MEM) {
		/* exact size: a store past the device is caught by ASan */
		sd->mem = calloc(1, sd->o.size);
		if (sd->mem == NULL)
			abort();
	}
}

static void
dev_fini(struct dev *d)
{
	free(d->sd.ver);
	free(d->sd.dirty);
	free(d->sd.recv);
	free(d->sd.mem);
}

/* The "stream offset N" an error message names, or "" */
static const char *
msg_offset(const char *msg)
{
	const char *p = strstr(msg, "stream offset ");

	return p != NULL ? p : "";
}

/*
 * Two loaders that saw the same bytes are in the same state; after an
 * error only the error and the stream offset its message names must
 * agree: a page is verified piece by piece, so what a failed load stored
 * before the bad byte depends on the pieces, and is never used.
 */
static void
check_same(const struct sim_dev *a, const struct sim_dev *b)
{
	if (a->ld.err != b->ld.err ||
	    strcmp(msg_offset(a->ld.errmsg), msg_offset(b->ld.errmsg)) != 0)
		abort();
	if (a->ld.err != 0)
		return;
	if (memcmp(&a->ld, &b->ld, sizeof(a->ld)) != 0 || a->seed != b->seed)
		abort();
	if (memcmp(a->ver, b->ver, a->npages * sizeof(*a->ver)) != 0 ||
	    memcmp(a->recv, b->recv,
		   sim_bitmap_words(a->npages) * sizeof(uint64_t)) != 0)
		abort();
	if (a->mem != NULL && memcmp(a->mem, b->mem, a->o.size) != 0)
		abort();
}

/* Feed @p n bytes; errors are sticky and change nothing. */
static int
feed(struct sim_dev *sd, const uint8_t *p, uint64_t n)
{
	struct sim_loader before;
	uint8_t one = 0;
	int ret, again;

	ret = mig_sim_loader_consume(sd, p, n);
	if (ret > 0 || (ret < 0 && ret != sd->ld.err) ||
	    (ret == 0 && sd->ld.err != 0))
		abort();
	if (ret < 0) {
		memcpy(&before, &sd->ld, sizeof(before));
		again = mig_sim_loader_consume(sd, &one, 1);
		if (again != ret || memcmp(&before, &sd->ld, sizeof(before)) != 0)
			abort();
	}
	return ret;
}

/* A finished load holds exactly the patterns of its page versions. */
static void
check_finished(struct sim_dev *sd, uint64_t trailer_digest)
{
	uint64_t p, len, h;

	for (p = 0; p < sd->npages; p++) {
		if (!sim_bit_test(sd->recv, p))
			abort();
		if (sd->mem == NULL)
			continue;
		len = sim_page_len(sd, p);
		h = mig_sim_page_hash(sd->seed, p, sd->ver[p]);
		if (mig_sim_verify(h, 0, sd->mem + p * sd->o.page, len) != len)
			abort();
	}
	if (mig_sim_digest(sd) != trailer_digest)
		abort();
}

static void
run_raw(const uint8_t *hdr, const uint8_t *data, size_t len)
{
	struct dev *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	uint64_t rng = hdr[4] | hdr[5] << 8 | hdr[6] << 16 |
		       (uint64_t)hdr[7] << 24;
	uint64_t digest;
	size_t off = 0, n;
	uint8_t *buf;
	int ra = 0, rb;

	if (a == NULL || b == NULL)
		abort();
	dev_init(a, hdr);
	dev_init(b, hdr);
	mig_sim_loader_open(&a->sd);
	mig_sim_loader_open(&b->sd);
	while (off < len) {
		n = 1 + rng_next(&rng) % 64;
		if ((rng_next(&rng) & 3) == 0)
			n = 1 + rng_next(&rng) % 4;
		n = RTE_MIN(n, len - off);
		/* exact-size copy of the chunk: no over-read goes unseen */
		buf = malloc(n);
		if (buf == NULL)
			abort();
		memcpy(buf, data + off, n);
		ra = feed(&a->sd, buf, n);
		free(buf);
		off += n;
		if (ra < 0)
			break;
	}
	buf = malloc(len == 0 ? 1 : len);
	if (buf == NULL)
		abort();
	memcpy(buf, data, len);
	rb = feed(&b->sd, buf, len);
	free(buf);
	if (ra != rb)
		abort();
	check_same(&a->sd, &b->sd);
	digest = a->sd.ld.trailer_digest;
	ra = mig_sim_loader_finish(&a->sd);
	rb = mig_sim_loader_finish(&b->sd);
	if (ra != rb)
		abort();
	if (ra == 0)
		check_finished(&a->sd, digest);
	dev_fini(a);
	dev_fini(b);
	free(a);
	free(b);
}

struct rt {
	struct dev *src, *dst;
	uint8_t *stream;   /**< every byte the source emitted */
	size_t len;
	int flip;          /**< bit to flip in the next byte, -1 none */
	bool flipped;
	size_t flip_at;    /**< stream offset of the first flipped byte */
	int err;
};

static void
rt_emit(struct rt *t, uint32_t cap)
{
	uint32_t n;

	cap = RTE_MIN(cap, (uint32_t)(STREAM_MAX - t->len));
	n = mig_sim_saver_emit(&t->src->sd, t->stream + t->len, cap);
	if (n > cap)
		abort();
	if (n > 0 && t->flip >= 0) {
		t->stream[t->len] ^= (uint8_t)(1u << t->flip);
		t->flip = -1;
		if (!t->flipped)
			t->flip_at = t->len;
		t->flipped = true;
	}
	if (t->err == 0)
		t->err = feed(&t->dst->sd, t->stream + t->len, n);
	t->len += n;
}

/* Run the round trip of @p ops; the stream is left in @p t. */
static void
rt_run(struct rt *t, const uint8_t *hdr, const uint8_t *ops, size_t nops)
{
	struct sim_dev *ss, *ds;
	uint64_t rng = hdr[4] | hdr[5] << 8 | hdr[6] << 16 |
		       (uint64_t)hdr[7] << 24, p, remaining = 0, at = 0;
	bool stop = false;
	size_t i;
	uint32_t cap;

	memset(t, 0, sizeof(*t));
	t->flip = -1;
	t->src = malloc(sizeof(*t->src));
	t->dst = malloc(sizeof(*t->dst));
	t->stream = malloc(STREAM_MAX);
	if (t->src == NULL || t->dst == NULL || t->stream == NULL)
		abort();
	dev_init(t->src, hdr);
	dev_init(t->dst, hdr);
	ss = &t->src->sd;
	ds = &t->dst->sd;
	ss->seed = rng_next(&rng);
	ds->seed = rng_next(&rng);
	for (p = 0; p < ss->npages; p++)
		ss->ver[p] = (uint32_t)(rng_next(&rng) % 3);
	if (ss->mem != NULL)
		mig_sim_fill_all(ss);
	mig_sim_saver_open(ss, false);
	mig_sim_loader_open(ds);
	for (i = 0; i < nops; i++) {
		uint8_t op = ops[i] >> 6, x = ops[i] & 63;

		switch (op) {
		case 0:
			rt_emit(t, 1 + 7u * x);
			break;
		case 1:
			if (!stop)
				mig_sim_dirty_page(ss, x % ss->npages);
			break;
		case 2:
			if (!stop) {
				stop = true;
				ss->sv.stop_copy = true;
				remaining = mig_sim_saver_remaining(ss);
				at = t->len;
			}
			break;
		default:
			t->flip = x % 8;
			break;
		}
	}
	if (!stop) {
		ss->sv.stop_copy = true;
		remaining = mig_sim_saver_remaining(ss);
		at = t->len;
	}
	cap = 1 + (uint32_t)(rng_next(&rng) % 4096);
	for (;;) {
		size_t before = t->len;

		rt_emit(t, cap);
		if (t->len == before || t->len == STREAM_MAX)
			break;
	}
	/* the size announced at the switch is the size that came */
	if (t->len != STREAM_MAX && t->len - at != remaining)
		abort();
}

static void
rt_fini(struct rt *t)
{
	mig_sim_saver_close(&t->src->sd);
	dev_fini(t->src);
	dev_fini(t->dst);
	free(t->src);
	free(t->dst);
	free(t->stream);
}

static void
run_roundtrip(const uint8_t *hdr, const uint8_t *ops, size_t nops)
{
	struct sim_dev *ss, *ds;
	struct rt t;
	int ret;

	rt_run(&t, hdr, ops, nops);
	ss = &t.src->sd;
	ds = &t.dst->sd;
	if (t.len == STREAM_MAX) {
		rt_fini(&t);
		return;
	}
	ret = mig_sim_loader_finish(ds);
	if (t.flipped && (t.flip_at < SIM_HDR_LEN ||
			  t.flip_at >= t.len - SIM_TRAILER_LEN)) {
		/* every byte of the header and of the trailer matters */
		if (ret == 0)
			abort();
	} else if (t.flipped && ret != 0) {
		/* refused */
	} else {
		/*
		 * Without a flip, or with one in a page record that a later
		 * record of the same page replaced (a short last page checks
		 * few bytes, so a changed version can match them): what is
		 * accepted is the source's state.
		 */
		if (ret != 0 || t.err != 0)
			abort();
		if (ds->seed != ss->seed ||
		    memcmp(ds->ver, ss->ver,
			   ss->npages * sizeof(*ss->ver)) != 0 ||
		    mig_sim_digest(ds) != mig_sim_digest(ss))
			abort();
		if (ss->mem != NULL && memcmp(ds->mem, ss->mem, ss->o.size) != 0)
			abort();
	}
	rt_fini(&t);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* errors are expected by the thousand: do not print them */
	rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HDR_BYTES];

	if (size < HDR_BYTES)
		return 0;
	memcpy(hdr, data, HDR_BYTES);
	if (hdr[0] & 1)
		run_roundtrip(hdr, data + HDR_BYTES, size - HDR_BYTES);
	else
		run_raw(hdr, data + HDR_BYTES, size - HDR_BYTES);
	return 0;
}

#ifdef FUZZ_GEN
#include "fuzz_seeds.h"

/* A raw seed: the stream of a round trip of @p ops. */
static void
gen_raw(const char *name, const uint8_t *hdr, const uint8_t *ops,
	size_t nops)
{
	uint8_t raw_hdr[HDR_BYTES];
	uint8_t *buf;
	struct rt t;

	rt_run(&t, hdr, ops, nops);
	buf = malloc(HDR_BYTES + t.len);
	if (buf == NULL)
		abort();
	memcpy(raw_hdr, hdr, HDR_BYTES);
	raw_hdr[0] &= (uint8_t)~1u;
	/* the loader adopts the stream's seed; keep the geometry */
	memcpy(buf, raw_hdr, HDR_BYTES);
	memcpy(buf + HDR_BYTES, t.stream, t.len);
	fuzz_seed_add(name, buf, HDR_BYTES + t.len);
	free(buf);
	rt_fini(&t);
}

static void
make(void)
{
	/* 4 pages of 64 bytes, gen / mem backing */
	static const uint8_t gen4[HDR_BYTES] = { 1, 3, 0xff, 0, 1, 2, 3, 4 };
	static const uint8_t mem4[HDR_BYTES] = { 3, 3, 0xff, 0, 5, 6, 7, 8 };
	/* 11 pages of 16 bytes, the last one short */
	static const uint8_t mem11[HDR_BYTES] = { 3, 1, 0xa5, 0, 9, 9, 9, 9 };
	static const uint8_t emit[] = { 0x05, 0x05, 0x05 };
	static const uint8_t dirty[] = {
		0x3f, 0x41, 0x42, 0x3f, 0x3f, 0x43, 0x80, 0x10,
	};
	static const uint8_t flip[] = { 0x02, 0xc3, 0x10 };

	fuzz_seed_add_parts("rt-gen", gen4, HDR_BYTES, emit, sizeof(emit));
	fuzz_seed_add_parts("rt-mem-dirty", mem4, HDR_BYTES, dirty, sizeof(dirty));
	fuzz_seed_add_parts("rt-mem-flip", mem11, HDR_BYTES, flip, sizeof(flip));
	gen_raw("raw-gen", gen4, emit, sizeof(emit));
	gen_raw("raw-mem-dirty", mem4, dirty, sizeof(dirty));
	gen_raw("raw-mem-short-page", mem11, emit, sizeof(emit));
	fuzz_seed_add("raw-empty", gen4, HDR_BYTES);
}

FUZZ_SEEDS_MAIN(make)
#endif
