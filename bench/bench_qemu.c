/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * A model of QEMU's VFIO migration data path (hw/vfio/migration.c over a
 * QEMUFile on one TCP socket), for comparison with the engine on the same
 * sim devices:
 *
 * source thread, device after device, each in STOP_COPY:
 *	read() up to 1 MiB from the device into a data buffer (here: one
 *	sim save of 1 MiB, which generates the bytes into the buffer);
 *	put a 16-byte record header (flag, size) and copy the data into the
 *	32 KiB stream buffer, write() the stream buffer each time it is full;
 * destination thread, device after device, each in RESUMING:
 *	read() up to 32 KiB from the socket into the stream buffer, copy
 *	each record's data into a data buffer of the record's size, then
 *	write() it to the device (here: one sim load, which verifies it).
 *
 * One thread per side, one TCP socket, no CRC (QEMU has none). The time
 * is from the first save to the destination's acknowledgement that the
 * last device is loaded. Device digests are compared at the end.
 *
 *	bench_qemu [-n devices] [-s size per device] [-d "extra sim devargs"]
 *		   [-r read size] [-b stream buffer size] [-C src_cpu,dst_cpu]
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mig_dev.h"
#include "mig_devargs.h"
#include "mig_log.h"
#include "mig_rate.h"
#include "mig_time.h"

#define BQ_DEVS_MAX 64
#define BQ_FLAG_DATA UINT64_C(0xffffffffef100004)
#define BQ_FLAG_END UINT64_C(0xffffffffef100002)

struct bq {
	unsigned int ndev;
	uint64_t size;
	uint32_t rsize;       /* read() size on the source: 1 MiB */
	uint32_t bsize;       /* QEMUFile buffer: 32 KiB */
	int cpu[2];
	char args[256];
	struct mig_dev *src[BQ_DEVS_MAX];
	struct mig_dev *dst[BQ_DEVS_MAX];
	int lfd;
	uint16_t port;
	uint64_t bytes;
	uint64_t ns;
	int err;
};

static void
bq_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* One device I/O, waited for (the synchronous read()/write() of VFIO). */
static int
bq_io(struct mig_dev *dev, struct mig_io *io, bool save)
{
	struct mig_io *done;
	int n;

	n = save ? mig_dev_save_submit(dev, io) : mig_dev_load_submit(dev, io);
	if (n < 0)
		return n;
	do {
		n = mig_dev_poll(dev, &done, 1);
	} while (n == 0);
	if (n < 0)
		return n;
	return done->status < 0 ? done->status : 0;
}

static int
bq_write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* QEMUFile-like output buffer. */
struct bq_out {
	int fd;
	uint8_t *buf;
	size_t len, cap;
};

static int
bq_put(struct bq_out *o, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t l;
	int ret;

	while (len > 0) {
		l = o->cap - o->len;
		if (l > len)
			l = len;
		memcpy(o->buf + o->len, p, l);
		o->len += l;
		p += l;
		len -= l;
		if (o->len == o->cap) {
			ret = bq_write_all(o->fd, o->buf, o->len);
			if (ret < 0)
				return ret;
			o->len = 0;
		}
	}
	return 0;
}

static int
bq_flush(struct bq_out *o)
{
	int ret = bq_write_all(o->fd, o->buf, o->len);

	o->len = 0;
	return ret;
}

/* QEMUFile-like input buffer. */
struct bq_in {
	int fd;
	uint8_t *buf;
	size_t pos, len, cap;
};

static int
bq_get(struct bq_in *in, void *data, size_t len)
{
	uint8_t *p = data;
	ssize_t r;
	size_t l;

	while (len > 0) {
		if (in->pos == in->len) {
			r = read(in->fd, in->buf, in->cap);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return r == 0 ? -ECONNRESET : -errno;
			in->pos = 0;
			in->len = (size_t)r;
		}
		l = in->len - in->pos;
		if (l > len)
			l = len;
		memcpy(p, in->buf + in->pos, l);
		in->pos += l;
		p += l;
		len -= l;
	}
	return 0;
}

