/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Copyright(c) 2026 dpdk-migrate authors */

#ifndef _UAPI_MIG_VFIO_OFFLOAD_H_
#define _UAPI_MIG_VFIO_OFFLOAD_H_

/*
 * Bulk-state interface of mig_vfio_pci (offload mode, doc/offload.md).
 *
 * The VMM keeps the VFIO control plane: it sets the device's migration
 * states and reads or writes the data fd as usual. An agent process moves
 * the device's state itself between the two hosts. While an agent with
 * offload enabled is attached, the data fd carries one small offload
 * record (session token, device identity, sizes, and at the end the
 * stream digest) instead of the bulk; the bulk is the same record stream
 * the data fd carries in-band (doc/drivers/kernel.md), read by the source
 * agent and written by the destination agent through this interface.
 *
 * One character device; an open file is attached to one device bound to
 * mig_vfio_pci with MIG_VFIO_OFFLOAD_IOC_ATTACH before anything else
 * (CAP_SYS_ADMIN; one agent per device, a second gets EBUSY). Closing the
 * file detaches at any point: a migration in flight through it fails the
 * VMM's arc, and the device goes back to in-band migration. Every
 * structure starts with argsz (the caller's size of it) so that it can
 * grow; unknown flags are refused with EINVAL.
 *
 * Events: read() returns whole struct mig_vfio_offload_event records (a
 * buffer smaller than one gets EINVAL); poll() reports POLLIN while events
 * are queued. The queue is bounded: on overflow the oldest are dropped and
 * the next event has MIG_VFIO_OFFLOAD_EV_F_LOST set. Every migration state
 * the VMM's arc enters is reported, in order.
 *
 * Source: from PRE_COPY or STOP_COPY, SAVE_READ copies the next bytes of
 * the session's record stream into the agent's buffer. In PRE_COPY it
 * returns 0 bytes with MIG_VFIO_OFFLOAD_RD_F_AGAIN when nothing is pending
 * now (the data fd's ENOMSG); in STOP_COPY the stream ends with its END
 * record and MIG_VFIO_OFFLOAD_RD_F_END. What the agent has not read yet is
 * what VFIO_MIG_GET_PRECOPY_INFO reports as initial and dirty bytes. The
 * agent then reports the stream delivered and loaded on the destination
 * with SAVE_DONE (status 0 and the stream's digest) or failed (negative
 * errno): only then does the data fd the VMM reads in STOP_COPY end, with
 * the digest, or fail. The driver waits for SAVE_DONE at most
 * offload_timeout_ms (module parameter).
 *
 * Destination: in RESUMING, RESUME_BEGIN names the session (the token the
 * source's agent was given), RESUME_WRITE writes the record stream at the
 * given offset (strictly sequential: offset must equal the bytes written
 * so far), RESUME_DONE says the stream is complete with its digest. The
 * VMM's RESUMING -> STOP succeeds only when the offload record it wrote
 * names the same token, the same byte count and the same digest, and the
 * stream was complete and valid; it waits for RESUME_DONE at most
 * offload_timeout_ms.
 *
 * Digest: the stream CRC of doc/drivers/kernel.md (crc32_le seeded with
 * ~0 over every stream byte before the END record, as in END's
 * stream_crc), widened to 64 bits.
 */

#include <linux/ioctl.h>
#include <linux/types.h>

#define MIG_VFIO_OFFLOAD_UAPI_VERSION 1

/** The character device created by the module. */
#define MIG_VFIO_OFFLOAD_DEV_PATH "/dev/mig_vfio_offload"

#define MIG_VFIO_OFFLOAD_IOC_TYPE 'O'

/* ATTACH flags */
#define MIG_VFIO_OFFLOAD_F_ENABLE (1U << 0) /* offload on while attached */

struct mig_vfio_offload_attach {
	__u32 argsz;
	__u32 flags;            /* MIG_VFIO_OFFLOAD_F_* */
	char bdf[32];           /* PCI address, "0000:02:00.0" */
	__u16 version;          /* out: MIG_VFIO_OFFLOAD_UAPI_VERSION */
	__u16 vendor;           /* out: PCI identity of the device */
	__u16 device;           /* out */
	__u16 rsvd;
	__aligned_u64 state_size; /* out: bytes of device memory state */
	__u32 state;            /* out: enum vfio_device_mig_state now */
	__u32 rsvd2;
};

