/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Page contents of the sim device: generation from (seed, page, version),
 * verification against the same formula, and the state digest.
 *
 * A page is a run of 64-bit native (little-endian on x86) words
 * w[i] = h + i * SIM_WORD_STEP. The loops below use GCC vector extensions
 * so that they run at memory speed with SSE and wider units alike, without
 * relying on the auto-vectorizer at -O2.
 */

#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "sim_priv.h"

typedef uint64_t sim_v2 __attribute__((vector_size(16)));

/* Words per verification block: a mismatch is searched only in its block. */
#define SIM_VERIFY_BLOCK 64

uint64_t
mig_sim_page_hash(uint64_t seed, uint64_t page, uint32_t version)
{
	/* page < 2^26, so (version, page) packs without collisions */
	return mig_mix64(mig_mix64(seed) +
			     (((uint64_t)version << 32) | page));
}

/* Store nw words base + i * STEP at dst (any alignment). */
static void
sim_gen_words(uint64_t base, uint8_t *dst, size_t nw)
{
	const uint64_t k = SIM_WORD_STEP;
	size_t i = 0;

	if (nw >= 8) {
		sim_v2 a = { base, base + k };
		sim_v2 b = a + 2 * k;
		sim_v2 c = a + 4 * k;
		sim_v2 d = a + 6 * k;
		const sim_v2 step = { 8 * k, 8 * k };

		for (; i + 8 <= nw; i += 8) {
			memcpy(dst + i * 8, &a, 16);
			memcpy(dst + i * 8 + 16, &b, 16);
			memcpy(dst + i * 8 + 32, &c, 16);
			memcpy(dst + i * 8 + 48, &d, 16);
			a += step;
			b += step;
			c += step;
			d += step;
		}
	}
	for (; i < nw; i++) {
		uint64_t w = base + i * k;

		memcpy(dst + i * 8, &w, 8);
	}
}

/* Index of the first of nw words at src that is not base + i * STEP. */
static size_t
sim_verify_words(uint64_t base, const uint8_t *src, size_t nw)
{
	const uint64_t k = SIM_WORD_STEP;
	const sim_v2 step = { 8 * k, 8 * k };
	sim_v2 a = { base, base + k };
	sim_v2 b = a + 2 * k;
	sim_v2 c = a + 4 * k;
	sim_v2 d = a + 6 * k;
	size_t i = 0;

	while (i + SIM_VERIFY_BLOCK <= nw) {
		sim_v2 acc = { 0, 0 };
		size_t j;

		for (j = i; j < i + SIM_VERIFY_BLOCK; j += 8) {
			sim_v2 x, y, z, t;

			memcpy(&x, src + j * 8, 16);
			memcpy(&y, src + j * 8 + 16, 16);
			memcpy(&z, src + j * 8 + 32, 16);
			memcpy(&t, src + j * 8 + 48, 16);
			acc |= (x ^ a) | (y ^ b) | (z ^ c) | (t ^ d);
			a += step;
			b += step;
			c += step;
			d += step;
		}
		if ((acc[0] | acc[1]) != 0)
			break;
		i += SIM_VERIFY_BLOCK;
	}
	for (; i < nw; i++) {
		uint64_t w;

		memcpy(&w, src + i * 8, 8);
		if (w != base + i * k)
			return i;
	}
	return nw;
}

/* Bytes [s, s + n) of word w, compared with src: matching prefix length. */
static size_t
sim_cmp_partial(uint64_t w, unsigned int s, const uint8_t *src, size_t n)
{
	uint8_t b[8];
	size_t i;

	memcpy(b, &w, 8);
	for (i = 0; i < n; i++)
		if (src[i] != b[s + i])
			break;
	return i;
}

