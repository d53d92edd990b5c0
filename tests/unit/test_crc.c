/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/* Every CRC32C implementation against the single-chain one, a bitwise
 * reference and the catalogue; the calibrated choice is one of them. */

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mig_crc.h"

/* Bitwise reference, no instruction, no table. */
static uint32_t
ref_update(uint32_t reg, const uint8_t *p, size_t len)
{
	unsigned int k;

	while (len--) {
		reg ^= *p++;
		for (k = 0; k < 8; k++)
			reg = (reg >> 1) ^ (0x82F63B78u & (0u - (reg & 1)));
	}
	return reg;
}

static uint8_t *
random_buf(size_t len)
{
	uint8_t *b = malloc(len);
	size_t i;

	assert_non_null(b);
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)rand();
	return b;
}

static void
test_check_value(void **state)
{
	(void)state;
	assert_int_equal(mig_crc32c("123456789", 9), MIG_CRC32C_CHECK);
	assert_int_equal(mig_crc32c("", 0), 0);
}

/* Lengths around the stripe size, odd offsets, random registers. */
static void
test_long_equals_chain(void **state)
{
	static const size_t lens[] = {
		0, 1, 7, 8, 4095, 4096, 4097, MIG_CRC_LONG - 1, MIG_CRC_LONG,
		MIG_CRC_LONG + 1, MIG_CRC_LONG + 8, 2 * MIG_CRC_LONG - 3,
		3 * MIG_CRC_LONG + 4095, 1 << 20, (1 << 20) + 13,
	};
	uint8_t *buf = random_buf((1 << 20) + 64);
	unsigned int i, off;
	uint32_t reg, a, b;

	(void)state;
	srand(11);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (off = 0; off < 8; off += 3) {
			reg = (uint32_t)rand() * 2654435761u;
			a = mig_crc32c_update(reg, buf + off, lens[i]);
			b = mig_crc32c_update_chain(reg, buf + off, lens[i]);
			if (a != b)
				fail_msg("len %zu off %u: 0x%08x != 0x%08x",
					 lens[i], off, a, b);
		}
	}
	free(buf);
}

/* Each implementation, whichever the calibration chose, on every length
 * and alignment, against the bitwise reference. */
static void
test_each_impl(void **state)
{
	static const size_t lens[] = {
		0, 1, 7, 8, 9, 4095, MIG_CRC_LONG, MIG_CRC_LONG + 13,
		3 * MIG_CRC_LONG + 4095, 1 << 18,
	};
	uint8_t *buf = random_buf((1 << 18) + 64);
	const struct mig_crc_impl *im;
	bool chosen = false;
	unsigned int i, k, off;
	uint32_t reg, a, b;

	(void)state;
	srand(13);
	for (k = 0; (im = mig_crc32c_impl(k)) != NULL; k++) {
		if (strcmp(im->name, mig_crc32c_impl_name()) == 0)
			chosen = true;
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			for (off = 0; off < 8; off += 5) {
				reg = (uint32_t)rand() * 2654435761u;
				a = im->update(reg, buf + off, lens[i]);
				b = ref_update(reg, buf + off, lens[i]);
				if (a != b)
					fail_msg("%s len %zu off %u: 0x%08x != 0x%08x",
						 im->name, lens[i], off, a, b);
			}
		}
	}
	assert_true(k >= 2);
	assert_true(chosen);
	free(buf);
}

static void
test_against_bitwise(void **state)
{
	size_t len = 3 * MIG_CRC_LONG + 77;
	uint8_t *buf = random_buf(len);

	(void)state;
	assert_int_equal(mig_crc32c_update(MIG_CRC32C_INIT, buf, len),
			 ref_update(MIG_CRC32C_INIT, buf, len));
	assert_int_equal(mig_crc32c_update(0, buf + 1, len - 1),
			 ref_update(0, buf + 1, len - 1));
	free(buf);
}

/* Incremental use across the long/short boundary gives the same value. */
static void
test_incremental(void **state)
{
	size_t len = 5 * MIG_CRC_LONG + 5;
	uint8_t *buf = random_buf(len);
	uint32_t reg = MIG_CRC32C_INIT;
	size_t cut[] = { 3, MIG_CRC_LONG + 1, 17, 2 * MIG_CRC_LONG, 0 };
	size_t off = 0;
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		reg = mig_crc32c_update(reg, buf + off, cut[i]);
		off += cut[i];
	}
	reg = mig_crc32c_update(reg, buf + off, len - off);
	assert_int_equal(mig_crc32c_final(reg), mig_crc32c(buf, len));
	/* A single flipped bit anywhere changes it. */
	buf[len / 2] ^= 0x10;
	assert_int_not_equal(mig_crc32c_final(reg), mig_crc32c(buf, len));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_long_equals_chain),
		cmocka_unit_test(test_against_bitwise),
		cmocka_unit_test(test_each_impl),
		cmocka_unit_test(test_incremental),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
