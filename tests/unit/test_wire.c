/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Wire format v1: frame codec (mig_wire.h) and session checker
 * (mig_wire_rx.h). No EAL.
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

#include <rte_hash_crc.h>
#include <rte_log.h>

#include "mig_crc.h"
#include "mig_log.h"
#include "mig_wire.h"
#include "mig_wire_rx.h"

#define BUF_MAX 8192

#define assert_err_contains(s)                                                 \
	do {                                                                   \
		if (strstr(mig_err_last(), (s)) == NULL)                       \
			fail_msg("last error \"%s\" lacks \"%s\"",             \
				 mig_err_last(), (s));                         \
	} while (0)

/* Bitwise CRC32C, independent of rte_hash_crc(). */
static uint32_t
ref_crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffff;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return ~crc;
}

static struct mig_wire_msg
mk_hello(uint8_t role, uint32_t dev_count)
{
	struct mig_wire_msg m;
	unsigned int i;

	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_HELLO;
	m.hello.version_min = 1;
	m.hello.version_max = 1;
	m.hello.role = role;
	m.hello.chunk_size = 4096;
	m.hello.features = MIG_WIRE_FEAT_ALL;
	m.hello.slot_count = 64;
	m.hello.dev_count = dev_count;
	m.hello.window = 256;
	for (i = 0; i < MIG_WIRE_NONCE_LEN; i++)
		m.hello.nonce[i] = (uint8_t)(i * 7 + 1);
	strcpy(m.hello.session, "sess-42");
	return m;
}

static struct mig_wire_msg
mk_desc(uint32_t dev_id, uint64_t caps)
{
	struct mig_wire_msg m;

	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_DEV_DESC;
	m.dev_desc.dev_id = dev_id;
	m.dev_desc.chunk_size = 4096;
	m.dev_desc.caps = caps;
	m.dev_desc.state_size = UINT64_C(5) << 32;
	snprintf(m.dev_desc.name, sizeof(m.dev_desc.name), "0000:3b:00.%u",
		 dev_id);
	strcpy(m.dev_desc.driver, "mlx5_vfio_pci");
	return m;
}

static struct mig_wire_msg
mk_simple(uint8_t type, uint32_t dev_id)
{
	struct mig_wire_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	switch (type) {
	case MIG_WIRE_T_AUTH:
		memset(m.auth.hmac, 0xa5, sizeof(m.auth.hmac));
		break;
	case MIG_WIRE_T_INIT_SENT:
		m.init_sent.dev_id = dev_id;
		m.init_sent.end_index = 3;
		break;
	case MIG_WIRE_T_SWITCHOVER_ACK:
		m.switchover_ack.dev_id = dev_id;
		break;
	case MIG_WIRE_T_CREDIT:
		m.credit.dev_id = dev_id;
		m.credit.credits = 16;
		break;
	case MIG_WIRE_T_DONE:
		m.done.dev_count = dev_id;
		break;
	case MIG_WIRE_T_KEEPALIVE:
		m.keepalive.seq = 40000 + dev_id;
		break;
	case MIG_WIRE_T_ABORT:
		m.abort.code = -EIO;
		m.abort.dev_id = dev_id;
		m.abort.step = MIG_WIRE_STEP_STOPCOPY;
		strcpy(m.abort.reason, "device 1: save failed: EIO");
		break;
	default:
		fail_msg("mk_simple: type %u", type);
	}
	return m;
}

/* CHUNK frame with its payload; returns the frame length. */
static size_t
chunk_frame(uint8_t *buf, size_t size, uint32_t dev, uint32_t flags,
	    uint64_t index, const void *payload, uint32_t len)
{
	struct mig_wire_chunk c = {
		.dev_id = dev,
		.flags = flags,
		.index = index,
		.length = len,
		.crc = mig_wire_crc32c(payload, len),
	};
	int n;

	assert_true(size >= MIG_WIRE_CHUNK_HDR_LEN + len);
	n = mig_wire_encode_chunk_hdr(buf, size, &c);
	assert_int_equal(n, MIG_WIRE_CHUNK_HDR_LEN);
	memcpy(buf + n, payload, len);
	return (size_t)n + len;
}

static size_t
enc(uint8_t *buf, const struct mig_wire_msg *m)
{
	int n = mig_wire_encode(buf, BUF_MAX, m);

	if (n <= 0)
		fail_msg("encode %s: %d (%s)", mig_wire_type_name(m->type), n,
			 mig_err_last());
	return (size_t)n;
}

/* Recompute the header CRC of an edited frame. */
static void
fix_hdr(uint8_t *frame)
{
	uint32_t crc = rte_cpu_to_le_32(ref_crc32c(frame, 20));

	memcpy(frame + 20, &crc, 4);
}

/* Recompute the body and header CRCs of an edited frame. */
static void
fix_crcs(uint8_t *frame)
{
	uint32_t blen, covered, crc;

	memcpy(&blen, frame + 8, 4);
	blen = rte_le_to_cpu_32(blen);
	covered = frame[5] == MIG_WIRE_T_CHUNK ? 24 : blen;
	crc = rte_cpu_to_le_32(ref_crc32c(frame + MIG_WIRE_HDR_LEN, covered));
	memcpy(frame + 12, &crc, 4);
	fix_hdr(frame);
}

/* Rewrite a frame header field and fix the header CRC. */
static void
patch_hdr(uint8_t *frame, size_t off, const void *val, size_t len)
{
	memcpy(frame + off, val, len);
	fix_hdr(frame);
}

/* Rewrite a body field and fix the body and header CRCs. */
static void
patch_body(uint8_t *frame, size_t off, const void *val, size_t len)
{
	memcpy(frame + MIG_WIRE_HDR_LEN + off, val, len);
	fix_crcs(frame);
}

/*
 * CRC
 */

static void
test_crc32c(void **state)
{
	static const char check[] = "123456789";
	uint8_t buf[1024 + 8];
	unsigned int i, off;
	uint32_t reg;

	(void)state;
	assert_int_equal(ref_crc32c(check, 9), 0xE3069283);
	assert_int_equal(mig_crc32c(check, 9), 0xE3069283);
	assert_int_equal(mig_wire_crc32c(check, 9), MIG_CRC32C_CHECK);
	/* the raw rte_hash_crc() register, as documented */
	assert_int_equal(~rte_hash_crc(check, 9, 0xffffffff), 0xE3069283);
	assert_int_equal(mig_crc32c(check, 0), 0);

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	/* every alignment and many lengths agree with the reference */
	for (off = 0; off < 8; off++)
		for (i = 0; i < 1024; i += 13)
			assert_int_equal(mig_crc32c(buf + off, i),
					 ref_crc32c(buf + off, i));
	/* incremental == one shot */
	reg = mig_crc32c_update(MIG_CRC32C_INIT, buf + 3, 100);
	reg = mig_crc32c_update(reg, buf + 103, 301);
	assert_int_equal(mig_crc32c_final(reg), ref_crc32c(buf + 3, 401));
}

/*
 * Codec
 */

