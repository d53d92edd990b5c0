/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_CRC_H_
#define _MIG_CRC_H_

/**
 * @file
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78) on top of DPDK's
 * rte_hash_crc(), which uses the SSE4.2 / ARMv8 CRC instructions when the CPU
 * has them.
 *
 * rte_hash_crc(data, len, init) returns the raw CRC register: it neither
 * inverts the initial value nor the result. The standard CRC32C (iSCSI,
 * ext4, "check" value 0xE3069283 for "123456789") is
 * ~rte_hash_crc(data, len, 0xffffffff). mig_crc32c() returns the standard
 * value; mig_crc32c_update() works on the raw register for incremental use:
 *
 *     uint32_t r = MIG_CRC32C_INIT;
 *     r = mig_crc32c_update(r, a, alen);
 *     r = mig_crc32c_update(r, b, blen);
 *     crc = mig_crc32c_final(r);   // == mig_crc32c(a || b)
 *
 * Header only; no EAL needed.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_hash_crc.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Block of one of the three interleaved chains (see mig_crc.c). */
#define MIG_CRC_BLOCK 4096

/** Buffers from this size on take the interleaved path. */
#define MIG_CRC_LONG (3 * MIG_CRC_BLOCK)

/** Initial register value of the standard CRC32C. */
#define MIG_CRC32C_INIT UINT32_C(0xffffffff)

/** CRC32C of the 9 ASCII bytes "123456789" (the catalogue check value). */
#define MIG_CRC32C_CHECK UINT32_C(0xE3069283)

/**
 * Feed @p len bytes at @p buf into the raw CRC32C register @p reg.
 *
 * rte_hash_crc() reads its input through uint64_t pointers; the unaligned
 * head is consumed one byte at a time first so that every wide load is
 * naturally aligned, whatever the alignment of @p buf.
 */
static inline uint32_t
mig_crc32c_update_chain(uint32_t reg, const void *buf, size_t len)
{
	const uint8_t *p = (const uint8_t *)buf;

	while (len > 0 && ((uintptr_t)p & 7) != 0) {
		reg = rte_hash_crc_1byte(*p, reg);
		p++;
		len--;
	}
	while (len > 0) {
		/* rte_hash_crc() takes a 32-bit length */
		uint32_t n = len > UINT32_C(0x80000000) ?
			UINT32_C(0x80000000) : (uint32_t)len;

		reg = rte_hash_crc(p, n, reg);
		p += n;
		len -= n;
	}
	return reg;
}

/**
 * The same as mig_crc32c_update_chain(), faster on long buffers: the
 * fastest of the implementations below on this CPU, chosen once at
 * start-up by timing each on the same buffer (mig_crc.c). On a real x86
 * core that is three crc32 chains in parallel (about three times the
 * single chain); under an emulator that runs crc32 bit by bit it is a
 * table-driven one.
 */
uint32_t mig_crc32c_update_long(uint32_t reg, const void *buf, size_t len);

/** One implementation of mig_crc32c_update_long(). */
struct mig_crc_impl {
	const char *name; /**< "sse4.2-x3", "hash-crc", "table-8" */
	uint32_t (*update)(uint32_t reg, const void *buf, size_t len);
};

/** Name of the implementation the calibration chose. */
const char *mig_crc32c_impl_name(void);

/** Implementation @p i (0, 1, ...), NULL past the last: for tests. */
const struct mig_crc_impl *mig_crc32c_impl(unsigned int i);

/** Feed @p len bytes at @p buf into the raw CRC32C register @p reg. */
static inline uint32_t
mig_crc32c_update(uint32_t reg, const void *buf, size_t len)
{
	if (len >= MIG_CRC_LONG)
		return mig_crc32c_update_long(reg, buf, len);
	return mig_crc32c_update_chain(reg, buf, len);
}

/** Turn a raw register into the standard CRC32C value. */
static inline uint32_t
mig_crc32c_final(uint32_t reg)
{
	return ~reg;
}

/** Standard CRC32C of @p len bytes at @p buf. */
static inline uint32_t
mig_crc32c(const void *buf, size_t len)
{
	return mig_crc32c_final(mig_crc32c_update(MIG_CRC32C_INIT, buf, len));
}

#ifdef __cplusplus
}
#endif

#endif /* _MIG_CRC_H_ */
