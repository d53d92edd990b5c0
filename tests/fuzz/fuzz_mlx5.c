/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * libFuzzer target for the mlx5 driver's stream parser
 * (pmd/device/mlx5/mlx5_load.c: records across chunk boundaries, FW_DATA
 * images staged and loaded in order, STOP_COPY_SIZE, optional records),
 * through the generic device API (engine/mig_dev.c) on the emulated
 * firmware, so that every image reaches LOAD_VHCA_STATE and the
 * emulator's image checks (mlx5_emu_image.c).
 *
 * Input: an 8-byte header, then a raw stream (raw) or nothing of use.
 *   byte 0  bit 0: round trip (else raw); bit 1: the source saves
 *           through PRE_COPY; bit 2: chunk mode (the firmware always has
 *           multi-load and tracking, which the driver requires, as the
 *           kernel's does; bit 3 is unused)
 *   byte 1  state size 4 KiB * (1 + byte % 16), 4 KiB pages
 *   byte 2  the source's content seed
 *   byte 3  save buffer (engine chunk) 1 + 61 * byte bytes
 *   byte 4-7 seed of the load piece sizes
 *
 * Raw: the stream is loaded into one destination in pseudo-random pieces
 * and into another in one piece. Failures are sticky (once a load failed,
 * every later load fails and RESUMING -> RUNNING fails); both destinations
 * accept or both refuse, and two that accept hold the same state
 * (digest). Round trip: a source saves (PRE_COPY rounds, then STOP_COPY)
 * into buffers of the chosen size; the destination must load the stream
 * in pseudo-random pieces, reach RUNNING, and hold the source's digest.
 *
 * The emulated firmware draws each save session's id from the clock, so
 * a saved stream differs from run to run in those bytes: the seeds of
 * tests/fuzz/corpus/mlx5/ are written by gen_mlx5 (which checks that
 * each stream loads) and not compared byte for byte.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "mig_dev.h"
#include "mig_hash.h"
#include "mig_log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_BYTES 8
#define STREAM_MAX (1u << 20)

static uint8_t stream_buf[STREAM_MAX];

static uint64_t
rng_next(uint64_t *s)
{
	*s += UINT64_C(0x9e3779b97f4a7c15);
	return mig_mix64(*s);
}

static struct mig_dev *
dev_open(const uint8_t *hdr, const char *pf, bool source)
{
	char args[320];
	struct mig_dev *dev;
	/* the driver, like the kernel's, needs multi-load and tracking */
	bool chunk = hdr[0] & 4, multi = true;

	snprintf(args, sizeof(args),
		 "mlx5,pf=%s,vf=0,channel=emu,chunk=64K,precopy=%u,emu_size=%u,emu_page=4096,emu_seed=%u,emu_chunk=%u,emu_multi_load=%u,emu_tracking=1,emu_chunk_min=4096,emu_latency=0",
		 pf, source && (hdr[0] & 2) && multi ? 1u : 0u,
		 4096u * (1 + hdr[1] % 16u), source ? hdr[2] : 99u,
		 chunk ? 1u : 0u, multi ? 1u : 0u);
	dev = mig_dev_open(args);
	if (dev == NULL) {
		fprintf(stderr, "%s: %s\n", args, mig_err_last());
		abort();
	}
	return dev;
}

static int
wait_io(struct mig_dev *dev, struct mig_io *io)
{
	struct mig_io *done = NULL;
	unsigned int spins = 0;
	int n;

	do {
		n = mig_dev_poll(dev, &done, 1);
		if (++spins > 1000000)
			abort();
	} while (n == 0);
	if (n != 1 || done != io)
		abort();
	return 0;
}

/* One load of @p len bytes (an exact-size copy); its status. */
static int
load_piece(struct mig_dev *dev, const uint8_t *p, uint32_t len)
{
	struct mig_io io;
	uint8_t *buf = malloc(len == 0 ? 1 : len);
	int ret;

	if (buf == NULL)
		abort();
	memcpy(buf, p, len);
	memset(&io, 0, sizeof(io));
	io.buf = buf;
	io.len = len;
	ret = mig_dev_load_submit(dev, &io);
	if (ret == 0) {
		wait_io(dev, &io);
		ret = io.status;
	}
	free(buf);
	return ret;
}

/*
 * Load @p len bytes into a fresh destination in pieces (@p rng) or in
 * one; 0 and the digest when it reaches RUNNING, else the failure.
 */
static int
load(const uint8_t *hdr, const char *pf, const uint8_t *s, size_t len,
     uint64_t *rng, uint64_t *digest)
{
	struct mig_dev *dst = dev_open(hdr, pf, false);
	size_t off = 0, n;
	int err = 0, ret;

	if (mig_dev_set_state(dst, MIG_STATE_RESUMING, MIG_STATE_RUNNING) != 0)
		abort();
	while (off < len) {
		n = len - off;
		if (rng != NULL) {
			n = 1 + rng_next(rng) % 512;
			if ((rng_next(rng) & 3) == 0)
				n = 1 + rng_next(rng) % 16384;
			n = n < len - off ? n : len - off;
		}
		ret = load_piece(dst, s + off, (uint32_t)n);
		/* sticky */
		if (err != 0 && ret == 0)
			abort();
		if (err == 0 && ret != 0)
			err = ret;
		off += n;
	}
	ret = mig_dev_set_state(dst, MIG_STATE_RUNNING, MIG_STATE_ERROR);
	if (err != 0 && ret == 0)
		abort();
	if (ret == 0 && mig_dev_digest(dst, digest) != 0)
		abort();
	mig_dev_close(dst);
	return ret;
}

/* Save the source's whole stream into stream_buf; its length. */
static size_t
save(const uint8_t *hdr, uint64_t *digest)
{
	struct mig_dev *src = dev_open(hdr, "fuzz-src", true);
	uint32_t cap = 1 + 61u * hdr[3];
	size_t len = 0;
	bool precopy = hdr[0] & 2;
	int round = 0;
	struct mig_io io;

	if (mig_dev_digest(src, digest) != 0)
		abort();
	if (mig_dev_set_state(src, precopy ? MIG_STATE_PRE_COPY :
			      MIG_STATE_STOP_COPY, MIG_STATE_RUNNING) != 0)
		abort();
	for (;;) {
		memset(&io, 0, sizeof(io));
		io.buf = stream_buf + len;
		io.cap = (uint32_t)RTE_MIN((size_t)cap, STREAM_MAX - len);
		if (io.cap == 0 || mig_dev_save_submit(src, &io) != 0)
			abort();
		wait_io(src, &io);
		if (io.len > io.cap)
			abort();
		if (precopy && (io.status == -ENOMSG ||
				(io.status == 0 && io.len == 0))) {
			/* a pre-copy round is over: another, then stop */
			if (++round < 2)
				continue;
			if (mig_dev_set_state(src, MIG_STATE_STOP_COPY,
					      MIG_STATE_RUNNING) != 0)
				abort();
			precopy = false;
			continue;
		}
		if (io.status != 0)
			abort();
		if (io.len == 0 && !precopy)
			break;
		len += io.len;
	}
	mig_dev_close(src);
	return len;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* errors are expected by the thousand: do not print them */
	rte_log_set_global_level(RTE_LOG_EMERG);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HDR_BYTES];
	uint64_t rng, da = 0, db = 0, ds = 0;
	size_t len;
	int ra, rb;

	if (size < HDR_BYTES)
		return 0;
	memcpy(hdr, data, HDR_BYTES);
	rng = hdr[4] | hdr[5] << 8 | hdr[6] << 16 | (uint64_t)hdr[7] << 24;
	if (hdr[0] & 1) {
		len = save(hdr, &ds);
		if (load(hdr, "fuzz-dst", stream_buf, len, &rng, &da) != 0 ||
		    da != ds)
			abort();
		return 0;
	}
	ra = load(hdr, "fuzz-dst", data + HDR_BYTES, size - HDR_BYTES, &rng,
		  &da);
	rb = load(hdr, "fuzz-dst2", data + HDR_BYTES, size - HDR_BYTES, NULL,
		  &db);
	if ((ra == 0) != (rb == 0) || (ra == 0 && da != db))
		abort();
	return 0;
}