static void
test_golden_credit(void **state)
{
	uint8_t want[] = {
		'M', 'I', 'G', 'W', 1, MIG_WIRE_T_CREDIT, 0, 0,
		8, 0, 0, 0, 0, 0, 0, 0, /* body_len, body_crc */
		0, 0, 0, 0, 0, 0, 0, 0, /* reserved, hdr_crc */
		3, 0, 0, 0, 0x10, 0x01, 0, 0, /* dev 3, 272 credits */
	};
	struct mig_wire_msg m = mk_simple(MIG_WIRE_T_CREDIT, 3);
	uint8_t buf[BUF_MAX];
	uint32_t crc;

	(void)state;
	crc = ref_crc32c(want + 24, 8);
	want[12] = crc & 0xff;
	want[13] = (crc >> 8) & 0xff;
	want[14] = (crc >> 16) & 0xff;
	want[15] = crc >> 24;
	crc = ref_crc32c(want, 20);
	want[20] = crc & 0xff;
	want[21] = (crc >> 8) & 0xff;
	want[22] = (crc >> 16) & 0xff;
	want[23] = crc >> 24;

	m.credit.credits = 272;
	assert_int_equal(enc(buf, &m), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* The CHUNK example of doc/wire-format.md, byte for byte. */
static void
test_golden_chunk(void **state)
{
	static const uint8_t frame[] = {
		0x4d, 0x49, 0x47, 0x57, 0x01, 0x04, 0x00, 0x00,
		0x21, 0x00, 0x00, 0x00, 0xec, 0x0b, 0xfb, 0x72,
		0x00, 0x00, 0x00, 0x00, 0xcc, 0x28, 0x4f, 0x9a,
		0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
		0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x09, 0x00, 0x00, 0x00, 0x83, 0x92, 0x06, 0xe3,
		'1', '2', '3', '4', '5', '6', '7', '8', '9',
	};
	struct mig_wire_chunk c = {
		.dev_id = 1, .flags = MIG_WIRE_CHUNK_F_STOPCOPY, .index = 5,
		.length = 9, .crc = 0xE3069283,
	};
	struct mig_wire_msg m;
	uint8_t buf[BUF_MAX];

	(void)state;
	assert_int_equal(mig_wire_decode(frame, sizeof(frame), &m, NULL),
			 sizeof(frame));
	assert_int_equal(m.type, MIG_WIRE_T_CHUNK);
	assert_int_equal(m.chunk.dev_id, 1);
	assert_int_equal(m.chunk.index, 5);
	assert_memory_equal(m.chunk.payload, "123456789", 9);
	assert_int_equal(mig_wire_encode_chunk_hdr(buf, sizeof(buf), &c),
			 MIG_WIRE_CHUNK_HDR_LEN);
	assert_memory_equal(buf, frame, MIG_WIRE_CHUNK_HDR_LEN);
}

static void
test_roundtrip_all(void **state)
{
	const uint8_t types[] = {
		MIG_WIRE_T_AUTH, MIG_WIRE_T_INIT_SENT,
		MIG_WIRE_T_SWITCHOVER_ACK, MIG_WIRE_T_CREDIT, MIG_WIRE_T_DONE,
		MIG_WIRE_T_ABORT, MIG_WIRE_T_KEEPALIVE,
	};
	struct mig_wire_msg in, out;
	struct mig_wire_hdr hdr;
	uint8_t buf[BUF_MAX], payload[777];
	size_t n;
	unsigned int i;

	(void)state;
	in = mk_hello(MIG_WIRE_ROLE_SOURCE, 7);
	n = enc(buf, &in);
	assert_int_equal(n, MIG_WIRE_HDR_LEN + 96);
	assert_int_equal(mig_wire_decode(buf, n, &out, NULL), n);
	assert_int_equal(out.type, MIG_WIRE_T_HELLO);
	assert_int_equal(out.hdr.body_len, 96);
	assert_int_equal(out.hello.version_min, 1);
	assert_int_equal(out.hello.version_max, 1);
	assert_int_equal(out.hello.role, MIG_WIRE_ROLE_SOURCE);
	assert_int_equal(out.hello.chunk_size, 4096);
	assert_int_equal(out.hello.features, MIG_WIRE_FEAT_ALL);
	assert_int_equal(out.hello.slot_count, 64);
	assert_int_equal(out.hello.dev_count, 7);
	assert_int_equal(out.hello.window, 256);
	assert_memory_equal(out.hello.nonce, in.hello.nonce,
			    MIG_WIRE_NONCE_LEN);
	assert_string_equal(out.hello.session, "sess-42");

	in = mk_desc(5, MIG_WIRE_CAP_ALL);
	n = enc(buf, &in);
	assert_int_equal(n, MIG_WIRE_HDR_LEN + 120);
	assert_int_equal(mig_wire_decode(buf, n, &out, NULL), n);
	assert_int_equal(out.type, MIG_WIRE_T_DEV_DESC);
	assert_int_equal(out.dev_desc.dev_id, 5);
	assert_int_equal(out.dev_desc.chunk_size, 4096);
	assert_int_equal(out.dev_desc.caps, MIG_WIRE_CAP_ALL);
	assert_int_equal(out.dev_desc.state_size, UINT64_C(5) << 32);
	assert_string_equal(out.dev_desc.name, "0000:3b:00.5");
	assert_string_equal(out.dev_desc.driver, "mlx5_vfio_pci");

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ 0x5a);
	n = chunk_frame(buf, sizeof(buf), 2, MIG_WIRE_CHUNK_F_STOPCOPY,
			UINT64_C(0x123456789a), payload, sizeof(payload));
	assert_int_equal(mig_wire_decode(buf, n, &out, NULL), n);
	assert_int_equal(out.type, MIG_WIRE_T_CHUNK);
	assert_int_equal(out.chunk.dev_id, 2);
	assert_int_equal(out.chunk.flags, MIG_WIRE_CHUNK_F_STOPCOPY);
	assert_int_equal(out.chunk.index, UINT64_C(0x123456789a));
	assert_int_equal(out.chunk.length, sizeof(payload));
	assert_int_equal(out.chunk.crc, ref_crc32c(payload, sizeof(payload)));
	/* zero copy: the payload pointer is inside the input */
	assert_ptr_equal(out.chunk.payload, buf + MIG_WIRE_CHUNK_HDR_LEN);

	/* the two-step path gives the same result */
	assert_int_equal(mig_wire_hdr_decode(buf, MIG_WIRE_HDR_LEN, &hdr, NULL),
			 0);
	assert_int_equal(hdr.type, MIG_WIRE_T_CHUNK);
	assert_int_equal(hdr.body_len, 24 + sizeof(payload));
	memset(&out, 0, sizeof(out));
	assert_int_equal(mig_wire_body_decode(&hdr, buf + MIG_WIRE_HDR_LEN,
					      hdr.body_len, &out, NULL), 0);
	assert_int_equal(out.chunk.index, UINT64_C(0x123456789a));

	in.type = MIG_WIRE_T_DEV_END;
	in.dev_end.dev_id = 9;
	in.dev_end.total_bytes = UINT64_C(5) << 32;
	in.dev_end.chunk_count = 1280;
	in.dev_end.digest = UINT64_C(0xfedcba9876543210);
	n = enc(buf, &in);
	assert_int_equal(mig_wire_decode(buf, n, &out, NULL), n);
	assert_int_equal(out.type, MIG_WIRE_T_DEV_END);
	assert_int_equal(out.dev_end.dev_id, 9);
	assert_int_equal(out.dev_end.total_bytes, UINT64_C(5) << 32);
	assert_int_equal(out.dev_end.chunk_count, 1280);
	assert_int_equal(out.dev_end.digest, UINT64_C(0xfedcba9876543210));

	for (i = 0; i < RTE_DIM(types); i++) {
		in = mk_simple(types[i], 1);
		n = enc(buf, &in);
		memset(&out, 0xee, sizeof(out));
		assert_int_equal(mig_wire_decode(buf, n, &out, NULL), n);
		assert_int_equal(out.type, types[i]);
		assert_int_equal(out.hdr.type, types[i]);
		switch (types[i]) {
		case MIG_WIRE_T_AUTH:
			assert_memory_equal(out.auth.hmac, in.auth.hmac, 32);
			break;
		case MIG_WIRE_T_INIT_SENT:
			assert_int_equal(out.init_sent.dev_id, 1);
			assert_int_equal(out.init_sent.end_index, 3);
			break;
		case MIG_WIRE_T_SWITCHOVER_ACK:
			assert_int_equal(out.switchover_ack.dev_id, 1);
			break;
		case MIG_WIRE_T_CREDIT:
			assert_int_equal(out.credit.dev_id, 1);
			assert_int_equal(out.credit.credits, 16);
			break;
		case MIG_WIRE_T_DONE:
			assert_int_equal(out.done.dev_count, 1);
			break;
		case MIG_WIRE_T_KEEPALIVE:
			assert_int_equal(out.keepalive.seq, 40001);
			assert_int_equal(out.hdr.body_len, 8);
			/* optional: a peer without it skips it */
			assert_int_equal(out.hdr.flags, MIG_WIRE_F_OPTIONAL);
			break;
		case MIG_WIRE_T_ABORT:
			assert_int_equal(out.abort.code, -EIO);
			assert_int_equal(out.abort.dev_id, 1);
			assert_int_equal(out.abort.step,
					 MIG_WIRE_STEP_STOPCOPY);
			assert_string_equal(out.abort.reason,
					    in.abort.reason);
			/* 16 + roundup(27 + 1, 8) */
			assert_int_equal(out.hdr.body_len, 16 + 32);
			break;
		}
		/* canonical: re-encoding gives the same bytes */
		{
			uint8_t again[BUF_MAX];

			assert_int_equal(enc(again, &out), n);
			assert_memory_equal(again, buf, n);
		}
	}
	assert_string_equal(mig_wire_type_name(MIG_WIRE_T_SWITCHOVER_ACK),
			    "SWITCHOVER_ACK");
	assert_string_equal(mig_wire_type_name(77), "UNKNOWN");
}

/* One frame of each kind, laid out back to back in @p buf. */
static size_t
all_frames(uint8_t *buf, size_t *ends, unsigned int *count)
{
	static const uint8_t payload[100] = { 1, 2, 3 };
	static const uint8_t opt_body[12] = { 9, 9, 9 };
	struct mig_wire_msg m;
	size_t off = 0;
	unsigned int k = 0;
	int n;

	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 2);
	off += enc(buf + off, &m);
	ends[k++] = off;
	m = mk_simple(MIG_WIRE_T_AUTH, 0);
	off += enc(buf + off, &m);
	ends[k++] = off;
	m = mk_desc(0, MIG_WIRE_CAP_STOP_COPY | MIG_WIRE_CAP_PRE_COPY);
	off += enc(buf + off, &m);
	ends[k++] = off;
	off += chunk_frame(buf + off, BUF_MAX - off, 0,
			   MIG_WIRE_CHUNK_F_PRECOPY, 0, payload,
			   sizeof(payload));
	ends[k++] = off;
	m = mk_simple(MIG_WIRE_T_INIT_SENT, 0);
	off += enc(buf + off, &m);
	ends[k++] = off;
	m = mk_simple(MIG_WIRE_T_SWITCHOVER_ACK, MIG_WIRE_DEV_ALL);
	off += enc(buf + off, &m);
	ends[k++] = off;
	m = mk_simple(MIG_WIRE_T_CREDIT, 0);
	off += enc(buf + off, &m);
	ends[k++] = off;
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_DEV_END;
	m.dev_end.total_bytes = 100;
	m.dev_end.chunk_count = 1;
	off += enc(buf + off, &m);
	ends[k++] = off;
	m = mk_simple(MIG_WIRE_T_DONE, 2);
	off += enc(buf + off, &m);
	ends[k++] = off;
	m = mk_simple(MIG_WIRE_T_ABORT, MIG_WIRE_DEV_NONE);
	off += enc(buf + off, &m);
	ends[k++] = off;
	n = mig_wire_encode_raw(buf + off, BUF_MAX - off, 200,
				MIG_WIRE_F_OPTIONAL, opt_body,
				sizeof(opt_body));
	assert_int_equal(n, MIG_WIRE_HDR_LEN + sizeof(opt_body));
	off += n;
	ends[k++] = off;
	*count = k;
	return off;
}

