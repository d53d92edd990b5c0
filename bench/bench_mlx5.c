/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * mlx5 stop-copy: chunk size x read-ahead sweep on emulated VFs, one
 * thread, no EAL. A source VF (emulated firmware with command latency and
 * SAVE bandwidth) is saved in engine chunks (1 MiB, 4 in flight) that
 * cross an emulated wire (bandwidth, FIFO) and are loaded into a
 * destination VF (same firmware model), as the engine's pipeline does.
 *
 *   stop-copy time: STOP_COPY requested .. last byte saved on the source
 *   downtime:       STOP_COPY requested .. destination RUNNING
 *
 * Every configuration is compared with the kernel driver's choice
 * (8 MiB chunks, one chunk read ahead) measured in the same run.
 *
 *	bench_mlx5 [-s size] [-f fw_bandwidth] [-w wire_bandwidth]
 *		   [-l fw_latency_us] [-c chunks,...] [-r readaheads,...]
 *		   [-n repetitions (the fastest counts)]
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mig_dev.h"
#include "mig_devargs.h"
#include "mig_log.h"
#include "mig_time.h"

#define MIB (UINT64_C(1) << 20)
#define ENG_CHUNK (1u << 20)
#define ENG_DEPTH 4
#define NBUF (3 * ENG_DEPTH)
#define MAXCFG 16

struct bbuf {
	struct mig_io io;
	uint64_t arrive_ns;
	struct bbuf *next;
};

struct bench {
	uint64_t size, fw_bw, wire_bw, lat_us;
	int run;
	unsigned int reps;
};

static struct mig_dev *
bench_open(struct bench *b, const char *side, uint64_t chunk, uint64_t ra)
{
	char args[512];
	struct mig_dev *dev;

	snprintf(args, sizeof(args),
		 "mlx5,pf=bench-%s-%d,vf=0,channel=emu,precopy=0,emu_size=%" PRIu64 ",emu_page=64K,emu_seed=%d,emu_bandwidth=%" PRIu64 ",emu_latency=%" PRIu64 "us,emu_chunk_min=256K,chunk=%" PRIu64 ",readahead=%" PRIu64,
		 side, b->run, b->size, b->run + 1, b->fw_bw, b->lat_us, chunk,
		 ra);
	dev = mig_dev_open(args);
	if (dev == NULL)
		fprintf(stderr, "bench_mlx5: %s\n", mig_err_last());
	return dev;
}

/* One migration; times in ns. */
static int
bench_run(struct bench *b, uint64_t chunk, uint64_t ra, uint64_t *t_sc,
	  uint64_t *t_down)
{
	struct bbuf bufs[NBUF], *free_list = NULL, *wire_h = NULL,
		    *wire_t = NULL, *bb;
	struct mig_dev *src, *dst;
	unsigned int s_in = 0, d_in = 0, i;
	uint64_t t0, wire_busy = 0, ds, dd, t_end = 0;
	struct mig_io *done[NBUF];
	bool eos = false;
	int n, k, ret = -1;

	b->run++;
	src = bench_open(b, "s", chunk, ra);
	dst = bench_open(b, "d", chunk, ra);
	if (src == NULL || dst == NULL)
		goto out;
	for (i = 0; i < NBUF; i++) {
		memset(&bufs[i], 0, sizeof(bufs[i]));
		bufs[i].io.buf = malloc(ENG_CHUNK);
		bufs[i].io.cookie = &bufs[i];
		if (bufs[i].io.buf == NULL)
			goto out;
		memset(bufs[i].io.buf, 0, ENG_CHUNK);
		bufs[i].next = free_list;
		free_list = &bufs[i];
	}
	if (mig_dev_set_state(dst, MIG_STATE_RESUMING, MIG_STATE_RUNNING) < 0)
		goto fail;
	t0 = mig_time_ns();
	if (mig_dev_set_state(src, MIG_STATE_STOP_COPY, MIG_STATE_RUNNING) < 0)
		goto fail;
	while (!eos || wire_h != NULL || d_in > 0 || s_in > 0) {
		while (!eos && free_list != NULL && s_in < ENG_DEPTH) {
			bb = free_list;
			bb->io.cap = ENG_CHUNK;
			if (mig_dev_save_submit(src, &bb->io) < 0)
				goto fail;
			free_list = bb->next;
			s_in++;
		}
		n = mig_dev_poll(src, done, NBUF);
		if (n < 0)
			goto fail;
		for (k = 0; k < n; k++) {
			bb = done[k]->cookie;
			s_in--;
			if (bb->io.status < 0)
				goto fail;
			if (bb->io.len == 0) {
				eos = true;
				t_end = mig_time_ns();
				bb->next = free_list;
				free_list = bb;
				continue;
			}
			/* the wire: one FIFO at wire_bw */
			wire_busy = (wire_busy > mig_time_ns() ? wire_busy : mig_time_ns()) +
				    bb->io.len * 1000000000ull / b->wire_bw;
			bb->arrive_ns = wire_busy;
			bb->next = NULL;
			if (wire_t == NULL)
				wire_h = bb;
			else
				wire_t->next = bb;
			wire_t = bb;
		}
		while (wire_h != NULL && wire_h->arrive_ns <= mig_time_ns() &&
		       d_in < ENG_DEPTH) {
			bb = wire_h;
			if (mig_dev_load_submit(dst, &bb->io) < 0)
				goto fail;
			wire_h = bb->next;
			if (wire_h == NULL)
				wire_t = NULL;
			d_in++;
		}
		n = mig_dev_poll(dst, done, NBUF);
		if (n < 0)
			goto fail;
		for (k = 0; k < n; k++) {
			bb = done[k]->cookie;
			d_in--;
			if (bb->io.status < 0)
				goto fail;
			bb->next = free_list;
			free_list = bb;
		}
	}
	if (mig_dev_set_state(dst, MIG_STATE_RUNNING, MIG_STATE_ERROR) < 0)
		goto fail;
	*t_down = mig_time_ns() - t0;
	*t_sc = t_end - t0;
	if (mig_dev_digest(src, &ds) < 0 || mig_dev_digest(dst, &dd) < 0 ||
	    ds != dd) {
		fprintf(stderr, "bench_mlx5: digests differ\n");
		goto out;
	}
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_mlx5: chunk %" PRIu64 " readahead %" PRIu64 ": %s\n",
		chunk, ra, mig_err_last());
