/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Telemetry endpoints (mig_telemetry.h): a session observer copies the
 * stats under a lock every 50 ms and at each event; the callbacks, on
 * DPDK's telemetry thread, copy them out under the same lock and answer
 * with a dict.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "mig_telemetry.h"
#include "mig_wire.h"

#define TEL_NAME_MAX 64

struct tel_snap {
	char role[16];
	char phase[24];       /* step name, then "done" or "failed" */
	bool attached;
	uint64_t samples;     /* samples published */
	uint64_t now_ns;      /* time of the last sample */
	char names[MIG_SESSION_DEVS_MAX][TEL_NAME_MAX];
	struct mig_session_stats st;
};

static rte_spinlock_t g_tel_lock = RTE_SPINLOCK_INITIALIZER;
static struct tel_snap g_tel;

static void
tel_publish(void *ctx, const struct mig_session_stats *st, uint64_t now_ns)
{
	RTE_SET_USED(ctx);
	rte_spinlock_lock(&g_tel_lock);
	g_tel.st = *st;
	g_tel.now_ns = now_ns;
	g_tel.samples++;
	if (strcmp(g_tel.phase, "done") != 0 &&
	    strcmp(g_tel.phase, "failed") != 0)
		snprintf(g_tel.phase, sizeof(g_tel.phase), "%s",
			 mig_wire_step_name((unsigned int)st->step));
	rte_spinlock_unlock(&g_tel_lock);
}

static void
tel_event(void *ctx, const struct mig_session_stats *st,
	  enum mig_session_event ev, int arg, uint64_t now_ns)
{
	if (ev != MIG_SESSION_EV_END) {
		tel_publish(ctx, st, now_ns);
		return;
	}
	rte_spinlock_lock(&g_tel_lock);
	snprintf(g_tel.phase, sizeof(g_tel.phase), "%s",
		 arg == 0 ? "done" : "failed");
	rte_spinlock_unlock(&g_tel_lock);
}

static const struct mig_session_observer tel_observer = {
	.period_ns = MIG_TELEMETRY_PERIOD_NS,
	.sample = tel_publish,
	.event = tel_event,
};

const struct mig_session_observer *
mig_telemetry_attach(const char *role, char *const *names, unsigned int ndev)
{
	unsigned int i;

	rte_spinlock_lock(&g_tel_lock);
	memset(&g_tel, 0, sizeof(g_tel));
	snprintf(g_tel.role, sizeof(g_tel.role), "%s", role);
	snprintf(g_tel.phase, sizeof(g_tel.phase), "%s",
		 mig_wire_step_name(MIG_WIRE_STEP_HANDSHAKE));
	for (i = 0; i < ndev && i < MIG_SESSION_DEVS_MAX; i++)
		snprintf(g_tel.names[i], TEL_NAME_MAX, "%s", names[i]);
	g_tel.st.ndev = RTE_MIN(ndev, (unsigned int)MIG_SESSION_DEVS_MAX);
	g_tel.attached = true;
	rte_spinlock_unlock(&g_tel_lock);
	return &tel_observer;
}

/* The last sample, copied out of the lock; -ENOENT when none. */
static int
tel_get(struct tel_snap *out)
{
	rte_spinlock_lock(&g_tel_lock);
	*out = g_tel;
	rte_spinlock_unlock(&g_tel_lock);
	return out->attached ? 0 : -ENOENT;
}

static uint64_t
tel_ms(uint64_t ns)
{
	return ns / 1000000u;
}

static int
tel_session(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_snap *t;
	const struct mig_session_stats *st;
	uint64_t elapsed, est = 0;
	int ret;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	t = malloc(sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	ret = tel_get(t);
	if (ret < 0)
		goto out;
	st = &t->st;
	elapsed = st->total_ns != 0 ? st->total_ns :
		  (t->now_ns > st->start_ns ? t->now_ns - st->start_ns : 0);
	/* What stop-copy would take now: pending bytes at the current rate. */
	if (st->rate_bps > 0)
		est = (uint64_t)((double)st->pending * 1e6 / st->rate_bps);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "role", t->role);
	rte_tel_data_add_dict_string(d, "phase", t->phase);
	rte_tel_data_add_dict_u64(d, "elapsed_ms", tel_ms(elapsed));
	rte_tel_data_add_dict_u64(d, "bytes", st->bytes);
	rte_tel_data_add_dict_u64(d, "rate_bps", (uint64_t)st->rate_bps);
	rte_tel_data_add_dict_u64(d, "pending_bytes", st->pending);
	rte_tel_data_add_dict_u64(d, "estimated_downtime_us", est);
	rte_tel_data_add_dict_u64(d, "precopy_rounds", st->rounds);
	rte_tel_data_add_dict_int(d, "switchover_decided", st->sw.decided);
	rte_tel_data_add_dict_u64(d, "switchover_estimate_us",
				  st->sw.estimate_ns / 1000u);
	rte_tel_data_add_dict_u64(d, "downtime_us", st->downtime_ns / 1000u);
	rte_tel_data_add_dict_u64(d, "devices", st->ndev);
	rte_tel_data_add_dict_u64(d, "workers", st->workers);
	rte_tel_data_add_dict_u64(d, "samples", t->samples);
out:
	free(t);
	return ret;
}

