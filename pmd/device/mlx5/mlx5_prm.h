/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MLX5_PRM_H_
#define _MLX5_PRM_H_

/**
 * @file
 * mlx5 PRM layouts of the VHCA migration commands and of the objects they
 * need (see doc/drivers/mlx5.md and spec/mlx5-migration.md).
 *
 * PRM convention: a command box is an array of big-endian dwords, read as
 * one bit string whose bit 0 is the most significant bit of dword 0. A
 * field is named by its bit offset and its width; a 64-bit field is two
 * consecutive dwords, high dword first.
 *
 * Every field is defined exactly once below, as the pair "offset, width",
 * so that it can be passed straight to the accessors:
 *
 *	mig_mlx5_set(in, MIG_MLX5_SAVE_VHCA_STATE_IN_SIZE, 4096);
 *
 * Fields of embedded structures (the HCA capability area, the mkey context,
 * an MTT entry) are relative to their structure; MIG_MLX5_AT() adds the
 * structure's base offset. Lengths (*_LEN) are in bytes.
 */

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The helpers are variadic so that they also accept a field that has
 * already been expanded to "offset, width" by an enclosing macro.
 */
/** Bit offset of a field given as "offset, width". */
#define MIG_MLX5_OFF(...) MIG_MLX5_OFF_(__VA_ARGS__)
#define MIG_MLX5_OFF_(o, w) (o)
/** Width in bits of a field given as "offset, width". */
#define MIG_MLX5_SZ(...) MIG_MLX5_SZ_(__VA_ARGS__)
#define MIG_MLX5_SZ_(o, w) (w)
/** The field "offset, width" of a structure embedded at bit @p base. */
#define MIG_MLX5_AT(base, ...) MIG_MLX5_AT_(base, __VA_ARGS__)
#define MIG_MLX5_AT_(base, o, w) ((base) + (o)), (w)

/**
 * Write the low @p bit_sz bits of @p v into the field at @p bit_off
 * (1 <= bit_sz <= 64; a field may span dwords). Other bits are kept.
 */
static inline void
mig_mlx5_set(void *buf, unsigned int bit_off, unsigned int bit_sz, uint64_t v)
{
	uint8_t *p = buf;
	unsigned int left = bit_sz;

	if (bit_sz == 0 || bit_sz > 64)
		return;
	while (left > 0) {
		unsigned int dw = bit_off / 32;
		unsigned int pos = bit_off % 32;
		unsigned int n = RTE_MIN(left, 32 - pos);
		unsigned int shift = 32 - pos - n;
		uint32_t mask = (n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1);
		uint32_t chunk = (uint32_t)(v >> (left - n)) & mask;
		rte_be32_t be;
		uint32_t x;

		memcpy(&be, p + dw * 4, sizeof(be));
		x = rte_be_to_cpu_32(be);
		x = (x & ~(mask << shift)) | (chunk << shift);
		be = rte_cpu_to_be_32(x);
		memcpy(p + dw * 4, &be, sizeof(be));
		bit_off += n;
		left -= n;
	}
}

/** Read the field at @p bit_off, @p bit_sz bits wide (1..64). */
static inline uint64_t
mig_mlx5_get(const void *buf, unsigned int bit_off, unsigned int bit_sz)
{
	const uint8_t *p = buf;
	unsigned int left = bit_sz;
	uint64_t v = 0;

	if (bit_sz == 0 || bit_sz > 64)
		return 0;
	while (left > 0) {
		unsigned int dw = bit_off / 32;
		unsigned int pos = bit_off % 32;
		unsigned int n = RTE_MIN(left, 32 - pos);
		unsigned int shift = 32 - pos - n;
		uint32_t mask = (n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1);
		rte_be32_t be;

		memcpy(&be, p + dw * 4, sizeof(be));
		v = (v << n) | ((rte_be_to_cpu_32(be) >> shift) & mask);
		bit_off += n;
		left -= n;
	}
	return v;
}

/* Opcodes (mlx5_ifc.h; 0x115..0x119 from the migration IFC patch). */
#define MIG_MLX5_CMD_QUERY_HCA_CAP			0x100
#define MIG_MLX5_CMD_SUSPEND_VHCA			0x115
#define MIG_MLX5_CMD_RESUME_VHCA			0x116
#define MIG_MLX5_CMD_QUERY_VHCA_MIGRATION_STATE		0x117
#define MIG_MLX5_CMD_SAVE_VHCA_STATE			0x118
#define MIG_MLX5_CMD_LOAD_VHCA_STATE			0x119
#define MIG_MLX5_CMD_CREATE_MKEY			0x200
#define MIG_MLX5_CMD_DESTROY_MKEY			0x202
#define MIG_MLX5_CMD_ALLOC_PD				0x800
#define MIG_MLX5_CMD_DEALLOC_PD				0x801
#define MIG_MLX5_CMD_CREATE_UMEM			0xa08
#define MIG_MLX5_CMD_DESTROY_UMEM			0xa0a

