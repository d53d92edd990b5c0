/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The observers a role puts on its session (doc/watching.md): the
 * telemetry endpoints when the EAL's telemetry socket is on, the timeline
 * with --timeline FILE. Any role that runs a session calls
 * app_watch_start() on its configuration and app_watch_end() after it.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "mig_telemetry.h"

int
app_watch_start(struct app_watch *w, struct mig_session_cfg *cfg,
		const char *role, char **names, unsigned int ndev)
{
	int ret;

	w->tl = NULL;
	cfg->observers = w->obs;
	cfg->nobservers = 0;
	if (w->telemetry) {
		w->obs[cfg->nobservers++] = mig_telemetry_attach(role, names,
								 ndev);
		app_eal_telemetry(role, w->quiet);
	}
	if (w->timeline == NULL)
		return 0;
	ret = app_timeline_open(&w->tl, w->timeline, role, names);
	if (ret < 0) {
		fprintf(stderr, "dpdk-migrate: --timeline %s: %s\n",
			w->timeline, strerror(-ret));
		return ret;
	}
	w->obs[cfg->nobservers++] = app_timeline_observer(w->tl);
	return 0;
}

void
app_watch_end(struct app_watch *w, const char *role)
{
	if (w->tl == NULL)
		return;
	if (app_timeline_close(w->tl) < 0)
		fprintf(stderr, "dpdk-migrate: cannot write %s\n", w->timeline);
	else if (!w->quiet)
		printf("%s: timeline written to %s\n", role, w->timeline);
	w->tl = NULL;
}
