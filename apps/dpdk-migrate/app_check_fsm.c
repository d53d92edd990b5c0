/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * --check rules on the state machine: every legal arc, the device's own
 * decomposition of combination arcs against the engine's (mig_fsm.c),
 * optional states the device lacks, and a reset from every state.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "app_check.h"
#include "mig_fsm.h"
#include "mig_log.h"

/* The states a request may name (ERROR never is one). */
static const enum mig_state chk_states[] = {
	MIG_STATE_RUNNING,     MIG_STATE_RUNNING_P2P, MIG_STATE_PRE_COPY,
	MIG_STATE_PRE_COPY_P2P, MIG_STATE_STOP,       MIG_STATE_STOP_COPY,
	MIG_STATE_RESUMING,
};

/* Path of states reported by a device, at most. */
#define CHK_PATH_MAX 8

/* The device in @p from with a session under way where it has one. */
static int
chk_enter(struct chk_ctx *c, enum mig_state from)
{
	struct chk_stream *s;
	uint32_t len;
	int ret;

	if (chk_fresh(c) < 0 || chk_goto(c, from) < 0)
		return -EIO;
	if (mig_state_is_saving(from)) {
		ret = chk_read(c, &len);
		return ret == -ENOMSG ? 0 : ret;
	}
	if (from != MIG_STATE_RESUMING)
		return 0;
	/* a first chunk of a valid stream (taken from the device itself) */
	if (chk_saved_stream(c, &s) != CHK_PASS)
		return -EIO;
	if (chk_fresh(c) < 0 || chk_goto(c, from) < 0)
		return -EIO;
	ret = chk_write(c, s->data, RTE_MIN(s->len, (size_t)c->chunk));
	if (ret < 0)
		chk_fail(c, "the first chunk of a valid stream is refused in resuming: %s",
			 mig_err_last());
	return ret;
}

/* RESUMING -> STOP with the device's own whole stream. */
static int
chk_arc_resume(struct chk_ctx *c)
{
	struct chk_stream *s;
	int ret;

	if (chk_saved_stream(c, &s) != CHK_PASS || chk_fresh(c) < 0 ||
	    chk_goto(c, MIG_STATE_RESUMING) < 0)
		return -EIO;
	ret = chk_write(c, s->data, s->len);
	if (ret < 0) {
		chk_fail(c, "resuming: a whole valid stream is refused on write: %s",
			 mig_err_last());
		return ret;
	}
	return 0;
}

static int
chk_arc(struct chk_ctx *c, enum mig_state from, enum mig_state to)
{
	enum mig_state s;
	int ret;

	ret = from == MIG_STATE_RESUMING ? chk_arc_resume(c) :
					   chk_enter(c, from);
	if (ret < 0)
		return ret;
	ret = mig_dev_set_state(c->dev, to, MIG_STATE_ERROR);
	if (ret < 0) {
		chk_fail(c, "%s -> %s failed: %s", mig_state_name(from),
			 mig_state_name(to), mig_err_last());
		return ret;
	}
	ret = chk_state(c, &s);
	if (ret == 0 && s != to) {
		chk_fail(c, "%s -> %s reported success, the device is in %s",
			 mig_state_name(from), mig_state_name(to),
			 mig_state_name(s));
		return -EPROTO;
	}
	return ret == -ENOTSUP ? 0 : ret;
}

static enum chk_result
rule_arcs(struct chk_ctx *c)
{
	unsigned int i, j, n = 0, bad = 0;

	for (i = 0; i < RTE_DIM(chk_states); i++) {
		for (j = 0; j < RTE_DIM(chk_states); j++) {
			if (!mig_fsm_arc_legal(c->caps, chk_states[i],
					       chk_states[j]))
				continue;
			n++;
			if (chk_arc(c, chk_states[i], chk_states[j]) < 0)
				bad++;
		}
	}
	if (bad > 0)
		return chk_fail(c, "%u of %u legal arcs failed", bad, n);
	return chk_pass(c, "%u legal arcs taken, the device reports each new state",
			n);
}

static void
chk_path_str(const enum mig_state *p, unsigned int n, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? " " : "", mig_state_name(p[i]));
}

/* One combination arc: -ENOTSUP when the driver cannot request it, 1 when
 * the device told its path, 0 when not, or -errno. */
static int
chk_combination(struct chk_ctx *c, enum mig_state from, enum mig_state to,
		const enum mig_state *want, unsigned int nwant)
{
	enum mig_state got[CHK_PATH_MAX];
	char a[128], b[128];
	unsigned int i;
	enum mig_state s;
	int n, ret;

	if (chk_enter(c, from) < 0)
		return -EIO;
	n = mig_dev_request_state(c->dev, to, got, CHK_PATH_MAX);
	if (n == -ENOTSUP)
		return n;
	if (n < 0) {
		chk_fail(c, "%s -> %s in one request failed: %s",
			 mig_state_name(from), mig_state_name(to),
			 mig_err_last());
		return n;
	}
	ret = chk_state(c, &s);
	if (ret == 0 && s != to) {
		chk_fail(c, "%s -> %s in one request reported success, the device is in %s",
			 mig_state_name(from), mig_state_name(to),
			 mig_state_name(s));
		return -EPROTO;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < nwant && (unsigned int)n == nwant; i++)
		if (got[i] != want[i])
			break;
	if ((unsigned int)n != nwant || i < nwant) {
		chk_path_str(got, (unsigned int)n, a, sizeof(a));
		chk_path_str(want, nwant, b, sizeof(b));
		chk_fail(c, "%s -> %s: the device went %s, the uAPI's path is %s",
			 mig_state_name(from), mig_state_name(to), a, b);
		return -EPROTO;
	}
	return 1;
}

