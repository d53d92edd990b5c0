/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/* Progress line, summary and JSON output of dpdk-migrate. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "mig_wire.h"

void
app_progress(void *ctx, const struct mig_session_stats *st)
{
	struct app_report *r = ctx;

	if (r->quiet || !r->tty)
		return;
	fprintf(stderr, "\r%s: %s, %.1f MiB moved, %.1f MB/s, round %u, pending %.1f MiB   ",
		r->role, mig_wire_step_name((unsigned int)st->step),
		(double)st->bytes / 1048576.0, st->rate_bps / 1e6, st->rounds,
		(double)st->pending / 1048576.0);
	r->progress_shown = true;
}

void
app_listening(void *ctx, const char *addr)
{
	struct app_report *r = ctx;
	char line[128];
	int n;

	if (!r->quiet)
		printf("destination: listening on %s\n", addr);
	fflush(stdout);
	if (r->ready_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s\n", addr);
	if (write(r->ready_fd, line, (size_t)n) != n)
		fprintf(stderr, "dpdk-migrate: cannot report the address\n");
	close(r->ready_fd);
	r->ready_fd = -1;
}

static double
app_mbps(const struct mig_session_stats *st)
{
	return st->total_ns ? (double)st->bytes * 1e3 / (double)st->total_ns :
			      0;
}

void
app_summary(struct app_report *r, const struct mig_session_stats *st)
{
	unsigned int i;

	if (r->progress_shown)
		fprintf(stderr, "\n");
	r->progress_shown = false;
	if (r->quiet)
		return;
	printf("%s: migration complete\n", r->role);
	printf("%s: total time %.1f ms, %" PRIu64 " bytes, throughput %.1f MB/s\n",
	       r->role, (double)st->total_ns / 1e6, st->bytes, app_mbps(st));
	if (strcmp(r->role, "source") == 0)
		printf("%s: pre-copy rounds %u, downtime %.3f ms\n", r->role,
		       st->rounds, (double)st->downtime_ns / 1e6);
	for (i = 0; i < st->ndev; i++) {
		printf("%s: device %s: %" PRIu64 " bytes, %" PRIu64
		       " chunks, stream digest %016" PRIx64, r->role,
		       r->names[i], st->dev[i].bytes, st->dev[i].chunks,
		       st->dev[i].stream_digest);
		if (st->dev[i].has_dev_digest)
			printf(", device digest %016" PRIx64,
			       st->dev[i].dev_digest);
		printf("\n");
	}
	fflush(stdout);
}

static void
app_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

int
app_json(const char *path, struct app_report *r,
	 const struct mig_session_stats *st, int ret, const char *err)
{
	unsigned int i;
	FILE *f;

	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "{\n  \"role\": \"%s\",\n  \"ok\": %s,\n  \"error\": ",
		r->role, ret == 0 ? "true" : "false");
	app_json_str(f, ret == 0 ? "" : err);
	fprintf(f, ",\n  \"total_ms\": %.3f,\n  \"downtime_ms\": %.3f,\n"
		"  \"precopy_rounds\": %u,\n  \"bytes\": %" PRIu64 ",\n"
		"  \"throughput_mbps\": %.1f,\n  \"devices\": [",
		(double)st->total_ns / 1e6, (double)st->downtime_ns / 1e6,
		st->rounds, st->bytes, app_mbps(st));
	for (i = 0; i < st->ndev; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		app_json_str(f, r->names[i]);
		fprintf(f, ", \"bytes\": %" PRIu64 ", \"chunks\": %" PRIu64
			", \"stream_digest\": \"%016" PRIx64 "\"",
			st->dev[i].bytes, st->dev[i].chunks,
			st->dev[i].stream_digest);
		if (st->dev[i].has_dev_digest)
			fprintf(f, ", \"device_digest\": \"%016" PRIx64 "\"",
				st->dev[i].dev_digest);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		return -errno;
	return 0;
}
