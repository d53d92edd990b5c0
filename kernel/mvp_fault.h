/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/* Copyright(c) 2026 dpdk-migrate authors */

#ifndef _MVP_FAULT_H_
#define _MVP_FAULT_H_

#include <linux/types.h>
#include <linux/vfio.h>

struct mvp_migf;

/*
 * Deliberate uAPI violations behind the debug module parameter "fault"
 * (mvp_fault.c), so that a conformance checker (dpdk-migrate --check) can
 * be shown to catch them. Each hook is the identity while fault=none.
 */

/* PRECOPY_INFO: 0, or the error it fails with. */
int mvp_fault_precopy_info(struct mvp_migf *migf);
/* PRECOPY_INFO: initial_bytes as reported. */
u64 mvp_fault_precopy_initial(u64 initial);
/* read() of a saving file: its result @done for a request of @len bytes. */
ssize_t mvp_fault_save_read(struct mvp_migf *migf, char __user *ubuf,
			    size_t len, ssize_t done);
/* true: report the arc cur -> next as done without taking it. */
bool mvp_fault_arc_skipped(enum vfio_device_mig_state cur,
			   enum vfio_device_mig_state next);
/* true: RESUMING -> STOP accepts a stream without its END record. */
bool mvp_fault_accept_incomplete(void);
/* true: a reset in state @cur is not applied (any context). */
bool mvp_fault_reset_ignored(enum vfio_device_mig_state cur);
/* MIG_DATA_SIZE as reported. */
u64 mvp_fault_data_size(u64 stop_copy_length);

#endif /* _MVP_FAULT_H_ */