static int
tel_devs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_snap *t;
	unsigned int i;
	int ret;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	t = malloc(sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	ret = tel_get(t);
	if (ret == 0) {
		rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
		for (i = 0; i < t->st.ndev; i++)
			rte_tel_data_add_array_string(d, t->names[i]);
	}
	free(t);
	return ret;
}

/* The device @p param names: its index or its name; -EINVAL if none. */
static int
tel_dev_find(const struct tel_snap *t, const char *param)
{
	unsigned int i;
	char *end;
	unsigned long v;

	if (param == NULL || *param == '\0')
		return -EINVAL;
	for (i = 0; i < t->st.ndev; i++)
		if (strcmp(t->names[i], param) == 0)
			return (int)i;
	v = strtoul(param, &end, 10);
	if (*end != '\0' || v >= t->st.ndev)
		return -EINVAL;
	return (int)v;
}

static int
tel_dev(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct mig_session_dev_stats *ds;
	struct tel_snap *t;
	int ret, i;

	RTE_SET_USED(cmd);
	t = malloc(sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	ret = tel_get(t);
	if (ret < 0)
		goto out;
	i = tel_dev_find(t, params);
	if (i < 0) {
		ret = i;
		goto out;
	}
	ds = &t->st.dev[i];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", t->names[i]);
	rte_tel_data_add_dict_string(d, "state", mig_state_name(ds->state));
	rte_tel_data_add_dict_u64(d, "bytes", ds->bytes);
	rte_tel_data_add_dict_u64(d, "chunks", ds->chunks);
	rte_tel_data_add_dict_u64(d, "pending_bytes", ds->pending);
	rte_tel_data_add_dict_u64(d, "dirty_bytes", ds->dirty);
	rte_tel_data_add_dict_u64(d, "size", ds->size);
	rte_tel_data_add_dict_u64(d, "rate_bps", (uint64_t)ds->rate_bps);
	rte_tel_data_add_dict_u64(d, "lcore", ds->lcore);
	rte_tel_data_add_dict_int(d, "precopy", ds->precopy);
out:
	free(t);
	return ret;
}

static int
tel_xport(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct mig_session_xport_stats *x;
	struct tel_snap *t;
	int ret;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	t = malloc(sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	ret = tel_get(t);
	if (ret < 0)
		goto out;
	x = &t->st.xport;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "streams", x->streams);
	rte_tel_data_add_dict_u64(d, "inflight", x->inflight);
	rte_tel_data_add_dict_u64(d, "credits", x->credits);
	rte_tel_data_add_dict_u64(d, "window", x->window);
	rte_tel_data_add_dict_u64(d, "errors",
				  x->conn_dropped + (x->failed ? 1 : 0));
	rte_tel_data_add_dict_int(d, "failed", x->failed);
	rte_tel_data_add_dict_u64(d, "tx_chunks", x->tx_chunks);
	rte_tel_data_add_dict_u64(d, "tx_bytes", x->tx_bytes);
	rte_tel_data_add_dict_u64(d, "rx_chunks", x->rx_chunks);
	rte_tel_data_add_dict_u64(d, "rx_bytes", x->rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_blocked", x->tx_blocked);
	rte_tel_data_add_dict_u64(d, "conn_dropped", x->conn_dropped);
out:
	free(t);
	return ret;
}

RTE_INIT(mig_telemetry_init)
{
	rte_telemetry_register_cmd("/mig/session", tel_session,
		"Migration session: role, phase, bytes, rate, elapsed, pending, estimated downtime. No parameters");
	rte_telemetry_register_cmd("/mig/devs", tel_devs,
		"Names of the devices of the migration. No parameters");
	rte_telemetry_register_cmd("/mig/dev", tel_dev,
		"One device: state, bytes, chunks, pending, dirty, rate, lcore. Parameter: device index or name");
	rte_telemetry_register_cmd("/mig/xport", tel_xport,
		"Transport: streams, in flight, credits, errors, counters. No parameters");
}
