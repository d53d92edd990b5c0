/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MLX5_EMU_PRIV_H_
#define _MLX5_EMU_PRIV_H_

/*
 * Emulated firmware internals, shared by mlx5_emu.c (PF, objects,
 * suspend/resume, dispatch), mlx5_emu_image.c (QUERY/SAVE/LOAD and the
 * image format) and mlx5_emu_content.c (page contents, dirtying).
 *
 * Image format (the firmware's own, opaque to the driver; little-endian):
 *   struct emu_img_hdr, then nrec records: struct emu_img_rec + page bytes.
 * A page's bytes are 64-bit words w[i] = h + i * EMU_WORD_STEP with
 * h = hash(seed, page, version), so LOAD verifies every byte it gets.
 */

#include <stdbool.h>
#include <stdint.h>

#include "mlx5_cmd.h"
#include "mlx5_emu.h"

#define EMU_WORD_STEP UINT64_C(0x9e3779b97f4a7c15)
#define EMU_IMG_MAGIC UINT32_C(0x4945354d) /* "M5EI" */
#define EMU_IMG_VERSION 1
#define EMU_IMG_F_FULL 0x1u /* every page, start of a load sequence */
#define EMU_IMG_F_LAST 0x2u /* completes the state; carries the digest */
#define EMU_OBJ_MAX 256

struct emu_img_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t hdr_len;
	uint32_t flags;
	uint32_t nrec;
	uint64_t image_len;  /* bytes including this header */
	uint64_t state_size;
	uint32_t page_size;
	uint32_t seq;        /* image number within the save session */
	uint64_t session;
	uint64_t seed;
	uint64_t digest;     /* EMU_IMG_F_LAST only */
	uint32_t model;      /* device model the image belongs to */
	uint32_t reserved;
} __attribute__((packed));

struct emu_img_rec {
	uint64_t page;
	uint32_t version;
	uint32_t len;
} __attribute__((packed));

#define EMU_HDR_LEN 72u
#define EMU_REC_LEN 16u
_Static_assert(sizeof(struct emu_img_hdr) == EMU_HDR_LEN, "emu_img_hdr");
_Static_assert(sizeof(struct emu_img_rec) == EMU_REC_LEN, "emu_img_rec");

enum emu_vf_state {
	EMU_VF_RUNNING = 0,
	EMU_VF_SUSP_INIT,  /* SUSPEND initiator done */
	EMU_VF_SUSPENDED,  /* SUSPEND responder done */
};

struct emu_umem {
	bool used;
	uint32_t id;
	uint32_t log_page;   /* log2 of the MTT page bytes */
	uint32_t page_offset;
	uint64_t n_mtt;
	uint64_t *mtt;       /* page addresses (process addresses here) */
	bool rd, wr;
	unsigned int refs;   /* mkeys over it */
	bool inline_mtt;     /* the MTT list of an inline-MTT mkey, its own */
};

struct emu_mkey {
	bool used;
	uint32_t index;
	uint8_t key_7_0;
	bool lr, lw;
	uint64_t start, len;
	struct emu_umem *umem;
	uint64_t umem_off;
};

struct emu_vf {
	bool exists;
	uint16_t vf;
	uint16_t vhca_id;
	struct mig_mlx5_emu_vf_cfg c;
	enum emu_vf_state st;
	uint64_t seed;
	uint64_t npages;
	uint32_t *ver;
	/* save side */
	bool tracking;
	uint64_t *dirty;     /* dirtied since the last capture, while tracked */
	uint64_t ndirty;
	uint64_t *pend;      /* pages of the image set being saved */
	uint64_t npend;
	uint64_t pend_bytes; /* record bytes of the pages in pend */
	uint64_t scan;       /* next page to look at in pend */
	uint64_t session;
	uint32_t seq;
	uint64_t tracked_saves; /* tracked SAVEs (fail_precopy) */
	uint64_t inc_queries; /* tracked incremental QUERYs (reinit) */
	bool reinit_pending; /* new initial data not yet saved */
	uint64_t chunk_req;  /* smallest buffer for the next chunk */
	uint64_t chunk_k;    /* chunks of the current untracked save */
	uint32_t inc_req;    /* last incremental QUERY's size, until a SAVE */
	uint64_t saves;      /* SAVEs that wrote an image (corrupt_save) */
	/* load side */
	bool ld_active;
	bool ld_broken;
	bool ld_complete;
	uint64_t ld_session;
	uint32_t ld_seq;
	uint64_t *recv;
	uint64_t nrecv;
	/* dirtying workload */
	uint64_t rng;
	uint64_t dirty_last_ns;
	uint64_t dirty_carry;
};

struct mig_mlx5_emu_pf {
	char bdf[32];
	unsigned int refs;
	struct mig_mlx5_emu_pf_cfg c;
	struct emu_vf vf[MIG_MLX5_EMU_VFS_MAX];
	struct emu_umem umem[EMU_OBJ_MAX];
	struct emu_mkey mkey[EMU_OBJ_MAX];
	uint32_t next_obj;
	uint64_t busy_until_ns; /* the DMA engine */
	uint64_t session_rng;
	char reason[256];
	struct mig_mlx5_emu_pf *next;
};

