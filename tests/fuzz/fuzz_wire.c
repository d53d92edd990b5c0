/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * libFuzzer target for the wire format decoder and the session checker.
 *
 * Input: one control byte, then a byte stream of frames.
 *   bit 0: before decoding, rewrite every header CRC, body CRC and CHUNK
 *          payload CRC to its correct value, so that mutations reach the
 *          field and sequence checks instead of dying on a CRC;
 *   bit 1: the checker plays the source (else the destination);
 *   bit 2: small receive limits (4 KiB chunks, 4 devices, window 8).
 *
 * Every frame is decoded with mig_wire_decode() (on error the decoder
 * resynchronizes one byte further) and the two-step decoder must agree;
 * every decoded frame must re-encode to the same bytes (the encoding is
 * canonical) and is fed to a struct mig_wire_rx, whose decisions are
 * checked against a few invariants (check_rx()): an accepted chunk lies in
 * the reorder window and was never accepted before, a completed device
 * matches its DEV_END, errors are sticky. Any disagreement aborts.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_log.h>

#include "mig_crc.h"
#include "mig_wire.h"
#include "mig_wire_rx.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_le_to_cpu_32(v);
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_le_32(v);
	memcpy(p, &v, 4);
}

/* Make every CRC of the frames in @p buf right. */
static void
fix_crcs(uint8_t *buf, size_t len)
{
	size_t off = 0, avail, plen;
	uint32_t blen;
	uint8_t *b;

	while (len - off >= MIG_WIRE_HDR_LEN) {
		blen = get32(buf + off + 8);
		b = buf + off + MIG_WIRE_HDR_LEN;
		avail = RTE_MIN((size_t)blen, len - off - MIG_WIRE_HDR_LEN);
		if (buf[off + 5] == MIG_WIRE_T_CHUNK) {
			if (avail >= sizeof(struct mig_wire_chunk_le)) {
				plen = RTE_MIN((size_t)get32(b + 16),
					       avail - 24);
				put32(b + 20, mig_crc32c(b + 24, plen));
			}
			avail = RTE_MIN(avail,
					sizeof(struct mig_wire_chunk_le));
		}
		put32(buf + off + 12, mig_crc32c(b, avail));
		put32(buf + off + 20, mig_crc32c(buf + off, 20));
		if ((size_t)blen > len - off - MIG_WIRE_HDR_LEN)
			break;
		off += MIG_WIRE_HDR_LEN + blen;
	}
}

static void
check_same(const struct mig_wire_msg *a, const struct mig_wire_msg *b)
{
	if (a->type != b->type || a->hdr.type != b->hdr.type ||
	    a->hdr.body_len != b->hdr.body_len)
		abort();
	if (a->type == MIG_WIRE_T_CHUNK &&
	    (a->chunk.payload != b->chunk.payload ||
	     a->chunk.index != b->chunk.index))
		abort();
}

/*
 * A decoded frame re-encodes to the bytes it came from. The header flags
 * are the one field a known type may carry in two forms (a receiver that
 * knows the type ignores OPTIONAL), so the encoder's flags must be the
 * ones mig_wire_type_flags() names, and the frame's own flags replace
 * them (header CRC recomputed) before the bytes are compared.
 */
static void
check_canonical(const uint8_t *frame, const struct mig_wire_msg *m)
{
	const size_t fl = offsetof(struct mig_wire_hdr_le, flags);
	const size_t hc = offsetof(struct mig_wire_hdr_le, hdr_crc);
	uint8_t out[MIG_WIRE_ENCODE_MAX];
	uint16_t flags;
	size_t cmp;
	int n;

	if (m->type == MIG_WIRE_T_NONE)
		return;
	n = mig_wire_encode(out, sizeof(out), m);
	if (n <= 0)
		abort();
	memcpy(&flags, out + fl, sizeof(flags));
	if (rte_le_to_cpu_16(flags) != mig_wire_type_flags(m->type))
		abort();
	memcpy(out + fl, frame + fl, sizeof(flags));
	put32(out + hc, mig_crc32c(out, hc));
	if (m->type == MIG_WIRE_T_HELLO) {
		/* only the v1 part of an extended HELLO */
		if (memcmp(out + MIG_WIRE_HDR_LEN, frame + MIG_WIRE_HDR_LEN,
			   sizeof(struct mig_wire_hello_le)) != 0)
			abort();
		if (m->hdr.body_len != sizeof(struct mig_wire_hello_le))
			return;
	}
	cmp = m->type == MIG_WIRE_T_CHUNK ? MIG_WIRE_CHUNK_HDR_LEN :
		(size_t)n;
	if (m->type != MIG_WIRE_T_CHUNK &&
	    (uint32_t)n != MIG_WIRE_HDR_LEN + m->hdr.body_len)
		abort();
	if (memcmp(out, frame, cmp) != 0)
		abort();
}

