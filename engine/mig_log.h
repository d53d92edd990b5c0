/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_LOG_H_
#define _MIG_LOG_H_

/**
 * @file
 * Logging and error reporting shared by the engine and the drivers.
 *
 * Each component registers its own log type with RTE_LOG_REGISTER
 * (mig.engine, mig.dev.sim, mig.xport.tcp, ...); levels are set at run time
 * with --log-level=mig.dev.sim:debug.
 *
 * mig_err_set() keeps the message as the calling thread's last error (and
 * logs it at DEBUG level), so that whoever reports a failure to the user
 * (the application, a test) shows the one line that names the device, the
 * step and the cause, once.
 */

#include <rte_common.h>
#include <rte_log.h>

#ifdef __cplusplus
extern "C" {
#endif

extern int mig_logtype_engine;

/** Log with the calling function's name and a trailing newline. */
#define MIG_LOG(level, type, fmt, ...)                                         \
	rte_log(RTE_LOG_##level, type, "%s(): " fmt "\n", __func__,            \
		##__VA_ARGS__)

/** Longest error message kept by mig_err_set(). */
#define MIG_ERR_MAX 512

/**
 * Record @p fmt as this thread's last error and log it at DEBUG level on
 * @p logtype. No trailing newline in @p fmt. mig_err_last() may be among
 * the arguments (to add context to the cause).
 */
void mig_err_set(int logtype, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** This thread's last error message ("" if none since mig_err_clear()). */
const char *mig_err_last(void);

/** Forget this thread's last error. */
void mig_err_clear(void);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_LOG_H_ */
