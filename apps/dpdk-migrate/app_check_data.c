/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * --check rules on the data of a session: the permanent end of STOP_COPY,
 * the temporary end of PRE_COPY, PRECOPY_INFO, MIG_DATA_SIZE against the
 * bytes read, RESUMING -> STOP with whole, truncated and corrupted
 * streams, and one session through the P2P states.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "app_check.h"
#include "mig_fsm.h"
#include "mig_log.h"

/* Reads after the end of STOP_COPY that must all return 0. */
#define CHK_READS_AFTER_END 3
/* MIG_DATA_SIZE as the vfio driver reports it when the kernel lacks it. */
#define CHK_SIZE_UNKNOWN (UINT64_C(100) << 30)
/* Slack of the MIG_DATA_SIZE comparison (framing, register records). */
#define CHK_SIZE_SLACK (UINT64_C(64) << 10)

static enum chk_result
rule_stop_copy_end(struct chk_ctx *c)
{
	struct mig_dev_sizes sz;
	uint64_t bytes = 0;
	uint32_t len;
	unsigned int i;
	int ret;

	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_STOP) < 0 ||
	    chk_sizes(c, &sz) < 0 || chk_goto(c, MIG_STATE_STOP_COPY) < 0)
		return CHK_FAIL;
	ret = chk_read_until(c, NULL, chk_limit(sz.stop_copy_bytes), &bytes);
	if (ret == -ENOMSG)
		return chk_fail(c, "stop_copy: ENOMSG after %" PRIu64 " bytes",
				bytes);
	if (ret < 0)
		return CHK_FAIL;
	if (bytes == 0)
		return chk_fail(c, "stop_copy: the stream is empty");
	for (i = 1; i <= CHK_READS_AFTER_END; i++) {
		ret = chk_read(c, &len);
		if (ret == -ENOMSG)
			return chk_fail(c, "stop_copy: read %u after the end of stream returned ENOMSG",
					i);
		if (ret < 0)
			return CHK_FAIL;
		if (len > 0)
			return chk_fail(c, "stop_copy: read %u after the end of stream (%" PRIu64 " bytes) returned %u bytes more",
					i, bytes, len);
	}
	return chk_pass(c, "%" PRIu64 " bytes, then read() returns 0, and %u more times",
			bytes, CHK_READS_AFTER_END);
}

/* The estimate is near what was read: the whole of it, give or take. */
static bool
chk_size_near(uint64_t estimate, uint64_t bytes)
{
	return bytes <= estimate + estimate / 4 + CHK_SIZE_SLACK &&
	       estimate <= 2 * bytes + CHK_SIZE_SLACK;
}

static enum chk_result
rule_data_size(struct chk_ctx *c)
{
	struct mig_dev_sizes sz;
	uint64_t bytes = 0, pre = 0;
	int ret;

	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_STOP) < 0 ||
	    chk_sizes(c, &sz) < 0)
		return CHK_FAIL;
	if (sz.stop_copy_bytes == CHK_SIZE_UNKNOWN)
		return chk_skip(c, "no MIG_DATA_SIZE (the driver reports the 100 GiB default)");
	if (chk_goto(c, MIG_STATE_STOP_COPY) < 0 ||
	    chk_read_until(c, NULL, chk_limit(sz.stop_copy_bytes), &bytes) < 0)
		return CHK_FAIL;
	if (!chk_size_near(sz.stop_copy_bytes, bytes))
		return chk_fail(c, "stop: MIG_DATA_SIZE %" PRIu64 ", stop_copy then read %" PRIu64 " bytes",
				sz.stop_copy_bytes, bytes);
	chk_pass(c, "stop: estimate %" PRIu64 ", read %" PRIu64,
		 sz.stop_copy_bytes, bytes);
	if (!(c->caps & MIG_CAP_PRE_COPY))
		return CHK_PASS;
	/* after pre-copy reached its temporary end */
	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_PRE_COPY) < 0)
		return CHK_FAIL;
	ret = chk_read_until(c, NULL, chk_limit(sz.stop_copy_bytes), &pre);
	if ((ret < 0 && ret != -ENOMSG) || chk_sizes(c, &sz) < 0 ||
	    chk_goto(c, MIG_STATE_STOP_COPY) < 0)
		return CHK_FAIL;
	bytes = 0;
	if (chk_read_until(c, NULL, chk_limit(sz.stop_copy_bytes), &bytes) < 0)
		return CHK_FAIL;
	if (!chk_size_near(sz.stop_copy_bytes, bytes))
		return chk_fail(c, "pre_copy after %" PRIu64 " bytes: MIG_DATA_SIZE %" PRIu64 ", stop_copy then read %" PRIu64 " bytes",
				pre, sz.stop_copy_bytes, bytes);
	return chk_pass(c, "pre_copy after %" PRIu64 " bytes: estimate %" PRIu64 ", read %" PRIu64,
			pre, sz.stop_copy_bytes, bytes);
}