static void
test_stream_decode(void **state)
{
	uint8_t buf[BUF_MAX];
	size_t ends[16], off = 0, total;
	struct mig_wire_msg m;
	unsigned int count, k = 0;
	int n;

	(void)state;
	memset(&m, 0, sizeof(m));
	total = all_frames(buf, ends, &count);
	while (off < total) {
		n = mig_wire_decode(buf + off, total - off, &m, NULL);
		if (n <= 0)
			fail_msg("frame %u: %d (%s)", k, n, mig_err_last());
		off += n;
		assert_int_equal(off, ends[k]);
		k++;
	}
	assert_int_equal(k, count);
	/* the last one is the unknown optional frame: skipped */
	assert_int_equal(m.type, MIG_WIRE_T_NONE);
	assert_int_equal(m.hdr.type, 200);
}

static void
test_truncated(void **state)
{
	uint8_t buf[BUF_MAX];
	size_t ends[16], start = 0, len, cut;
	struct mig_wire_msg m;
	struct mig_wire_hdr hdr;
	unsigned int count, k;
	uint8_t *copy;
	int ret;

	(void)state;
	all_frames(buf, ends, &count);
	for (k = 0; k < count; start = ends[k], k++) {
		len = ends[k] - start;
		for (cut = 0; cut < len; cut++) {
			/* exact-size copy: an over-read would hit ASan */
			copy = malloc(cut + 1);
			assert_non_null(copy);
			memcpy(copy, buf + start, cut);
			memset(&m, 0, sizeof(m));
			ret = mig_wire_decode(copy, cut, &m, NULL);
			if (ret != -EAGAIN)
				fail_msg("frame %u cut at %zu of %zu: %d (%s)",
					 k, cut, len, ret, mig_err_last());
			if (cut >= MIG_WIRE_HDR_LEN) {
				/* header known: the caller learns the size */
				assert_int_equal(m.hdr.body_len,
						 len - MIG_WIRE_HDR_LEN);
				assert_int_equal(mig_wire_hdr_decode(copy, cut,
								     &hdr,
								     NULL), 0);
				assert_int_equal(mig_wire_body_decode(&hdr,
						copy + MIG_WIRE_HDR_LEN,
						cut - MIG_WIRE_HDR_LEN, &m,
						NULL), -EAGAIN);
			} else {
				assert_int_equal(mig_wire_hdr_decode(copy, cut,
								     &hdr,
								     NULL),
						 -EAGAIN);
			}
			free(copy);
		}
		assert_int_equal(mig_wire_decode(buf + start, len, &m, NULL),
				 len);
	}
}

static void
test_corrupted_every_bit(void **state)
{
	uint8_t buf[BUF_MAX], frame[BUF_MAX];
	size_t ends[16], start = 0, len, byte;
	struct mig_wire_msg m;
	unsigned int count, k, bit;
	int ret;

	(void)state;
	all_frames(buf, ends, &count);
	for (k = 0; k < count; start = ends[k], k++) {
		len = ends[k] - start;
		for (byte = 0; byte < len; byte++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(frame, buf + start, len);
				frame[byte] ^= 1u << bit;
				ret = mig_wire_decode(frame, len, &m, NULL);
				if (byte < 4)
					assert_int_equal(ret, -EPROTO);
				else if (ret != -EBADMSG)
					fail_msg("frame %u byte %zu bit %u: "
						 "%d", k, byte, bit, ret);
			}
		}
	}
}

static void
test_bad_header(void **state)
{
	struct mig_wire_msg m = mk_simple(MIG_WIRE_T_CREDIT, 0);
	uint8_t buf[BUF_MAX];
	struct mig_wire_hdr hdr;
	uint32_t v;
	uint16_t f;
	size_t n;

	(void)state;
	n = enc(buf, &m);
	memcpy(buf, "MIGX", 4);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EPROTO);
	assert_err_contains("bad frame magic 0x5847494d");

	n = enc(buf, &m);
	buf[4] = 2;
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EBADMSG);
	assert_err_contains("frame header CRC mismatch");
	patch_hdr(buf, 4, "\x02", 1);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EPROTONOSUPPORT);
	assert_err_contains("frame version 2 not supported");

	n = enc(buf, &m);
	f = rte_cpu_to_le_16(0x8000);
	patch_hdr(buf, 6, &f, 2);
	assert_int_equal(mig_wire_hdr_decode(buf, n, &hdr, NULL), -EINVAL);
	assert_err_contains("unknown header flags 0x8000");

	n = enc(buf, &m);
	v = rte_cpu_to_le_32(1);
	patch_hdr(buf, 16, &v, 4);
	assert_int_equal(mig_wire_hdr_decode(buf, n, &hdr, NULL), -EINVAL);
	assert_err_contains("reserved");

	n = enc(buf, &m);
	patch_hdr(buf, 5, "\x00", 1);
	assert_int_equal(mig_wire_hdr_decode(buf, n, &hdr, NULL), -EINVAL);

	/* fixed-size body with another length */
	n = enc(buf, &m);
	v = rte_cpu_to_le_32(16);
	patch_hdr(buf, 8, &v, 4);
	assert_int_equal(mig_wire_hdr_decode(buf, n, &hdr, NULL), -EMSGSIZE);
	assert_err_contains("CREDIT: body length 16, expected 8");

	/* body CRC */
	n = enc(buf, &m);
	buf[MIG_WIRE_HDR_LEN] ^= 0x40;
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EBADMSG);
	assert_err_contains("CREDIT frame: body CRC mismatch");
}

