/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_HASH_H_
#define _MIG_HASH_H_

/**
 * @file
 * Small non-cryptographic hashing shared by the wire digest and the sim
 * device's content generator.
 */

#include <stdint.h>

/** The splitmix64 finalizer: a fast bijective 64-bit mix. */
static inline uint64_t
mig_mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= UINT64_C(0xbf58476d1ce4e5b9);
	z ^= z >> 27;
	z *= UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return z;
}

#endif /* _MIG_HASH_H_ */
