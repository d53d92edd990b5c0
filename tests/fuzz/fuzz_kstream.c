/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * libFuzzer target for the kernel module's stream: kernel/mvp_stream.c
 * (framing, header and record checks) and the data fds of
 * kernel/mvp_file.c (saving: mvp_save_read; resuming: the incremental
 * parser mvp_resume_write and mvp_resume_file_end), built in userspace
 * with the stand-ins of tests/fuzz/kshim/ and a mock backend.
 *
 * Input: an 8-byte header, then a raw stream or saving operations.
 *   byte 0  bit 0: raw: make every CRC and END field right first (so that
 *                  mutations reach the record checks); bit 1: round trip
 *                  (else raw); bit 2: round trip through PRE_COPY (else
 *                  STOP_COPY); bit 3: the backend fails the record of
 *                  index byte 1 (-EIO)
 *   byte 2-3 the device's state size (stream header)
 *   byte 4-7 seed of the write/read sizes
 *
 * Raw: the stream goes to a resume file in pseudo-random writes. A
 * reference parser (whole buffer, written from doc/drivers/kernel.md, not
 * from the module) says which records the backend must receive, in
 * order and with which payload, and how the stream ends: complete,
 * incomplete (RESUMING -> STOP fails with -EINVAL) or an error (its errno;
 * every later write returns it, the backend sees nothing more).
 *
 * Round trip: each operation byte is 00xxxxxx a DATA/REGS record of
 * 1 + 13x bytes becomes pending, 01xxxxxx an unknown OPTIONAL record (the
 * loader skips it) (in STOP_COPY all records are pending from the start,
 * in PRE_COPY until the device stops), 10xxxxxx read 1 + 37x bytes (a PRE_COPY file with
 * nothing pending returns -ENOMSG), 11xxxxx0 the device stops (the save
 * file turns final), 11xxx..1 flip bit x % 8 of the next byte read. The
 * file is read to its end (0, and 0 again), then written to a resume
 * file: without a flip the load completes and the backend received
 * exactly the records saved; with a flip the load fails.
 *
 * An offload stream (header flag OFFLOAD, one OFFLOAD record, END) is
 * complete without any record for the backend.
 *
 * Both: files are released (ASan reports a leak of the backend contexts
 * or buffers), nothing is read past the input.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvp.h"
#include "mvp_fault.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_BYTES 8
#define VENDOR 0x1af4
#define DEVICE 0x1110
#define MAX_RECS 512
#define STREAM_MAX (4u << 20)
#define TAG_UNKNOWN 9

struct logged {
	u16 tag;
	u16 flags;
	u32 len;
	u64 addr;
	u32 crc;
};

/* The mock backend: a script to save, a log of what was loaded. */
static struct {
	u64 state_size;
	/* saving */
	struct logged script[MAX_RECS];
	unsigned int nscript;    /**< records made pending */
	unsigned int next;       /**< next record save_next returns */
	unsigned int saves;      /**< live save contexts */
	/* loading */
	struct logged log[MAX_RECS];
	unsigned int nlog;
	int fail_at;             /**< index of the record load_record fails */
	unsigned int loads;      /**< live load contexts */
} K;

static uint64_t
mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= UINT64_C(0xbf58476d1ce4e5b9);
	z ^= z >> 27;
	z *= UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
rng_next(uint64_t *s)
{
	*s += UINT64_C(0x9e3779b97f4a7c15);
	return mix64(*s);
}

static void
payload_fill(uint8_t *p, unsigned int rec, u32 len)
{
	uint64_t w = mix64(rec);
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((w >> (8 * (i & 7))) + i / 8);
}

static u64
be_state_size(struct mvp_device *mvdev)
{
	(void)mvdev;
	return K.state_size;
}

static void *
be_save_begin(struct mvp_device *mvdev, bool track)
{
	(void)mvdev;
	(void)track;
	K.saves++;
	return malloc(16);
}

static void
be_save_detach(struct mvp_device *mvdev, void *ctx)
{
	(void)mvdev;
	(void)ctx;
}

static void
be_save_free(void *ctx)
{
	K.saves--;
	free(ctx);
}

