/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _APP_CHECK_H_
#define _APP_CHECK_H_

/*
 * dpdk-migrate --check: a conformance run of one device against the VFIO
 * migration v2 uAPI (include/uapi/linux/vfio.h), through the engine's
 * device API, so any device driver can be checked. Rules live in
 * app_check_fsm.c (arcs, combination arcs, optional states, reset) and
 * app_check_data.c (end of stream, PRECOPY_INFO, MIG_DATA_SIZE, resume);
 * app_check_io.c drives the device; app_check.c runs and reports.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mig_dev.h"

enum chk_result {
	CHK_PASS,
	CHK_FAIL,
	CHK_SKIP,
};

/* A device stream held in memory. */
struct chk_stream {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* A run against one device. */
struct chk_ctx {
	struct mig_dev *dev;
	const char *name;
	struct mig_dev_info info;
	uint64_t caps;
	void *buf;		/* one chunk */
	uint32_t chunk;
	struct chk_stream saved; /* a whole STOP_COPY stream, from STOP */
	bool saved_ok;
	char detail[1024];	/* the current rule's finding */
	unsigned int notes;	/* findings noted by the current rule */
	char last[256];		/* its last one, past CHK_NOTES_MAX */
};

/* Findings of a rule kept in full; of the others, the last one. */
#define CHK_NOTES_MAX 3

struct chk_rule {
	const char *id;
	const char *title;
	const char *uapi;	/* sentence(s) of include/uapi/linux/vfio.h */
	enum chk_result (*run)(struct chk_ctx *c);
};

extern const struct chk_rule chk_rules_fsm[];
extern const unsigned int chk_rules_fsm_n;
extern const struct chk_rule chk_rules_data[];
extern const unsigned int chk_rules_data_n;

/* Bytes of stream kept in memory at most (resume rules). */
#define CHK_STREAM_KEEP_MAX (UINT64_C(1) << 30)

/* Findings: note one in c->detail (after a "; "; past CHK_NOTES_MAX only
 * the last one is kept) and return the result. */
enum chk_result chk_fail(struct chk_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum chk_result chk_skip(struct chk_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum chk_result chk_pass(struct chk_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The device in RUNNING, checked by reading its state: a reset, else the
 * walk back from the state it reports; 0 or -errno with the cause in
 * c->detail. */
int chk_fresh(struct chk_ctx *c);
/* The engine's walk to @p s, then the device's state read back; 0 or
 * -errno with the cause in c->detail. */
int chk_goto(struct chk_ctx *c, enum mig_state s);
/* The state the device reports; -ENOTSUP when it cannot tell. */
int chk_state(struct chk_ctx *c, enum mig_state *s);

/* One save of at most a chunk: 0 (*len bytes, 0 = end), -ENOMSG or -errno. */
int chk_read(struct chk_ctx *c, uint32_t *len);
/*
 * Read until a read returns no data: the last status (0: end of stream,
 * -ENOMSG, -errno), -EFBIG past @p limit bytes. Data is appended to @p s
 * (NULL: dropped) while it stays under CHK_STREAM_KEEP_MAX; *bytes counts
 * all.
 */
int chk_read_until(struct chk_ctx *c, struct chk_stream *s, uint64_t limit,
		   uint64_t *bytes);
/* Write @p len bytes in chunks in RESUMING; 0 or the first -errno. */
int chk_write(struct chk_ctx *c, const uint8_t *data, size_t len);
/* MIG_DATA_SIZE and, in PRE_COPY states, PRECOPY_INFO; 0 or -errno. */
int chk_sizes(struct chk_ctx *c, struct mig_dev_sizes *sz);

/* A whole STOP_COPY stream taken from STOP (cached in c->saved): CHK_PASS,
 * else the result with the cause in c->detail. */
enum chk_result chk_saved_stream(struct chk_ctx *c,
				 struct chk_stream **out);
/* Bytes past which a stream with this stop-copy estimate never ends. */
uint64_t chk_limit(uint64_t estimate);
void chk_stream_free(struct chk_stream *s);

/* Run every rule on @p devargs; 0 all passed, -EPROTO a rule failed,
 * -errno when the device cannot be opened. */
int app_check(const char *devargs, const char *json, bool quiet);

#endif /* _APP_CHECK_H_ */
