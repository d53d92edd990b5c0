/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_kvargs.h>

#include "mig_devargs.h"
#include "mig_log.h"
#include "mig_time.h"

/* Longest key=value pair we look at when checking keys. */
#define DEVARGS_KEY_MAX 64

static int
devargs_key_valid(const char *key, const char *const valid[])
{
	unsigned int i;

	for (i = 0; valid[i] != NULL; i++)
		if (strcmp(key, valid[i]) == 0)
			return 1;
	return 0;
}

static void
devargs_valid_list(const char *const valid[], char *buf, size_t len)
{
	unsigned int i;
	size_t off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; valid[i] != NULL && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
			     valid[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/*
 * rte_kvargs_parse() fails without saying why; walk the pairs first so the
 * user learns which key is wrong.
 */
static int
devargs_check(const char *who, const char *args, const char *const valid[])
{
	char key[DEVARGS_KEY_MAX], list[512];
	const char *p = args, *end, *eq;
	unsigned int i, j, nkeys = 0;
	char seen[32][DEVARGS_KEY_MAX];
	size_t klen;

	while (*p != '\0') {
		end = p + strcspn(p, ",");
		eq = memchr(p, '=', (size_t)(end - p));
		if (end == p) {
			mig_err_set(mig_logtype_engine,
				    "%s: empty argument in '%s'", who, args);
			return -EINVAL;
		}
		if (eq == NULL) {
			mig_err_set(mig_logtype_engine,
				    "%s: argument '%.*s' is not key=value", who,
				    (int)(end - p), p);
			return -EINVAL;
		}
		klen = (size_t)(eq - p);
		if (klen == 0 || klen >= sizeof(key)) {
			mig_err_set(mig_logtype_engine,
				    "%s: bad key in '%.*s'", who,
				    (int)(end - p), p);
			return -EINVAL;
		}
		memcpy(key, p, klen);
		key[klen] = '\0';
		if (!devargs_key_valid(key, valid)) {
			devargs_valid_list(valid, list, sizeof(list));
			mig_err_set(mig_logtype_engine,
				    "%s: unknown key '%s' (valid keys: %s)", who,
				    key, list);
			return -EINVAL;
		}
		if (eq + 1 == end) {
			mig_err_set(mig_logtype_engine,
				    "%s: key '%s' has an empty value", who, key);
			return -EINVAL;
		}
		for (j = 0; j < nkeys; j++) {
			if (strcmp(seen[j], key) == 0) {
				mig_err_set(mig_logtype_engine,
					    "%s: key '%s' given twice", who,
					    key);
				return -EINVAL;
			}
		}
		if (nkeys < RTE_DIM(seen))
			memcpy(seen[nkeys++], key, klen + 1);
		if (*end == '\0')
			break;
		p = end + 1;
		if (*p == '\0') {
			mig_err_set(mig_logtype_engine,
				    "%s: trailing ',' in '%s'", who, args);
			return -EINVAL;
		}
	}
	for (i = 0; args[i] != '\0'; i++) {
		if (!isprint((unsigned char)args[i])) {
			mig_err_set(mig_logtype_engine,
				    "%s: non-printable character in arguments",
				    who);
			return -EINVAL;
		}
	}
	return 0;
}

struct rte_kvargs *
mig_devargs_parse(const char *who, const char *args,
		  const char *const valid[])
{
	struct rte_kvargs *kv;

	if (args == NULL)
		args = "";
	if (devargs_check(who, args, valid) < 0)
		return NULL;
	kv = rte_kvargs_parse(args, NULL);
	if (kv == NULL)
		mig_err_set(mig_logtype_engine, "%s: cannot parse '%s'", who,
			    args);
	return kv;
}

int
mig_parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *sfx;
		unsigned int shift;
	} sfx[] = {
		{ "", 0 },  { "b", 0 },    { "k", 10 },  { "kb", 10 },
		{ "kib", 10 }, { "m", 20 }, { "mb", 20 }, { "mib", 20 },
		{ "g", 30 }, { "gb", 30 }, { "gib", 30 }, { "t", 40 },
		{ "tb", 40 }, { "tib", 40 },
	};
	unsigned long long v;
	unsigned int i;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0)
		return -EINVAL;
	for (i = 0; i < RTE_DIM(sfx); i++) {
		if (strcasecmp(end, sfx[i].sfx) != 0)
			continue;
		if (sfx[i].shift && v > (UINT64_MAX >> sfx[i].shift))
			return -EINVAL;
		*out = (uint64_t)v << sfx[i].shift;
		return 0;
	}
	return -EINVAL;
}

int
mig_parse_duration(const char *s, uint64_t unit_ns, uint64_t *out_ns)
{
	static const struct {
		const char *sfx;
		uint64_t ns;
	} sfx[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", MIG_NS_PER_S },
	};
	unsigned __int128 ns, part;
	unsigned long long v;
	uint64_t mul = unit_ns, frac = 0, scale = 1;
	unsigned int i;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	if (*end == '.') {
		/* A fraction of the unit, down to whole nanoseconds. */
		for (end++; isdigit((unsigned char)*end); end++) {
			if (scale == MIG_NS_PER_S)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*end - '0');
			scale *= 10;
		}
		if (scale == 1)
			return -EINVAL;
	}
	if (*end != '\0') {
		for (i = 0; i < RTE_DIM(sfx); i++)
			if (strcasecmp(end, sfx[i].sfx) == 0)
				break;
		if (i == RTE_DIM(sfx))
			return -EINVAL;
		mul = sfx[i].ns;
	}
	part = (unsigned __int128)frac * mul;
	if (part % scale != 0)
		return -EINVAL;
	ns = (unsigned __int128)v * mul + part / scale;
	if (ns > UINT64_MAX)
		return -EINVAL;
	*out_ns = (uint64_t)ns;
	return 0;
}