static int
be_save_next(struct mvp_device *mvdev, void *ctx, struct mvp_record *rec,
	     void *buf, size_t cap, bool final)
{
	const struct logged *s;

	(void)mvdev;
	(void)ctx;
	(void)final;
	if (K.next == K.nscript)
		return 0;
	s = &K.script[K.next];
	if (s->len > cap)
		abort();
	rec->tag = s->tag;
	rec->flags = s->flags;
	rec->len = s->len;
	rec->addr = s->addr;
	rec->initial = true;
	payload_fill(buf, K.next, s->len);
	K.next++;
	return (int)s->len;
}

static void
be_save_pending(void *ctx, u64 *initial, u64 *dirty)
{
	unsigned int i;

	(void)ctx;
	*initial = 0;
	*dirty = 0;
	for (i = K.next; i < K.nscript; i++)
		*initial += K.script[i].len;
}

static void *
be_load_begin(struct mvp_device *mvdev)
{
	(void)mvdev;
	K.loads++;
	return malloc(16);
}

static int
be_load_record(struct mvp_device *mvdev, void *ctx,
	       const struct mvp_record *rec, const void *payload)
{
	struct logged *l;

	(void)mvdev;
	(void)ctx;
	if (rec->len > MVP_REC_MAX || K.nlog == MAX_RECS ||
	    (rec->tag != MVP_REC_DATA && rec->tag != MVP_REC_REGS))
		abort();
	l = &K.log[K.nlog];
	l->tag = rec->tag;
	l->flags = rec->flags;
	l->len = rec->len;
	l->addr = rec->addr;
	/* reads the whole payload: an over-read is caught by ASan */
	l->crc = crc32_le(~0U, payload, rec->len);
	if ((int)K.nlog++ == K.fail_at)
		return -EIO;
	return 0;
}

static int
be_load_end(struct mvp_device *mvdev, void *ctx)
{
	(void)mvdev;
	(void)ctx;
	return 0;
}

static void
be_load_free(void *ctx)
{
	K.loads--;
	free(ctx);
}

/* mvp_precopy.c is not linked here: PRECOPY_INFO v2 is never opted in. */
u32
mvp_precopy_info_flags(struct mvp_migf *migf)
{
	(void)migf;
	return 0;
}

static const struct mvp_backend_ops be_ops = {
	.name = "fuzz",
	.state_size = be_state_size,
	.save_begin = be_save_begin,
	.save_detach = be_save_detach,
	.save_free = be_save_free,
	.save_next = be_save_next,
	.save_pending = be_save_pending,
	.load_begin = be_load_begin,
	.load_record = be_load_record,
	.load_end = be_load_end,
	.load_free = be_load_free,
};

static struct pci_dev pdev = { .vendor = VENDOR, .device = DEVICE };

/* kernel/mvp_fault.c with fault=none: every hook is the identity. */
int
mvp_fault_precopy_info(struct mvp_migf *migf)
{
	return 0;
}

u64
mvp_fault_precopy_initial(u64 initial)
{
	return initial;
}

ssize_t
mvp_fault_save_read(struct mvp_migf *migf, char __user *ubuf, size_t len,
		    ssize_t done)
{
	return done;
}

bool
mvp_fault_accept_incomplete(void)
{
	return false;
}

static void
dev_init(struct mvp_device *mvdev)
{
	memset(mvdev, 0, sizeof(*mvdev));
	mvdev->core.pdev = &pdev;
	mvdev->be = &be_ops;
}

static void
file_release(struct mvp_migf *migf)
{
	struct file *f = migf->filp;

	if (f->f_op->release(f->f_inode, f) != 0)
		abort();
	free(f);
}

/* ------------------------------------------------- reference parser */