out:
	mig_dev_close(src);
	mig_dev_close(dst);
	for (i = 0; i < NBUF; i++)
		free(bufs[i].io.buf);
	return ret;
}

/* The fastest of b->reps migrations (the machine is shared and noisy). */
static int
bench_one(struct bench *b, uint64_t chunk, uint64_t ra, uint64_t *t_sc,
	  uint64_t *t_down)
{
	uint64_t sc, down;
	unsigned int i;

	*t_sc = UINT64_MAX;
	*t_down = UINT64_MAX;
	for (i = 0; i < b->reps; i++) {
		if (bench_run(b, chunk, ra, &sc, &down) < 0)
			return -1;
		if (down < *t_down) {
			*t_down = down;
			*t_sc = sc;
		}
	}
	return 0;
}

static unsigned int
parse_list(const char *s, uint64_t *v, bool sizes)
{
	char tmp[256], *tok, *save = NULL;
	unsigned int n = 0;

	snprintf(tmp, sizeof(tmp), "%s", s);
	for (tok = strtok_r(tmp, ",", &save); tok != NULL && n < MAXCFG;
	     tok = strtok_r(NULL, ",", &save)) {
		if (sizes ? mig_parse_size(tok, &v[n]) < 0 :
			    (v[n] = strtoull(tok, NULL, 0), 0))
			return 0;
		n++;
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct bench b = { .size = 4096 * MIB, .fw_bw = 500 * 1000 * 1000,
			   .wire_bw = 625 * 1000 * 1000, .lat_us = 200,
			   .reps = 1 };
	uint64_t chunks[MAXCFG], ras[MAXCFG], base_sc, base_down, sc, down;
	unsigned int nc, nr, i, j;
	int opt;

	nc = parse_list("1M,2M,4M,8M,16M", chunks, true);
	nr = parse_list("0,1,2", ras, false);
	while ((opt = getopt(argc, argv, "s:f:w:l:c:r:n:")) != -1) {
		switch (opt) {
		case 's':
			if (mig_parse_size(optarg, &b.size) < 0)
				goto usage;
			break;
		case 'f':
			if (mig_parse_size(optarg, &b.fw_bw) < 0 || b.fw_bw == 0)
				goto usage;
			break;
		case 'w':
			if (mig_parse_size(optarg, &b.wire_bw) < 0 ||
			    b.wire_bw == 0)
				goto usage;
			break;
		case 'l':
			b.lat_us = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			b.reps = (unsigned int)strtoul(optarg, NULL, 0);
			if (b.reps == 0)
				goto usage;
			break;
		case 'c':
			nc = parse_list(optarg, chunks, true);
			if (nc == 0)
				goto usage;
			break;
		case 'r':
			nr = parse_list(optarg, ras, false);
			if (nr == 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	printf("# mlx5 emulated VF of %" PRIu64 " MiB, firmware %.2f GB/s + %" PRIu64 " us per command, wire %.2f GB/s, engine chunks 1 MiB x %d\n",
	       b.size / MIB, b.fw_bw / 1e9, b.lat_us, b.wire_bw / 1e9,
	       ENG_DEPTH);
	printf("# fastest of %u run(s) per row\n", b.reps);
	if (bench_one(&b, 8 * MIB, 1, &base_sc, &base_down) < 0)
		return 1;
	printf("# baseline (kernel choice: 8 MiB, read-ahead 1): stop-copy %.0f ms, downtime %.0f ms\n",
	       base_sc / 1e6, base_down / 1e6);
	fflush(stdout);
	printf("| chunk | read-ahead | stop-copy ms | downtime ms | downtime / baseline |\n");
	printf("|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < nc; i++)
		for (j = 0; j < nr; j++) {
			if (bench_one(&b, chunks[i], ras[j], &sc, &down) < 0)
				return 1;
			printf("| %" PRIu64 " MiB | %" PRIu64 " | %.0f | %.0f | %.2f |\n",
			       chunks[i] / MIB, ras[j], sc / 1e6, down / 1e6,
			       (double)down / base_down);
			fflush(stdout);
		}
	/* the same baseline again: the spread is the run's noise */
	if (bench_one(&b, 8 * MIB, 1, &sc, &down) < 0)
		return 1;
	printf("# baseline again at the end: stop-copy %.0f ms, downtime %.0f ms (%.2f of the first)\n",
	       sc / 1e6, down / 1e6, (double)down / base_down);
	return 0;
usage:
	fprintf(stderr, "usage: bench_mlx5 [-s size] [-f fw_bw] [-w wire_bw] [-l fw_latency_us] [-c chunk,...] [-r readahead,...] [-n reps]\n");
	return 2;
}
