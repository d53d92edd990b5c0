/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _APP_H_
#define _APP_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "mig_session.h"

#define APP_MAX_DEVS MIG_SESSION_DEVS_MAX
#define APP_KEY_MAX 4096
/* The unit of a time option given as a bare number. */
#define APP_MS (1000ull * 1000ull)
#define APP_DURATION_HELP \
	"a number with an optional unit ns, us, ms or s, ms if none: 500, 500ms, 1.5s"

struct app_report {
	const char *role;
	bool quiet;
	bool tty;          /* progress line on stderr */
	bool progress_shown;
	unsigned int lines;  /* lines of the progress block on screen */
	int ready_fd;      /* destination: write the listen address here */
	char **names;      /* device names */
};

/* Progress callback (struct app_report *). */
void app_progress(void *ctx, const struct mig_session_stats *st);
/* Listening callback: writes the address to ready_fd. */
void app_listening(void *ctx, const char *addr);
/* Summary on stdout. */
void app_summary(struct app_report *r, const struct mig_session_stats *st);
/* Version of the JSON summary (doc/dpdk-migrate-summary.schema.json):
 * raised when a field changes meaning or goes away, not when one is
 * added. */
#define APP_JSON_VERSION 1

/* @p s as a JSON string. */
void app_json_str(FILE *f, const char *s);
/* JSON summary; 0 or -errno. */
int app_json(const char *path, struct app_report *r,
	     const struct mig_session_stats *st, int ret, const char *err);

/*
 * Loopback: start this program again as the destination (posix_spawn of
 * /proc/self/exe) with @p argv rewritten; the address it listens on is
 * stored in @p addr. Returns 0 and the child's pid, or -errno.
 */
int app_spawn_destination(int argc, char **argv, pid_t *pid, char *addr,
			  size_t addr_len);
/* Wait for the child (bounded); its exit status or -1. */
int app_wait_child(pid_t pid, unsigned int timeout_s);

/*
 * argv with the EAL options the application adds by default (--in-memory,
 * --no-telemetry: nothing left in /dev/hugepages or the runtime directory
 * when a process is killed) unless the EAL options choose otherwise; with
 * --telemetry and no --file-prefix, a prefix of its own
 * (dpdk-migrate-<pid>), so that processes on one host do not share a
 * telemetry socket. The array is allocated, its strings are @p argv's or
 * static. @p telemetry: whether the telemetry socket is on. NULL when out
 * of memory.
 */
char **app_eal_argv(int argc, char **argv, int *out_argc, bool *telemetry);
/* After rte_eal_init(): its runtime directory is removed at exit if it
 * is empty then. */
void app_eal_init_done(void);
/* "<role>: telemetry on <socket>" when the socket is on, unless @p quiet. */
void app_eal_telemetry(const char *role, bool quiet);

/* What watches a role's session (app_watch.c): telemetry, timeline. */
struct app_watch {
	bool telemetry;          /* the EAL's telemetry socket is on */
	bool quiet;
	const char *timeline;    /* --timeline FILE, NULL: none */
	struct app_timeline *tl;
	const struct mig_session_observer *obs[2];
};
/* Put the observers @p w asks for on @p cfg, for a session in @p role
 * over @p ndev devices named @p names (kept until app_watch_end());
 * 0, or -errno with a message. */
int app_watch_start(struct app_watch *w, struct mig_session_cfg *cfg,
		    const char *role, char **names, unsigned int ndev);
/* After the session: close the timeline, say where it went. */
void app_watch_end(struct app_watch *w, const char *role);

/* The command line after the EAL's. */
struct app_opts {
	const char *role;
	const char *listen;
	const char *peer;
	const char *xport;
	const char *key_file;
	const char *json;
	struct app_watch watch;  /* telemetry, --timeline */
	bool insecure;
	bool quiet;
	int verbose;
	int ready_fd;
	uint32_t chunk;
	uint64_t timeout_ns;
	struct mig_policy_cfg policy;
	char *devargs[APP_MAX_DEVS];
	unsigned int ndev;
	bool info;
	const char *check;
};

/* Read a key file (hex or raw, >= 16 bytes, not accessible by others);
 * 0 or -errno with a message on stderr. */
int app_read_key(const char *path, uint8_t *key, size_t *len);

/*
 * The agent role (doc/offload.md): attach to the --dev offload devices,
 * and migrate each whenever its VMM does, until SIGTERM or SIGINT; then
 * detach every device. 0 or -errno.
 */
int app_agent(const struct app_opts *o);

/* --timeline FILE (app_timeline.c) */
struct app_timeline;
/* Create @p path (CSV if it ends in .csv, JSON Lines otherwise) for a
 * session in @p role over devices named @p names (kept); 0 or -errno. */
int app_timeline_open(struct app_timeline **tl, const char *path,
		      const char *role, char **names);
const struct mig_session_observer *
app_timeline_observer(struct app_timeline *tl);
/* Close (NULL: nothing); 0, or -errno when a write failed. */
int app_timeline_close(struct app_timeline *tl);

#endif /* _APP_H_ */