/* What a getter passes to its rte_kvargs handler. */
struct devargs_ctx {
	const char *who;
	uint64_t min;
	uint64_t max;
	uint64_t unit;
	void *out;
	size_t len;
};

static int
devargs_range(const struct devargs_ctx *c, const char *key, const char *value,
	      uint64_t v)
{
	if (v < c->min || v > c->max) {
		mig_err_set(mig_logtype_engine,
			    "%s: value '%s' for key '%s' is out of range [%" PRIu64
			    ", %" PRIu64 "]",
			    c->who, value, key, c->min, c->max);
		return -EINVAL;
	}
	*(uint64_t *)c->out = v;
	return 0;
}

static int
devargs_u64_handler(const char *key, const char *value, void *opaque)
{
	struct devargs_ctx *c = opaque;
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno != 0 || *end != '\0' || !isdigit((unsigned char)value[0])) {
		mig_err_set(mig_logtype_engine,
			    "%s: value '%s' for key '%s' is not a number",
			    c->who, value, key);
		return -EINVAL;
	}
	return devargs_range(c, key, value, v);
}

static int
devargs_size_handler(const char *key, const char *value, void *opaque)
{
	struct devargs_ctx *c = opaque;
	uint64_t v;

	if (mig_parse_size(value, &v) < 0) {
		mig_err_set(mig_logtype_engine,
			    "%s: value '%s' for key '%s' is not a size (a number with an optional K, M, G or T suffix)",
			    c->who, value, key);
		return -EINVAL;
	}
	return devargs_range(c, key, value, v);
}

static int
devargs_duration_handler(const char *key, const char *value, void *opaque)
{
	struct devargs_ctx *c = opaque;
	uint64_t v;

	if (mig_parse_duration(value, c->unit, &v) < 0) {
		mig_err_set(mig_logtype_engine,
			    "%s: value '%s' for key '%s' is not a duration (a number, optionally with a fraction, and an optional unit ns, us, ms or s)",
			    c->who, value, key);
		return -EINVAL;
	}
	*(uint64_t *)c->out = v;
	return 0;
}

static int
devargs_bool_handler(const char *key, const char *value, void *opaque)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	struct devargs_ctx *c = opaque;
	unsigned int i;

	for (i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*(bool *)c->out = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*(bool *)c->out = false;
			return 0;
		}
	}
	mig_err_set(mig_logtype_engine,
		    "%s: value '%s' for key '%s' is not a boolean (0/1, yes/no, on/off)",
		    c->who, value, key);
	return -EINVAL;
}

static int
devargs_str_handler(const char *key, const char *value, void *opaque)
{
	struct devargs_ctx *c = opaque;

	if (strlen(value) >= c->len) {
		mig_err_set(mig_logtype_engine,
			    "%s: value for key '%s' is longer than %zu characters",
			    c->who, key, c->len - 1);
		return -EINVAL;
	}
	strcpy(c->out, value);
	return 0;
}

static int
devargs_process(struct rte_kvargs *kv, const char *key, arg_handler_t fn,
		struct devargs_ctx *c)
{
	if (rte_kvargs_count(kv, key) == 0)
		return 0;
	return rte_kvargs_process(kv, key, fn, c) < 0 ? -EINVAL : 0;
}

int
mig_devargs_u64(struct rte_kvargs *kv, const char *who, const char *key,
		uint64_t *out, uint64_t min, uint64_t max)
{
	struct devargs_ctx c = { .who = who, .min = min, .max = max,
				 .out = out };

	return devargs_process(kv, key, devargs_u64_handler, &c);
}

int
mig_devargs_size(struct rte_kvargs *kv, const char *who, const char *key,
		 uint64_t *out, uint64_t min, uint64_t max)
{
	struct devargs_ctx c = { .who = who, .min = min, .max = max,
				 .out = out };

	return devargs_process(kv, key, devargs_size_handler, &c);
}

int
mig_devargs_duration(struct rte_kvargs *kv, const char *who, const char *key,
		     uint64_t *out_ns, uint64_t unit_ns)
{
	struct devargs_ctx c = { .who = who, .unit = unit_ns, .out = out_ns };

	return devargs_process(kv, key, devargs_duration_handler, &c);
}

int
mig_devargs_bool(struct rte_kvargs *kv, const char *who, const char *key,
		 bool *out)
{
	struct devargs_ctx c = { .who = who, .out = out };

	return devargs_process(kv, key, devargs_bool_handler, &c);
}

int
mig_devargs_str(struct rte_kvargs *kv, const char *who, const char *key,
		char *out, size_t len)
{
	struct devargs_ctx c = { .who = who, .out = out, .len = len };

	if (len == 0)
		return -EINVAL;
	return devargs_process(kv, key, devargs_str_handler, &c);
}