static void
test_oversized(void **state)
{
	struct mig_wire_limits lim = { .max_chunk = 8 << 20 };
	struct mig_wire_chunk c = {
		.dev_id = 3, .flags = MIG_WIRE_CHUNK_F_STOPCOPY,
		.length = 9000000,
	};
	struct mig_wire_msg m;
	struct mig_wire_hdr hdr;
	uint8_t buf[BUF_MAX];
	uint32_t v;
	size_t n;

	(void)state;
	/* a 9 MB chunk announced to a receiver limited to 8 MiB: refused
	 * from the header alone, before any body byte is needed */
	assert_int_equal(mig_wire_encode_chunk_hdr(buf, sizeof(buf), &c),
			 MIG_WIRE_CHUNK_HDR_LEN);
	assert_int_equal(mig_wire_hdr_decode(buf, MIG_WIRE_HDR_LEN, &hdr,
					     &lim), -EMSGSIZE);
	assert_err_contains("CHUNK: body length 9000024 exceeds limit 8388632");
	assert_int_equal(mig_wire_decode(buf, MIG_WIRE_CHUNK_HDR_LEN, &m,
					 &lim), -EMSGSIZE);
	/* default limits: accepted, body awaited */
	assert_int_equal(mig_wire_decode(buf, MIG_WIRE_CHUNK_HDR_LEN, &m,
					 NULL), -EAGAIN);
	assert_int_equal(m.hdr.body_len, 9000024);

	/* encoder refuses over the absolute cap */
	c.length = MIG_WIRE_CHUNK_MAX + 1;
	assert_int_equal(mig_wire_encode_chunk_hdr(buf, sizeof(buf), &c),
			 -EMSGSIZE);
	assert_string_equal(mig_err_last(), "wire: chunk for device 3: length "
			    "16777217 exceeds limit 16777216");

	/* a length of 4 GiB - 1 never wraps */
	m = mk_simple(MIG_WIRE_T_CREDIT, 0);
	n = enc(buf, &m);
	v = 0xffffffff;
	patch_hdr(buf, 8, &v, 4);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EMSGSIZE);
	buf[5] = MIG_WIRE_T_CHUNK;
	fix_hdr(buf);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EMSGSIZE);
	buf[5] = MIG_WIRE_T_HELLO;
	fix_hdr(buf);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EMSGSIZE);
	assert_err_contains("HELLO: body length 4294967295 out of range "
			    "[96, 1024]");

	/* chunk length field disagreeing with the frame */
	{
		uint8_t payload[64] = { 0 };

		n = chunk_frame(buf, sizeof(buf), 1, MIG_WIRE_CHUNK_F_STOPCOPY,
				0, payload, sizeof(payload));
		v = rte_cpu_to_le_32(65);
		patch_body(buf, 16, &v, 4);
		assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EMSGSIZE);
		assert_err_contains("length 65 does not match the frame (64");
		v = rte_cpu_to_le_32(63);
		patch_body(buf, 16, &v, 4);
		assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EMSGSIZE);
		assert_err_contains("length 63 does not match the frame (64");
	}

	/* an unknown optional frame is bounded too */
	{
		static uint8_t big[MIG_WIRE_DEF_MAX_OPTIONAL + 1];
		uint8_t *f = malloc(sizeof(big) + MIG_WIRE_HDR_LEN);

		assert_non_null(f);
		assert_int_equal(mig_wire_encode_raw(f, sizeof(big) +
						     MIG_WIRE_HDR_LEN, 99,
						     MIG_WIRE_F_OPTIONAL, big,
						     sizeof(big)),
				 sizeof(big) + MIG_WIRE_HDR_LEN);
		assert_int_equal(mig_wire_hdr_decode(f, MIG_WIRE_HDR_LEN, &hdr,
						     NULL), -EMSGSIZE);
		free(f);
	}
}

static void
test_payload_crc(void **state)
{
	uint8_t payload[300], buf[BUF_MAX];
	struct mig_wire_msg m;
	size_t n;

	(void)state;
	memset(payload, 0x77, sizeof(payload));
	n = chunk_frame(buf, sizeof(buf), 4, MIG_WIRE_CHUNK_F_PRECOPY, 17,
			payload, sizeof(payload));
	buf[n - 1] ^= 0x01;
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EBADMSG);
	assert_err_contains("chunk for device 4 index 17: payload CRC "
			    "mismatch");
}

static void
test_unknown_types(void **state)
{
	const uint8_t body[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct mig_wire_msg m;
	uint8_t buf[BUF_MAX];
	int n;

	(void)state;
	n = mig_wire_encode_raw(buf, sizeof(buf), 42, MIG_WIRE_F_OPTIONAL,
				body, sizeof(body));
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), n);
	assert_int_equal(m.type, MIG_WIRE_T_NONE);
	assert_int_equal(m.hdr.type, 42);

	n = mig_wire_encode_raw(buf, sizeof(buf), 42, 0, body, sizeof(body));
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EPROTONOSUPPORT);
	assert_string_equal(mig_err_last(),
			    "wire: unknown mandatory frame type 42");

	/* a known type marked optional is still decoded and checked */
	n = mig_wire_encode_raw(buf, sizeof(buf), MIG_WIRE_T_CREDIT,
				MIG_WIRE_F_OPTIONAL, body, sizeof(body));
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("device id 67305985 exceeds limit 255");

	assert_int_equal(mig_wire_encode_raw(buf, sizeof(buf), 0, 0, NULL, 0),
			 -EINVAL);
}

/*
 * The encoder writes the flags mig_wire_type_flags() names, and a known
 * type is accepted with or without OPTIONAL (fuzz_wire's regression
 * inputs: a KEEPALIVE sent without it).
 */
static void
test_type_flags(void **state)
{
	const uint8_t types[] = {
		MIG_WIRE_T_AUTH, MIG_WIRE_T_INIT_SENT,
		MIG_WIRE_T_SWITCHOVER_ACK, MIG_WIRE_T_CREDIT, MIG_WIRE_T_DONE,
		MIG_WIRE_T_ABORT, MIG_WIRE_T_KEEPALIVE,
	};
	struct mig_wire_msg in, out;
	uint8_t buf[BUF_MAX], body[BUF_MAX];
	unsigned int i;
	size_t n;

	(void)state;
	assert_int_equal(mig_wire_type_flags(MIG_WIRE_T_KEEPALIVE),
			 MIG_WIRE_F_OPTIONAL);
	for (i = 0; i < RTE_DIM(types); i++) {
		in = mk_simple(types[i], 1);
		n = enc(buf, &in);
		assert_int_equal(mig_wire_decode(buf, n, &out, NULL), n);
		assert_int_equal(out.hdr.flags, mig_wire_type_flags(types[i]));
	}
	in = mk_simple(MIG_WIRE_T_KEEPALIVE, 1);
	n = enc(buf, &in) - MIG_WIRE_HDR_LEN;
	memcpy(body, buf + MIG_WIRE_HDR_LEN, n);
	n = mig_wire_encode_raw(buf, sizeof(buf), MIG_WIRE_T_KEEPALIVE, 0,
				body, n);
	assert_int_equal(mig_wire_decode(buf, n, &out, NULL), n);
	assert_int_equal(out.type, MIG_WIRE_T_KEEPALIVE);
	assert_int_equal(out.hdr.flags, 0);
	assert_int_equal(out.keepalive.seq, 40001);
}

