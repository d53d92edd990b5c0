/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Emulated VF contents: page bytes generated from (seed, page, version),
 * their verification, the state digest, and the dirtying workload that
 * runs while the function is not suspended (applied lazily from the time
 * elapsed, nothing runs in the background).
 */

#include <string.h>

#include <rte_common.h>

#include "mig_hash.h"
#include "mig_time.h"

#include "mlx5_emu_priv.h"


typedef uint64_t emu_v2 __attribute__((vector_size(16)));

uint64_t
mlx5_emu_page_hash(uint64_t seed, uint64_t page, uint32_t version)
{
	return mig_mix64(mig_mix64(seed ^ UINT64_C(0x6d6c7835)) +
			 (((uint64_t)version << 32) | page));
}

uint64_t
mlx5_emu_page_len(const struct emu_vf *v, uint64_t page)
{
	uint64_t start = page * v->c.page;

	return RTE_MIN(v->c.size - start, v->c.page);
}

/* Bytes [off, off + n) of the page whose words are h + i * STEP. */
void
mlx5_emu_gen(uint64_t h, uint64_t off, void *dst, uint64_t n)
{
	const emu_v2 step = { 4 * EMU_WORD_STEP, 4 * EMU_WORD_STEP };
	uint8_t *d = dst;
	uint64_t wi = off >> 3, w;
	unsigned int s = off & 7;

	if (s != 0 && n > 0) {
		uint64_t m = RTE_MIN((uint64_t)(8 - s), n);

		w = h + wi * EMU_WORD_STEP;
		memcpy(d, (uint8_t *)&w + s, m);
		d += m;
		n -= m;
		wi++;
	}
	if (n >= 32) {
		emu_v2 a = { h + wi * EMU_WORD_STEP,
			     h + (wi + 1) * EMU_WORD_STEP };
		emu_v2 b = a + 2 * EMU_WORD_STEP;

		for (; n >= 32; n -= 32, d += 32, wi += 4) {
			memcpy(d, &a, 16);
			memcpy(d + 16, &b, 16);
			a += step;
			b += step;
		}
	}
	for (; n >= 8; n -= 8, d += 8, wi++) {
		w = h + wi * EMU_WORD_STEP;
		memcpy(d, &w, 8);
	}
	if (n > 0) {
		w = h + wi * EMU_WORD_STEP;
		memcpy(d, &w, n);
	}
}

/* Length of the prefix of @p src that matches mlx5_emu_gen(h, off). */
uint64_t
mlx5_emu_verify(uint64_t h, uint64_t off, const void *src, uint64_t n)
{
	const emu_v2 step = { 4 * EMU_WORD_STEP, 4 * EMU_WORD_STEP };
	const uint8_t *p = src;
	uint64_t done = 0, wi, w, k;
	uint8_t b[8];

	/* unaligned head and tail byte by byte, the body in vectors */
	while (done < n && ((off + done) & 7) != 0) {
		wi = (off + done) >> 3;
		w = h + wi * EMU_WORD_STEP;
		memcpy(b, &w, 8);
		if (p[done] != b[(off + done) & 7])
			return done;
		done++;
	}
	wi = (off + done) >> 3;
	if (n - done >= 256) {
		emu_v2 a = { h + wi * EMU_WORD_STEP,
			     h + (wi + 1) * EMU_WORD_STEP };
		emu_v2 c = a + 2 * EMU_WORD_STEP;

		while (n - done >= 256) {
			emu_v2 acc = { 0, 0 };

			for (k = 0; k < 256; k += 32) {
				emu_v2 x, y;

				memcpy(&x, p + done + k, 16);
				memcpy(&y, p + done + k + 16, 16);
				acc |= (x ^ a) | (y ^ c);
				a += step;
				c += step;
			}
			if ((acc[0] | acc[1]) != 0)
				break;
			done += 256;
			wi += 32;
		}
	}
	for (; done < n; done++) {
		wi = (off + done) >> 3;
		w = h + wi * EMU_WORD_STEP;
		memcpy(b, &w, 8);
		if (p[done] != b[(off + done) & 7])
			return done;
	}
	return done;
}

uint64_t
mlx5_emu_digest(const struct emu_vf *v)
{
	const uint64_t prime = UINT64_C(0x100000001b3);
	uint64_t d, a, i;

	d = mig_mix64(v->seed ^ UINT64_C(0x6d6c7835646967));
	d = mig_mix64(d ^ v->c.size);
	d = mig_mix64(d ^ v->c.page);
	a = d;
	for (i = 0; i < v->npages; i++)
		a = (a ^ v->ver[i]) * prime;
	return mig_mix64(a ^ d);
}

/* Function level reset: fresh contents, running, no migration context. */
void
mlx5_emu_fresh(struct emu_vf *v, uint64_t now_ns)
{
	size_t bm = emu_words(v->npages) * sizeof(uint64_t);

	memset(v->ver, 0, v->npages * sizeof(*v->ver));
	memset(v->dirty, 0, bm);
	memset(v->pend, 0, bm);
	memset(v->recv, 0, bm);
	v->st = EMU_VF_RUNNING;
	v->seed = v->c.seed;
	v->tracking = false;
	v->ndirty = 0;
	v->npend = 0;
	v->scan = 0;
	v->session = 0;
	v->seq = 0;
	v->tracked_saves = 0;
	v->inc_queries = 0;
	v->reinit_pending = false;
	v->chunk_req = 0;
	v->chunk_k = 0;
	v->inc_req = 0;
	v->ld_active = false;
	v->ld_broken = false;
	v->ld_complete = false;
	v->ld_session = 0;
	v->ld_seq = 0;
	v->nrecv = 0;
	v->rng = mig_mix64(v->c.seed ^ UINT64_C(0x64697274));
	v->dirty_last_ns = now_ns;
	v->dirty_carry = 0;
}

void
mlx5_emu_dirty_page(struct emu_vf *v, uint64_t page)
{
	v->ver[page]++;
	if (v->tracking && !emu_bit(v->dirty, page)) {
		emu_bit_set(v->dirty, page);
		v->ndirty++;
	}
}

void
mlx5_emu_dirty_advance(struct emu_vf *v, uint64_t now_ns)
{
	unsigned __int128 owed, unit;
	uint64_t pages, dt;

	if (now_ns <= v->dirty_last_ns)
		return;
	dt = now_ns - v->dirty_last_ns;
	v->dirty_last_ns = now_ns;
	if (v->c.dirty_rate == 0 || v->st != EMU_VF_RUNNING)
		return;
	unit = (unsigned __int128)v->c.page * MIG_NS_PER_S;
	owed = (unsigned __int128)v->c.dirty_rate * dt + v->dirty_carry;
	if (owed / unit >= v->npages) {
		pages = v->npages;
		v->dirty_carry = 0;
	} else {
		pages = (uint64_t)(owed / unit);
		v->dirty_carry = (uint64_t)(owed % unit);
	}
	while (pages-- > 0) {
		uint64_t r;

		v->rng += EMU_WORD_STEP;
		r = mig_mix64(v->rng);
		mlx5_emu_dirty_page(v, (uint64_t)(((unsigned __int128)r *
						   v->npages) >> 64));
	}
}
