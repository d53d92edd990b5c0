/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Names of the PRM status codes and opcodes, and the status to errno
 * mapping (the one the Linux mlx5 core uses, so that an error seen through
 * the kernel and one seen from the emulated firmware read the same).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "mlx5_prm.h"

struct mlx5_status_desc {
	uint8_t status;
	int err;
	const char *name;
};

static const struct mlx5_status_desc mlx5_status_tbl[] = {
	{ MIG_MLX5_STAT_OK, 0, "OK" },
	{ MIG_MLX5_STAT_INTERNAL_ERR, -EIO, "INTERNAL_ERR" },
	{ MIG_MLX5_STAT_BAD_OP, -EINVAL, "BAD_OP" },
	{ MIG_MLX5_STAT_BAD_PARAM, -EINVAL, "BAD_PARAM" },
	{ MIG_MLX5_STAT_BAD_SYS_STATE, -EIO, "BAD_SYS_STATE" },
	{ MIG_MLX5_STAT_BAD_RESOURCE, -EINVAL, "BAD_RESOURCE" },
	{ MIG_MLX5_STAT_RESOURCE_BUSY, -EBUSY, "RESOURCE_BUSY" },
	{ MIG_MLX5_STAT_NOT_READY, -EAGAIN, "NOT_READY" },
	{ MIG_MLX5_STAT_EXCEED_LIM, -ENOMEM, "EXCEED_LIM" },
	{ MIG_MLX5_STAT_BAD_RES_STATE, -EINVAL, "BAD_RES_STATE" },
	{ MIG_MLX5_STAT_BAD_INDEX, -EINVAL, "BAD_INDEX" },
	{ MIG_MLX5_STAT_NO_RESOURCES, -EAGAIN, "NO_RESOURCES" },
	{ MIG_MLX5_STAT_BAD_QP_STATE, -EINVAL, "BAD_QP_STATE" },
	{ MIG_MLX5_STAT_BAD_PKT, -EINVAL, "BAD_PKT" },
	{ MIG_MLX5_STAT_BAD_SIZE_OUTS_CQES, -EINVAL, "BAD_SIZE_OUTS_CQES" },
	{ MIG_MLX5_STAT_BAD_INPUT_LEN, -EIO, "BAD_INPUT_LEN" },
	{ MIG_MLX5_STAT_BAD_OUTPUT_LEN, -EIO, "BAD_OUTPUT_LEN" },
};

static const struct mlx5_status_desc *
mlx5_status_find(uint8_t status)
{
	size_t i;

	for (i = 0; i < RTE_DIM(mlx5_status_tbl); i++)
		if (mlx5_status_tbl[i].status == status)
			return &mlx5_status_tbl[i];
	return NULL;
}

const char *
mig_mlx5_status_name(uint8_t status)
{
	const struct mlx5_status_desc *d = mlx5_status_find(status);

	return d == NULL ? "UNKNOWN" : d->name;
}

int
mig_mlx5_status_to_errno(uint8_t status)
{
	const struct mlx5_status_desc *d = mlx5_status_find(status);

	return d == NULL ? -EIO : d->err;
}

const char *
mig_mlx5_cmd_name(uint16_t opcode)
{
	switch (opcode) {
	case MIG_MLX5_CMD_QUERY_HCA_CAP:
		return "QUERY_HCA_CAP";
	case MIG_MLX5_CMD_SUSPEND_VHCA:
		return "SUSPEND_VHCA";
	case MIG_MLX5_CMD_RESUME_VHCA:
		return "RESUME_VHCA";
	case MIG_MLX5_CMD_QUERY_VHCA_MIGRATION_STATE:
		return "QUERY_VHCA_MIGRATION_STATE";
	case MIG_MLX5_CMD_SAVE_VHCA_STATE:
		return "SAVE_VHCA_STATE";
	case MIG_MLX5_CMD_LOAD_VHCA_STATE:
		return "LOAD_VHCA_STATE";
	case MIG_MLX5_CMD_CREATE_MKEY:
		return "CREATE_MKEY";
	case MIG_MLX5_CMD_DESTROY_MKEY:
		return "DESTROY_MKEY";
	case MIG_MLX5_CMD_ALLOC_PD:
		return "ALLOC_PD";
	case MIG_MLX5_CMD_DEALLOC_PD:
		return "DEALLOC_PD";
	case MIG_MLX5_CMD_CREATE_UMEM:
		return "CREATE_UMEM";
	case MIG_MLX5_CMD_DESTROY_UMEM:
		return "DESTROY_UMEM";
	default:
		return "UNKNOWN";
	}
}