/* Command status (outbox byte 0), include/linux/mlx5/device.h. */
#define MIG_MLX5_STAT_OK			0x00
#define MIG_MLX5_STAT_INTERNAL_ERR		0x01
#define MIG_MLX5_STAT_BAD_OP			0x02
#define MIG_MLX5_STAT_BAD_PARAM			0x03
#define MIG_MLX5_STAT_BAD_SYS_STATE		0x04
#define MIG_MLX5_STAT_BAD_RESOURCE		0x05
#define MIG_MLX5_STAT_RESOURCE_BUSY		0x06
#define MIG_MLX5_STAT_NOT_READY			0x07
#define MIG_MLX5_STAT_EXCEED_LIM		0x08
#define MIG_MLX5_STAT_BAD_RES_STATE		0x09
#define MIG_MLX5_STAT_BAD_INDEX			0x0a
#define MIG_MLX5_STAT_NO_RESOURCES		0x0f
#define MIG_MLX5_STAT_BAD_QP_STATE		0x10
#define MIG_MLX5_STAT_BAD_PKT			0x30
#define MIG_MLX5_STAT_BAD_SIZE_OUTS_CQES	0x40
#define MIG_MLX5_STAT_BAD_INPUT_LEN		0x50
#define MIG_MLX5_STAT_BAD_OUTPUT_LEN		0x51

/** Name of a status ("BAD_RES_STATE"), "UNKNOWN" for other values. */
const char *mig_mlx5_status_name(uint8_t status);

/**
 * Negative errno for a status, as the Linux mlx5 core maps it: 0 for OK,
 * -EIO for unknown values.
 */
int mig_mlx5_status_to_errno(uint8_t status);

/** Name of an opcode ("SAVE_VHCA_STATE"), "UNKNOWN" for others. */
const char *mig_mlx5_cmd_name(uint16_t opcode);

/* Common inbox and outbox headers. */
#define MIG_MLX5_IN_OPCODE		0x00, 16
#define MIG_MLX5_IN_UID			0x10, 16
#define MIG_MLX5_IN_OP_MOD		0x30, 16
#define MIG_MLX5_OUT_STATUS		0x00, 8
#define MIG_MLX5_OUT_SYNDROME		0x20, 32
#define MIG_MLX5_HDR_LEN		8

/*
 * QUERY_HCA_CAP. op_mod = (capability type << 1) | current. Bits 0x10-0x1f
 * are reserved (no uid), as in Linux mlx5_ifc.h query_hca_cap_in.
 */
#define MIG_MLX5_QUERY_HCA_CAP_IN_OTHER_FUNCTION	0x40, 1
#define MIG_MLX5_QUERY_HCA_CAP_IN_FUNCTION_ID		0x50, 16
#define MIG_MLX5_QUERY_HCA_CAP_IN_LEN			16
/** Bit offset of the capability area in the outbox (byte 16). */
#define MIG_MLX5_QUERY_HCA_CAP_OUT_CAPABILITY		0x80
/** Capability area: 0x8000 bits (4 KiB). */
#define MIG_MLX5_HCA_CAP_LEN				4096
#define MIG_MLX5_QUERY_HCA_CAP_OUT_LEN	(16 + MIG_MLX5_HCA_CAP_LEN)

#define MIG_MLX5_CAP_TYPE_GENERAL			0x00
#define MIG_MLX5_CAP_TYPE_GENERAL_2			0x20
#define MIG_MLX5_HCA_CAP_MAX				0
#define MIG_MLX5_HCA_CAP_CUR				1
#define MIG_MLX5_HCA_CAP_OP_MOD(type, cur)	(((type) << 1) | (cur))

/* cmd_hca_cap (capability type 0x0), relative to the capability area. */
#define MIG_MLX5_HCA_CAP_HCA_CAP_2			0x20, 1
#define MIG_MLX5_HCA_CAP_VHCA_ID			0x30, 16
#define MIG_MLX5_HCA_CAP_MIGRATION			0x68d, 1

/* cmd_hca_cap_2 (capability type 0x20), relative to the capability area. */
#define MIG_MLX5_HCA_CAP2_MIGRATABLE			0x80, 1
#define MIG_MLX5_HCA_CAP2_MIGRATION_MULTI_LOAD		0xc8, 1
#define MIG_MLX5_HCA_CAP2_MIGRATION_TRACKING_STATE	0xc9, 1
#define MIG_MLX5_HCA_CAP2_MIGRATION_IN_CHUNKS		0xd0, 1
#define MIG_MLX5_HCA_CAP2_MIGRATION_STATE		0xd9, 1

