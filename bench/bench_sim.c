/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * sim device speed on one thread: save (generate) the whole stream of a
 * source device in STOP_COPY, load (verify) it into a destination in
 * RESUMING, chunk by chunk, and compare with memcpy of the same number of
 * bytes through the same buffer in the same run.
 *
 *	bench_sim [-s size] [-c chunk] [-d "extra sim devargs"]
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_dev.h"
#include "mig_devargs.h"
#include "mig_log.h"
#include "mig_rate.h"
#include "mig_time.h"

static int
bench_wait(struct mig_dev *dev, struct mig_io *io)
{
	struct mig_io *done;
	int n;

	do {
		n = mig_dev_poll(dev, &done, 1);
	} while (n == 0);
	if (n < 0)
		return n;
	return done->status < 0 ? done->status : 0;
}

int
main(int argc, char **argv)
{
	const char *extra = "";
	uint64_t size = UINT64_C(1) << 30, chunk = 1 << 20, v;
	uint64_t t_save = 0, t_load = 0, t_copy, t0, moved = 0;
	struct mig_dev *src, *dst;
	char args[256];
	void *buf, *copy;
	struct mig_io io;
	int opt, ret;

	while ((opt = getopt(argc, argv, "s:c:d:")) != -1) {
		switch (opt) {
		case 's':
			if (mig_parse_size(optarg, &size) < 0)
				goto usage;
			break;
		case 'c':
			if (mig_parse_size(optarg, &v) < 0 || v == 0 ||
			    v > (UINT64_C(1) << 30))
				goto usage;
			chunk = v;
			break;
		case 'd':
			extra = optarg;
			break;
		default:
			goto usage;
		}
	}
	snprintf(args, sizeof(args), "sim,size=%llu,caps=stop_copy%s%s",
		 (unsigned long long)size, extra[0] ? "," : "", extra);
	src = mig_dev_open(args);
	dst = mig_dev_open(args);
	buf = aligned_alloc(4096, chunk);
	copy = aligned_alloc(4096, chunk);
	if (src == NULL || dst == NULL || buf == NULL || copy == NULL) {
		fprintf(stderr, "bench_sim: %s\n", mig_err_last());
		return 1;
	}
	if (mig_dev_set_state(src, MIG_STATE_STOP_COPY, MIG_STATE_RUNNING) ||
	    mig_dev_set_state(dst, MIG_STATE_RESUMING, MIG_STATE_ERROR))
		goto fail;
	for (;;) {
		memset(&io, 0, sizeof(io));
		io.buf = buf;
		io.cap = (uint32_t)chunk;
		t0 = mig_time_ns();
		ret = mig_dev_save_submit(src, &io);
		if (ret == 0)
			ret = bench_wait(src, &io);
		t_save += mig_time_ns() - t0;
		if (ret < 0)
			goto fail;
		if (io.len == 0)
			break;
		moved += io.len;
		t0 = mig_time_ns();
		ret = mig_dev_load_submit(dst, &io);
		if (ret == 0)
			ret = bench_wait(dst, &io);
		t_load += mig_time_ns() - t0;
		if (ret < 0)
			goto fail;
	}
	if (mig_dev_set_state(dst, MIG_STATE_STOP, MIG_STATE_ERROR) < 0)
		goto fail;
	/* Baseline: the same bytes through memcpy, same buffer size. */
	t0 = mig_time_ns();
	for (v = 0; v < moved; v += chunk) {
		memcpy(copy, buf, chunk);
		/* keep the copy: its result is otherwise never read */
		__asm__ volatile("" : : "r"(copy) : "memory");
	}
	t_copy = mig_time_ns() - t0;
	printf("sim %s: %llu bytes, save %.1f GB/s, load %.1f GB/s, memcpy %.1f GB/s; save/memcpy %.2f, load/memcpy %.2f\n",
	       args, (unsigned long long)moved, moved / (double)t_save,
	       moved / (double)t_load, moved / (double)t_copy,
	       (double)t_copy / t_save, (double)t_copy / t_load);
	mig_dev_close(src);
	mig_dev_close(dst);
	free(buf);
	free(copy);
	return 0;
fail:
	fprintf(stderr, "bench_sim: %s\n", mig_err_last());
	return 1;
usage:
	fprintf(stderr, "usage: %s [-s size] [-c chunk] [-d devargs]\n", argv[0]);
	return 2;
}
