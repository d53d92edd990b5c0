/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * dpdk-migrate --check <devargs>: open one device, run every rule of
 * app_check_fsm.c and app_check_data.c, print PASS/FAIL/SKIP per rule with
 * the uAPI sentence it comes from, and, with --json, the same as JSON.
 * The device is left RUNNING (reset) whatever happened.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "app_check.h"
#include "mig_fsm.h"
#include "mig_log.h"

/* Version of the JSON form of the report. */
#define CHK_JSON_VERSION 1
#define CHK_SOURCE "include/uapi/linux/vfio.h"

static const char *const chk_result_names[] = {
	[CHK_PASS] = "pass",
	[CHK_FAIL] = "fail",
	[CHK_SKIP] = "skip",
};

struct chk_outcome {
	const struct chk_rule *rule;
	enum chk_result result;
	char detail[sizeof(((struct chk_ctx *)0)->detail) +
		    sizeof(((struct chk_ctx *)0)->last) + 32];
};

static void
chk_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int
chk_json(const char *path, const struct chk_ctx *c, const char *caps,
	 const struct chk_outcome *o, unsigned int n, const unsigned int *count)
{
	unsigned int i;
	FILE *f;
	int ret;

	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "{\"check_version\": %d, \"device\": ", CHK_JSON_VERSION);
	chk_json_str(f, c->name);
	fprintf(f, ", \"driver\": ");
	chk_json_str(f, c->info.driver);
	fprintf(f, ", \"caps\": \"%s\", \"source\": \"%s\", \"rules\": [",
		caps, CHK_SOURCE);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n  {\"id\": \"%s\", \"result\": \"%s\", \"title\": ",
			i ? "," : "", o[i].rule->id,
			chk_result_names[o[i].result]);
		chk_json_str(f, o[i].rule->title);
		fprintf(f, ", \"detail\": ");
		chk_json_str(f, o[i].detail);
		fprintf(f, ", \"uapi\": ");
		chk_json_str(f, o[i].rule->uapi);
		fprintf(f, "}");
	}
	fprintf(f, "\n], \"passed\": %u, \"failed\": %u, \"skipped\": %u, \"result\": \"%s\"}\n",
		count[CHK_PASS], count[CHK_FAIL], count[CHK_SKIP],
		count[CHK_FAIL] ? "fail" : "pass");
	ret = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

static void
chk_print(const struct chk_outcome *o, bool quiet)
{
	static const char *const tag[] = {
		[CHK_PASS] = "PASS",
		[CHK_FAIL] = "FAIL",
		[CHK_SKIP] = "SKIP",
	};

	if (quiet && o->result != CHK_FAIL)
		return;
	printf("%s  %-17s %s\n", tag[o->result], o->rule->id, o->rule->title);
	if (o->detail[0] != '\0')
		printf("      %s\n", o->detail);
	printf("      uAPI: \"%s\"\n", o->rule->uapi);
}

/* The findings of a rule: the first ones, then the last one. */
static void
chk_detail(const struct chk_ctx *c, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "%s", c->detail);
	if (n < 0 || (size_t)n >= len || c->notes <= CHK_NOTES_MAX)
		return;
	if (c->notes > CHK_NOTES_MAX + 1)
		snprintf(buf + n, len - (size_t)n, "; [%u more]; %s",
			 c->notes - CHK_NOTES_MAX - 1, c->last);
	else
		snprintf(buf + n, len - (size_t)n, "; %s", c->last);
}

static void
chk_run(struct chk_ctx *c, const struct chk_rule *rules, unsigned int n,
	struct chk_outcome *o, unsigned int *k, unsigned int *count,
	bool quiet)
{
	unsigned int i;

	for (i = 0; i < n; i++, (*k)++) {
		c->detail[0] = '\0';
		c->notes = 0;
		mig_err_clear();
		o[*k].rule = &rules[i];
		o[*k].result = rules[i].run(c);
		chk_detail(c, o[*k].detail, sizeof(o[*k].detail));
		count[o[*k].result]++;
		chk_print(&o[*k], quiet);
		fflush(stdout);
	}
}

int
app_check(const char *devargs, const char *json, bool quiet)
{
	unsigned int count[3] = { 0 }, k = 0;
	struct chk_ctx c = { 0 };
	struct chk_outcome *o;
	char caps[48];
	int ret;

	c.dev = mig_dev_open(devargs);
	if (c.dev == NULL) {
		fprintf(stderr, "dpdk-migrate: --check: %s\n", mig_err_last());
		return -rte_errno;
	}
	mig_dev_info_get(c.dev, &c.info);
	c.name = c.info.name;
	c.caps = c.info.caps;
	c.chunk = c.info.chunk_size;
	c.buf = malloc(c.chunk);
	o = calloc(chk_rules_fsm_n + chk_rules_data_n, sizeof(*o));
	if (c.buf == NULL || o == NULL) {
		fprintf(stderr, "dpdk-migrate: --check %s: out of memory\n",
			c.name);
		ret = -ENOMEM;
		goto out;
	}
	mig_caps_str(c.caps, caps, sizeof(caps));
	printf("dpdk-migrate --check %s: driver %s, caps %s, state size %" PRIu64 " bytes\n"
	       "rules of the VFIO migration uAPI, quoted from Linux's %s\n\n",
	       c.name, c.info.driver, caps, c.info.state_size, CHK_SOURCE);
	chk_run(&c, chk_rules_fsm, chk_rules_fsm_n, o, &k, count, quiet);
	chk_run(&c, chk_rules_data, chk_rules_data_n, o, &k, count, quiet);
	printf("\n%s: %u rules, %u passed, %u failed, %u skipped\n", c.name,
	       k, count[CHK_PASS], count[CHK_FAIL], count[CHK_SKIP]);
	ret = count[CHK_FAIL] ? -EPROTO : 0;
	if (json != NULL && chk_json(json, &c, caps, o, k, count) < 0) {
		fprintf(stderr, "dpdk-migrate: --check: cannot write %s\n",
			json);
		ret = -EIO;
	}
out:
	if (mig_dev_reset(c.dev) < 0)
		fprintf(stderr, "dpdk-migrate: --check %s: the device could not be reset at the end: %s\n",
			c.name, mig_err_last());
	chk_stream_free(&c.saved);
	free(o);
	free(c.buf);
	mig_dev_close(c.dev);
	return ret;
}
