/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * CRC32C of long buffers: several implementations, the fastest on this CPU
 * chosen once at start-up by timing them (mig_crc_init).
 *
 * sse4.2-x3: three independent crc32 instruction chains. The crc32 instruction has a latency of 3 cycles and a throughput of one
 * per cycle, so a single chain (rte_hash_crc) runs at a third of what the
 * unit can do. The buffer is cut into stripes of three blocks A, B, C of
 * MIG_CRC_BLOCK bytes whose CRCs are computed together, then combined:
 *
 *	f(r, A||B||C) = Z(Z(f(r, A)) ^ f(0, B)) ^ f(0, C)
 *
 * where f(r, D) is the raw register after feeding D from register r (the
 * CRC is affine in r: f(r, D) = Z_|D|(r) ^ f(0, D)) and Z(x) = f(x, zeros of
 * MIG_CRC_BLOCK bytes) is linear over GF(2), so it is four table lookups.
 */

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "mig_crc.h"
#include "mig_time.h"

#define CRC_POLY UINT32_C(0x82F63B78)
/* Calibration: bytes per timed pass, passes per implementation (best). */
#define CRC_CAL_LEN (32 * 1024)
#define CRC_CAL_PASSES 3

/*
 * Slicing-by-8: eight 256-entry tables, one 64-bit load per step. Ten
 * times slower than the crc32 instruction on a real core, but under an
 * emulator that runs crc32 bit by bit (QEMU TCG) it is the faster one,
 * which the calibration below finds out.
 */
static uint32_t g_crc_tab[8][256];

static uint32_t
crc_long_table(uint32_t reg, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t v;

	while (len >= 8) {
		memcpy(&v, p, sizeof(v));
		v = rte_le_to_cpu_64(v) ^ reg;
		reg = g_crc_tab[7][v & 0xff] ^ g_crc_tab[6][(v >> 8) & 0xff] ^
		      g_crc_tab[5][(v >> 16) & 0xff] ^
		      g_crc_tab[4][(v >> 24) & 0xff] ^
		      g_crc_tab[3][(v >> 32) & 0xff] ^
		      g_crc_tab[2][(v >> 40) & 0xff] ^
		      g_crc_tab[1][(v >> 48) & 0xff] ^ g_crc_tab[0][v >> 56];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		reg = (reg >> 8) ^ g_crc_tab[0][(reg ^ *p++) & 0xff];
	return reg;
}

static void
crc_table_init(void)
{
	unsigned int i, k, t;
	uint32_t c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC_POLY & (0u - (c & 1)));
		g_crc_tab[0][i] = c;
	}
	for (t = 1; t < 8; t++)
		for (i = 0; i < 256; i++)
			g_crc_tab[t][i] = (g_crc_tab[t - 1][i] >> 8) ^
					  g_crc_tab[0][g_crc_tab[t - 1][i] & 0xff];
}

static uint32_t
crc_long_chain(uint32_t reg, const void *buf, size_t len)
{
	return mig_crc32c_update_chain(reg, buf, len);
}

#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
#include <nmmintrin.h>

static uint32_t g_crc_shift[4][256];

static uint32_t
crc_zeros(uint32_t reg, size_t len)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		reg = (uint32_t)_mm_crc32_u64(reg, 0);
	return reg;
}

static void
crc_shift_init(void)
{
	unsigned int k, v;

	for (k = 0; k < 4; k++)
		for (v = 0; v < 256; v++)
			g_crc_shift[k][v] = crc_zeros(v << (8 * k),
						      MIG_CRC_BLOCK);
}

static inline uint32_t
crc_shift(uint32_t x)
{
	return g_crc_shift[0][x & 0xff] ^ g_crc_shift[1][(x >> 8) & 0xff] ^
	       g_crc_shift[2][(x >> 16) & 0xff] ^ g_crc_shift[3][x >> 24];
}

static inline uint64_t
crc_load(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
crc_long_x3(uint32_t reg, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t a, b, c;
	size_t i;

	while (len >= 3 * MIG_CRC_BLOCK) {
		const uint8_t *pb = p + MIG_CRC_BLOCK;
		const uint8_t *pc = p + 2 * MIG_CRC_BLOCK;

		a = reg;
		b = 0;
		c = 0;
		for (i = 0; i < MIG_CRC_BLOCK; i += 8) {
			a = _mm_crc32_u64(a, crc_load(p + i));
			b = _mm_crc32_u64(b, crc_load(pb + i));
			c = _mm_crc32_u64(c, crc_load(pc + i));
		}
		reg = crc_shift(crc_shift((uint32_t)a) ^ (uint32_t)b) ^
		      (uint32_t)c;
		p += 3 * MIG_CRC_BLOCK;
		len -= 3 * MIG_CRC_BLOCK;
	}
	return mig_crc32c_update_chain(reg, p, len);
}
#endif

static const struct mig_crc_impl g_crc_impls[] = {
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
	{ "sse4.2-x3", crc_long_x3 },
#endif
	{ "hash-crc", crc_long_chain },
	{ "table-8", crc_long_table },
};

static const struct mig_crc_impl *g_crc_impl = &g_crc_impls[0];

/* Best time of a few passes over @p buf, in ns. */
static uint64_t
crc_time(const struct mig_crc_impl *im, const uint8_t *buf)
{
	uint64_t best = UINT64_MAX, t;
	volatile uint32_t sink;
	unsigned int i;

	for (i = 0; i < CRC_CAL_PASSES; i++) {
		t = mig_time_ns();
		sink = im->update(MIG_CRC32C_INIT, buf, CRC_CAL_LEN);
		t = mig_time_ns() - t;
		RTE_SET_USED(sink);
		best = RTE_MIN(best, t);
	}
	return best;
}

/*
 * Pick the fastest implementation on this CPU by timing each (as Linux
 * does for its xor and raid6 routines), once, before main().
 */
RTE_INIT(mig_crc_init)
{
	static uint8_t buf[CRC_CAL_LEN];
	uint64_t best = UINT64_MAX, t;
	unsigned int i;

	crc_table_init();
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
	crc_shift_init();
#endif
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (i = 0; i < RTE_DIM(g_crc_impls); i++) {
		t = crc_time(&g_crc_impls[i], buf);
		if (t < best) {
			best = t;
			g_crc_impl = &g_crc_impls[i];
		}
	}
}

uint32_t
mig_crc32c_update_long(uint32_t reg, const void *buf, size_t len)
{
	return g_crc_impl->update(reg, buf, len);
}

const char *
mig_crc32c_impl_name(void)
{
	return g_crc_impl->name;
}

const struct mig_crc_impl *
mig_crc32c_impl(unsigned int i)
{
	return i < RTE_DIM(g_crc_impls) ? &g_crc_impls[i] : NULL;
}
