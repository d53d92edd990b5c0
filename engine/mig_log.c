/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "mig_log.h"

RTE_LOG_REGISTER(mig_logtype_engine, mig.engine, INFO);

static __thread char g_last_err[MIG_ERR_MAX];

void
mig_err_set(int logtype, const char *fmt, ...)
{
	char msg[MIG_ERR_MAX];
	va_list ap;

	/* Through a local buffer: callers may pass mig_err_last() as an
	 * argument to wrap the cause in context. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(g_last_err, msg, sizeof(g_last_err));
	rte_log(RTE_LOG_DEBUG, logtype, "%s\n", g_last_err);
}

const char *
mig_err_last(void)
{
	return g_last_err;
}

void
mig_err_clear(void)
{
	g_last_err[0] = '\0';
}
