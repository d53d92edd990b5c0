/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * libFuzzer target for the mlx5 emulated firmware's command inbox
 * (pmd/device/mlx5/mlx5_emu*.c: mig_mlx5_emu_exec() and every command it
 * emulates, including LOAD_VHCA_STATE's parsing of an image from DMA
 * memory).
 *
 * Input: a 2-byte header, then records.
 *   byte 0  bit 0: chunk mode, bit 1: tracking, bit 2: multi-load
 *   byte 1  VF state size 4 KiB * (1 + byte % 16), two VFs (vhca 1, 2)
 *   record  u16 le h: h & 0x8000: write (h & 0xff) bytes that follow into
 *           the DMA arena at the u16 after h (modulo its size); else a
 *           command: inbox of h & 0x7fff bytes, outbox of 4 * the next
 *           byte bytes, then the inbox bytes.
 *
 * MTT entries are host addresses in the emulator (the kernel pins and
 * translates them on real hardware), so a CREATE_UMEM inbox has its page
 * size set to 4 KiB and its entries pointed into a 256 KiB arena (flags
 * kept) before it is executed; everything else is executed as given.
 *
 * Invariants: exec() returns 0 (delivered) or -EMSGSIZE / -EINVAL for a
 * box that cannot be delivered (an inbox or outbox under the 8-byte
 * header); a delivered command's status is one the PRM defines, and an
 * OK outbox parses with the driver's parser of that command (so the
 * firmware never answers what the driver would reject); a SAVE writes no
 * more than the buffer it was given; boxes are exact-size allocations
 * (no access past them goes unseen); the PF and every object are freed
 * when its last reference goes (leak check).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "mlx5_cmd.h"
#include "mlx5_emu.h"
#include "mlx5_prm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE 4096u
#define ARENA_PAGES 64u
#define ARENA_BYTES (ARENA_PAGES * PAGE)

static uint8_t *arena;

/* Point a CREATE_UMEM's MTT entries into the arena, 4 KiB pages. */
static void
sanitize_umem(uint8_t *in, size_t inlen)
{
	uint64_t n, i, e;

	if (inlen < MIG_MLX5_CREATE_UMEM_IN_LEN ||
	    mig_mlx5_get(in, MIG_MLX5_IN_OPCODE) != MIG_MLX5_CMD_CREATE_UMEM)
		return;
	mig_mlx5_set(in, MIG_MLX5_CREATE_UMEM_IN_LOG_PAGE_SIZE, 0);
	n = mig_mlx5_get(in, MIG_MLX5_CREATE_UMEM_IN_NUM_OF_MTT);
	for (i = 0; i < n; i++) {
		if (MIG_MLX5_CREATE_UMEM_IN_LEN + (i + 1) * MIG_MLX5_MTT_LEN >
		    inlen)
			break;
		e = mig_mlx5_get(in, MIG_MLX5_CREATE_UMEM_IN_MTT + 64 * i, 64);
		e = (uint64_t)(uintptr_t)(arena + (i % ARENA_PAGES) * PAGE) |
		    (e & 0xff);
		mig_mlx5_set(in, MIG_MLX5_CREATE_UMEM_IN_MTT + 64 * i, 64, e);
	}
}