static void
test_strings(void **state)
{
	struct mig_wire_dev_desc_le w;
	struct mig_wire_msg m;
	uint8_t buf[BUF_MAX];
	size_t n;

	(void)state;
	/* name filling its 64 bytes: no terminating NUL */
	m = mk_desc(1, MIG_WIRE_CAP_STOP_COPY);
	n = enc(buf, &m);
	memset(buf + MIG_WIRE_HDR_LEN + offsetof(struct mig_wire_dev_desc_le,
						 name), 'A', sizeof(w.name));
	fix_crcs(buf);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_string_equal(mig_err_last(), "wire: DEV_DESC for device 1: "
			    "name: not NUL-terminated within 64 bytes");

	/* garbage after the NUL */
	m = mk_desc(1, MIG_WIRE_CAP_STOP_COPY);
	n = enc(buf, &m);
	patch_body(buf, offsetof(struct mig_wire_dev_desc_le, driver) + 31 - 1,
		   "x", 1);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("driver: non-zero byte at offset 30");

	/* empty name */
	m = mk_desc(1, MIG_WIRE_CAP_STOP_COPY);
	m.dev_desc.name[0] = '\0';
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);
	m = mk_desc(1, MIG_WIRE_CAP_STOP_COPY);
	n = enc(buf, &m);
	memset(buf + MIG_WIRE_HDR_LEN + 24, 0, 64);
	fix_crcs(buf);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("name: empty");

	/* the encoder refuses an unterminated host string */
	m = mk_desc(1, MIG_WIRE_CAP_STOP_COPY);
	memset(m.dev_desc.driver, 'd', sizeof(m.dev_desc.driver));
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);
	m = mk_hello(MIG_WIRE_ROLE_DEST, 1);
	memset(m.hello.session, 's', sizeof(m.hello.session));
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);

	/* HELLO session unterminated on the wire */
	m = mk_hello(MIG_WIRE_ROLE_DEST, 1);
	n = enc(buf, &m);
	memset(buf + MIG_WIRE_HDR_LEN + 64, 'z', 32);
	fix_crcs(buf);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("HELLO session: not NUL-terminated");

	/* ABORT: reason truncated to 199 chars by the encoder */
	m = mk_simple(MIG_WIRE_T_ABORT, 0);
	memset(m.abort.reason, 'r', sizeof(m.abort.reason));
	n = enc(buf, &m);
	assert_int_equal(n, MIG_WIRE_HDR_LEN + 16 + 200);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), n);
	assert_int_equal(strlen(m.abort.reason), 199);
	/* ... and refused without a NUL on the wire */
	patch_body(buf, 16 + 199, "r", 1);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("ABORT reason: not NUL-terminated within 200");

	/* ABORT with an over-long zero padding is not canonical */
	{
		uint8_t body[16 + 16] = { 0 };
		int32_t code = rte_cpu_to_le_32((uint32_t)-EIO);

		memcpy(body, &code, 4);
		memcpy(body + 16, "abc", 3);
		n = mig_wire_encode_raw(buf, sizeof(buf), MIG_WIRE_T_ABORT, 0,
					body, sizeof(body));
		assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
		assert_err_contains("reason area of 16 bytes for a 3 byte "
				    "reason");
	}
}

static void
test_field_values(void **state)
{
	struct mig_wire_msg m;
	uint8_t buf[BUF_MAX];
	uint64_t v64;
	uint32_t v;
	size_t n;

	(void)state;
	/* reserved must be zero */
	m = mk_simple(MIG_WIRE_T_INIT_SENT, 0);
	n = enc(buf, &m);
	v = 1;
	patch_body(buf, 4, &v, 4);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("INIT_SENT: reserved field is 0x1, must be 0");

	/* chunk with both phases */
	{
		uint8_t p[8] = { 0 };

		n = chunk_frame(buf, sizeof(buf), 0, MIG_WIRE_CHUNK_F_PRECOPY,
				0, p, sizeof(p));
		v = rte_cpu_to_le_32(3);
		patch_body(buf, 4, &v, 4);
		assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
		assert_err_contains("bad flags 0x3");
	}

	/* capabilities without STOP_COPY */
	m = mk_desc(0, MIG_WIRE_CAP_PRE_COPY);
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);
	m = mk_desc(0, MIG_WIRE_CAP_STOP_COPY);
	n = enc(buf, &m);
	v64 = rte_cpu_to_le_64(UINT64_C(0x11));
	patch_body(buf, 8, &v64, 8);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("bad capabilities 0x11");

	/* HELLO role and version range */
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 1);
	n = enc(buf, &m);
	patch_body(buf, 2, "\x03", 1);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("HELLO: bad role 3");
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 1);
	m.hello.version_min = 3;
	m.hello.version_max = 2;
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 1);
	m.hello.dev_count = 300;
	n = enc(buf, &m); /* under the absolute cap ... */
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), -EINVAL);
	assert_err_contains("device count 300 exceeds limit 256");

	/* ABORT code must be a negative errno */
	m = mk_simple(MIG_WIRE_T_ABORT, 0);
	m.abort.code = 5;
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);

	/* DEV_END that no chunk sequence can produce */
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_DEV_END;
	m.dev_end.total_bytes = 10;
	m.dev_end.chunk_count = 11;
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);
	m.dev_end.total_bytes = UINT64_C(1) << 40;
	m.dev_end.chunk_count = 1;
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);
	assert_err_contains("1099511627776 bytes cannot be carried by 1");

	/* CREDIT of zero */
	m = mk_simple(MIG_WIRE_T_CREDIT, 0);
	m.credit.credits = 0;
	assert_int_equal(mig_wire_encode(buf, sizeof(buf), &m), -EINVAL);
}

static void
test_enospc(void **state)
{
	struct mig_wire_msg m = mk_desc(0, MIG_WIRE_CAP_STOP_COPY);
	struct mig_wire_chunk c = {
		.flags = MIG_WIRE_CHUNK_F_STOPCOPY, .length = 10,
	};
	uint8_t buf[BUF_MAX];
	size_t need, sz;

	(void)state;
	need = enc(buf, &m);
	for (sz = 0; sz < need; sz++)
		assert_int_equal(mig_wire_encode(buf, sz, &m), -ENOSPC);
	for (sz = 0; sz < MIG_WIRE_CHUNK_HDR_LEN; sz++)
		assert_int_equal(mig_wire_encode_chunk_hdr(buf, sz, &c),
				 -ENOSPC);
	assert_int_equal(mig_wire_encode_raw(buf, MIG_WIRE_HDR_LEN + 3, 50, 0,
					     buf, 4), -ENOSPC);
}

static void
test_hello_negotiation(void **state)
{
	struct mig_wire_msg a = mk_hello(MIG_WIRE_ROLE_SOURCE, 1);
	struct mig_wire_msg b = mk_hello(MIG_WIRE_ROLE_DEST, 1);
	uint8_t buf[BUF_MAX], ext[96 + 40];
	struct mig_wire_msg m;
	uint64_t feat;
	uint8_t ver;
	int n;

	(void)state;
	a.hello.version_max = 3;
	a.hello.features = MIG_WIRE_FEAT_AUTH | MIG_WIRE_FEAT_PRECOPY |
		(UINT64_C(1) << 60);
	b.hello.version_min = 1;
	b.hello.version_max = 2;
	b.hello.features = MIG_WIRE_FEAT_PRECOPY | MIG_WIRE_FEAT_CREDIT |
		(UINT64_C(1) << 60);
	assert_int_equal(mig_wire_negotiate(&a.hello, &b.hello, &ver, &feat),
			 0);
	assert_int_equal(ver, 2);
	assert_int_equal(feat, MIG_WIRE_FEAT_PRECOPY | (UINT64_C(1) << 60));
	b.hello.version_min = 4;
	b.hello.version_max = 5;
	assert_int_equal(mig_wire_negotiate(&a.hello, &b.hello, &ver, &feat),
			 -EPROTONOSUPPORT);
	assert_err_contains("no common protocol version");

	/* a later version's longer HELLO: the v1 part is used */
	n = (int)enc(buf, &a);
	memcpy(ext, buf + MIG_WIRE_HDR_LEN, 96);
	memset(ext + 96, 0xcc, 40);
	n = mig_wire_encode_raw(buf, sizeof(buf), MIG_WIRE_T_HELLO, 0, ext,
				sizeof(ext));
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), n);
	assert_int_equal(m.hello.version_max, 3);
	assert_int_equal(m.hello.features, a.hello.features);
}