static enum chk_result
rule_precopy_info(struct chk_ctx *c)
{
	uint64_t first, prev, bytes = 0, limit;
	struct mig_dev_sizes a, b;
	unsigned int reads = 0;
	uint32_t len;
	int ret;

	if (!(c->caps & MIG_CAP_PRE_COPY))
		return chk_skip(c, "PRE_COPY not advertised");
	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_PRE_COPY) < 0 ||
	    chk_sizes(c, &a) < 0 || chk_sizes(c, &b) < 0)
		return CHK_FAIL;
	if (a.initial_bytes == 0)
		return chk_fail(c, "initial_bytes is 0 on entering pre_copy");
	if (b.initial_bytes > a.initial_bytes)
		return chk_fail(c, "initial_bytes grew from %" PRIu64 " to %" PRIu64 " between two queries, nothing read",
				a.initial_bytes, b.initial_bytes);
	first = prev = b.initial_bytes;
	limit = chk_limit(first + b.dirty_bytes);
	for (;;) {
		ret = chk_read(c, &len);
		if (ret == -ENOMSG || (ret == 0 && len == 0))
			break;
		if (ret < 0)
			return CHK_FAIL;
		bytes += len;
		reads++;
		if (chk_sizes(c, &b) < 0)
			return CHK_FAIL;
		if (b.initial_bytes > prev)
			return chk_fail(c, "initial_bytes grew from %" PRIu64 " to %" PRIu64 " after read %u",
					prev, b.initial_bytes, reads);
		prev = b.initial_bytes;
		if (bytes > limit)
			return chk_fail(c, "no temporary end after %" PRIu64 " bytes (initial_bytes %" PRIu64 " at entry)",
					bytes, first);
	}
	if (chk_sizes(c, &b) < 0)
		return CHK_FAIL;
	if (b.initial_bytes != 0 || b.dirty_bytes != 0)
		return chk_fail(c, "the stream paused after %" PRIu64 " bytes with initial_bytes %" PRIu64 " and dirty_bytes %" PRIu64 " announced",
				bytes, b.initial_bytes, b.dirty_bytes);
	if (bytes < first)
		return chk_fail(c, "initial_bytes announced %" PRIu64 ", %" PRIu64 " bytes followed",
				first, bytes);
	return chk_pass(c, "initial_bytes %" PRIu64 " at entry, never grew over %u reads; %" PRIu64 " bytes followed, then initial and dirty 0",
			first, reads, bytes);
}

/* Load @p s whole into the device; RESUMING -> STOP must take it. */
static enum chk_result
chk_load_whole(struct chk_ctx *c, const struct chk_stream *s,
	       const char *what)
{
	int ret;

	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_RESUMING) < 0)
		return CHK_FAIL;
	ret = chk_write(c, s->data, s->len);
	if (ret < 0)
		return chk_fail(c, "%s (%zu bytes) refused on write: %s", what,
				s->len, mig_err_last());
	if (chk_goto(c, MIG_STATE_STOP) < 0)
		return chk_fail(c, "%s (%zu bytes) refused by resuming -> stop",
				what, s->len);
	return CHK_PASS;
}