/* SUSPEND_VHCA. Note the op_mod numbering is reversed for RESUME_VHCA. */
#define MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR		0x0
#define MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER		0x1
#define MIG_MLX5_SUSPEND_VHCA_IN_VHCA_ID		0x50, 16
#define MIG_MLX5_SUSPEND_VHCA_IN_LEN			16
#define MIG_MLX5_SUSPEND_VHCA_OUT_LEN			16

/* RESUME_VHCA. */
#define MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER		0x0
#define MIG_MLX5_RESUME_VHCA_OP_MOD_INITIATOR		0x1
#define MIG_MLX5_RESUME_VHCA_IN_VHCA_ID			0x50, 16
#define MIG_MLX5_RESUME_VHCA_IN_LEN			16
#define MIG_MLX5_RESUME_VHCA_OUT_LEN			16

/* QUERY_VHCA_MIGRATION_STATE. */
#define MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_INCREMENTAL	0x40, 1
#define MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_CHUNK		0x41, 1
#define MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_VHCA_ID		0x50, 16
#define MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_IN_LEN		16
#define MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_MIGRATION_STATE	0x60, 4
#define MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_REQUIRED_UMEM_SIZE 0x80, 32
#define MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_REMAINING_TOTAL_SIZE \
	0xc0, 64
#define MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_LEN		64

/* migration_state values (QUERY outbox, with cap_2 migration_state). */
#define MIG_MLX5_MIG_STATE_UNINITIALIZED		0x0
#define MIG_MLX5_MIG_STATE_OPER_MIGRATION_IDLE		0x1
#define MIG_MLX5_MIG_STATE_OPER_MIGRATION_READY		0x2
#define MIG_MLX5_MIG_STATE_OPER_MIGRATION_DIRTY		0x3
#define MIG_MLX5_MIG_STATE_OPER_MIGRATION_INIT		0x4

/* SAVE_VHCA_STATE. */
#define MIG_MLX5_SAVE_VHCA_STATE_IN_INCREMENTAL		0x40, 1
#define MIG_MLX5_SAVE_VHCA_STATE_IN_SET_TRACK		0x41, 1
#define MIG_MLX5_SAVE_VHCA_STATE_IN_VHCA_ID		0x50, 16
#define MIG_MLX5_SAVE_VHCA_STATE_IN_VA			0x80, 64
#define MIG_MLX5_SAVE_VHCA_STATE_IN_MKEY		0xc0, 32
#define MIG_MLX5_SAVE_VHCA_STATE_IN_SIZE		0xe0, 32
#define MIG_MLX5_SAVE_VHCA_STATE_IN_LEN			32
#define MIG_MLX5_SAVE_VHCA_STATE_OUT_ACTUAL_IMAGE_SIZE	0x40, 32
#define MIG_MLX5_SAVE_VHCA_STATE_OUT_NEXT_REQUIRED_UMEM_SIZE 0x60, 32
#define MIG_MLX5_SAVE_VHCA_STATE_OUT_LEN		16

/* LOAD_VHCA_STATE. */
#define MIG_MLX5_LOAD_VHCA_STATE_IN_VHCA_ID		0x50, 16
#define MIG_MLX5_LOAD_VHCA_STATE_IN_VA			0x80, 64
#define MIG_MLX5_LOAD_VHCA_STATE_IN_MKEY		0xc0, 32
#define MIG_MLX5_LOAD_VHCA_STATE_IN_SIZE		0xe0, 32
#define MIG_MLX5_LOAD_VHCA_STATE_IN_LEN			32
#define MIG_MLX5_LOAD_VHCA_STATE_OUT_LEN		16

/** Largest image a single SAVE or LOAD can describe (32-bit size). */
#define MIG_MLX5_MAX_IMAGE_SIZE				UINT32_MAX

/* MTT entry (8 bytes): page address bits 63..8 and access bits. */
#define MIG_MLX5_MTT_PTAG_63_32				0x00, 32
#define MIG_MLX5_MTT_PTAG_31_8				0x20, 24
#define MIG_MLX5_MTT_WR_EN				0x3e, 1
#define MIG_MLX5_MTT_RD_EN				0x3f, 1
#define MIG_MLX5_MTT_LEN				8
/** Access bits as they sit in the low byte of the 64-bit entry. */
#define MIG_MLX5_MTT_FLAG_RD				0x1
#define MIG_MLX5_MTT_FLAG_WR				0x2