/*
 * Session checker
 */

#define DEV_PRE 0  /* STOP_COPY | PRE_COPY */
#define DEV_STOP 1 /* STOP_COPY only */

static uint64_t g_digest[2];
static uint64_t g_bytes[2];

/* Decode an encoded message and feed it: the checker sees real frames. */
static int
feed(struct mig_wire_rx *rx, const struct mig_wire_msg *in)
{
	uint8_t buf[BUF_MAX];
	struct mig_wire_msg m;
	size_t n = enc(buf, in);

	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), n);
	return mig_wire_rx_feed(rx, &m);
}

/* Test chunks carry (index + 1) in every byte. */
static void
fill_payload(uint8_t *p, uint64_t index, uint32_t len)
{
	memset(p, (int)((index + 1) & 0xff), len);
}

/* Account a chunk in the totals the next feed_end() announces. */
static void
expect_chunk(uint32_t dev, uint64_t index, uint32_t len)
{
	uint8_t payload[BUF_MAX];

	fill_payload(payload, index, len);
	g_digest[dev] = mig_wire_digest_add(g_digest[dev], index, len,
					    ref_crc32c(payload, len));
	g_bytes[dev] += len;
}

/* Feed a chunk without accounting it. */
static int
feed_chunk_raw(struct mig_wire_rx *rx, uint32_t dev, uint32_t flags,
	       uint64_t index, uint32_t len)
{
	uint8_t buf[BUF_MAX], payload[BUF_MAX];
	struct mig_wire_msg m;
	size_t n;

	fill_payload(payload, index, len);
	n = chunk_frame(buf, sizeof(buf), dev, flags, index, payload, len);
	assert_int_equal(mig_wire_decode(buf, n, &m, NULL), n);
	return mig_wire_rx_feed(rx, &m);
}

/* Feed a chunk and, when accepted, account it. */
static int
feed_chunk(struct mig_wire_rx *rx, uint32_t dev, uint32_t flags,
	   uint64_t index, uint32_t len)
{
	int ret = feed_chunk_raw(rx, dev, flags, index, len);

	if (ret >= 0 && dev < 2)
		expect_chunk(dev, index, len);
	return ret;
}

static int
feed_end(struct mig_wire_rx *rx, uint32_t dev, uint64_t chunks)
{
	struct mig_wire_msg m;

	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_DEV_END;
	m.dev_end.dev_id = dev;
	m.dev_end.total_bytes = g_bytes[dev];
	m.dev_end.chunk_count = chunks;
	m.dev_end.digest = g_digest[dev];
	return feed(rx, &m);
}

/* Destination checker after HELLO, AUTH and both DEV_DESCs; window 8. */
static void
rx_setup(struct mig_wire_rx *rx)
{
	const struct mig_wire_limits lim = { .window = 8 };
	struct mig_wire_msg m;

	memset(g_digest, 0, sizeof(g_digest));
	memset(g_bytes, 0, sizeof(g_bytes));
	assert_int_equal(mig_wire_rx_init(rx, MIG_WIRE_ROLE_DEST,
					  MIG_WIRE_FEAT_ALL, &lim), 0);
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 2);
	assert_int_equal(feed(rx, &m), 0);
	m = mk_simple(MIG_WIRE_T_AUTH, 0);
	assert_int_equal(feed(rx, &m), 0);
	m = mk_desc(DEV_PRE, MIG_WIRE_CAP_STOP_COPY | MIG_WIRE_CAP_PRE_COPY);
	assert_int_equal(feed(rx, &m), 0);
	m = mk_desc(DEV_STOP, MIG_WIRE_CAP_STOP_COPY);
	assert_int_equal(feed(rx, &m), 0);
}

static void
test_rx_session(void **state)
{
	struct mig_wire_rx rx;
	struct mig_wire_msg m;
	const struct mig_wire_rx_dev *d;
	uint64_t i;

	(void)state;
	rx_setup(&rx);
	for (i = 0; i < 3; i++)
		assert_int_equal(feed_chunk(&rx, DEV_PRE,
					    MIG_WIRE_CHUNK_F_PRECOPY, i, 100),
				 0);
	m = mk_simple(MIG_WIRE_T_INIT_SENT, DEV_PRE);
	assert_int_equal(feed(&rx, &m), 0);
	for (i = 3; i < 20; i++)
		assert_int_equal(feed_chunk(&rx, DEV_PRE,
					    MIG_WIRE_CHUNK_F_STOPCOPY, i,
					    (uint32_t)(50 + i)), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(feed_chunk(&rx, DEV_STOP,
					    MIG_WIRE_CHUNK_F_STOPCOPY, i, 4096),
				 0);
	/* unknown optional frames are transparent */
	memset(&m, 0, sizeof(m));
	assert_int_equal(mig_wire_rx_feed(&rx, &m), 0);
	/* finish() is a non-destructive check */
	assert_int_equal(mig_wire_rx_finish(&rx), -EPROTO);
	assert_err_contains("device 0: no DEV_END (20 chunks");

	assert_int_equal(feed_end(&rx, DEV_PRE, 20), MIG_WIRE_RX_DEV_DONE);
	assert_int_equal(feed_end(&rx, DEV_STOP, 5), MIG_WIRE_RX_DEV_DONE);
	d = mig_wire_rx_dev(&rx, DEV_PRE);
	assert_non_null(d);
	assert_int_equal(d->next_index, 20);
	assert_int_equal(d->init_end, 3);
	assert_int_equal(d->bytes, g_bytes[DEV_PRE]);
	assert_true(d->flags & MIG_WIRE_RX_DEV_COMPLETE);
	assert_null(mig_wire_rx_dev(&rx, 2));
	assert_int_equal(rx.complete, 2);
	assert_int_equal(mig_wire_rx_finish(&rx), 0);
	mig_wire_rx_fini(&rx);

	/* the source side: acks, credits, DONE */
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_SOURCE,
					  MIG_WIRE_FEAT_SWITCHOVER_ACK |
					  MIG_WIRE_FEAT_CREDIT, NULL), 0);
	m = mk_hello(MIG_WIRE_ROLE_DEST, 2);
	assert_int_equal(feed(&rx, &m), 0);
	/* AUTH not negotiated (the source did not offer it) */
	m = mk_simple(MIG_WIRE_T_CREDIT, MIG_WIRE_DEV_ALL);
	assert_int_equal(feed(&rx, &m), 0);
	m = mk_simple(MIG_WIRE_T_SWITCHOVER_ACK, 1);
	assert_int_equal(feed(&rx, &m), 0);
	m = mk_simple(MIG_WIRE_T_SWITCHOVER_ACK, 0);
	assert_int_equal(feed(&rx, &m), 0);
	assert_int_equal(mig_wire_rx_finish(&rx), -EPROTO);
	assert_err_contains("session ended before DONE");
	m = mk_simple(MIG_WIRE_T_DONE, 2);
	assert_int_equal(feed(&rx, &m), 0);
	assert_int_equal(mig_wire_rx_finish(&rx), 0);
	m = mk_simple(MIG_WIRE_T_CREDIT, 0);
	assert_int_equal(feed(&rx, &m), -EPROTO);
	assert_err_contains("CREDIT after DONE");
	mig_wire_rx_fini(&rx);

	/* duplicate acknowledgement */
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_SOURCE,
					  MIG_WIRE_FEAT_SWITCHOVER_ACK, NULL),
			 0);
	m = mk_hello(MIG_WIRE_ROLE_DEST, 2);
	assert_int_equal(feed(&rx, &m), 0);
	m = mk_simple(MIG_WIRE_T_SWITCHOVER_ACK, 1);
	assert_int_equal(feed(&rx, &m), 0);
	assert_int_equal(feed(&rx, &m), -EEXIST);
	assert_err_contains("duplicate SWITCHOVER_ACK for device 1");
	mig_wire_rx_fini(&rx);

	/* CREDIT not negotiated */
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_SOURCE, 0, NULL),
			 0);
	m = mk_hello(MIG_WIRE_ROLE_DEST, 2);
	assert_int_equal(feed(&rx, &m), 0);
	m = mk_simple(MIG_WIRE_T_CREDIT, 1);
	assert_int_equal(feed(&rx, &m), -EPROTO);
	assert_err_contains("credit flow control was not negotiated");
	mig_wire_rx_fini(&rx);
}