static void *
bq_source(void *arg)
{
	struct bq *b = arg;
	struct sockaddr_in sa;
	struct bq_out o = { .fd = -1 };
	struct mig_io io;
	uint64_t hdr[2];
	uint8_t *data;
	unsigned int i;
	int ret = 0;
	char ack;

	bq_pin(b->cpu[0]);
	data = malloc(b->rsize);
	o.buf = malloc(b->bsize);
	o.cap = b->bsize;
	o.fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(b->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (data == NULL || o.buf == NULL || o.fd < 0 ||
	    connect(o.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < b->ndev; i++) {
		ret = mig_dev_set_state(b->src[i], MIG_STATE_STOP_COPY,
					MIG_STATE_RUNNING);
		if (ret < 0)
			goto out;
	}
	for (i = 0; i < b->ndev && ret == 0; i++) {
		for (;;) {
			memset(&io, 0, sizeof(io));
			io.buf = data;
			io.cap = b->rsize;
			ret = bq_io(b->src[i], &io, true);
			if (ret < 0 || io.len == 0)
				break;
			hdr[0] = BQ_FLAG_DATA;
			hdr[1] = io.len;
			ret = bq_put(&o, hdr, sizeof(hdr));
			if (ret == 0)
				ret = bq_put(&o, data, io.len);
			if (ret < 0)
				break;
			b->bytes += io.len;
		}
		hdr[0] = BQ_FLAG_END;
		hdr[1] = 0;
		if (ret == 0)
			ret = bq_put(&o, hdr, sizeof(hdr));
	}
	if (ret == 0)
		ret = bq_flush(&o);
	/* the destination says when it has loaded everything */
	if (ret == 0 && read(o.fd, &ack, 1) != 1)
		ret = -EPROTO;
out:
	if (o.fd >= 0)
		close(o.fd);
	free(o.buf);
	free(data);
	if (ret < 0 && b->err == 0)
		b->err = ret;
	return NULL;
}

static void *
bq_destination(void *arg)
{
	struct bq *b = arg;
	struct bq_in in = { .fd = -1 };
	struct mig_io io;
	uint64_t hdr[2];
	uint8_t *data = NULL;
	unsigned int i;
	int ret = 0;

	bq_pin(b->cpu[1]);
	in.buf = malloc(b->bsize);
	in.cap = b->bsize;
	data = malloc(b->rsize);
	in.fd = accept(b->lfd, NULL, NULL);
	if (in.buf == NULL || data == NULL || in.fd < 0) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < b->ndev && ret == 0; i++) {
		for (;;) {
			ret = bq_get(&in, hdr, sizeof(hdr));
			if (ret < 0 || hdr[0] == BQ_FLAG_END)
				break;
			if (hdr[0] != BQ_FLAG_DATA || hdr[1] > b->rsize) {
				ret = -EPROTO;
				break;
			}
			ret = bq_get(&in, data, hdr[1]);
			if (ret < 0)
				break;
			memset(&io, 0, sizeof(io));
			io.buf = data;
			io.len = (uint32_t)hdr[1];
			ret = bq_io(b->dst[i], &io, false);
			if (ret < 0)
				break;
		}
		if (ret == 0)
			ret = mig_dev_set_state(b->dst[i], MIG_STATE_RUNNING,
						MIG_STATE_ERROR);
	}
	if (ret == 0 && write(in.fd, "k", 1) != 1)
		ret = -errno;
out:
	if (in.fd >= 0)
		close(in.fd);
	free(in.buf);
	free(data);
	if (ret < 0 && b->err == 0)
		b->err = ret;
	return NULL;
}

static int
bq_listen(struct bq *b)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;

	b->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (b->lfd < 0)
		return -errno;
	setsockopt(b->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(b->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(b->lfd, 1) < 0 ||
	    getsockname(b->lfd, (struct sockaddr *)&sa, &sl) < 0)
		return -errno;
	b->port = ntohs(sa.sin_port);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct bq b = {
		.ndev = 4, .size = UINT64_C(1) << 30, .rsize = 1 << 20,
		.bsize = 32 << 10, .cpu = { -1, -1 }, .lfd = -1,
	};
	const char *extra = "";
	uint64_t v, t0, ds, dd;
	pthread_t ts, td;
	unsigned int i, bad = 0;
	int opt, ret;

	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		b.cpu[0] = 0;
		b.cpu[1] = 1;
	}
	while ((opt = getopt(argc, argv, "n:s:d:r:b:C:")) != -1) {
		switch (opt) {
		case 'n':
			b.ndev = (unsigned int)atoi(optarg);
			if (b.ndev == 0 || b.ndev > BQ_DEVS_MAX)
				goto usage;
			break;
		case 's':
			if (mig_parse_size(optarg, &b.size) < 0)
				goto usage;
			break;
		case 'd':
			extra = optarg;
			break;
		case 'r':
		case 'b':
			if (mig_parse_size(optarg, &v) < 0 || v < 64 ||
			    v > (UINT64_C(1) << 30))
				goto usage;
			if (opt == 'r')
				b.rsize = (uint32_t)v;
			else
				b.bsize = (uint32_t)v;
			break;
		case 'C':
			if (sscanf(optarg, "%d,%d", &b.cpu[0], &b.cpu[1]) != 2)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	for (i = 0; i < b.ndev; i++) {
		/* the destination's devices start from other contents */
		snprintf(b.args, sizeof(b.args),
			 "sim,id=q%u,size=%llu,caps=stop_copy,seed=%u%s%s", i,
			 (unsigned long long)b.size, i + 1, extra[0] ? "," : "",
			 extra);
		b.src[i] = mig_dev_open(b.args);
		snprintf(b.args, sizeof(b.args),
			 "sim,id=q%u,size=%llu,caps=stop_copy,seed=%u%s%s", i,
			 (unsigned long long)b.size, 1000 + i,
			 extra[0] ? "," : "", extra);
		b.dst[i] = mig_dev_open(b.args);
		if (b.src[i] == NULL || b.dst[i] == NULL)
			goto fail;
		if (mig_dev_set_state(b.dst[i], MIG_STATE_RESUMING,
				      MIG_STATE_ERROR) < 0)
			goto fail;
	}
	ret = bq_listen(&b);
	if (ret < 0) {
		fprintf(stderr, "bench_qemu: listen: %s\n", strerror(-ret));
		return 1;
	}
	t0 = mig_time_ns();
	if (pthread_create(&td, NULL, bq_destination, &b) != 0 ||
	    pthread_create(&ts, NULL, bq_source, &b) != 0)
		return 1;
	pthread_join(ts, NULL);
	pthread_join(td, NULL);
	b.ns = mig_time_ns() - t0;
	close(b.lfd);
	if (b.err < 0) {
		fprintf(stderr, "bench_qemu: %s (%s)\n", strerror(-b.err),
			mig_err_last());
		return 1;
	}
	for (i = 0; i < b.ndev; i++) {
		if (mig_dev_digest(b.src[i], &ds) < 0 ||
		    mig_dev_digest(b.dst[i], &dd) < 0 || ds != dd)
			bad++;
		mig_dev_close(b.src[i]);
		mig_dev_close(b.dst[i]);
	}
	if (bad) {
		fprintf(stderr, "bench_qemu: %u device digests differ\n", bad);
		return 1;
	}
	printf("qemu-model: %u devices, %llu bytes, %.1f ms, %.1f MB/s, digests equal\n",
	       b.ndev, (unsigned long long)b.bytes, b.ns / 1e6,
	       b.bytes * 1e3 / (double)b.ns);
	return 0;
fail:
	fprintf(stderr, "bench_qemu: %s\n", mig_err_last());
	return 1;
usage:
	fprintf(stderr, "usage: %s [-n devices] [-s size] [-d devargs] [-r read size] [-b stream buffer] [-C cpu,cpu]\n",
		argv[0]);
	return 2;
}
