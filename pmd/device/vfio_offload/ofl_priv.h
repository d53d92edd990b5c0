/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _OFL_PRIV_H_
#define _OFL_PRIV_H_

/*
 * vfio_offload: private definitions shared by ofl.c (devargs, attach,
 * owner events, states) and ofl_io.c (the bulk through SAVE_READ and
 * RESUME_WRITE, the stream's prefix and its END record).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "mig_dev_driver.h"
#include "mig_vfio_offload.h"

extern int mig_ofl_logtype;

/* The system calls the driver makes, replaceable by unit tests (no
 * kernel module there). */
struct ofl_sys {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	ssize_t (*read)(int fd, void *buf, size_t len);
};

/* The libc calls by default; a test passes its own, NULL restores. */
void mig_ofl_sys_set(const struct ofl_sys *sys);
extern const struct ofl_sys *g_ofl_sys;

/*
 * The driver's own framing in front of the kernel's record stream: the
 * destination's agent learns the session token of RESUME_BEGIN from it.
 * Little-endian on the wire.
 */
#define OFL_PREFIX_MAGIC UINT64_C(0x31444c464f47494d) /* "MIGOFLD1" */
#define OFL_PREFIX_LEN 16
/* END record of the kernel's stream (doc/drivers/kernel.md): a 24-byte
 * record header (tag u16 = 3 at 0, len u32 = 24 at 4) and its payload;
 * stream_crc is the u32 at OFL_END_CRC_OFF. */
#define OFL_END_LEN 48
#define OFL_END_TAG 3
#define OFL_END_CRC_OFF 40

#define OFL_PATH_MAX 108

struct ofl_opts {
	char bdf[32];
	char ctl[OFL_PATH_MAX];  /* the offload character device */
	uint64_t depth;
	uint64_t chunk;
};

/* The record stream of one job, as it passes through the driver. */
struct ofl_stream {
	uint64_t bytes;          /* kernel stream bytes read or written */
	uint8_t prefix[OFL_PREFIX_LEN];
	uint32_t prefix_len;     /* prefix bytes produced or consumed */
	uint8_t tail[OFL_END_LEN]; /* last bytes of the stream */
	bool end;                /* source: SAVE_READ said END */
	bool begun;              /* destination: RESUME_BEGIN done */
	uint64_t initial, dirty; /* source: last SAVE_READ's pending bytes */
	bool sized;              /* initial/dirty known */
};

struct ofl_dev {
	struct ofl_opts o;
	int fd;
	struct mig_dev_owner own; /* the VMM's view, from its events */
	bool job_ended;           /* the current job was ended (owner_end) */
	struct ofl_stream st;
	struct mig_io *head, *tail; /* submitted, not yet executed */
	struct mig_io *done;        /* executed, for poll */
	uint64_t state_size;
};

static inline struct ofl_dev *
ofl_dev(struct mig_dev *dev)
{
	return dev->priv;
}

/* ofl.c */
int mig_ofl_parse_args(const char *name, const char *args,
		       struct ofl_opts *o);
/* Read every queued event; -ECANCELED when the VMM ended the job. */
int ofl_events(struct mig_dev *dev);
/* The END record's stream CRC in the last OFL_END_LEN bytes, widened:
 * 0, or -EPROTO with the error set for @p step. */
int ofl_stream_digest(struct mig_dev *dev, const char *step,
		      uint64_t *digest);
void ofl_stream_reset(struct ofl_dev *od);
/* The VMM runs @p job (events read first): 0, or -ECANCELED (it ended
 * it) or -EBUSY (it does something else), with the error for @p step. */
int ofl_job_check(struct mig_dev *dev, enum mig_dev_owner_job job,
		  const char *step);

/* ofl_io.c */
int ofl_save_submit(struct mig_dev *dev, struct mig_io *io);
int ofl_load_submit(struct mig_dev *dev, struct mig_io *io);
int ofl_poll(struct mig_dev *dev, struct mig_io **done, unsigned int n);
int ofl_query_sizes(struct mig_dev *dev, struct mig_dev_sizes *sz);
int ofl_digest(struct mig_dev *dev, uint64_t *digest);
/* Give up the I/Os not executed yet (reset, remove). */
void ofl_io_drop(struct ofl_dev *od);

#endif /* _OFL_PRIV_H_ */