static void
test_rx_reorder_window(void **state)
{
	static const uint64_t order[] = { 3, 1, 0, 2, 7, 4, 6, 5, 10, 8, 9,
					  14, 11, 13, 12, 15 };
	struct mig_wire_rx rx;
	const struct mig_wire_rx_dev *d;
	unsigned int k;

	(void)state;
	rx_setup(&rx);
	d = mig_wire_rx_dev(&rx, DEV_STOP);
	for (k = 0; k < RTE_DIM(order); k++)
		assert_int_equal(feed_chunk(&rx, DEV_STOP,
					    MIG_WIRE_CHUNK_F_STOPCOPY,
					    order[k], 10), 0);
	assert_int_equal(d->next_index, 16);
	assert_int_equal(d->chunks, 16);
	/* next expected 16, window 8: 23 is the last acceptable index */
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    23, 10), 0);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    24, 10), -ERANGE);
	assert_string_equal(mig_err_last(), "wire: chunk for device 1: index "
			    "24 beyond the reorder window (next expected 16, "
			    "window 8)");
	/* sticky */
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    16, 10), -ERANGE);
	mig_wire_rx_fini(&rx);

	/* far ahead from the start */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    UINT64_C(1) << 40, 10), -ERANGE);
	mig_wire_rx_fini(&rx);
}

static void
test_rx_duplicates(void **state)
{
	struct mig_wire_rx rx;
	struct mig_wire_msg m;

	(void)state;
	/* below the window */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 10), 0);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 10), -EEXIST);
	assert_string_equal(mig_err_last(),
			    "wire: chunk for device 1: duplicate index 0");
	mig_wire_rx_fini(&rx);

	/* inside the window */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    5, 10), 0);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    5, 10), -EEXIST);
	mig_wire_rx_fini(&rx);

	/* duplicate control frames */
	rx_setup(&rx);
	m = mk_desc(DEV_STOP, MIG_WIRE_CAP_STOP_COPY);
	assert_int_equal(feed(&rx, &m), -EEXIST);
	assert_err_contains("duplicate DEV_DESC for device 1");
	mig_wire_rx_fini(&rx);

	rx_setup(&rx);
	m = mk_simple(MIG_WIRE_T_INIT_SENT, DEV_PRE);
	assert_int_equal(feed(&rx, &m), 0);
	assert_int_equal(feed(&rx, &m), -EEXIST);
	mig_wire_rx_fini(&rx);

	rx_setup(&rx);
	assert_int_equal(feed_end(&rx, DEV_STOP, 0), MIG_WIRE_RX_DEV_DONE);
	assert_int_equal(feed_end(&rx, DEV_STOP, 0), -EEXIST);
	mig_wire_rx_fini(&rx);

	rx_setup(&rx);
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 2);
	assert_int_equal(feed(&rx, &m), -EEXIST);
	mig_wire_rx_fini(&rx);

	rx_setup(&rx);
	m = mk_simple(MIG_WIRE_T_AUTH, 0);
	assert_int_equal(feed(&rx, &m), -EEXIST);
	mig_wire_rx_fini(&rx);
}

static void
test_rx_order(void **state)
{
	struct mig_wire_rx rx;
	struct mig_wire_msg m;

	(void)state;
	/* anything before HELLO */
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_DEST,
					  MIG_WIRE_FEAT_ALL, NULL), 0);
	m = mk_desc(0, MIG_WIRE_CAP_STOP_COPY);
	assert_int_equal(feed(&rx, &m), -EPROTO);
	assert_string_equal(mig_err_last(), "wire: DEV_DESC before HELLO");
	mig_wire_rx_fini(&rx);

	/* AUTH negotiated: required next */
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_DEST,
					  MIG_WIRE_FEAT_ALL, NULL), 0);
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 1);
	assert_int_equal(feed(&rx, &m), 0);
	m = mk_desc(0, MIG_WIRE_CAP_STOP_COPY);
	assert_int_equal(feed(&rx, &m), -EPROTO);
	assert_err_contains("DEV_DESC before AUTH");
	mig_wire_rx_fini(&rx);

	/* a HELLO from the same role */
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_DEST, 0, NULL),
			 0);
	m = mk_hello(MIG_WIRE_ROLE_DEST, 1);
	assert_int_equal(feed(&rx, &m), -EPROTO);
	mig_wire_rx_fini(&rx);

	/* wrong direction: a destination never receives CREDIT */
	rx_setup(&rx);
	m = mk_simple(MIG_WIRE_T_CREDIT, 0);
	assert_int_equal(feed(&rx, &m), -EPROTO);
	assert_err_contains("CREDIT received from the source");
	mig_wire_rx_fini(&rx);

	/* chunk before DEV_DESC */
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_DEST, 0, NULL),
			 0);
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 2);
	assert_int_equal(feed(&rx, &m), 0);
	m = mk_desc(0, MIG_WIRE_CAP_STOP_COPY);
	assert_int_equal(feed(&rx, &m), 0);
	assert_int_equal(feed_chunk(&rx, 1, MIG_WIRE_CHUNK_F_STOPCOPY, 0, 8),
			 -EPROTO);
	assert_string_equal(mig_err_last(),
			    "wire: chunk for device 1 before its DEV_DESC");
	mig_wire_rx_fini(&rx);

	/* device id beyond the declared count */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, 2, MIG_WIRE_CHUNK_F_STOPCOPY, 0, 8),
			 -ERANGE);
	assert_err_contains("device id beyond the 2 declared devices");
	mig_wire_rx_fini(&rx);

	/* INIT_SENT / pre-copy chunk for a device without PRE_COPY */
	rx_setup(&rx);
	m = mk_simple(MIG_WIRE_T_INIT_SENT, DEV_STOP);
	assert_int_equal(feed(&rx, &m), -EPROTO);
	assert_err_contains("the device lacks PRE_COPY");
	mig_wire_rx_fini(&rx);
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_PRECOPY, 0,
				    8), -EPROTO);
	mig_wire_rx_fini(&rx);

	/* phases are ordered by index */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_PRE, MIG_WIRE_CHUNK_F_STOPCOPY, 2,
				    8), 0);
	assert_int_equal(feed_chunk(&rx, DEV_PRE, MIG_WIRE_CHUNK_F_PRECOPY, 3,
				    8), -EPROTO);
	assert_err_contains("after stop-copy chunk 2");
	mig_wire_rx_fini(&rx);
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_PRE, MIG_WIRE_CHUNK_F_STOPCOPY, 1,
				    8), 0);
	m = mk_simple(MIG_WIRE_T_INIT_SENT, DEV_PRE); /* end_index 3 */
	assert_int_equal(feed(&rx, &m), -EPROTO);
	mig_wire_rx_fini(&rx);

	/* chunk larger than the device's chunk size */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 4097), -EMSGSIZE);
	assert_err_contains("length 4097 exceeds the device chunk size 4096");
	mig_wire_rx_fini(&rx);

	/* ABORT: nothing after it, finish() reports it */
	rx_setup(&rx);
	m = mk_simple(MIG_WIRE_T_ABORT, 1);
	assert_int_equal(feed(&rx, &m), 0);
	assert_int_equal(mig_wire_rx_finish(&rx), -ECONNABORTED);
	assert_err_contains("peer aborted device 1 at step stop-copy: "
			    "device 1: save failed: EIO");
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 8), -EPROTO);
	assert_err_contains("CHUNK after the peer's ABORT");
	mig_wire_rx_fini(&rx);
}