/* An OK outbox must be one the driver's parser accepts. */
static void
check_ok_out(uint16_t opcode, const uint8_t *in, size_t inlen,
	     const uint8_t *out, size_t outlen)
{
	union {
		struct mig_mlx5_hca_cap_res cap;
		struct mig_mlx5_suspend_vhca_res sus;
		struct mig_mlx5_resume_vhca_res res;
		struct mig_mlx5_query_vhca_migration_state_res q;
		struct mig_mlx5_save_vhca_state_res save;
		struct mig_mlx5_save_vhca_state_args save_in;
		struct mig_mlx5_load_vhca_state_res load;
		struct mig_mlx5_create_umem_res cu;
		struct mig_mlx5_destroy_umem_res du;
		struct mig_mlx5_create_mkey_res cm;
		struct mig_mlx5_destroy_mkey_res dm;
	} u;
	uint32_t size;
	int ret;

	switch (opcode) {
	case MIG_MLX5_CMD_QUERY_HCA_CAP:
		ret = mig_mlx5_parse_hca_cap_out(out, outlen, &u.cap);
		break;
	case MIG_MLX5_CMD_SUSPEND_VHCA:
		ret = mig_mlx5_parse_suspend_vhca_out(out, outlen, &u.sus);
		break;
	case MIG_MLX5_CMD_RESUME_VHCA:
		ret = mig_mlx5_parse_resume_vhca_out(out, outlen, &u.res);
		break;
	case MIG_MLX5_CMD_QUERY_VHCA_MIGRATION_STATE:
		ret = mig_mlx5_parse_query_vhca_migration_state_out(out, outlen,
								    &u.q);
		break;
	case MIG_MLX5_CMD_SAVE_VHCA_STATE:
		ret = mig_mlx5_parse_save_vhca_state_out(out, outlen,
							 &u.save);
		if (ret != 0)
			break;
		size = u.save.actual_image_size;
		if (mig_mlx5_parse_save_vhca_state_in(in, inlen,
						      &u.save_in) != 0 ||
		    size > u.save_in.size)
			abort();
		break;
	case MIG_MLX5_CMD_LOAD_VHCA_STATE:
		ret = mig_mlx5_parse_load_vhca_state_out(out, outlen, &u.load);
		break;
	case MIG_MLX5_CMD_CREATE_UMEM:
		ret = mig_mlx5_parse_create_umem_out(out, outlen, &u.cu);
		break;
	case MIG_MLX5_CMD_DESTROY_UMEM:
		ret = mig_mlx5_parse_destroy_umem_out(out, outlen, &u.du);
		break;
	case MIG_MLX5_CMD_CREATE_MKEY:
		ret = mig_mlx5_parse_create_mkey_out(out, outlen, &u.cm);
		break;
	case MIG_MLX5_CMD_DESTROY_MKEY:
		ret = mig_mlx5_parse_destroy_mkey_out(out, outlen, &u.dm);
		break;
	default:
		/* the emulator knows no other opcode */
		abort();
	}
	if (ret != 0)
		abort();
}

/* Execute one inbox as the driver would; the outbox in @p out. */
static int
exec_one(struct mig_mlx5_emu_pf *pf, const uint8_t *box, size_t inlen,
	 size_t outlen, uint8_t **outp)
{
	uint8_t *in = malloc(inlen == 0 ? 1 : inlen);
	uint8_t *out = malloc(outlen == 0 ? 1 : outlen);
	uint16_t opcode = 0;
	uint64_t done = 0;
	uint8_t status;
	int ret;

	if (in == NULL || out == NULL)
		abort();
	memcpy(in, box, inlen);
	sanitize_umem(in, inlen);
	memset(out, 0xa5, outlen);
	if (inlen >= MIG_MLX5_HDR_LEN)
		opcode = (uint16_t)mig_mlx5_get(in, MIG_MLX5_IN_OPCODE);
	ret = mig_mlx5_emu_exec(pf, in, inlen, out, outlen, &done);
	if (inlen < MIG_MLX5_HDR_LEN || outlen < MIG_MLX5_HDR_LEN) {
		if (ret != -EMSGSIZE)
			abort();
	} else if (ret == 0) {
		status = (uint8_t)mig_mlx5_get(out, MIG_MLX5_OUT_STATUS);
		if (strcmp(mig_mlx5_status_name(status), "UNKNOWN") == 0)
			abort();
		if (status == MIG_MLX5_STAT_OK)
			check_ok_out(opcode, in, inlen, out, outlen);
	} else if (ret != -EMSGSIZE && ret != -EINVAL) {
		abort();
	}
	free(in);
	if (outp != NULL)
		*outp = out;
	else
		free(out);
	return ret;
}

