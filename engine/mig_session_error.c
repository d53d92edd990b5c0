/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * How a session fails: its one-line error ("<role>, step <step>:
 * <cause>"), the no-progress deadline, and ABORT, sent to the peer with
 * our error or received with the peer's.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mig_log.h"
#include "mig_session_priv.h"

int
sess_fail(struct mig_sess *s, int ret, const char *fmt, ...)
{
	char msg[MIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mig_err_set(mig_logtype_engine, "%s, step %s: %s", sess_role_name(s),
		    mig_wire_step_name((unsigned int)s->st->step), msg);
	return ret;
}

int
sess_fail_last(struct mig_sess *s, int ret)
{
	char cause[MIG_ERR_MAX];

	snprintf(cause, sizeof(cause), "%s", mig_err_last());
	if (cause[0] == '\0')
		snprintf(cause, sizeof(cause), "%s", strerror(-ret));
	return sess_fail(s, ret, "%s", cause);
}

int
sess_fail_stalled(struct mig_sess *s)
{
	return sess_fail(s, -ETIMEDOUT,
			 "no progress for %.1f s (peer dead or stuck?)",
			 (double)s->timeout_ns / 1e9);
}

void
sess_progress(struct mig_sess *s, int work)
{
	if (work > 0)
		s->last_progress = mig_time_ns();
}

int
sess_check_stop(struct mig_sess *s)
{
	if (s->cfg->stop != NULL && __atomic_load_n(s->cfg->stop,
						    __ATOMIC_RELAXED) != 0)
		return sess_fail(s, -ECANCELED, "stopped on request");
	return 0;
}

int
sess_check(struct mig_sess *s)
{
	int ret = sess_check_stop(s);

	if (ret < 0)
		return ret;
	if (mig_time_ns() - s->last_progress > s->timeout_ns)
		return sess_fail_stalled(s);
	return 0;
}

void
sess_send_abort(struct mig_sess *s, int code, uint32_t dev_id)
{
	char saved[MIG_ERR_MAX];
	struct mig_wire_msg m;
	uint64_t end;

	if (s->xp == NULL || s->peer_aborted ||
	    mig_xport_state(s->xp) != MIG_XPORT_S_CONNECTED)
		return;
	snprintf(saved, sizeof(saved), "%s", mig_err_last());
	memset(&m, 0, sizeof(m));
	m.type = MIG_WIRE_T_ABORT;
	m.abort.code = code < 0 && code >= -4095 ? code : -EIO;
	m.abort.dev_id = dev_id;
	m.abort.step = (uint16_t)s->st->step;
	memcpy(m.abort.reason, saved, sizeof(m.abort.reason) - 1);
	m.abort.reason[sizeof(m.abort.reason) - 1] = '\0';
	if (sess_send(s, &m) == 0) {
		/* Flush: poll until the frame is out or the link fails. */
		end = mig_time_ns() + SESS_FLUSH_NS;
		while (mig_time_ns() < end && mig_xport_poll(s->xp) > 0)
			;
	}
	mig_err_set(mig_logtype_engine, "%s", saved);
}

int
sess_peer_abort(struct mig_sess *s, const struct mig_wire_msg *m)
{
	s->peer_aborted = true;
	return sess_fail(s, -ECONNABORTED, "peer aborted (its step %s): %s",
			 mig_wire_step_name(m->abort.step), m->abort.reason);
}
