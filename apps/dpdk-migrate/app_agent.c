/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The agent role (doc/offload.md): one process per host, attached to the
 * offload devices of its --dev options, migrating each whenever its VMM
 * does. The VMM's events start the work: the devices it saves are the
 * source of one session to the peer agent (--peer), the devices it
 * resumes the destination of one session from it (--listen). A session
 * is the engine's, with the switchover left to the VMM (policy owner
 * mode); its outcome goes back to each device's VMM (mig_dev_owner_end).
 * Sessions run one at a time; SIGTERM or SIGINT fails the session in
 * flight (the VMMs' arcs fail, their VMs keep running) and detaches every
 * device.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>

#include "app.h"
#include "mig_dev.h"
#include "mig_log.h"
#include "mig_time.h"

/* Devices whose VMM starts within this of the first one's join its
 * session: the devices of one VM start together. */
#define AGENT_SETTLE_NS (100ull * APP_MS)
/* Poll period of the VMMs' events while idle. */
#define AGENT_IDLE_US 5000
/* A refused connection (the peer's VMM has not begun its resume yet) is
 * tried again after this, up to --timeout. */
#define AGENT_RETRY_US 50000
/* --timeout's default, as the session's. */
#define AGENT_TIMEOUT_DEF_NS (10000ull * APP_MS)

static int g_agent_stop;

static void
agent_signal(int sig)
{
	RTE_SET_USED(sig);
	__atomic_store_n(&g_agent_stop, 1, __ATOMIC_RELAXED);
}

struct agent {
	const struct app_opts *o;
	uint8_t key[APP_KEY_MAX];
	size_t key_len;
	struct mig_dev *devs[APP_MAX_DEVS];
	char *names[APP_MAX_DEVS];
	uint64_t handled[APP_MAX_DEVS]; /* job_id of the last job taken */
	unsigned int ndev;
	unsigned int sessions;          /* sessions run so far */
};

static bool
agent_stopping(void)
{
	return __atomic_load_n(&g_agent_stop, __ATOMIC_RELAXED) != 0;
}

static int
agent_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = agent_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		return -errno;
	return 0;
}

/*
 * Devices whose VMM started a job of kind @p job that the agent has not
 * taken yet, in --dev order, into @p idx. @return how many, or -errno.
 */
static int
agent_jobs(struct agent *a, enum mig_dev_owner_job job, unsigned int *idx)
{
	struct mig_dev_owner own;
	unsigned int i, n = 0;
	int ret;

	for (i = 0; i < a->ndev; i++) {
		ret = mig_dev_owner_get(a->devs[i], &own);
		if (ret < 0) {
			fprintf(stderr, "dpdk-migrate: agent: %s\n",
				mig_err_last());
			return ret;
		}
		if (own.job == job && own.job_id != a->handled[i])
			idx[n++] = i;
	}
	return (int)n;
}

static void
agent_sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };

	nanosleep(&ts, NULL);
}

/* The session's outcome to each device's VMM; 0, or the first refusal. */
static int
agent_end_jobs(struct agent *a, const unsigned int *idx, unsigned int n,
	       int status)
{
	unsigned int i;
	int ret, first = 0;

	for (i = 0; i < n; i++) {
		ret = mig_dev_owner_end(a->devs[idx[i]], status);
		if (ret < 0) {
			fprintf(stderr, "dpdk-migrate: agent: %s\n",
				mig_err_last());
			if (first == 0)
				first = ret;
		}
	}
	return first;
}

static void
agent_cfg(struct agent *a, struct mig_session_cfg *cfg, bool source,
	  struct mig_dev **devs, unsigned int n, struct app_report *r)
{
	const struct app_opts *o = a->o;

