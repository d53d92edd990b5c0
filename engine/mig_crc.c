/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * CRC32C of long buffers with three independent crc32 instruction chains.
 *
 * The crc32 instruction has a latency of 3 cycles and a throughput of one
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

#include <rte_common.h>

#include "mig_crc.h"

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

RTE_INIT(mig_crc_init)
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

uint32_t
mig_crc32c_update_long(uint32_t reg, const void *buf, size_t len)
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

#else

uint32_t
mig_crc32c_update_long(uint32_t reg, const void *buf, size_t len)
{
	return mig_crc32c_update_chain(reg, buf, len);
}

#endif
