/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * CRC32C implementations of engine/mig_crc.c on this CPU: each one's rate
 * over a chunk-sized buffer, against memcpy of the same buffer in the same
 * run, and the one the start-up calibration chose. No EAL.
 *
 *	bench_crc [-s buffer size (1M)] [-n passes (256)]
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mig_crc.h"

static double
bc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	const struct mig_crc_impl *im;
	size_t size = 1u << 20, i;
	unsigned int passes = 256, k, p;
	volatile uint32_t sink = 0;
	double t, copy;
	uint8_t *a, *b;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:")) != -1) {
		switch (opt) {
		case 's':
			size = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			passes = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-s size] [-n passes]\n",
				argv[0]);
			return 2;
		}
	}
	if (size == 0 || passes == 0) {
		fprintf(stderr, "bench_crc: -s and -n must be > 0\n");
		return 2;
	}
	a = malloc(size);
	b = malloc(size);
	if (a == NULL || b == NULL) {
		fprintf(stderr, "bench_crc: out of memory\n");
		return 1;
	}
	for (i = 0; i < size; i++)
		a[i] = (uint8_t)(i * 2654435761u >> 13);
	memcpy(b, a, size);
	t = bc_now();
	for (p = 0; p < passes; p++) {
		memcpy(b, a, size);
		a[p % size] ^= b[size - 1 - p % size];
	}
	copy = (double)size * passes / (bc_now() - t) / 1e6;
	printf("# buffer %zu bytes, %u passes; calibrated choice: %s\n", size,
	       passes, mig_crc32c_impl_name());
	printf("%-10s %10.1f MB/s\n", "memcpy", copy);
	for (k = 0; (im = mig_crc32c_impl(k)) != NULL; k++) {
		t = bc_now();
		for (p = 0; p < passes; p++)
			sink = im->update(sink, a, size);
		t = (double)size * passes / (bc_now() - t) / 1e6;
		printf("%-10s %10.1f MB/s  %.2fx memcpy%s\n", im->name, t,
		       t / copy,
		       strcmp(im->name, mig_crc32c_impl_name()) == 0 ?
		       "  (chosen)" : "");
	}
	free(a);
	free(b);
	return 0;
}