static u32
get32(const uint8_t *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static u64
get64(const uint8_t *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static void
put32(uint8_t *p, u32 v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void
put64(uint8_t *p, u64 v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

/* CRC of a 32-byte stream header or 24-byte record header, crc = 0 */
static u32
hdr_crc(const uint8_t *h, size_t len, size_t crc_at)
{
	uint8_t tmp[32];

	memcpy(tmp, h, len);
	memset(tmp + crc_at, 0, 4);
	return crc32_le(~0U, tmp, len);
}

enum ref_end {
	REF_INCOMPLETE,
	REF_COMPLETE,
	REF_ERROR,
};

struct ref {
	enum ref_end end;
	int err;
	struct logged recs[MAX_RECS];
	unsigned int n;
};

/*
 * Parse @p buf the way doc/drivers/kernel.md describes the stream; with
 * @p fix, first rewrite every CRC and END field to its right value.
 */
static void
ref_parse(uint8_t *buf, size_t len, bool fix, struct ref *r)
{
	u32 crc, rlen, rcrc;
	u64 records = 0, bytes;
	bool offload, off_seen = false;
	size_t pos;
	u16 tag, flags;

	memset(r, 0, sizeof(*r));
	r->end = REF_INCOMPLETE;
	if (len < 32)
		return;
	if (fix)
		put32(buf + 28, hdr_crc(buf, 32, 28));
	if (get32(buf) != MVP_STREAM_MAGIC ||
	    get32(buf + 28) != hdr_crc(buf, 32, 28)) {
		r->end = REF_ERROR;
		r->err = -EINVAL;
		return;
	}
	if ((get32(buf + 4) & 0xffff) != MVP_STREAM_VERSION_MAJOR) {
		r->end = REF_ERROR;
		r->err = -EOPNOTSUPP;
		return;
	}
	if ((get32(buf + 8) & 0xffff) != VENDOR ||
	    (get32(buf + 8) >> 16) != DEVICE || get32(buf + 12) != 4096 ||
	    get64(buf + 16) != K.state_size) {
		r->end = REF_ERROR;
		r->err = -EINVAL;
		return;
	}
	/* An offload stream is one OFFLOAD record and END. */
	offload = get32(buf + 24) & MVP_HDR_F_OFFLOAD;
	crc = crc32_le(~0U, buf, 32);
	bytes = 32;
	pos = 32;
	while (pos < len) {
		uint8_t *h = buf + pos;

		if (r->end == REF_COMPLETE) {
			r->end = REF_ERROR;
			r->err = -EINVAL;
			return;
		}
		if (len - pos < 24)
			return;
		tag = get32(h) & 0xffff;
		flags = get32(h) >> 16;
		rlen = get32(h + 4);
		if (rlen > MVP_REC_MAX || get32(h + 20) != 0) {
			r->end = REF_ERROR;
			r->err = -EINVAL;
			return;
		}
		if (len - pos - 24 < rlen)
			return;
		if (fix && tag == MVP_REC_END && rlen == 24) {
			put64(h + 24, records);
			put64(h + 32, bytes);
			put32(h + 40, crc);
		}
		rcrc = crc32_le(hdr_crc(h, 24, 16), h + 24, rlen);
		if (fix)
			put32(h + 16, rcrc);
		if (get32(h + 16) != rcrc) {
			r->end = REF_ERROR;
			r->err = -EILSEQ;
			return;
		}
		if (tag == MVP_REC_END) {
			if (rlen != 24 || get64(h + 24) != records ||
			    get64(h + 32) != bytes || get32(h + 40) != crc) {
				r->end = REF_ERROR;
				r->err = -EILSEQ;
				return;
			}
			if (offload && !off_seen) {
				r->end = REF_ERROR;
				r->err = -EINVAL;
				return;
			}
			r->end = REF_COMPLETE;
		} else if (tag == MVP_REC_OFFLOAD) {
			if (!offload || off_seen || rlen != 48 ||
			    get64(h + 8) != 0) {
				r->end = REF_ERROR;
				r->err = -EINVAL;
				return;
			}
			off_seen = true;
		} else if (offload &&
			   (tag == MVP_REC_DATA || tag == MVP_REC_REGS)) {
			r->end = REF_ERROR;
			r->err = -EINVAL;
			return;
		} else if (tag == MVP_REC_DATA || tag == MVP_REC_REGS) {
			struct logged *l = &r->recs[r->n];

			if (r->n == MAX_RECS)
				abort();
			l->tag = tag;
			l->flags = flags;
			l->len = rlen;
			l->addr = get64(h + 8);
			l->crc = crc32_le(~0U, h + 24, rlen);
			if ((int)r->n++ == K.fail_at) {
				r->end = REF_ERROR;
				r->err = -EIO;
				return;
			}
		} else if (!(flags & MVP_REC_F_OPTIONAL)) {
			r->end = REF_ERROR;
			r->err = -EOPNOTSUPP;
			return;
		}
		crc = crc32_le(crc, h, 24 + rlen);
		bytes += 24 + rlen;
		records++;
		pos += 24 + rlen;
	}
}

/* ------------------------------------------------------------ resume */

/*
 * Write @p buf to a fresh resume file in pseudo-random pieces; return the
 * result of RESUMING -> STOP, or the sticky write error.
 */
static int
resume(const uint8_t *buf, size_t len, uint64_t *rng)
{
	struct mvp_device mvdev;
	struct mvp_migf *migf;
	struct file *f;
	ssize_t w;
	size_t off = 0, n;
	uint8_t *piece;
	int err = 0, ret;

	dev_init(&mvdev);
	K.nlog = 0;
	migf = mvp_resume_file_create(&mvdev);
	if (IS_ERR(migf))
		abort();
	f = migf->filp;
	while (off < len) {
		n = 1 + rng_next(rng) % 96;
		if ((rng_next(rng) & 7) == 0)
			n = 1 + rng_next(rng) % 8192;
		n = n < len - off ? n : len - off;
		/* exact-size copy: no over-read of a write goes unseen */
		piece = malloc(n);
		if (piece == NULL)
			abort();
		memcpy(piece, buf + off, n);
		w = f->f_op->write(f, (const char *)piece, n, NULL);
		free(piece);
		if (err != 0) {
			/* sticky, and the backend sees nothing more */
			if (w != err)
				abort();
		} else if (w < 0) {
			err = (int)w;
		} else if ((size_t)w != n) {
			abort();
		}
		off += n;
	}
	ret = mvp_resume_file_end(migf);
	if (err != 0 && ret != err)
		abort();
	file_release(migf);
	return ret;
}

static void
check_log(const struct logged *want, unsigned int n)
{
	unsigned int i;

	if (K.nlog != n)
		abort();
	for (i = 0; i < n; i++)
		if (memcmp(&K.log[i], &want[i], sizeof(want[i])) != 0)
			abort();
}

static void
run_raw(const uint8_t *hdr, const uint8_t *data, size_t len)
{
	uint64_t rng = get32(hdr + 4);
	struct ref *r = malloc(sizeof(*r));
	uint8_t *buf = malloc(len == 0 ? 1 : len);
	int ret;

	if (r == NULL || buf == NULL)
		abort();
	memcpy(buf, data, len);
	ref_parse(buf, len, hdr[0] & 1, r);
	ret = resume(buf, len, &rng);
	switch (r->end) {
	case REF_INCOMPLETE:
		if (ret != -EINVAL)
			abort();
		break;
	case REF_COMPLETE:
		if (ret != 0)
			abort();
		break;
	default:
		if (ret != r->err)
			abort();
		break;
	}
	check_log(r->recs, r->n);
	free(buf);
	free(r);
}

/* ------------------------------------------------------------- save */

/* the saved stream (static: a 4 MiB allocation per run costs more) */
static uint8_t stream_buf[STREAM_MAX];

struct saved {
	uint8_t *stream;
	size_t len;
	bool flipped;
};

static ssize_t
save_read(struct file *f, struct saved *s, size_t n, int *flip)
{
	uint8_t *piece;
	ssize_t r;

	if (n > STREAM_MAX - s->len)
		n = STREAM_MAX - s->len;
	piece = malloc(n == 0 ? 1 : n);
	if (piece == NULL)
		abort();
	r = f->f_op->read(f, (char *)piece, n, NULL);
	if (r > (ssize_t)n)
		abort();
	if (r > 0) {
		memcpy(s->stream + s->len, piece, (size_t)r);
		if (*flip >= 0) {
			s->stream[s->len] ^= (uint8_t)(1u << *flip);
			*flip = -1;
			s->flipped = true;
		}
		s->len += (size_t)r;
	}
	free(piece);
	return r;
}

/* Record operation @p op becomes pending. */
static void
script_add(uint8_t op)
{
	struct logged *l = &K.script[K.nscript];
	uint8_t x = op & 63;

	if (K.nscript == MAX_RECS)
		return;
	l->tag = (op >> 6) == 1 ? TAG_UNKNOWN :
		 (x & 1) ? MVP_REC_REGS : MVP_REC_DATA;
	l->flags = (op >> 6) == 1 ? MVP_REC_F_OPTIONAL : 0;
	l->len = 1 + 13u * x;
	l->addr = (u64)x << 12;
	K.nscript++;
}

/* Save the records of @p ops; the stream is left in @p s. */
static void
save(const uint8_t *hdr, const uint8_t *ops, size_t nops, struct saved *s)
{
	bool precopy = hdr[0] & 4, final = !precopy;
	uint64_t rng = get32(hdr + 4);
	struct mvp_device mvdev;
	struct mvp_migf *migf;
	struct file *f;
	int flip = -1;
	ssize_t r;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->stream = stream_buf;
	dev_init(&mvdev);
	K.nscript = 0;
	K.next = 0;
	migf = mvp_save_file_create(&mvdev, precopy);
	if (IS_ERR(migf))
		abort();
	f = migf->filp;
	if (final)
		mvp_save_file_final(migf);
	/* a stopped device has all its state pending from the start */
	for (i = 0; final && i < nops; i++)
		if ((ops[i] >> 6) < 2)
			script_add(ops[i]);
	for (i = 0; i < nops; i++) {
		uint8_t op = ops[i] >> 6, x = ops[i] & 63;

		switch (op) {
		case 0:
		case 1:
			if (!final)
				script_add(ops[i]);
			break;
		case 2:
			r = save_read(f, s, 1 + 37u * x, &flip);
			/* nothing now in PRE_COPY: the temporary end */
			if (r == -ENOMSG &&
			    (final || K.next != K.nscript ||
			     migf->buf_pos != migf->buf_len))
				abort();
			if (r < 0 && r != -ENOMSG)
				abort();
			/* 0 is the end, once the device stopped */
			if (r == 0 && !final && s->len != STREAM_MAX)
				abort();
			break;
		default:
			if (x & 1) {
				flip = (x >> 1) % 8;
			} else if (!final) {
				final = true;
				mvp_save_file_final(migf);
			}
			break;
		}
	}
	if (!final)
		mvp_save_file_final(migf);
	do {
		r = save_read(f, s, 1 + rng_next(&rng) % 4096, &flip);
		if (r < 0)
			abort();
	} while (r > 0 && s->len < STREAM_MAX);
	if (s->len < STREAM_MAX &&
	    f->f_op->read(f, (char *)s->stream, 1, NULL) != 0)
		abort();
	if (K.next != K.nscript)
		abort();
	file_release(migf);
}

static void
run_roundtrip(const uint8_t *hdr, const uint8_t *ops, size_t nops)
{
	struct logged want[MAX_RECS];
	uint64_t rng = get32(hdr + 4) ^ 0x5a5a;
	unsigned int i, n = 0;
	struct saved s;
	int ret;

	save(hdr, ops, nops, &s);
	if (s.len == STREAM_MAX)
		return;
	for (i = 0; i < K.nscript; i++) {
		uint8_t p[13 * 63 + 1];

		if (K.script[i].tag == TAG_UNKNOWN)
			continue;
		want[n] = K.script[i];
		payload_fill(p, i, K.script[i].len);
		want[n].crc = crc32_le(~0U, p, K.script[i].len);
		n++;
	}
	ret = resume(s.stream, s.len, &rng);
	if (s.flipped) {
		/* every byte is covered by a CRC */
		if (ret == 0)
			abort();
	} else if (K.fail_at >= 0 && (unsigned int)K.fail_at < n) {
		if (ret != -EIO)
			abort();
		check_log(want, (unsigned int)K.fail_at + 1);
	} else {
		if (ret != 0)
			abort();
		check_log(want, n);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HDR_BYTES];

	if (size < HDR_BYTES)
		return 0;
	memcpy(hdr, data, HDR_BYTES);
	memset(&K, 0, sizeof(K));
	K.state_size = hdr[2] | hdr[3] << 8;
	K.fail_at = (hdr[0] & 8) ? hdr[1] : -1;
	if (hdr[0] & 2)
		run_roundtrip(hdr, data + HDR_BYTES, size - HDR_BYTES);
	else
		run_raw(hdr, data + HDR_BYTES, size - HDR_BYTES);
	/* every file released its backend context */
	if (K.saves != 0 || K.loads != 0)
		abort();
	return 0;
}

#ifdef FUZZ_GEN
#include "fuzz_seeds.h"

/* A raw seed: the stream of a round trip of @p ops. */
static void
gen_raw(const char *name, const uint8_t *hdr, const uint8_t *ops,
	size_t nops)
{
	uint8_t *buf;
	struct saved s;

	memset(&K, 0, sizeof(K));
	K.state_size = hdr[2] | hdr[3] << 8;
	K.fail_at = -1;
	save(hdr, ops, nops, &s);
	buf = malloc(HDR_BYTES + s.len);
	if (buf == NULL)
		abort();
	memcpy(buf, hdr, HDR_BYTES);
	buf[0] &= (uint8_t)~2u;
	memcpy(buf + HDR_BYTES, s.stream, s.len);
	fuzz_seed_add(name, buf, HDR_BYTES + s.len);
	free(buf);
}

/* A raw seed: the data fd's stream in offload mode (header flag, record). */
static void
gen_offload(const char *name, const uint8_t *hdr)
{
	uint8_t buf[HDR_BYTES + MVP_OFF_STREAM_LEN];
	struct mvp_rec_offload r = {
		.token = cpu_to_le64(0x0ff10adULL),
		.vendor = cpu_to_le16(VENDOR),
		.device = cpu_to_le16(DEVICE),
		.state_size = cpu_to_le64(hdr[2] | hdr[3] << 8),
		.bytes = cpu_to_le64(8192),
		.digest = cpu_to_le64(0x12345678),
	};

	memcpy(buf, hdr, HDR_BYTES);
	mvp_offload_stream_fill(buf + HDR_BYTES, &r);
	fuzz_seed_add(name, buf, sizeof(buf));
}

static void
make(void)
{
	static const uint8_t stop[HDR_BYTES] = { 2, 0, 0, 0x10, 1, 2, 3, 4 };
	static const uint8_t pre[HDR_BYTES] = { 6, 0, 0, 0x10, 5, 6, 7, 8 };
	static const uint8_t fail[HDR_BYTES] = { 10, 1, 0, 0x10, 1, 1, 1, 1 };
	static const uint8_t fix[HDR_BYTES] = { 3, 0, 0, 0x10, 9, 9, 9, 9 };
	/* DATA, REGS, optional unknown, DATA */
	static const uint8_t recs[] = { 0x04, 0x03, 0x45, 0x3e };
	/* pre-copy: records, reads, -ENOMSG, more, stop */
	static const uint8_t precopy[] = {
		0x04, 0x9f, 0x9f, 0x9f, 0x02, 0x81, 0xc0, 0x9f,
	};
	/* a bit flipped in the record header of the REGS record */
	static const uint8_t flip[] = { 0x04, 0x81, 0x81, 0xc7, 0x03 };

	fuzz_seed_add_parts("rt-stop-copy", stop, HDR_BYTES, recs, sizeof(recs));
	fuzz_seed_add_parts("rt-pre-copy", pre, HDR_BYTES, precopy, sizeof(precopy));
	fuzz_seed_add_parts("rt-load-fails", fail, HDR_BYTES, recs, sizeof(recs));
	fuzz_seed_add_parts("rt-flip", stop, HDR_BYTES, flip, sizeof(flip));
	gen_raw("raw-stop-copy", stop, recs, sizeof(recs));
	gen_raw("raw-fixup", fix, recs, sizeof(recs));
	gen_raw("raw-empty-stream", stop, NULL, 0);
	gen_offload("raw-offload", fix);
}

FUZZ_SEEDS_MAIN(make)
#endif