#ifdef FUZZ_GEN
#include "fuzz_seeds.h"

/* A round-trip seed and the raw seed of its stream. */
static void
gen(const char *name, const uint8_t *hdr)
{
	char nm[64];
	uint8_t *buf;
	uint64_t d, d2;
	size_t len;

	snprintf(nm, sizeof(nm), "rt-%s", name);
	fuzz_seed_add(nm, hdr, HDR_BYTES);
	len = save(hdr, &d);
	/* the stream loads: the raw seed starts from an accepted stream */
	if (load(hdr, "fuzz-gen", stream_buf, len, NULL, &d2) != 0 || d2 != d) {
		fprintf(stderr, "seed %s: the stream does not load\n", name);
		exit(1);
	}
	buf = malloc(HDR_BYTES + len);
	if (buf == NULL)
		abort();
	memcpy(buf, hdr, HDR_BYTES);
	buf[0] &= (uint8_t)~1u;
	memcpy(buf + HDR_BYTES, stream_buf, len);
	snprintf(nm, sizeof(nm), "raw-%s", name);
	fuzz_seed_add(nm, buf, HDR_BYTES + len);
	free(buf);
}

static void
make(void)
{
	static const uint8_t stop_copy[HDR_BYTES] = { 1, 2, 5, 20, 1, 2, 3, 4 };
	static const uint8_t precopy[HDR_BYTES] = { 0xb, 1, 6, 90, 5, 6, 7, 8 };
	static const uint8_t chunk[HDR_BYTES] = { 7, 3, 7, 255, 9, 9, 9, 9 };

	LLVMFuzzerInitialize(NULL, NULL);
	gen("stop-copy", stop_copy);
	gen("pre-copy-multi-load", precopy);
	gen("chunk-mode", chunk);
}

FUZZ_SEEDS_MAIN(make)
#endif
