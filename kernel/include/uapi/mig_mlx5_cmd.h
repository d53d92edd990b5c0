/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Copyright(c) 2026 dpdk-migrate authors */

#ifndef _UAPI_MIG_MLX5_CMD_H_
#define _UAPI_MIG_MLX5_CMD_H_

/*
 * Userspace interface of the mlx5 migration command channel of our VFIO
 * variant driver: the driver owns the VFs' VFIO control plane and lets a
 * migration engine issue vetted firmware commands for the VFs bound to
 * it, with the engine's pinned buffers as SAVE/LOAD targets.
 *
 * One character device; an open file is bound to one VF with
 * MIG_MLX5_IOC_BIND before anything else. Every structure starts with
 * argsz (the caller's size of the structure) so that it can grow.
 *
 * MIG_MLX5_IOC_CMD forwards one PRM command box of the migration family
 * (QUERY_HCA_CAP, SUSPEND_VHCA, RESUME_VHCA, QUERY_VHCA_MIGRATION_STATE,
 * SAVE_VHCA_STATE, LOAD_VHCA_STATE) to the PF's command interface with
 * uid 0. The driver rewrites vhca_id to the bound VF's and checks that
 * SAVE/LOAD name an mkey registered on this file and stay inside it. The
 * ioctl returns 0 when the command was executed (the outbox's status says
 * how it went), or -1 with errno for delivery errors.
 *
 * MIG_MLX5_IOC_BUF_REG pins [addr, addr + len) and creates an MTT mkey
 * over it in the file's protection domain (start address addr, so
 * SAVE/LOAD pass va = addr). MIG_MLX5_IOC_BUF_UNREG destroys it.
 *
 * MIG_MLX5_IOC_VF_RESET performs a function level reset of the bound VF.
 */

#include <linux/ioctl.h>
#include <linux/types.h>

#define MIG_MLX5_UAPI_VERSION 1

/** The character device created by the module. */
#define MIG_MLX5_DEV_PATH "/dev/mig_mlx5"

#define MIG_MLX5_IOC_TYPE 'M'

struct mig_mlx5_ioc_bind {
	__u32 argsz;
	__u32 flags;       /* 0 */
	char pf[32];       /* PF PCI address, "0000:08:00.0" */
	__u32 vf;          /* VF index, or MIG_MLX5_VF_BY_VHCA */
	__u16 vhca_id;     /* in with MIG_MLX5_VF_BY_VHCA, else out */
	__u16 version;     /* out: MIG_MLX5_UAPI_VERSION */
};
#define MIG_MLX5_VF_BY_VHCA 0xffffffffu

struct mig_mlx5_ioc_cmd {
	__u32 argsz;
	__u32 flags;       /* 0 */
	__aligned_u64 in;  /* user address of the inbox */
	__aligned_u64 out; /* user address of the outbox */
	__u32 inlen;
	__u32 outlen;
};

struct mig_mlx5_ioc_buf {
	__u32 argsz;
	__u32 flags;       /* 0 */
	__aligned_u64 addr;
	__aligned_u64 len;
	__u32 mkey;        /* out */
	__u32 handle;      /* out, for BUF_UNREG */
};

struct mig_mlx5_ioc_handle {
	__u32 argsz;
	__u32 handle;
};

#define MIG_MLX5_IOC_BIND \
	_IOWR(MIG_MLX5_IOC_TYPE, 0x40, struct mig_mlx5_ioc_bind)
#define MIG_MLX5_IOC_CMD \
	_IOWR(MIG_MLX5_IOC_TYPE, 0x41, struct mig_mlx5_ioc_cmd)
#define MIG_MLX5_IOC_BUF_REG \
	_IOWR(MIG_MLX5_IOC_TYPE, 0x42, struct mig_mlx5_ioc_buf)
#define MIG_MLX5_IOC_BUF_UNREG \
	_IOW(MIG_MLX5_IOC_TYPE, 0x43, struct mig_mlx5_ioc_handle)
#define MIG_MLX5_IOC_VF_RESET _IO(MIG_MLX5_IOC_TYPE, 0x44)

#endif /* _UAPI_MIG_MLX5_CMD_H_ */
