/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * --timeline FILE: a session observer that writes a sample of every
 * device every 50 ms and a mark at each phase event, as CSV (a FILE
 * ending in .csv) or JSON Lines (any other name); doc/watching.md
 * describes both, devtools/plot-timeline.py draws them.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "mig_wire.h"

#define APP_TIMELINE_PERIOD_NS (50ull * 1000ull * 1000ull)

struct app_timeline {
	FILE *f;
	bool csv;
	int err;                 /* first write error (-errno) */
	char **names;
	struct mig_session_observer obs;
};

static double
tl_ms(const struct mig_session_stats *st, uint64_t now_ns)
{
	return now_ns > st->start_ns ? (double)(now_ns - st->start_ns) / 1e6 :
				       0;
}

static void
tl_check(struct app_timeline *tl)
{
	if (tl->err == 0 && ferror(tl->f))
		tl->err = -EIO;
}

static void
tl_sample(void *ctx, const struct mig_session_stats *st, uint64_t now_ns)
{
	struct app_timeline *tl = ctx;
	const struct mig_session_dev_stats *d;
	const char *step = mig_wire_step_name((unsigned int)st->step);
	double t = tl_ms(st, now_ns);
	unsigned int i;

	if (!tl->csv) {
		fprintf(tl->f, "{\"t_ms\": %.3f, \"type\": \"sample\", \"step\": \"%s\", \"round\": %u, \"bytes\": %" PRIu64
			", \"pending\": %" PRIu64 ", \"rate_bps\": %.0f, \"devices\": [",
			t, step, st->rounds, st->bytes, st->pending,
			st->rate_bps);
	}
	for (i = 0; i < st->ndev; i++) {
		d = &st->dev[i];
		if (tl->csv) {
			fprintf(tl->f, "%.3f,sample,%s,%s,%u,%" PRIu64 ",%" PRIu64
				",%" PRIu64 ",%.0f,%s,\n", t, tl->names[i],
				step, st->rounds, d->bytes, d->pending,
				d->dirty, d->rate_bps,
				mig_state_name(d->state));
		} else {
			fprintf(tl->f, "%s{\"name\": ", i ? ", " : "");
			app_json_str(tl->f, tl->names[i]);
			fprintf(tl->f, ", \"state\": \"%s\", \"bytes\": %" PRIu64
				", \"pending\": %" PRIu64 ", \"dirty\": %" PRIu64
				", \"rate_bps\": %.0f}", mig_state_name(d->state),
				d->bytes, d->pending, d->dirty, d->rate_bps);
		}
	}
	if (!tl->csv)
		fprintf(tl->f, "]}\n");
	tl_check(tl);
}

/* The mark of an event: the step entered, "round", "decision",
 * "running", "end". */
static const char *
tl_mark(const struct mig_session_stats *st, enum mig_session_event ev)
{
	switch (ev) {
	case MIG_SESSION_EV_STEP:
		return mig_wire_step_name((unsigned int)st->step);
	case MIG_SESSION_EV_ROUND:
		return "round";
	case MIG_SESSION_EV_SWITCHOVER:
		return "decision";
	case MIG_SESSION_EV_RUNNING:
		return "running";
	case MIG_SESSION_EV_END:
		return "end";
	}
	return "unknown";
}

static void
tl_event(void *ctx, const struct mig_session_stats *st,
	 enum mig_session_event ev, int arg, uint64_t now_ns)
{
	struct app_timeline *tl = ctx;
	const char *mark = tl_mark(st, ev);
	double t = tl_ms(st, now_ns);

	if (tl->csv) {
		fprintf(tl->f, "%.3f,mark,,%s,%u,%" PRIu64 ",%" PRIu64 ",,%.0f,%s,%s\n",
			t, mig_wire_step_name((unsigned int)st->step),
			st->rounds, st->bytes, st->pending, st->rate_bps,
			ev == MIG_SESSION_EV_END ? (arg == 0 ? "ok" : "failed") : "",
			mark);
	} else {
		fprintf(tl->f, "{\"t_ms\": %.3f, \"type\": \"mark\", \"mark\": \"%s\", \"round\": %u, \"bytes\": %" PRIu64
			", \"pending\": %" PRIu64, t, mark, st->rounds,
			st->bytes, st->pending);
		if (ev == MIG_SESSION_EV_SWITCHOVER)
			fprintf(tl->f, ", \"estimate_ms\": %.3f",
				(double)st->sw.estimate_ns / 1e6);
		if (ev == MIG_SESSION_EV_RUNNING || ev == MIG_SESSION_EV_END)
			fprintf(tl->f, ", \"downtime_ms\": %.3f",
				(double)st->downtime_ns / 1e6);
		if (ev == MIG_SESSION_EV_END)
			fprintf(tl->f, ", \"ok\": %s", arg == 0 ? "true" : "false");
		fprintf(tl->f, "}\n");
	}
	tl_check(tl);
}

int
app_timeline_open(struct app_timeline **out, const char *path,
		  const char *role, char **names)
{
	struct app_timeline *tl;
	size_t n = strlen(path);
	int ret;

	tl = calloc(1, sizeof(*tl));
	if (tl == NULL)
		return -ENOMEM;
	tl->f = fopen(path, "w");
	if (tl->f == NULL) {
		ret = -errno;
		free(tl);
		return ret;
	}
	tl->csv = n >= 4 && strcmp(path + n - 4, ".csv") == 0;
	tl->names = names;
	tl->obs = (struct mig_session_observer){
		.period_ns = APP_TIMELINE_PERIOD_NS,
		.sample = tl_sample,
		.event = tl_event,
		.ctx = tl,
	};
	if (tl->csv)
		fprintf(tl->f, "# dpdk-migrate timeline v1, role %s\n"
			"t_ms,type,device,step,round,bytes,pending,dirty,rate_bps,state,mark\n",
			role);
	else
		fprintf(tl->f, "{\"t_ms\": 0, \"type\": \"header\", \"version\": 1, \"role\": \"%s\"}\n",
			role);
	*out = tl;
	return 0;
}

const struct mig_session_observer *
app_timeline_observer(struct app_timeline *tl)
{
	return &tl->obs;
}

int
app_timeline_close(struct app_timeline *tl)
{
	int ret;

	if (tl == NULL)
		return 0;
	tl_check(tl);
	ret = tl->err;
	if (fclose(tl->f) != 0 && ret == 0)
		ret = -errno;
	free(tl);
	return ret;
}