/* CREATE_UMEM: header, reserved 0x40 w64, umem at 0x80, then the MTTs. */
#define MIG_MLX5_CREATE_UMEM_IN_LOG_PAGE_SIZE		0x11b, 5
#define MIG_MLX5_CREATE_UMEM_IN_PAGE_OFFSET		0x120, 32
#define MIG_MLX5_CREATE_UMEM_IN_NUM_OF_MTT		0x140, 64
/** Bit offset of the first MTT entry (byte 48). */
#define MIG_MLX5_CREATE_UMEM_IN_MTT			0x180
/** Length without MTT entries. */
#define MIG_MLX5_CREATE_UMEM_IN_LEN			48
#define MIG_MLX5_CREATE_UMEM_OUT_UMEM_ID		0x48, 24
#define MIG_MLX5_CREATE_UMEM_OUT_LEN			16

/* DESTROY_UMEM. */
#define MIG_MLX5_DESTROY_UMEM_IN_UMEM_ID		0x48, 24
#define MIG_MLX5_DESTROY_UMEM_IN_LEN			16
#define MIG_MLX5_DESTROY_UMEM_OUT_LEN			16

/* CREATE_MKEY. */
#define MIG_MLX5_CREATE_MKEY_IN_PG_ACCESS		0x60, 1
#define MIG_MLX5_CREATE_MKEY_IN_MKEY_UMEM_VALID		0x61, 1
/** Bit offset of the mkey context (byte 16, 64 bytes long). */
#define MIG_MLX5_CREATE_MKEY_IN_MKC			0x80
#define MIG_MLX5_CREATE_MKEY_IN_TRANSLATIONS_OCTWORD_ACTUAL_SIZE 0x300, 32
#define MIG_MLX5_CREATE_MKEY_IN_MKEY_UMEM_ID		0x320, 32
#define MIG_MLX5_CREATE_MKEY_IN_MKEY_UMEM_OFFSET	0x340, 64
/** Bit offset of the first inline MTT entry (byte 272). */
#define MIG_MLX5_CREATE_MKEY_IN_KLM_PAS_MTT		0x880
/** Length without MTT entries. */
#define MIG_MLX5_CREATE_MKEY_IN_LEN			272
#define MIG_MLX5_CREATE_MKEY_OUT_MKEY_INDEX		0x48, 24
#define MIG_MLX5_CREATE_MKEY_OUT_LEN			16

/* Mkey context (mkc), relative to MIG_MLX5_CREATE_MKEY_IN_MKC. */
#define MIG_MLX5_MKC_ACCESS_MODE_4_2			0x03, 3
#define MIG_MLX5_MKC_UMR_EN				0x10, 1
#define MIG_MLX5_MKC_A					0x11, 1
#define MIG_MLX5_MKC_RW					0x12, 1
#define MIG_MLX5_MKC_RR					0x13, 1
#define MIG_MLX5_MKC_LW					0x14, 1
#define MIG_MLX5_MKC_LR					0x15, 1
#define MIG_MLX5_MKC_ACCESS_MODE_1_0			0x16, 2
#define MIG_MLX5_MKC_QPN				0x20, 24
#define MIG_MLX5_MKC_MKEY_7_0				0x38, 8
#define MIG_MLX5_MKC_LENGTH64				0x60, 1
#define MIG_MLX5_MKC_PD					0x68, 24
#define MIG_MLX5_MKC_START_ADDR				0x80, 64
#define MIG_MLX5_MKC_LEN				0xc0, 64
#define MIG_MLX5_MKC_TRANSLATIONS_OCTWORD_SIZE		0x1a0, 32
#define MIG_MLX5_MKC_LOG_PAGE_SIZE			0x1da, 6
#define MIG_MLX5_MKC_LEN_BYTES				64

/* mkc access_mode (5 bits, split 4_2 / 1_0). */
#define MIG_MLX5_MKC_ACCESS_MODE_PA			0x0
#define MIG_MLX5_MKC_ACCESS_MODE_MTT			0x1
#define MIG_MLX5_MKC_ACCESS_MODE_KLMS			0x2
#define MIG_MLX5_MKC_ACCESS_MODE_KSM			0x3
/** qpn value for a key not bound to a QP. */
#define MIG_MLX5_MKC_QPN_NONE				0xffffff

/** The 32-bit key from CREATE_MKEY's mkey_index and the mkc's mkey_7_0. */
static inline uint32_t
mig_mlx5_mkey(uint32_t mkey_index, uint8_t mkey_7_0)
{
	return (mkey_index << 8) | mkey_7_0;
}

/* DESTROY_MKEY. */
#define MIG_MLX5_DESTROY_MKEY_IN_MKEY_INDEX		0x48, 24
#define MIG_MLX5_DESTROY_MKEY_IN_LEN			16
#define MIG_MLX5_DESTROY_MKEY_OUT_LEN			16

#ifdef __cplusplus
}
#endif

#endif /* _MLX5_PRM_H_ */
