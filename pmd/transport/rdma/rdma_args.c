/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * RDMA transport devargs: defaults first, then one key at a time, like
 * DPDK's vdev PMDs; a bad value is refused naming its key.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>

#include "mig_devargs.h"
#include "rdma_priv.h"

#define RDMA_KEY_QPS "qps"
#define RDMA_KEY_WINDOW "window"
#define RDMA_KEY_TX_DEPTH "tx_depth"
#define RDMA_KEY_CQ_MOD "cq_mod"
#define RDMA_KEY_VERIFY "verify"
#define RDMA_KEY_CONNECT_TIMEOUT "connect_timeout"
#define RDMA_KEY_IDLE "idle"
#define RDMA_KEY_PROTECT "protect"
#define RDMA_KEY_MISBEHAVE "misbehave"

static const char *const rdma_valid_args[] = {
	RDMA_KEY_QPS,
	RDMA_KEY_WINDOW,
	RDMA_KEY_TX_DEPTH,
	RDMA_KEY_CQ_MOD,
	RDMA_KEY_VERIFY,
	RDMA_KEY_CONNECT_TIMEOUT,
	RDMA_KEY_IDLE,
	RDMA_KEY_PROTECT,
	RDMA_KEY_MISBEHAVE,
	NULL,
};

static const char *const rdma_idle_names[] = {
	[RDMA_IDLE_AUTO] = "auto", [RDMA_IDLE_SPIN] = "spin",
	[RDMA_IDLE_YIELD] = "yield", [RDMA_IDLE_SLEEP] = "sleep",
};
static const char *const rdma_protect_names[] = {
	[RDMA_PROTECT_AUTO] = "auto", [RDMA_PROTECT_MW] = "mw",
	[RDMA_PROTECT_NONE] = "none",
};
static const char *const rdma_misbehave_names[] = {
	[RDMA_MISBEHAVE_NONE] = "none", [RDMA_MISBEHAVE_STALE] = "stale",
	[RDMA_MISBEHAVE_OVERRUN] = "overrun",
};

/* A key whose value is one of @p names (index in @p out; kept if absent). */
static int
rdma_enum_arg(struct rte_kvargs *kv, const char *key,
	      const char *const *names, unsigned int n, int *out)
{
	char val[16], list[64] = "";
	unsigned int i;
	int ret;

	snprintf(val, sizeof(val), "%s", names[*out]);
	ret = mig_devargs_str(kv, "rdma", key, val, sizeof(val));
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		if (strcmp(val, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? (i + 1 == n ? " or " : ", ") : "",
			 names[i]);
	}
	mig_err_set(mig_rdma_logtype,
		    "rdma: value '%s' for key '%s': expected %s", val, key,
		    list);
	return -EINVAL;
}

int
mig_rdma_parse_args(struct rdma_opts *o, const char *args)
{
	struct rte_kvargs *kv;
	uint64_t v;
	int ret;

	o->qps = RDMA_QPS_DEF;
	o->window = RDMA_WINDOW_DEF;
	o->tx_depth = RDMA_TX_DEPTH_DEF;
	o->cq_mod = RDMA_CQ_MOD_DEF;
	o->verify = true;
	o->connect_timeout_ns = RDMA_CONNECT_TIMEOUT_DEF;
	kv = mig_devargs_parse("rdma", args, rdma_valid_args);
	if (kv == NULL)
		return -EINVAL;
	v = o->qps;
	ret = mig_devargs_u64(kv, "rdma", RDMA_KEY_QPS, &v, 1, RDMA_QPS_MAX);
	if (ret < 0)
		goto free_kvlist;
	o->qps = (unsigned int)v;
	v = o->window;
	ret = mig_devargs_u64(kv, "rdma", RDMA_KEY_WINDOW, &v, 1,
			      RDMA_SLOTS_MAX);
	if (ret < 0)
		goto free_kvlist;
	o->window = (uint32_t)v;
	v = o->tx_depth;
	ret = mig_devargs_u64(kv, "rdma", RDMA_KEY_TX_DEPTH, &v,
			      RDMA_TX_DEPTH_MIN, RDMA_TX_DEPTH_MAX);
	if (ret < 0)
		goto free_kvlist;
	o->tx_depth = (uint32_t)v;
	v = 0;
	ret = mig_devargs_u64(kv, "rdma", RDMA_KEY_CQ_MOD, &v, 1,
			      RDMA_TX_DEPTH_MAX);
	if (ret < 0)
		goto free_kvlist;
	if (v != 0) {
		o->cq_mod = (uint32_t)v;
		o->cq_mod_set = true;
	}
	/* like perftest: cq_mod clamped to the send queue (2 WRs a chunk) */
	o->cq_mod = mig_rdma_cq_mod_clamp(o->cq_mod, o->tx_depth);
	ret = mig_devargs_bool(kv, "rdma", RDMA_KEY_VERIFY, &o->verify);
	if (ret < 0)
		goto free_kvlist;
	ret = mig_devargs_duration(kv, "rdma", RDMA_KEY_CONNECT_TIMEOUT,
				   &o->connect_timeout_ns, MIG_NS_PER_S);
	if (ret < 0)
		goto free_kvlist;
	ret = rdma_enum_arg(kv, RDMA_KEY_IDLE, rdma_idle_names,
			    RTE_DIM(rdma_idle_names), &o->idle);
	if (ret == 0)
		ret = rdma_enum_arg(kv, RDMA_KEY_PROTECT, rdma_protect_names,
				    RTE_DIM(rdma_protect_names), &o->protect);
	if (ret == 0)
		ret = rdma_enum_arg(kv, RDMA_KEY_MISBEHAVE,
				    rdma_misbehave_names,
				    RTE_DIM(rdma_misbehave_names),
				    &o->misbehave);
	if (ret < 0)
		goto free_kvlist;
	if (o->connect_timeout_ns < 1000000) {
		mig_err_set(mig_rdma_logtype,
			    "rdma: connect_timeout must be at least 1 ms");
		ret = -EINVAL;
		goto free_kvlist;
	}
	ret = 0;
free_kvlist:
	rte_kvargs_free(kv);
	return ret;
}