static enum chk_result
rule_combination(struct chk_ctx *c)
{
	enum mig_state want[MIG_FSM_MAX_PATH + 1];
	unsigned int i, j, n = 0, bad = 0, told = 0;
	enum mig_state from, to;
	int len, ret;

	for (i = 0; i < RTE_DIM(chk_states); i++) {
		from = chk_states[i];
		/* leaving RESUMING needs a whole stream: see "arcs" */
		if (from == MIG_STATE_RESUMING ||
		    !mig_state_supported(c->caps, from))
			continue;
		for (j = 0; j < RTE_DIM(chk_states); j++) {
			to = chk_states[j];
			want[0] = from;
			len = mig_fsm_path(c->caps, from, to, want + 1,
					   MIG_FSM_MAX_PATH);
			/* forbidden (STOP_COPY -> PRE_COPY) or one arc */
			if (len < 2)
				continue;
			n++;
			ret = chk_combination(c, from, to, want,
					      (unsigned int)len + 1);
			if (ret == -ENOTSUP)
				return chk_skip(c, "driver %s cannot send a combination arc as one request",
						c->info.driver);
			if (ret < 0)
				bad++;
			else
				told += (unsigned int)ret;
		}
	}
	if (bad > 0)
		return chk_fail(c, "%u of %u combination arcs failed", bad,
				n);
	if (told < n)
		return chk_pass(c, "%u combination arcs reach their target in one request; the device tells no path (end state compared only)",
				n);
	return chk_pass(c, "%u combination arcs reach their target in one request through the engine's path",
			n);
}

static enum chk_result
rule_optional(struct chk_ctx *c)
{
	enum mig_state got[CHK_PATH_MAX];
	unsigned int i, n = 0, bad = 0;
	enum mig_state s;
	int ret;

	for (i = 0; i < RTE_DIM(chk_states); i++) {
		if (mig_state_supported(c->caps, chk_states[i]))
			continue;
		n++;
		if (chk_fresh(c) < 0)
			return CHK_FAIL;
		ret = mig_dev_request_state(c->dev, chk_states[i], got,
					    CHK_PATH_MAX);
		if (ret == -ENOTSUP)
			return chk_skip(c, "driver %s cannot send a request the engine refuses",
					c->info.driver);
		if (ret >= 0) {
			chk_fail(c, "a request for %s, not advertised, succeeded",
				 mig_state_name(chk_states[i]));
			bad++;
		} else if (chk_state(c, &s) == 0 && s != MIG_STATE_RUNNING) {
			chk_fail(c, "a refused request for %s left the device in %s",
				 mig_state_name(chk_states[i]),
				 mig_state_name(s));
			bad++;
		}
	}
	if (n == 0)
		return chk_skip(c, "the device advertises every optional state");
	if (bad > 0)
		return chk_fail(c, "%u of %u requests misbehaved", bad, n);
	return chk_pass(c, "%u requests for states not advertised refused, the device stays running",
			n);
}

static enum chk_result
rule_reset(struct chk_ctx *c)
{
	unsigned int i, n = 0, bad = 0;
	enum mig_state s, from;
	int ret;

	for (i = 0; i < RTE_DIM(chk_states); i++) {
		from = chk_states[i];
		if (!mig_state_supported(c->caps, from))
			continue;
		n++;
		if (chk_enter(c, from) < 0) {
			bad++;
			continue;
		}
		ret = mig_dev_reset(c->dev);
		if (ret < 0) {
			chk_fail(c, "reset in %s: %s", mig_state_name(from),
				 mig_err_last());
			bad++;
			continue;
		}
		ret = chk_state(c, &s);
		if (ret == 0 && s != MIG_STATE_RUNNING) {
			chk_fail(c, "after a reset in %s the device is in %s",
				 mig_state_name(from), mig_state_name(s));
			bad++;
		}
	}
	if (bad > 0)
		return chk_fail(c, "%u of %u resets failed", bad, n);
	return chk_pass(c, "a reset in each of the %u states (a session under way) returns the device to running",
			n);
}

const struct chk_rule chk_rules_fsm[] = {
	{
		.id = "arcs",
		.title = "every legal arc is taken and the device is in the new state",
		.uapi = "The kernel migration driver must fully transition the device to the new state value before the operation returns to the user.",
		.run = rule_arcs,
	},
	{
		.id = "combination",
		.title = "combination arcs in one request follow the uAPI's path",
		.uapi = "As there are multiple paths through the FSM arcs the path should be selected based on the following rules: - Select the shortest path. - The path cannot have saving group states as interior arcs, only starting/end states.",
		.run = rule_combination,
	},
	{
		.id = "optional_states",
		.title = "states the device does not advertise are refused",
		.uapi = "The optional states cannot be used with SET_STATE if the device does not support them.",
		.run = rule_optional,
	},
	{
		.id = "reset",
		.title = "a reset from every state returns the device to RUNNING",
		.uapi = "To recover from ERROR VFIO_DEVICE_RESET must be used to return the device_state back to RUNNING.",
		.run = rule_reset,
	},
};

const unsigned int chk_rules_fsm_n = RTE_DIM(chk_rules_fsm);