static enum chk_result
rule_precopy_end(struct chk_ctx *c)
{
	struct chk_stream st = { 0 };
	enum chk_result r = CHK_FAIL;
	uint64_t pre = 0, bytes = 0;
	uint32_t len;
	int ret;

	if (!(c->caps & MIG_CAP_PRE_COPY))
		return chk_skip(c, "PRE_COPY not advertised");
	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_PRE_COPY) < 0)
		return CHK_FAIL;
	ret = chk_read_until(c, &st, chk_limit(c->info.state_size), &pre);
	if (ret == 0) {
		chk_fail(c, "pre_copy: read() returned 0 (the permanent end) after %" PRIu64 " bytes, not ENOMSG",
			 pre);
		goto out;
	}
	if (ret != -ENOMSG)
		goto out;
	ret = chk_read(c, &len);
	if (ret != -ENOMSG) {
		if (ret >= 0)
			chk_fail(c, "pre_copy: a second read at the temporary end returned %u bytes, not ENOMSG (idle device)",
				 len);
		goto out;
	}
	bytes = pre;
	if (chk_goto(c, MIG_STATE_STOP_COPY) < 0 ||
	    chk_read_until(c, &st, chk_limit(c->info.state_size), &bytes) < 0)
		goto out;
	if (bytes > CHK_STREAM_KEEP_MAX) {
		r = chk_pass(c, "ENOMSG after %" PRIu64 " bytes (twice); stop_copy continued the stream to %" PRIu64 " bytes (too large to load back here)",
			     pre, bytes);
		goto out;
	}
	r = chk_load_whole(c, &st, "the session's stream");
	if (r == CHK_PASS)
		chk_pass(c, "ENOMSG after %" PRIu64 " bytes (twice); stop_copy continued the stream to %" PRIu64 " bytes, which loads",
			 pre, bytes);
out:
	chk_stream_free(&st);
	return r;
}

static enum chk_result
rule_resume(struct chk_ctx *c)
{
	struct chk_stream *s;
	enum chk_result r;

	r = chk_saved_stream(c, &s);
	if (r != CHK_PASS)
		return r;
	r = chk_load_whole(c, s, "a whole stream of the device");
	if (r != CHK_PASS)
		return r;
	return chk_pass(c, "a whole stream of %zu bytes from stop_copy loads, resuming -> stop succeeds",
			s->len);
}

/* RESUMING -> STOP after @p len bytes of @p s: 1 refused, 0 accepted,
 * -errno when the device could not be brought there. */
static int
chk_resume_refused(struct chk_ctx *c, const struct chk_stream *s, size_t len,
		   char *why, size_t why_len)
{
	int ret;

	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_RESUMING) < 0)
		return -EIO;
	ret = chk_write(c, s->data, len);
	if (ret < 0) {
		snprintf(why, why_len, "write: %s", strerror(-ret));
		return 1;
	}
	ret = mig_dev_set_state(c->dev, MIG_STATE_STOP, MIG_STATE_ERROR);
	snprintf(why, why_len, "resuming -> stop: %s", strerror(-ret));
	return ret < 0;
}

static enum chk_result
rule_resume_truncated(struct chk_ctx *c)
{
	char why[2][96];
	struct chk_stream *s;
	size_t cut[2];
	enum chk_result r;
	unsigned int i;
	int ret;

	r = chk_saved_stream(c, &s);
	if (r != CHK_PASS)
		return r;
	cut[0] = s->len / 2;
	cut[1] = s->len - 1;
	for (i = 0; i < RTE_DIM(cut); i++) {
		ret = chk_resume_refused(c, s, cut[i], why[i], sizeof(why[i]));
		if (ret < 0)
			return CHK_FAIL;
		if (ret == 0)
			return chk_fail(c, "a stream truncated to %zu of %zu bytes was accepted",
					cut[i], s->len);
	}
	return chk_pass(c, "truncated to %zu bytes: refused (%s); to %zu: refused (%s)",
			cut[0], why[0], cut[1], why[1]);
}

static enum chk_result
rule_resume_corrupt(struct chk_ctx *c)
{
	char why[2][96];
	struct chk_stream *s;
	size_t at[2];
	enum chk_result r;
	unsigned int i;
	int ret;

	r = chk_saved_stream(c, &s);
	if (r != CHK_PASS)
		return r;
	at[0] = s->len / 2;
	at[1] = s->len - 1;
	for (i = 0; i < RTE_DIM(at); i++) {
		s->data[at[i]] ^= 0xff;
		ret = chk_resume_refused(c, s, s->len, why[i], sizeof(why[i]));
		s->data[at[i]] ^= 0xff;
		if (ret < 0)
			return CHK_FAIL;
		if (ret == 0)
			return chk_fail(c, "a stream with byte %zu of %zu flipped was accepted",
					at[i], s->len);
	}
	return chk_pass(c, "byte %zu flipped: refused (%s); byte %zu: refused (%s)",
			at[0], why[0], at[1], why[1]);
}