	memset(cfg, 0, sizeof(*cfg));
	cfg->xport_args = o->xport;
	cfg->addr = source ? o->peer : o->listen;
	cfg->devs = devs;
	cfg->ndev = n;
	cfg->key = o->key_file ? a->key : NULL;
	cfg->key_len = a->key_len;
	cfg->insecure = o->insecure;
	cfg->chunk_size = o->chunk;
	cfg->timeout_ns = o->timeout_ns;
	/* The VMM decides when to switch over, and runs its own limits. */
	cfg->policy.owner = 1;
	cfg->match_names = true;
	cfg->progress = app_progress;
	cfg->progress_ctx = r;
	cfg->stop = &g_agent_stop;
}

/* One migration of the devices @p idx; 0 or -errno, reported. */
static int
agent_session(struct agent *a, bool source, const unsigned int *idx,
	      unsigned int n)
{
	const char *role = source ? "source" : "destination";
	struct mig_dev *devs[APP_MAX_DEVS];
	char *names[APP_MAX_DEVS];
	struct mig_session_stats st;
	struct mig_session_cfg cfg;
	struct app_watch watch;
	struct mig_dev_owner own;
	struct app_report r;
	char err[MIG_ERR_MAX];
	uint64_t deadline;
	unsigned int i;
	int ret, end;

	memset(&r, 0, sizeof(r));
	r.role = role;
	r.quiet = a->o->quiet;
	r.tty = isatty(STDERR_FILENO);
	r.ready_fd = -1;
	r.names = names;
	a->sessions++;
	for (i = 0; i < n; i++) {
		devs[i] = a->devs[idx[i]];
		names[i] = a->names[idx[i]];
		mig_dev_owner_get(devs[i], &own);
		a->handled[idx[i]] = own.job_id;
		/* The engine's view of the device starts over from RUNNING
		 * (its states mirror the VMM's; nothing changes in it). */
		if (mig_dev_state(devs[i]) != MIG_STATE_RUNNING)
			mig_dev_set_state(devs[i], MIG_STATE_RUNNING,
					  MIG_STATE_ERROR);
		printf("agent: migration %u: %s of device %s (VMM session %016" PRIx64 ")\n",
		       a->sessions, role, names[i], own.token);
	}
	fflush(stdout);
	agent_cfg(a, &cfg, source, devs, n, &r);
	/* telemetry and --timeline per migration (the file is rewritten) */
	watch = a->o->watch;
	watch.quiet = a->o->quiet;
	ret = app_watch_start(&watch, &cfg, role, names, n);
	if (ret < 0) {
		agent_end_jobs(a, idx, n, ret);
		return ret;
	}
	deadline = mig_time_ns() + (a->o->timeout_ns ? a->o->timeout_ns :
				    AGENT_TIMEOUT_DEF_NS);
	for (;;) {
		memset(&st, 0, sizeof(st));
		ret = source ? mig_session_source(&cfg, &st) :
			       mig_session_destination(&cfg, &st);
		if (!source || ret != -ECONNREFUSED ||
		    mig_time_ns() > deadline || agent_stopping())
			break;
		agent_sleep_us(AGENT_RETRY_US);
	}
	snprintf(err, sizeof(err), "%s", mig_err_last());
	end = agent_end_jobs(a, idx, n, ret);
	if (ret == 0 && end < 0) {
		snprintf(err, sizeof(err), "%s", mig_err_last());
		ret = end;
	}
	if (ret == 0) {
		app_summary(&r, &st);
		printf("agent: migration %u: complete\n", a->sessions);
	} else {
		if (r.progress_shown)
			fprintf(stderr, "\n");
		fprintf(stderr, "dpdk-migrate: agent: migration %u: %s\n",
			a->sessions, err);
		for (i = 0; i < n; i++)
			fprintf(stderr, "dpdk-migrate: agent: migration %u: device %s: failed, its VMM's migration fails\n",
				a->sessions, names[i]);
	}
	fflush(stdout);
	if (a->o->json != NULL && app_json(a->o->json, &r, &st, ret, err) < 0)
		fprintf(stderr, "dpdk-migrate: agent: cannot write %s\n",
			a->o->json);
	app_watch_end(&watch, role);
	return ret;
}