enum mig_vfio_offload_ev_type {
	MIG_VFIO_OFFLOAD_EV_STATE = 1,  /* the VMM's arc entered state */
	MIG_VFIO_OFFLOAD_EV_SAVE = 2,   /* a save session began (token) */
	MIG_VFIO_OFFLOAD_EV_RESUME = 3, /* a resume session began */
	MIG_VFIO_OFFLOAD_EV_ABORT = 4,  /* the session ended early (reset,
					 * VMM closed the data fd, arc
					 * failed): status says why */
};

#define MIG_VFIO_OFFLOAD_EV_F_LOST (1U << 0) /* earlier events dropped */

struct mig_vfio_offload_event {
	__u32 type;             /* enum mig_vfio_offload_ev_type */
	__u32 flags;            /* MIG_VFIO_OFFLOAD_EV_F_* */
	__aligned_u64 seq;      /* 1, 2, ... per attached file */
	__aligned_u64 token;    /* session token (SAVE, RESUME, ABORT) */
	__u32 state;            /* enum vfio_device_mig_state (STATE) */
	__s32 status;           /* -errno (ABORT) */
	__aligned_u64 time_ns;  /* CLOCK_MONOTONIC */
	__aligned_u64 rsvd[3];
};

/* SAVE_READ out flags */
#define MIG_VFIO_OFFLOAD_RD_F_AGAIN (1U << 0) /* nothing pending now */
#define MIG_VFIO_OFFLOAD_RD_F_END (1U << 1)   /* the stream is complete */

struct mig_vfio_offload_read {
	__u32 argsz;
	__u32 flags;            /* in: 0; out: MIG_VFIO_OFFLOAD_RD_F_* */
	__aligned_u64 token;    /* in: the session's token */
	__aligned_u64 buf;      /* user address */
	__u32 len;              /* buffer bytes */
	__u32 bytes;            /* out: bytes copied */
	__aligned_u64 offset;   /* out: stream offset of the first byte */
	__aligned_u64 initial;  /* out: initial bytes still pending */
	__aligned_u64 dirty;    /* out: dirty bytes still pending */
};

struct mig_vfio_offload_done {
	__u32 argsz;
	__u32 flags;            /* 0 */
	__aligned_u64 token;
	__aligned_u64 bytes;    /* stream bytes, END record included */
	__aligned_u64 digest;
	__s32 status;           /* 0, or -errno: the transfer failed */
	__u32 rsvd;
};

struct mig_vfio_offload_write {
	__u32 argsz;
	__u32 flags;            /* 0 */
	__aligned_u64 token;
	__aligned_u64 buf;      /* user address */
	__aligned_u64 offset;   /* must equal the bytes written so far */
	__u32 len;
	__u32 rsvd;
};

struct mig_vfio_offload_begin {
	__u32 argsz;
	__u32 flags;            /* 0 */
	__aligned_u64 token;
};

#define MIG_VFIO_OFFLOAD_IOC_ATTACH \
	_IOWR(MIG_VFIO_OFFLOAD_IOC_TYPE, 0x60, struct mig_vfio_offload_attach)
#define MIG_VFIO_OFFLOAD_IOC_SAVE_READ \
	_IOWR(MIG_VFIO_OFFLOAD_IOC_TYPE, 0x61, struct mig_vfio_offload_read)
#define MIG_VFIO_OFFLOAD_IOC_SAVE_DONE \
	_IOW(MIG_VFIO_OFFLOAD_IOC_TYPE, 0x62, struct mig_vfio_offload_done)
#define MIG_VFIO_OFFLOAD_IOC_RESUME_BEGIN \
	_IOW(MIG_VFIO_OFFLOAD_IOC_TYPE, 0x63, struct mig_vfio_offload_begin)
#define MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE \
	_IOW(MIG_VFIO_OFFLOAD_IOC_TYPE, 0x64, struct mig_vfio_offload_write)
#define MIG_VFIO_OFFLOAD_IOC_RESUME_DONE \
	_IOW(MIG_VFIO_OFFLOAD_IOC_TYPE, 0x65, struct mig_vfio_offload_done)

#endif /* _UAPI_MIG_VFIO_OFFLOAD_H_ */
