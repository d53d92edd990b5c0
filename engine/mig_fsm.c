/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>

#include "mig_fsm.h"

#define S_ERR MIG_STATE_ERROR
#define S_STOP MIG_STATE_STOP
#define S_RUN MIG_STATE_RUNNING
#define S_SC MIG_STATE_STOP_COPY
#define S_RES MIG_STATE_RESUMING
#define S_RP2P MIG_STATE_RUNNING_P2P
#define S_PC MIG_STATE_PRE_COPY
#define S_PCP2P MIG_STATE_PRE_COPY_P2P

/*
 * First step from [cur] towards [target] for a device with every capability.
 * Shortest path that never passes through a saving state (PRE_COPY,
 * PRE_COPY_P2P, STOP_COPY) on the way; STOP_COPY -> PRE_COPY(_P2P) is
 * forbidden (ERROR). This is the table of vfio_mig_get_next_state().
 */
static const uint8_t g_first_step[MIG_STATE_COUNT][MIG_STATE_COUNT] = {
	[S_STOP] = {
		[S_STOP] = S_STOP, [S_RUN] = S_RP2P, [S_PC] = S_RP2P,
		[S_PCP2P] = S_RP2P, [S_SC] = S_SC, [S_RES] = S_RES,
		[S_RP2P] = S_RP2P, [S_ERR] = S_ERR,
	},
	[S_RUN] = {
		[S_STOP] = S_RP2P, [S_RUN] = S_RUN, [S_PC] = S_PC,
		[S_PCP2P] = S_RP2P, [S_SC] = S_RP2P, [S_RES] = S_RP2P,
		[S_RP2P] = S_RP2P, [S_ERR] = S_ERR,
	},
	[S_PC] = {
		[S_STOP] = S_RUN, [S_RUN] = S_RUN, [S_PC] = S_PC,
		[S_PCP2P] = S_PCP2P, [S_SC] = S_PCP2P, [S_RES] = S_RUN,
		[S_RP2P] = S_RUN, [S_ERR] = S_ERR,
	},
	[S_PCP2P] = {
		[S_STOP] = S_RP2P, [S_RUN] = S_RP2P, [S_PC] = S_PC,
		[S_PCP2P] = S_PCP2P, [S_SC] = S_SC, [S_RES] = S_RP2P,
		[S_RP2P] = S_RP2P, [S_ERR] = S_ERR,
	},
	[S_SC] = {
		[S_STOP] = S_STOP, [S_RUN] = S_STOP, [S_PC] = S_ERR,
		[S_PCP2P] = S_ERR, [S_SC] = S_SC, [S_RES] = S_STOP,
		[S_RP2P] = S_STOP, [S_ERR] = S_ERR,
	},
	[S_RES] = {
		[S_STOP] = S_STOP, [S_RUN] = S_STOP, [S_PC] = S_STOP,
		[S_PCP2P] = S_STOP, [S_SC] = S_STOP, [S_RES] = S_RES,
		[S_RP2P] = S_STOP, [S_ERR] = S_ERR,
	},
	[S_RP2P] = {
		[S_STOP] = S_STOP, [S_RUN] = S_RUN, [S_PC] = S_RUN,
		[S_PCP2P] = S_PCP2P, [S_SC] = S_STOP, [S_RES] = S_STOP,
		[S_RP2P] = S_RP2P, [S_ERR] = S_ERR,
	},
	[S_ERR] = {
		[S_STOP] = S_ERR, [S_RUN] = S_ERR, [S_PC] = S_ERR,
		[S_PCP2P] = S_ERR, [S_SC] = S_ERR, [S_RES] = S_ERR,
		[S_RP2P] = S_ERR, [S_ERR] = S_ERR,
	},
};

/* Capabilities a state needs; ERROR needs everything so it is never a
 * valid request (state_flags_table in the kernel). */
static const uint64_t g_state_needs[MIG_STATE_COUNT] = {
	[S_ERR] = ~UINT64_C(0),
	[S_STOP] = MIG_CAP_STOP_COPY,
	[S_RUN] = MIG_CAP_STOP_COPY,
	[S_SC] = MIG_CAP_STOP_COPY,
	[S_RES] = MIG_CAP_STOP_COPY,
	[S_RP2P] = MIG_CAP_STOP_COPY | MIG_CAP_P2P,
	[S_PC] = MIG_CAP_STOP_COPY | MIG_CAP_PRE_COPY,
	[S_PCP2P] = MIG_CAP_STOP_COPY | MIG_CAP_P2P | MIG_CAP_PRE_COPY,
};