static struct mig_mlx5_emu_pf *
pf_open(const uint8_t *hdr)
{
	struct mig_mlx5_emu_pf_cfg pc = {
		.chunk = hdr[0] & 1,
		.tracking = hdr[0] & 2,
		.multi_load = hdr[0] & 4,
		.chunk_min = PAGE,
	};
	struct mig_mlx5_emu_vf_cfg vc = {
		.size = PAGE * (1 + hdr[1] % 16u),
		.page = PAGE,
		.seed = 7,
		.model = 1,
		.migratable = true,
	};
	struct mig_mlx5_emu_pf *pf = mig_mlx5_emu_pf_get("fuzz-emu", &pc);

	if (pf == NULL || mig_mlx5_emu_vf_add(pf, 0, &vc) != 0 ||
	    mig_mlx5_emu_vf_add(pf, 1, &vc) != 0)
		abort();
	return pf;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* errors are expected by the thousand: do not print them */
	rte_log_set_global_level(RTE_LOG_EMERG);
	arena = aligned_alloc(PAGE, ARENA_BYTES);
	if (arena == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mig_mlx5_emu_pf *pf;
	size_t off = 2, inlen, outlen, n;
	uint16_t h, at;

	if (size < 2)
		return 0;
	memset(arena, 0, ARENA_BYTES);
	pf = pf_open(data);
	while (size - off >= 2) {
		h = (uint16_t)(data[off] | data[off + 1] << 8);
		off += 2;
		if (h & 0x8000) {
			if (size - off < 2)
				break;
			at = (uint16_t)(data[off] | data[off + 1] << 8);
			off += 2;
			n = RTE_MIN((size_t)(h & 0xff), size - off);
			memcpy(arena + (at * 61u) % (ARENA_BYTES - 256), data + off,
			       n);
			off += n;
			continue;
		}
		if (size - off < 1)
			break;
		outlen = 4u * data[off++];
		inlen = RTE_MIN((size_t)(h & 0x7fff), size - off);
		exec_one(pf, data + off, inlen, outlen, NULL);
		off += inlen;
	}
	mig_mlx5_emu_pf_put(pf);
	return 0;
}

#ifdef FUZZ_GEN
#include <stdio.h>

#include "fuzz_seeds.h"

struct seq {
	uint8_t buf[16384];
	size_t len;
	struct mig_mlx5_emu_pf *pf;
};

/* Append an inbox built into @p in (@p n bytes) and execute it. */
static void
seq_cmd(struct seq *s, const void *in, int n, size_t outlen,
	uint8_t **out)
{
	if (n <= 0 || s->len + 3 + (size_t)n > sizeof(s->buf)) {
		fprintf(stderr, "seed: cannot build a command\n");
		exit(1);
	}
	s->buf[s->len++] = (uint8_t)n;
	s->buf[s->len++] = (uint8_t)(n >> 8);
	s->buf[s->len++] = (uint8_t)(outlen / 4);
	memcpy(s->buf + s->len, in, (size_t)n);
	s->len += (size_t)n;
	if (exec_one(s->pf, in, (size_t)n, outlen, out) != 0) {
		fprintf(stderr, "seed: command not delivered\n");
		exit(1);
	}
}

static void
seq_suspend(struct seq *s, uint16_t vhca, uint16_t op_mod, bool resume)
{
	uint8_t in[64];
	int n;

	if (resume) {
		struct mig_mlx5_resume_vhca_args a = {
			.op_mod = op_mod, .vhca_id = vhca,
		};

		n = mig_mlx5_build_resume_vhca_in(in, sizeof(in), &a);
	} else {
		struct mig_mlx5_suspend_vhca_args a = {
			.op_mod = op_mod, .vhca_id = vhca,
		};

		n = mig_mlx5_build_suspend_vhca_in(in, sizeof(in), &a);
	}
	seq_cmd(s, in, n, 16, NULL);
}

/*
 * A umem over the arena and an mkey over it, then for each of @p vhcas
 * (SUSPEND, QUERY, SAVE) or (SUSPEND, LOAD of the image saved, RESUME).
 */
static void
seq_fail(const char *name, const char *what)
{
	fprintf(stderr, "seed %s: %s refused\n", name, what);
	exit(1);
}

static void
make_seq(const char *name, uint8_t cfg, uint8_t pages, bool chunk_query,
	 bool corrupt)
{
	static uint64_t mtt[ARENA_PAGES];
	struct mig_mlx5_create_umem_args ua = {
		.num_of_mtt = ARENA_PAGES,
		.mtt = mtt,
		.mtt_flags = MIG_MLX5_MTT_FLAG_RD | MIG_MLX5_MTT_FLAG_WR,
	};
	struct mig_mlx5_create_umem_res ur;
	struct mig_mlx5_create_mkey_args ma = {
		.umem_valid = 1,
		.access_mode = MIG_MLX5_MKC_ACCESS_MODE_MTT,
		.lw = 1,
		.lr = 1,
		.qpn = MIG_MLX5_MKC_QPN_NONE,
		.start_addr = 0x100000,
		.len = ARENA_BYTES,
		.translations_octword_size = ARENA_PAGES / 2,
		.log_page_size = 12,
	};
	struct mig_mlx5_create_mkey_res mr;
	struct mig_mlx5_query_vhca_migration_state_args qa = {
		.vhca_id = 1, .chunk = chunk_query,
	};
	struct mig_mlx5_query_vhca_migration_state_res qr;
	struct mig_mlx5_save_vhca_state_args sa = { .vhca_id = 1 };
	struct mig_mlx5_save_vhca_state_res sr;
	struct mig_mlx5_load_vhca_state_args la = { .vhca_id = 2 };
	uint8_t hdr[2] = { cfg, pages };
	uint8_t in[MIG_MLX5_CREATE_UMEM_IN_LEN + ARENA_PAGES * 8];
	uint8_t *out;
	struct seq *s = calloc(1, sizeof(*s));
	unsigned int i;

	if (s == NULL)
		exit(1);
	memset(arena, 0, ARENA_BYTES);
	for (i = 0; i < ARENA_PAGES; i++)
		mtt[i] = (uint64_t)(i + 1) << 12;
	memcpy(s->buf, hdr, 2);
	s->len = 2;
	s->pf = pf_open(hdr);
	seq_cmd(s, in, mig_mlx5_build_create_umem_in(in, sizeof(in), &ua),
		MIG_MLX5_CREATE_UMEM_OUT_LEN, &out);
	if (mig_mlx5_parse_create_umem_out(out, MIG_MLX5_CREATE_UMEM_OUT_LEN,
					   &ur) != 0)
		seq_fail(name, "create_umem_out");
	free(out);
	ma.umem_id = ur.umem_id;
	seq_cmd(s, in, mig_mlx5_build_create_mkey_in(in, sizeof(in), &ma),
		MIG_MLX5_CREATE_MKEY_OUT_LEN, &out);
	if (mig_mlx5_parse_create_mkey_out(out, MIG_MLX5_CREATE_MKEY_OUT_LEN,
					   &mr) != 0)
		seq_fail(name, "create_mkey_out");
	free(out);
	seq_suspend(s, 1, MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR, false);
	seq_suspend(s, 1, MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER, false);
	seq_cmd(s, in,
		mig_mlx5_build_query_vhca_migration_state_in(in, sizeof(in),
							     &qa),
		MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_LEN, &out);
	if (mig_mlx5_parse_query_vhca_migration_state_out(out,
			MIG_MLX5_QUERY_VHCA_MIGRATION_STATE_OUT_LEN, &qr) != 0)
		seq_fail(name, "query_vhca_migration_state_out");
	free(out);
	sa.mkey = mig_mlx5_mkey(mr.mkey_index, 0);
	sa.va = ma.start_addr;
	/* whole pages, as the firmware (and the kernel driver) want */
	sa.size = (uint32_t)RTE_MIN((uint64_t)ARENA_BYTES,
				    RTE_ALIGN_CEIL((uint64_t)qr.required_umem_size,
						   4096));
	seq_cmd(s, in, mig_mlx5_build_save_vhca_state_in(in, sizeof(in), &sa),
		MIG_MLX5_SAVE_VHCA_STATE_OUT_LEN, &out);
	if (mig_mlx5_parse_save_vhca_state_out(out,
			MIG_MLX5_SAVE_VHCA_STATE_OUT_LEN, &sr) != 0)
		seq_fail(name, "save_vhca_state_out");
	free(out);
	if (corrupt) {
		/* the loader must refuse a changed page byte */
		uint8_t poke[5] = { 1, 0x80, 0, 0, 0xff };
		uint16_t at = 0;

		while ((at * 61u) % (ARENA_BYTES - 256) != 200)
			at++;
		poke[2] = (uint8_t)at;
		poke[3] = (uint8_t)(at >> 8);
		memcpy(s->buf + s->len, poke, sizeof(poke));
		s->len += sizeof(poke);
		arena[200] = 0xff;
	}
	seq_suspend(s, 2, MIG_MLX5_SUSPEND_VHCA_OP_MOD_INITIATOR, false);
	seq_suspend(s, 2, MIG_MLX5_SUSPEND_VHCA_OP_MOD_RESPONDER, false);
	la.mkey = sa.mkey;
	la.va = sa.va;
	la.size = sr.actual_image_size;
	seq_cmd(s, in, mig_mlx5_build_load_vhca_state_in(in, sizeof(in), &la),
		MIG_MLX5_LOAD_VHCA_STATE_OUT_LEN, &out);
	if ((mig_mlx5_get(out, MIG_MLX5_OUT_STATUS) == MIG_MLX5_STAT_OK) ==
	    corrupt) {
		fprintf(stderr, "seed %s: LOAD status 0x%x\n", name,
			(unsigned int)mig_mlx5_get(out, MIG_MLX5_OUT_STATUS));
		exit(1);
	}
	free(out);
	seq_suspend(s, 2, MIG_MLX5_RESUME_VHCA_OP_MOD_RESPONDER, true);
	seq_suspend(s, 2, MIG_MLX5_RESUME_VHCA_OP_MOD_INITIATOR, true);
	mig_mlx5_emu_pf_put(s->pf);
	fuzz_seed_add(name, s->buf, s->len);
	free(s);
}

static void
make(void)
{
	uint8_t none[2] = { 0, 0 };

	LLVMFuzzerInitialize(NULL, NULL);
	make_seq("save-load", 0, 3, false, false);
	make_seq("save-load-chunk-multi", 7, 9, true, false);
	make_seq("save-load-corrupt", 6, 1, false, true);
	fuzz_seed_add("empty", none, sizeof(none));
}

FUZZ_SEEDS_MAIN(make)
#endif