static void
test_rx_dev_end(void **state)
{
	struct mig_wire_rx rx;
	struct mig_wire_msg m;
	uint64_t i;

	(void)state;
	/* chunk after a completed DEV_END */
	rx_setup(&rx);
	for (i = 0; i < 3; i++)
		assert_int_equal(feed_chunk(&rx, DEV_STOP,
					    MIG_WIRE_CHUNK_F_STOPCOPY, i, 10),
				 0);
	assert_int_equal(feed_end(&rx, DEV_STOP, 3), MIG_WIRE_RX_DEV_DONE);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    3, 10), -EPROTO);
	assert_string_equal(mig_err_last(), "wire: chunk for device 1 index 3"
			    " after its DEV_END (stream complete)");
	mig_wire_rx_fini(&rx);

	/* DEV_END overtaking its last chunks (sent on another stream) */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 10), 0);
	expect_chunk(DEV_STOP, 1, 10);
	expect_chunk(DEV_STOP, 2, 20);
	assert_int_equal(feed_end(&rx, DEV_STOP, 3), 0);
	assert_int_equal(feed_chunk_raw(&rx, DEV_STOP,
					MIG_WIRE_CHUNK_F_STOPCOPY, 2, 20), 0);
	assert_int_equal(mig_wire_rx_finish(&rx), -EPROTO);
	assert_err_contains("device 0: no DEV_END");
	assert_int_equal(feed_chunk_raw(&rx, DEV_STOP,
					MIG_WIRE_CHUNK_F_STOPCOPY, 1, 10),
			 MIG_WIRE_RX_DEV_DONE);
	mig_wire_rx_fini(&rx);

	/* a chunk beyond the count announced by a pending DEV_END */
	rx_setup(&rx);
	expect_chunk(DEV_STOP, 0, 10);
	expect_chunk(DEV_STOP, 1, 10);
	assert_int_equal(feed_end(&rx, DEV_STOP, 2), 0);
	assert_int_equal(feed_chunk_raw(&rx, DEV_STOP,
					MIG_WIRE_CHUNK_F_STOPCOPY, 2, 10),
			 -EPROTO);
	assert_string_equal(mig_err_last(), "wire: chunk for device 1 index 2"
			    " after its DEV_END (2 chunks)");
	mig_wire_rx_fini(&rx);

	/* a chunk of the wrong size completing a pending DEV_END */
	rx_setup(&rx);
	expect_chunk(DEV_STOP, 0, 10);
	assert_int_equal(feed_end(&rx, DEV_STOP, 1), 0);
	assert_int_equal(feed_chunk_raw(&rx, DEV_STOP,
					MIG_WIRE_CHUNK_F_STOPCOPY, 0, 9),
			 -EBADMSG);
	mig_wire_rx_fini(&rx);

	/* totals mismatch: bytes */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 10), 0);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    1, 10), 0);
	g_bytes[DEV_STOP] = 21;
	assert_int_equal(feed_end(&rx, DEV_STOP, 2), -EBADMSG);
	assert_string_equal(mig_err_last(), "wire: device 1: received 20 bytes"
			    " in 2 chunks, DEV_END says 21 bytes");
	mig_wire_rx_fini(&rx);

	/* totals mismatch: fewer chunks announced than received */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 10), 0);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    1, 10), 0);
	assert_int_equal(feed_end(&rx, DEV_STOP, 1), -EBADMSG);
	assert_err_contains("DEV_END announces 1 chunks but index 1 was "
			    "received");
	mig_wire_rx_fini(&rx);

	/* digest mismatch */
	rx_setup(&rx);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 10), 0);
	g_digest[DEV_STOP]++;
	assert_int_equal(feed_end(&rx, DEV_STOP, 1), -EBADMSG);
	assert_err_contains("stream digest mismatch");
	mig_wire_rx_fini(&rx);

	/* more chunks announced than ever arrive */
	rx_setup(&rx);
	assert_int_equal(feed_end(&rx, DEV_PRE, 0), MIG_WIRE_RX_DEV_DONE);
	assert_int_equal(feed_chunk(&rx, DEV_STOP, MIG_WIRE_CHUNK_F_STOPCOPY,
				    0, 10), 0);
	g_bytes[DEV_STOP] = 30;
	assert_int_equal(feed_end(&rx, DEV_STOP, 3), 0);
	assert_int_equal(mig_wire_rx_finish(&rx), -EPROTO);
	assert_string_equal(mig_err_last(), "wire: device 1: incomplete "
			    "stream, 1 of 3 chunks received (index 1 missing)");
	mig_wire_rx_fini(&rx);

	/* INIT_SENT after DEV_END */
	rx_setup(&rx);
	assert_int_equal(feed_end(&rx, DEV_PRE, 0), MIG_WIRE_RX_DEV_DONE);
	m = mk_simple(MIG_WIRE_T_INIT_SENT, DEV_PRE);
	assert_int_equal(feed(&rx, &m), -EPROTO);
	mig_wire_rx_fini(&rx);
}

static void
test_rx_limits(void **state)
{
	const struct mig_wire_limits lim = { .max_devices = 4, .window = 100 };
	struct mig_wire_rx rx;
	struct mig_wire_msg m;

	(void)state;
	assert_int_equal(mig_wire_rx_init(&rx, 7, 0, NULL), -EINVAL);
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_DEST, 0, &lim),
			 0);
	/* window rounded up to a power of two */
	assert_int_equal(rx.window, 128);
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 5);
	assert_int_equal(mig_wire_rx_feed(&rx, &m), -ERANGE);
	assert_err_contains("declares 5 devices, limit 4");
	mig_wire_rx_fini(&rx);

	/* window clamped to the absolute cap */
	{
		const struct mig_wire_limits big = { .window = UINT32_MAX };
		struct mig_wire_limits out;

		mig_wire_limits_normalize(&out, &big);
		assert_int_equal(out.window, MIG_WIRE_WINDOW_MAX);
		mig_wire_limits_normalize(&out, NULL);
		assert_int_equal(out.max_chunk, MIG_WIRE_CHUNK_MAX);
		assert_int_equal(out.max_devices, MIG_WIRE_DEF_MAX_DEVICES);
	}

	/* version ranges that do not overlap */
	assert_int_equal(mig_wire_rx_init(&rx, MIG_WIRE_ROLE_DEST, 0, NULL),
			 0);
	m = mk_hello(MIG_WIRE_ROLE_SOURCE, 1);
	m.hello.version_min = 2;
	m.hello.version_max = 9;
	assert_int_equal(mig_wire_rx_feed(&rx, &m), -EPROTONOSUPPORT);
	mig_wire_rx_fini(&rx);
}

static int
group_setup(void **state)
{
	(void)state;
	/* errors are checked through mig_err_last(); keep stderr quiet */
	rte_log_set_level(mig_logtype_wire, RTE_LOG_EMERG);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_golden_credit),
		cmocka_unit_test(test_golden_chunk),
		cmocka_unit_test(test_roundtrip_all),
		cmocka_unit_test(test_stream_decode),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted_every_bit),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_payload_crc),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_type_flags),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_field_values),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_hello_negotiation),
		cmocka_unit_test(test_rx_session),
		cmocka_unit_test(test_rx_reorder_window),
		cmocka_unit_test(test_rx_duplicates),
		cmocka_unit_test(test_rx_order),
		cmocka_unit_test(test_rx_dev_end),
		cmocka_unit_test(test_rx_limits),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
