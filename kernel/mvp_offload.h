/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/* Copyright(c) 2026 dpdk-migrate authors */

#ifndef _MVP_OFFLOAD_H_
#define _MVP_OFFLOAD_H_

/*
 * Offload mode (doc/drivers/kernel.md, uAPI include/uapi/mig_vfio_offload.h):
 * an agent attached through /dev/mig_vfio_offload reads the saving
 * session's stream (the bulk) and writes the resuming one, while the
 * VMM's data fd carries only the OFFLOAD record.
 *
 * Lock order: state_mutex -> off.lock -> migf->lock. The agent's ioctls
 * never take state_mutex; the VMM's waits (the saving fd's read in
 * STOP_COPY, RESUMING -> STOP) sleep on the migf's poll_wait without
 * holding off.lock or migf->lock, so the agent can always complete them.
 */

#include <linux/mutex.h>
#include <linux/types.h>

#include "mvp_stream.h"

struct mvp_agent;
struct mvp_device;
struct mvp_migf;

/* Per device, under lock. */
struct mvp_off_dev {
	struct mutex lock;
	struct mvp_agent *agent;	/* attached agent, or NULL */
	bool gone;			/* device removed */
	struct mvp_migf *save;		/* saving session in offload mode */
	struct mvp_migf *resume;	/* the VMM's resuming session */
	struct mvp_migf *bulk;		/* the agent's resuming stream */
	bool begun;			/* RESUME_BEGIN done */
	u64 token;			/* of save, or of resume once begun */
};

/* Per data fd, under migf->lock. */
struct mvp_off_sess {
	bool on;			/* saving fd in offload mode */
	bool agent_stream;		/* the agent's bulk: no OFFLOAD record */
	bool hdr_offload;		/* resuming: header has MVP_HDR_F_OFFLOAD */
	bool rec_seen;			/* resuming: OFFLOAD record checked */
	bool done;			/* SAVE_DONE / RESUME_DONE, or failed */
	bool completed;			/* the VMM got the record / applied it */
	int status;			/* once done: 0 or -errno */
	u64 token;
	u64 bytes;			/* reported by RESUME_DONE */
	u64 digest;
	unsigned long deadline;		/* jiffies; 0 = not waiting yet */
	struct mvp_rec_offload rec;	/* resuming: the VMM's record */
	u8 out[MVP_OFF_STREAM_LEN];	/* saving: the data fd's stream */
	u32 out_pos;
};

/* mvp_agent.c: the character device. */
int mvp_agent_init(void);
void mvp_agent_exit(void);

/* mvp_offload.c: the hooks of mvp_main.c and mvp_fsm.c. */
void mvp_offload_dev_init(struct mvp_device *mvdev);
void mvp_offload_remove(struct mvp_device *mvdev);
void mvp_offload_state(struct mvp_device *mvdev, u32 state);
void mvp_offload_save_begin(struct mvp_device *mvdev, struct mvp_migf *migf);
int mvp_offload_resume_begin(struct mvp_device *mvdev, struct mvp_migf *migf);
int mvp_offload_resume_end(struct mvp_device *mvdev, struct mvp_migf *migf);
void mvp_offload_drop(struct mvp_device *mvdev, struct mvp_migf *migf);

#endif /* _MVP_OFFLOAD_H_ */