static enum chk_result
rule_p2p(struct chk_ctx *c)
{
	static const enum mig_state walk[] = {
		MIG_STATE_PRE_COPY_P2P, MIG_STATE_PRE_COPY,
		MIG_STATE_PRE_COPY_P2P, MIG_STATE_STOP_COPY,
	};
	struct chk_stream st = { 0 };
	enum chk_result r = CHK_FAIL;
	struct mig_dev_sizes sz;
	uint64_t bytes = 0, limit;
	unsigned int i;
	int ret;

	if (!(c->caps & MIG_CAP_P2P))
		return chk_skip(c, "P2P not advertised");
	if (!(c->caps & MIG_CAP_PRE_COPY))
		return chk_skip(c, "no PRE_COPY_P2P without PRE_COPY; RUNNING_P2P is in arcs and combination");
	if (chk_fresh(c) < 0 || chk_goto(c, MIG_STATE_PRE_COPY) < 0)
		return CHK_FAIL;
	limit = chk_limit(c->info.state_size);
	ret = chk_read_until(c, &st, limit, &bytes);
	for (i = 0; i < RTE_DIM(walk) && (ret == -ENOMSG || ret == 0); i++) {
		if (chk_goto(c, walk[i]) < 0)
			goto out;
		if (walk[i] == MIG_STATE_PRE_COPY_P2P && chk_sizes(c, &sz) < 0)
			goto out;
		ret = chk_read_until(c, &st, limit, &bytes);
	}
	if (ret < 0)
		goto out;
	if (bytes > CHK_STREAM_KEEP_MAX) {
		r = chk_skip(c, "the stream (%" PRIu64 " bytes) is too large to load back here",
			     bytes);
		goto out;
	}
	r = chk_load_whole(c, &st, "the stream of pre_copy, pre_copy_p2p, pre_copy, pre_copy_p2p, stop_copy");
	if (r == CHK_PASS)
		chk_pass(c, "one session through pre_copy, pre_copy_p2p (PRECOPY_INFO answered), back and to stop_copy: %" PRIu64 " bytes that load",
			 bytes);
out:
	chk_stream_free(&st);
	return r;
}

const struct chk_rule chk_rules_data[] = {
	{
		.id = "stop_copy_end",
		.title = "STOP_COPY ends its stream with read() returning 0, for good",
		.uapi = "Once in STOP_COPY the migration data FD has a permanent end of stream signaled in the usual way by read() always returning 0 and poll always returning readable. ENOMSG may not be returned in STOP_COPY.",
		.run = rule_stop_copy_end,
	},
	{
		.id = "precopy_end",
		.title = "PRE_COPY's temporary end is ENOMSG, and STOP_COPY continues the stream",
		.uapi = "When read() is done on this temporary end of stream the kernel driver should return ENOMSG from read().",
		.run = rule_precopy_end,
	},
	{
		.id = "precopy_info",
		.title = "PRECOPY_INFO: initial bytes only decrease, the data announced follows",
		.uapi = "This field should have a non-zero initial value and decrease as migration data is read from the device.",
		.run = rule_precopy_info,
	},
	{
		.id = "data_size",
		.title = "MIG_DATA_SIZE matches what STOP_COPY then reads",
		.uapi = "Upon VFIO_DEVICE_FEATURE_GET read back the estimated data length that will be required to complete stop copy.",
		.run = rule_data_size,
	},
	{
		.id = "resume",
		.title = "RESUMING -> STOP accepts a whole stream of the device",
		.uapi = "The kernel migration driver should complete the incorporation of data written to the data transfer FD into the device internal state and perform final validity and consistency checking of the new device state.",
		.run = rule_resume,
	},
	{
		.id = "resume_truncated",
		.title = "RESUMING -> STOP refuses a truncated stream",
		.uapi = "If the user provided data is found to be incomplete, inconsistent, or otherwise invalid, the migration driver must fail the SET_STATE ioctl and optionally go to the ERROR state as described below.",
		.run = rule_resume_truncated,
	},
	{
		.id = "resume_corrupt",
		.title = "a corrupted stream is refused (on write or by RESUMING -> STOP)",
		.uapi = "If the user provided data is found to be incomplete, inconsistent, or otherwise invalid, the migration driver must fail the SET_STATE ioctl and optionally go to the ERROR state as described below.",
		.run = rule_resume_corrupt,
	},
	{
		.id = "p2p",
		.title = "the P2P states keep the saving session",
		.uapi = "Entering PRE_COPY_P2P continues all the behaviors of PRE_COPY above. [...] Moving between these states alters what is streamed in session, but does not terminate or otherwise affect the associated fd.",
		.run = rule_p2p,
	},
};

const unsigned int chk_rules_data_n = RTE_DIM(chk_rules_data);
