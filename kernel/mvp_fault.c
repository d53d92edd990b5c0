// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * Fault injection for conformance checkers: the debug module parameter
 * "fault" (writable at run time in /sys/module/mig_vfio_pci/parameters)
 * makes the driver break one rule of the VFIO migration uAPI:
 *
 *   none              the driver as it is (default)
 *   precopy_grow      PRECOPY_INFO initial_bytes grows by 4 KiB per call
 *   data_after_end    STOP_COPY: after read() returned 0 once, the next
 *                     read() returns 4 KiB more
 *   no_enomsg         PRE_COPY: read() returns 0 instead of ENOMSG at the
 *                     temporary end
 *   stuck_arc         STOP -> RUNNING and STOP -> RUNNING_P2P report
 *                     success and leave the device in STOP
 *   accept_truncated  RESUMING -> STOP accepts a stream without its END
 *                     record
 *   data_size_lie     MIG_DATA_SIZE reports a quarter of the truth
 *   p2p_no_info       PRECOPY_INFO fails with EINVAL in PRE_COPY_P2P
 *   reset_ignored     a reset in STOP leaves the device in STOP
 */

#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mvp.h"
#include "mvp_fault.h"

enum mvp_fault {
	MVP_FAULT_NONE,
	MVP_FAULT_PRECOPY_GROW,
	MVP_FAULT_DATA_AFTER_END,
	MVP_FAULT_NO_ENOMSG,
	MVP_FAULT_STUCK_ARC,
	MVP_FAULT_ACCEPT_TRUNCATED,
	MVP_FAULT_DATA_SIZE_LIE,
	MVP_FAULT_P2P_NO_INFO,
	MVP_FAULT_RESET_IGNORED,
	MVP_FAULT_NR,
};

static const char *const mvp_fault_names[MVP_FAULT_NR] = {
	[MVP_FAULT_NONE] = "none",
	[MVP_FAULT_PRECOPY_GROW] = "precopy_grow",
	[MVP_FAULT_DATA_AFTER_END] = "data_after_end",
	[MVP_FAULT_NO_ENOMSG] = "no_enomsg",
	[MVP_FAULT_STUCK_ARC] = "stuck_arc",
	[MVP_FAULT_ACCEPT_TRUNCATED] = "accept_truncated",
	[MVP_FAULT_DATA_SIZE_LIE] = "data_size_lie",
	[MVP_FAULT_P2P_NO_INFO] = "p2p_no_info",
	[MVP_FAULT_RESET_IGNORED] = "reset_ignored",
};

#define MVP_FAULT_BYTES 4096

static int mvp_fault = MVP_FAULT_NONE;
static atomic64_t mvp_fault_grow = ATOMIC64_INIT(0);

static int mvp_fault_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(mvp_fault_names, val);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(mvp_fault, i);
	return 0;
}

static int mvp_fault_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", mvp_fault_names[READ_ONCE(mvp_fault)]);
}

static const struct kernel_param_ops mvp_fault_ops = {
	.set = mvp_fault_set,
	.get = mvp_fault_get,
};
module_param_cb(fault, &mvp_fault_ops, NULL, 0644);
MODULE_PARM_DESC(fault,
		 "debug: break one uAPI rule on purpose: none (default), precopy_grow, data_after_end, no_enomsg, stuck_arc, accept_truncated, data_size_lie, p2p_no_info, reset_ignored");

static bool mvp_fault_on(enum mvp_fault f)
{
	return READ_ONCE(mvp_fault) == f;
}

int mvp_fault_precopy_info(struct mvp_migf *migf)
{
	/* a debug aid: the state is read without state_mutex */
	if (mvp_fault_on(MVP_FAULT_P2P_NO_INFO) &&
	    READ_ONCE(migf->mvdev->mig_state) == VFIO_DEVICE_STATE_PRE_COPY_P2P)
		return -EINVAL;
	return 0;
}

u64 mvp_fault_precopy_initial(u64 initial)
{
	if (!mvp_fault_on(MVP_FAULT_PRECOPY_GROW))
		return initial;
	return initial + atomic64_add_return(MVP_FAULT_BYTES, &mvp_fault_grow);
}

ssize_t mvp_fault_save_read(struct mvp_migf *migf, char __user *ubuf,
			    size_t len, ssize_t done)
{
	size_t n = min_t(size_t, len, MVP_FAULT_BYTES);

	if (done == -ENOMSG && mvp_fault_on(MVP_FAULT_NO_ENOMSG))
		return 0;
	if (done != 0 || !len || !migf->end_done ||
	    !mvp_fault_on(MVP_FAULT_DATA_AFTER_END))
		return done;
	/* The first read at the end gives 0, the second bytes. */
	if (migf->fault_end_reads++ != 1)
		return 0;
	if (clear_user(ubuf, n))
		return -EFAULT;
	return n;
}

bool mvp_fault_arc_skipped(enum vfio_device_mig_state cur,
			   enum vfio_device_mig_state next)
{
	return mvp_fault_on(MVP_FAULT_STUCK_ARC) &&
	       cur == VFIO_DEVICE_STATE_STOP &&
	       (next == VFIO_DEVICE_STATE_RUNNING ||
		next == VFIO_DEVICE_STATE_RUNNING_P2P);
}

bool mvp_fault_accept_incomplete(void)
{
	return mvp_fault_on(MVP_FAULT_ACCEPT_TRUNCATED);
}

u64 mvp_fault_data_size(u64 stop_copy_length)
{
	if (!mvp_fault_on(MVP_FAULT_DATA_SIZE_LIE))
		return stop_copy_length;
	return stop_copy_length / 4;
}

bool mvp_fault_reset_ignored(enum vfio_device_mig_state cur)
{
	/* STOP has no data file: nothing is left half aborted */
	return mvp_fault_on(MVP_FAULT_RESET_IGNORED) &&
	       cur == VFIO_DEVICE_STATE_STOP;
}