/* Chunks accepted by the checker, for the duplicate oracle. */
struct accepted {
	uint32_t dev;
	uint64_t index;
};

struct oracle {
	struct accepted *acc;
	size_t n, max;
	int error;
};

static void
check_rx(struct mig_wire_rx *rx, const struct mig_wire_msg *m,
	 struct oracle *o)
{
	const struct mig_wire_rx_dev *d = NULL;
	uint64_t next_before = 0;
	uint32_t win = rx->window;
	bool chunk = m->type == MIG_WIRE_T_CHUNK;
	size_t i;
	int ret;

	if (chunk) {
		d = mig_wire_rx_dev(rx, m->chunk.dev_id);
		if (d != NULL)
			next_before = d->next_index;
	}
	ret = mig_wire_rx_feed(rx, m);
	if (o->error != 0) {
		/* sticky */
		if (ret != o->error)
			abort();
		return;
	}
	if (ret < 0) {
		o->error = ret;
		if (rx->error != ret)
			abort();
		return;
	}
	if (chunk) {
		if (d == NULL || m->chunk.index < next_before ||
		    m->chunk.index - next_before >= win)
			abort();
		for (i = 0; i < o->n; i++)
			if (o->acc[i].dev == m->chunk.dev_id &&
			    o->acc[i].index == m->chunk.index)
				abort();
		if (o->n == o->max)
			abort();
		o->acc[o->n].dev = m->chunk.dev_id;
		o->acc[o->n].index = m->chunk.index;
		o->n++;
		if (d->next_index > d->end_index || d->chunks > d->end_index)
			abort();
	}
	if (ret == MIG_WIRE_RX_DEV_DONE) {
		d = mig_wire_rx_dev(rx, chunk ? m->chunk.dev_id :
				    m->dev_end.dev_id);
		if (d == NULL || (d->flags & MIG_WIRE_RX_DEV_COMPLETE) == 0 ||
		    d->chunks != d->end.chunk_count ||
		    d->next_index != d->end.chunk_count ||
		    d->bytes != d->end.total_bytes ||
		    d->digest != d->end.digest)
			abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* errors are expected by the thousand: do not print them */
	rte_log_set_level(mig_logtype_wire, RTE_LOG_EMERG);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mig_wire_limits small = {
		.max_chunk = 4096,
		.max_devices = 4,
		.max_slots = 16,
		.max_optional = 256,
		.window = 8,
	};
	const struct mig_wire_limits *lim;
	struct mig_wire_msg m, m2;
	struct mig_wire_hdr hdr;
	struct mig_wire_rx rx;
	struct oracle o = { 0 };
	size_t len, off = 0;
	uint8_t *buf, ctl;
	int ret;

	if (size < 1)
		return 0;
	ctl = data[0];
	len = size - 1;
	/* exact-size copy so that any over-read is caught by ASan */
	buf = malloc(len == 0 ? 1 : len);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, len);
	/* every accepted chunk takes at least 49 input bytes */
	o.max = len / (MIG_WIRE_CHUNK_HDR_LEN + 1) + 1;
	o.acc = calloc(o.max, sizeof(*o.acc));
	if (o.acc == NULL) {
		free(buf);
		return 0;
	}
	if (ctl & 1)
		fix_crcs(buf, len);
	lim = (ctl & 4) ? &small : NULL;
	if (mig_wire_rx_init(&rx, (ctl & 2) ? MIG_WIRE_ROLE_SOURCE :
			     MIG_WIRE_ROLE_DEST, MIG_WIRE_FEAT_ALL, lim) != 0)
		abort();

	while (off < len) {
		memset(&m, 0, sizeof(m));
		ret = mig_wire_decode(buf + off, len - off, &m, lim);
		if (ret == -EAGAIN)
			break;
		if (ret < 0) {
			off++;
			continue;
		}
		if ((size_t)ret > len - off || ret < (int)MIG_WIRE_HDR_LEN)
			abort();

		memset(&m2, 0, sizeof(m2));
		if (mig_wire_hdr_decode(buf + off, len - off, &hdr, lim) != 0 ||
		    mig_wire_body_decode(&hdr, buf + off + MIG_WIRE_HDR_LEN,
					 len - off - MIG_WIRE_HDR_LEN, &m2,
					 lim) != 0)
			abort();
		check_same(&m, &m2);
		check_canonical(buf + off, &m);

		check_rx(&rx, &m, &o);
		off += (size_t)ret;
	}
	(void)mig_wire_rx_finish(&rx);
	mig_wire_rx_fini(&rx);
	free(o.acc);
	free(buf);
	return 0;
}
