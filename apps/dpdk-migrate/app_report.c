/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/* Progress block, summary and JSON output of dpdk-migrate
 * (doc/dpdk-migrate-output.md). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "mig_wire.h"

/* Device lines shown in the progress block, at most. */
#define APP_PROGRESS_DEVS 16

static bool
app_is_source(const struct app_report *r)
{
	return strcmp(r->role, "source") == 0;
}

static void
app_bytes(char *buf, size_t len, uint64_t b)
{
	if (b >= (1ull << 30))
		snprintf(buf, len, "%.2f GiB", (double)b / (1ull << 30));
	else
		snprintf(buf, len, "%.1f MiB", (double)b / (1ull << 20));
}

/* Time to move @p left bytes at @p bps, "-" when unknown. */
static void
app_eta(char *buf, size_t len, uint64_t left, double bps)
{
	if (bps <= 0 || left == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f s", (double)left / bps);
}

/* What is left of a device: the source's stop-copy estimate, or on the
 * destination its announced size minus what arrived (pre-copy may send
 * more than the size: then nothing is shown). */
static uint64_t
app_left(const struct app_report *r, const struct mig_session_dev_stats *d)
{
	if (app_is_source(r))
		return d->pending;
	return d->size > d->bytes ? d->size - d->bytes : 0;
}

/*
 * On a terminal: one header line and one line per device, redrawn in
 * place every 250 ms:
 *
 *   source: pre-copy, round 2, 3.10 GiB moved, 1520.3 MB/s, pending 512.0 MiB, ETA 0.3 s
 *     nic0 (lcore 1): 2.01 GiB, 900.1 MB/s, pending 300.0 MiB, ETA 0.3 s
 */
void
app_progress(void *ctx, const struct mig_session_stats *st)
{
	struct app_report *r = ctx;
	const struct mig_session_dev_stats *d;
	const char *what;
	char moved[32], left_s[32], eta[32];
	uint64_t left = 0;
	unsigned int i, n;

	if (r->quiet || !r->tty)
		return;
	what = app_is_source(r) ? "pending" : "to come";
	if (r->lines > 1)
		fprintf(stderr, "\033[%uA", r->lines - 1);
	for (i = 0; i < st->ndev; i++)
		left += app_left(r, &st->dev[i]);
	app_bytes(moved, sizeof(moved), st->bytes);
	app_bytes(left_s, sizeof(left_s), left);
	app_eta(eta, sizeof(eta), left, st->rate_bps);
	fprintf(stderr, "\r%s: %s", r->role,
		mig_wire_step_name((unsigned int)st->step));
	if (app_is_source(r))
		fprintf(stderr, ", round %u", st->rounds);
	fprintf(stderr, ", %s moved, %.1f MB/s, %s %s, ETA %s\033[K", moved,
		st->rate_bps / 1e6, what, left_s, eta);
	n = st->ndev < APP_PROGRESS_DEVS ? st->ndev : APP_PROGRESS_DEVS;
	for (i = 0; i < n; i++) {
		d = &st->dev[i];
		app_bytes(moved, sizeof(moved), d->bytes);
		app_bytes(left_s, sizeof(left_s), app_left(r, d));
		app_eta(eta, sizeof(eta), app_left(r, d), d->rate_bps);
		fprintf(stderr, "\n  %s (lcore %u): %s, %.1f MB/s, %s %s, ETA %s\033[K",
			r->names[i], d->lcore, moved, d->rate_bps / 1e6, what,
			left_s, eta);
	}
	if (st->ndev > n)
		fprintf(stderr, "\n  ... and %u more device(s)\033[K",
			st->ndev - n);
	r->lines = 1 + n + (st->ndev > n ? 1 : 0);
	fflush(stderr);
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

/* A device's throughput while its chunks moved (first to last chunk). */
static double
app_dev_mbps(const struct mig_session_dev_stats *d)
{
	uint64_t ns = d->last_ns - d->first_ns;

	return d->first_ns != 0 && ns > 0 ?
	       (double)d->bytes * 1e3 / (double)ns : 0;
}

/* Source: downtime, final stop-copy bytes, and what the decision saw. */
static void
app_summary_switch(struct app_report *r, const struct mig_session_stats *st)
{
	const struct mig_session_switch *sw = &st->sw;

	printf("%s: pre-copy rounds %u, downtime %.3f ms, stop-copy %" PRIu64
	       " bytes\n", r->role, st->rounds,
	       (double)st->downtime_ns / 1e6, st->stopcopy_bytes);
	printf("%s: downtime: devices to stop-copy %.3f ms, stop-copy data %.3f ms, destination until DONE %.3f ms\n",
	       r->role, (double)st->down_stop_ns / 1e6,
	       (double)st->down_data_ns / 1e6,
	       (double)st->down_commit_ns / 1e6);
	if (!sw->decided)
		return;
	printf("%s: switchover on %" PRIu64 " bytes pending + %" PRIu64
	       " in flight", r->role, sw->pending, sw->inflight);
	if (sw->bw_bps > 0)
		printf(" at %.1f MB/s: estimated downtime %.3f ms",
		       sw->bw_bps / 1e6, (double)sw->estimate_ns / 1e6);
	printf("\n");
}

void
app_summary(struct app_report *r, const struct mig_session_stats *st)
{
	const struct mig_session_dev_stats *d;
	unsigned int i;

	if (r->progress_shown)
		fprintf(stderr, "\n");
	r->progress_shown = false;
	r->lines = 0;
	if (r->quiet)
		return;
	printf("%s: migration complete\n", r->role);
	printf("%s: total time %.1f ms, %" PRIu64
	       " bytes, throughput %.1f MB/s, %u worker lcore(s)\n",
	       r->role, (double)st->total_ns / 1e6, st->bytes, app_mbps(st),
	       st->workers);
	if (app_is_source(r))
		app_summary_switch(r, st);
	for (i = 0; i < st->ndev; i++) {
		d = &st->dev[i];
		printf("%s: device %s: %" PRIu64 " bytes, %" PRIu64
		       " chunks, %.1f MB/s, lcore %u, stream digest %016" PRIx64,
		       r->role, r->names[i], d->bytes, d->chunks,
		       app_dev_mbps(d), d->lcore, d->stream_digest);
		if (d->has_dev_digest)
			printf(", device digest %016" PRIx64, d->dev_digest);
		printf("\n");
	}
	fflush(stdout);
}

void
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
	const struct mig_session_dev_stats *d;
	unsigned int i;
	FILE *f;

	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "{\n  \"version\": %d,\n  \"role\": \"%s\",\n  \"ok\": %s,\n  \"error\": ",
		APP_JSON_VERSION, r->role, ret == 0 ? "true" : "false");
	app_json_str(f, ret == 0 ? "" : err);
	fprintf(f, ",\n  \"step\": \"%s\",\n  \"total_ms\": %.3f,\n"
		"  \"downtime_ms\": %.3f,\n  \"precopy_rounds\": %u,\n"
		"  \"stopcopy_bytes\": %" PRIu64 ",\n"
		"  \"downtime_parts\": {\"stop_ms\": %.3f, \"data_ms\": %.3f"
		", \"commit_ms\": %.3f},\n",
		mig_wire_step_name((unsigned int)st->step),
		(double)st->total_ns / 1e6, (double)st->downtime_ns / 1e6,
		st->rounds, st->stopcopy_bytes,
		(double)st->down_stop_ns / 1e6, (double)st->down_data_ns / 1e6,
		(double)st->down_commit_ns / 1e6);
	if (st->sw.decided)
		fprintf(f, "  \"switchover\": {\"pending_bytes\": %" PRIu64
			", \"inflight_bytes\": %" PRIu64
			", \"bandwidth_mbps\": %.1f, \"estimate_ms\": %.3f},\n",
			st->sw.pending, st->sw.inflight, st->sw.bw_bps / 1e6,
			(double)st->sw.estimate_ns / 1e6);
	fprintf(f, "  \"bytes\": %" PRIu64 ",\n  \"throughput_mbps\": %.1f,\n"
		"  \"workers\": %u,\n  \"devices\": [",
		st->bytes, app_mbps(st), st->workers);
	for (i = 0; i < st->ndev; i++) {
		d = &st->dev[i];
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		app_json_str(f, r->names[i]);
		fprintf(f, ", \"bytes\": %" PRIu64 ", \"chunks\": %" PRIu64
			", \"throughput_mbps\": %.1f, \"lcore\": %u"
			", \"precopy\": %s, \"size\": %" PRIu64
			", \"stream_digest\": \"%016" PRIx64 "\"",
			d->bytes, d->chunks, app_dev_mbps(d), d->lcore,
			d->precopy ? "true" : "false", d->size,
			d->stream_digest);
		if (d->has_dev_digest)
			fprintf(f, ", \"device_digest\": \"%016" PRIx64 "\"",
				d->dev_digest);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		return -errno;
	return 0;
}