/* Wait for the devices that start with the first one, then run them. */
static int
agent_turn(struct agent *a)
{
	unsigned int idx[APP_MAX_DEVS];
	uint64_t end = 0;
	bool source;
	int n;

	for (;;) {
		source = true;
		n = agent_jobs(a, MIG_DEV_OWNER_SAVE, idx);
		if (n == 0) {
			source = false;
			n = agent_jobs(a, MIG_DEV_OWNER_RESUME, idx);
		}
		if (n < 0)
			return n;
		if (n > 0 && end == 0)
			end = mig_time_ns() + AGENT_SETTLE_NS;
		if (agent_stopping())
			return 0;
		if (n > 0 && mig_time_ns() >= end)
			break;
		agent_sleep_us(AGENT_IDLE_US);
	}
	/* A failed migration is the VMM's to report: the agent goes on. */
	agent_session(a, source, idx, (unsigned int)n);
	return 0;
}

static int
agent_open(struct agent *a)
{
	const struct app_opts *o = a->o;
	struct mig_dev_owner own;
	struct mig_dev_info info;
	unsigned int i;
	int ret;

	for (i = 0; i < o->ndev; i++) {
		a->devs[i] = mig_dev_open(o->devargs[i]);
		if (a->devs[i] == NULL) {
			fprintf(stderr, "dpdk-migrate: agent: %s\n",
				mig_err_last());
			return -EINVAL;
		}
		a->ndev++;
		a->names[i] = (char *)mig_dev_name(a->devs[i]);
		mig_dev_info_get(a->devs[i], &info);
		ret = mig_dev_owner_get(a->devs[i], &own);
		if (ret == -ENOTSUP) {
			fprintf(stderr, "dpdk-migrate: agent: device %s: driver %s has no VMM owner: the agent takes offload devices (vfio_offload,bdf=...)\n",
				info.name, info.driver);
			return -EINVAL;
		}
		if (ret < 0) {
			fprintf(stderr, "dpdk-migrate: agent: %s\n",
				mig_err_last());
			return ret;
		}
		/* A job the VMM began before the agent came is not ours:
		 * its arc fails on its own. */
		a->handled[i] = own.job_id;
	}
	return 0;
}

int
app_agent(const struct app_opts *o)
{
	struct agent *a;
	unsigned int i;
	int ret;

	if (o->peer == NULL) {
		fprintf(stderr, "dpdk-migrate: --role agent needs --peer ADDR (the peer host's agent, where devices migrate to)\n");
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	a->o = o;
	if (o->key_file != NULL) {
		ret = app_read_key(o->key_file, a->key, &a->key_len);
		if (ret < 0)
			goto out;
	} else if (!o->insecure) {
		fprintf(stderr, "dpdk-migrate: --role agent needs --key FILE (or --insecure on both agents)\n");
		ret = -EINVAL;
		goto out;
	}
	ret = agent_signals();
	if (ret < 0) {
		fprintf(stderr, "dpdk-migrate: agent: signal handlers: %s\n",
			strerror(-ret));
		goto out;
	}
	ret = agent_open(a);
	if (ret < 0)
		goto out;
	printf("agent: %u device(s) attached, peer %s, listening on %s\n",
	       a->ndev, o->peer, o->listen);
	fflush(stdout);
	while (!agent_stopping()) {
		ret = agent_turn(a);
		if (ret < 0)
			goto out;
	}
	printf("agent: stopped after %u migration(s)\n", a->sessions);
out:
	/* Closing a device detaches it: its VMM migrates in-band again. */
	for (i = 0; i < a->ndev; i++)
		mig_dev_close(a->devs[i]);
	if (a->ndev > 0)
		printf("agent: %u device(s) detached\n", a->ndev);
	free(a);
	return ret;
}