/* Generate n bytes of the page with hash h, starting at byte off. */
void
mig_sim_gen(uint64_t h, uint64_t off, void *dst, size_t n)
{
	uint8_t *d = dst;
	uint64_t wi = off >> 3;
	unsigned int s = off & 7;
	size_t nw;
	uint64_t w;

	if (s != 0 && n > 0) {
		size_t m = RTE_MIN((size_t)(8 - s), n);
		uint8_t b[8];

		w = h + wi * SIM_WORD_STEP;
		memcpy(b, &w, 8);
		memcpy(d, b + s, m);
		d += m;
		n -= m;
		wi++;
	}
	nw = n >> 3;
	sim_gen_words(h + wi * SIM_WORD_STEP, d, nw);
	d += nw * 8;
	n -= nw * 8;
	wi += nw;
	if (n > 0) {
		w = h + wi * SIM_WORD_STEP;
		memcpy(d, &w, n);
	}
}

/*
 * Compare n bytes at src with bytes [off, off + n) of the page with hash h.
 * Returns the length of the matching prefix (n when all match).
 */
size_t
mig_sim_verify(uint64_t h, uint64_t off, const void *src, size_t n)
{
	const uint8_t *p = src;
	uint64_t wi = off >> 3;
	unsigned int s = off & 7;
	size_t done = 0, nw, k;

	if (s != 0 && n > 0) {
		size_t m = RTE_MIN((size_t)(8 - s), n);

		k = sim_cmp_partial(h + wi * SIM_WORD_STEP, s, p, m);
		if (k < m)
			return k;
		done = m;
		wi++;
	}
	nw = (n - done) >> 3;
	k = sim_verify_words(h + wi * SIM_WORD_STEP, p + done, nw);
	if (k < nw) {
		wi += k;
		done += k * 8;
		return done + sim_cmp_partial(h + wi * SIM_WORD_STEP, 0,
					      p + done, 8);
	}
	done += nw * 8;
	wi += nw;
	if (done < n)
		done += sim_cmp_partial(h + wi * SIM_WORD_STEP, 0, p + done,
					n - done);
	return done;
}

/* mem backing: write the page's current contents. */
void
mig_sim_fill_page(struct sim_dev *sd, uint64_t page)
{
	mig_sim_gen(mig_sim_page_hash(sd->seed, page, sd->ver[page]), 0,
		    sd->mem + page * sd->o.page, sim_page_len(sd, page));
}

void
mig_sim_fill_all(struct sim_dev *sd)
{
	uint64_t p;

	for (p = 0; p < sd->npages; p++)
		mig_sim_fill_page(sd, p);
}

/*
 * Digest of the state: geometry, seed and every page version; with mem
 * backing, every page whose bytes differ from its pattern changes it too,
 * so that the digest reflects the bytes and equals a gen device's digest
 * for the same logical contents.
 */
uint64_t
mig_sim_digest(const struct sim_dev *sd)
{
	const uint64_t prime = UINT64_C(0x100000001b3);
	uint64_t d, a, b, i;

	d = mig_mix64(sd->seed ^ UINT64_C(0x73696d2d64696765));
	d = mig_mix64(d ^ sd->o.size);
	d = mig_mix64(d ^ sd->o.page);
	a = d;
	b = ~d;
	for (i = 0; i + 2 <= sd->npages; i += 2) {
		a = (a ^ sd->ver[i]) * prime;
		b = (b ^ sd->ver[i + 1]) * prime;
	}
	if (i < sd->npages)
		a = (a ^ sd->ver[i]) * prime;
	d = mig_mix64(a ^ mig_mix64(b));
	if (sd->o.backing == SIM_BACKING_MEM) {
		for (i = 0; i < sd->npages; i++) {
			uint64_t len = sim_page_len(sd, i);
			uint64_t h = mig_sim_page_hash(sd->seed, i, sd->ver[i]);

			if (mig_sim_verify(h, 0, sd->mem + i * sd->o.page,
					   len) != len)
				d = mig_mix64(d ^ ((i + 1) * SIM_WORD_STEP));
		}
	}
	return d;
}