static const char *const g_state_names[MIG_STATE_COUNT] = {
	[S_ERR] = "error",
	[S_STOP] = "stop",
	[S_RUN] = "running",
	[S_SC] = "stop_copy",
	[S_RES] = "resuming",
	[S_RP2P] = "running_p2p",
	[S_PC] = "pre_copy",
	[S_PCP2P] = "pre_copy_p2p",
};

const char *
mig_state_name(enum mig_state s)
{
	if ((unsigned int)s >= MIG_STATE_COUNT)
		return "invalid";
	return g_state_names[s];
}

int
mig_state_parse(const char *s, enum mig_state *out)
{
	char buf[32];
	unsigned int i;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -EINVAL;
	for (i = 0; s[i] != '\0'; i++)
		buf[i] = s[i] == '-' ? '_' : s[i];
	buf[i] = '\0';
	for (i = 0; i < MIG_STATE_COUNT; i++) {
		if (strcasecmp(buf, g_state_names[i]) == 0) {
			*out = (enum mig_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool
mig_state_is_saving(enum mig_state s)
{
	return s == S_PC || s == S_PCP2P || s == S_SC;
}

bool
mig_state_supported(uint64_t caps, enum mig_state s)
{
	if ((unsigned int)s >= MIG_STATE_COUNT)
		return false;
	return (g_state_needs[s] & caps) == g_state_needs[s];
}

int
mig_fsm_next(uint64_t caps, enum mig_state cur, enum mig_state target,
	     enum mig_state *next)
{
	enum mig_state n;
	unsigned int guard;

	if (!mig_state_supported(caps, cur) ||
	    !mig_state_supported(caps, target))
		return -EINVAL;

	/*
	 * Skip steps through states the device lacks. Unlike Linux 6.12.95
	 * (which spins forever on the ERROR entry of a forbidden request),
	 * stop at ERROR; the guard bounds the walk in any case.
	 */
	n = (enum mig_state)g_first_step[cur][target];
	for (guard = 0; n != S_ERR && !mig_state_supported(caps, n) &&
			guard < MIG_STATE_COUNT;
	     guard++)
		n = (enum mig_state)g_first_step[n][target];
	if (n == S_ERR || !mig_state_supported(caps, n))
		return -EINVAL;
	*next = n;
	return 0;
}

int
mig_fsm_path(uint64_t caps, enum mig_state cur, enum mig_state target,
	     enum mig_state *path, unsigned int max)
{
	unsigned int n = 0;
	enum mig_state s = cur;
	int ret;

	if (!mig_state_supported(caps, cur) ||
	    !mig_state_supported(caps, target))
		return -EINVAL;
	while (s != target) {
		ret = mig_fsm_next(caps, s, target, &s);
		if (ret < 0)
			return ret;
		if (n >= max)
			return -E2BIG;
		path[n++] = s;
	}
	return (int)n;
}

bool
mig_fsm_arc_legal(uint64_t caps, enum mig_state from, enum mig_state to)
{
	enum mig_state next;

	if (from == to)
		return false;
	if (mig_fsm_next(caps, from, to, &next) < 0)
		return false;
	return next == to;
}

const char *
mig_caps_str(uint64_t caps, char *buf, unsigned int len)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ MIG_CAP_STOP_COPY, "stop_copy" },
		{ MIG_CAP_PRE_COPY, "pre_copy" },
		{ MIG_CAP_P2P, "p2p" },
	};
	unsigned int i, off = 0;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < RTE_DIM(names); i++) {
		if (!(caps & names[i].bit))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "+" : "",
			     names[i].name);
		if (n < 0 || (unsigned int)n >= len - off)
			break;
		off += (unsigned int)n;
	}
	if (off == 0)
		snprintf(buf, len, "none");
	return buf;
}

int
mig_caps_parse(const char *s, uint64_t *caps)
{
	uint64_t c = MIG_CAP_STOP_COPY;
	const char *p = s, *end;
	size_t n;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	while (*p != '\0') {
		end = p + strcspn(p, "+|");
		n = (size_t)(end - p);
		if (n == 9 && strncasecmp(p, "stop_copy", n) == 0)
			c |= MIG_CAP_STOP_COPY;
		else if (n == 8 && strncasecmp(p, "pre_copy", n) == 0)
			c |= MIG_CAP_PRE_COPY;
		else if (n == 3 && strncasecmp(p, "p2p", n) == 0)
			c |= MIG_CAP_P2P;
		else
			return -EINVAL;
		if (*end == '\0')
			break;
		p = end + 1;
		if (*p == '\0')
			return -EINVAL;
	}
	*caps = c;
	return 0;
}