/* A command outcome: status, syndrome and a reason kept for the log. */
struct emu_res {
	uint8_t status;
	uint32_t syndrome;
	uint64_t bytes;      /* moved by DMA (timing) */
};

/* Syndromes of the emulator's failures (the real values are not public). */
#define EMU_SYN_NO_VHCA        0x0e000001u
#define EMU_SYN_STATE          0x0e000002u
#define EMU_SYN_NO_TRACKING    0x0e000003u
#define EMU_SYN_BUF_SMALL      0x0e000004u
#define EMU_SYN_MKEY           0x0e000005u
#define EMU_SYN_TOO_BIG        0x0e000006u
#define EMU_SYN_PRECOPY        0x0e000007u
#define EMU_SYN_BAD_IMAGE      0x0e000008u
#define EMU_SYN_OTHER_DEVICE   0x0e000009u
#define EMU_SYN_ORDER          0x0e00000au
#define EMU_SYN_CORRUPT        0x0e00000bu
#define EMU_SYN_INCOMPLETE     0x0e00000cu
#define EMU_SYN_BROKEN         0x0e00000du
#define EMU_SYN_NO_MULTI_LOAD  0x0e00000eu
#define EMU_SYN_CAP            0x0e00000fu
#define EMU_SYN_OBJ            0x0e000010u
#define EMU_SYN_NOT_PAGES      0x0e000011u
#define EMU_SYN_NO_CHUNK_BIT   0x0e000012u

/* SAVE buffers are whole pages (the kernel's allocated_length). */
#define EMU_PAGE 4096u

/* A window of process memory described by an mkey. */
struct emu_dma {
	const struct emu_mkey *mk;
	uint64_t off;   /* offset of the window in the umem */
	uint64_t len;
};

/* mlx5_emu.c (fail), mlx5_emu_obj.c (DMA) */
struct emu_vf *mlx5_emu_vf_find(struct mig_mlx5_emu_pf *pf, uint16_t vhca_id);
int mlx5_emu_fail(struct mig_mlx5_emu_pf *pf, struct emu_res *r,
		  uint8_t status, uint32_t syndrome, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int mlx5_emu_dma_map(struct mig_mlx5_emu_pf *pf, uint32_t key, uint64_t va,
		     uint64_t len, bool write, struct emu_dma *d,
		     struct emu_res *r);
void *mlx5_emu_dma_ptr(const struct emu_dma *d, uint64_t off, uint64_t *n);
void mlx5_emu_dma_write(const struct emu_dma *d, uint64_t off,
			const void *src, uint64_t n);
void mlx5_emu_dma_read(const struct emu_dma *d, uint64_t off, void *dst,
		       uint64_t n);

/* mlx5_emu_obj.c: command handlers */
int mlx5_emu_create_umem(struct mig_mlx5_emu_pf *pf, const void *in,
			 size_t inlen, void *out, size_t outlen,
			 struct emu_res *r);
int mlx5_emu_destroy_umem(struct mig_mlx5_emu_pf *pf, const void *in,
			  size_t inlen, void *out, size_t outlen,
			  struct emu_res *r);
int mlx5_emu_create_mkey(struct mig_mlx5_emu_pf *pf, const void *in,
			 size_t inlen, void *out, size_t outlen,
			 struct emu_res *r);
int mlx5_emu_destroy_mkey(struct mig_mlx5_emu_pf *pf, const void *in,
			  size_t inlen, void *out, size_t outlen,
			  struct emu_res *r);

/* mlx5_emu_content.c */
uint64_t mlx5_emu_page_hash(uint64_t seed, uint64_t page, uint32_t version);
uint64_t mlx5_emu_page_len(const struct emu_vf *v, uint64_t page);
void mlx5_emu_gen(uint64_t h, uint64_t off, void *dst, uint64_t n);
uint64_t mlx5_emu_verify(uint64_t h, uint64_t off, const void *src,
			 uint64_t n);
uint64_t mlx5_emu_digest(const struct emu_vf *v);
void mlx5_emu_fresh(struct emu_vf *v, uint64_t now_ns);
void mlx5_emu_dirty_advance(struct emu_vf *v, uint64_t now_ns);
void mlx5_emu_dirty_page(struct emu_vf *v, uint64_t page);

static inline bool
emu_bit(const uint64_t *m, uint64_t i)
{
	return (m[i >> 6] >> (i & 63)) & 1;
}

static inline void
emu_bit_set(uint64_t *m, uint64_t i)
{
	m[i >> 6] |= UINT64_C(1) << (i & 63);
}

static inline void
emu_bit_clr(uint64_t *m, uint64_t i)
{
	m[i >> 6] &= ~(UINT64_C(1) << (i & 63));
}

static inline uint64_t
emu_words(uint64_t nbits)
{
	return (nbits + 63) / 64;
}

/* mlx5_emu_image.c */
int mlx5_emu_query(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		   void *out, size_t outlen, struct emu_res *r);
int mlx5_emu_save(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		  void *out, size_t outlen, struct emu_res *r);
int mlx5_emu_load(struct mig_mlx5_emu_pf *pf, const void *in, size_t inlen,
		  void *out, size_t outlen, struct emu_res *r);

#endif /* _MLX5_EMU_PRIV_H_ */
