/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MLX5_DRV_H_
#define _MLX5_DRV_H_

/*
 * The mlx5 device driver: shared definitions of mlx5_drv.c (devargs,
 * probe, state arcs, ops table), mlx5_fw.c (firmware commands),
 * mlx5_save.c (source stream) and mlx5_load.c (destination stream).
 *
 * Stream format (the kernel mlx5 driver's, little-endian): records of a
 * 16-byte header {u64 record_size, u32 flags, u32 tag} and record_size
 * bytes of payload. FW_DATA (tag 0, mandatory) carries exactly one SAVE
 * image; STOP_COPY_SIZE (tag 1, optional) a u64 buffer size hint and comes
 * first. flags bit 0 = optional: a reader skips an unknown optional
 * record and rejects an unknown mandatory one.
 */

#include <stdbool.h>
#include <stdint.h>

#include "mig_dev_driver.h"
#include "mig_log.h"

#include "mlx5_chan.h"
#include "mlx5_cmd.h"

#define MLX5_REC_HDR_LEN 16u
#define MLX5_REC_TAG_FW_DATA 0u
#define MLX5_REC_TAG_STOP_COPY_SIZE 1u
#define MLX5_REC_F_OPTIONAL 0x1u
#define MLX5_SC_REC_LEN (MLX5_REC_HDR_LEN + 8u)

/** SAVE sizes are whole pages, as the kernel's allocated_length. */
#define MLX5_PAGE 4096u
/** Largest SAVE buffer (the kernel's 4 GiB - PAGE_SIZE). */
#define MLX5_SAVE_BUF_MAX (UINT64_C(4) * 1024 * 1024 * 1024 - MLX5_PAGE)
/** Largest read-ahead (chunk buffers beyond the one being read). */
#define MLX5_READAHEAD_MAX 4
/*
 * Destination staging: an image's buffer starts at the STOP_COPY_SIZE
 * hint or this, whichever is larger (never above the record's size), and
 * grows as its payload arrives, so that a record header alone (up to
 * 4 GiB - 1 declared) commits no more memory than this.
 */
#define MLX5_LOAD_STAGE_MIN (UINT64_C(1) << 20)
#define MLX5_SLOTS_MAX (MLX5_READAHEAD_MAX + 1)

struct mlx5_rec_hdr {
	uint64_t record_size;
	uint32_t flags;
	uint32_t tag;
} __attribute__((packed));

/** Devargs. */
struct mlx5_opts {
	char pf[32];
	int vf;             /* -1: by vhca_id */
	uint16_t vhca_id;
	char channel[16];
	uint64_t chunk;     /* chunk buffer cap */
	uint64_t readahead;
	bool precopy;
	uint64_t depth;
};

/** What the firmware says it can do. */
struct mlx5_fw_caps {
	bool migration;
	bool multi_load;
	bool tracking;
	bool chunk;
	bool migratable;
	bool mig_state;     /* QUERY reports migration_state (REINIT) */
};

enum mlx5_slot_st {
	MLX5_SLOT_FREE = 0,
	MLX5_SLOT_SAVING,
	MLX5_SLOT_READY,
};

/** A source staging buffer: one SAVE image and its record header. */
struct mlx5_slot {
	struct mig_mlx5_buf b;
	enum mlx5_slot_st st;
	bool initial;       /* the initial pre-copy image */
	bool tracked;       /* SAVE with set_track */
	bool stop_copy;     /* a stop-copy image or chunk */
	uint8_t hdr[MLX5_REC_HDR_LEN];
	uint64_t img_len;
	uint64_t off;       /* bytes of header + image read */
	struct mig_mlx5_cmd cmd;
	uint8_t out[MIG_MLX5_SAVE_VHCA_STATE_OUT_LEN];
};

struct mlx5_saver {
	bool active;
	bool precopy;       /* the session began in PRE_COPY (tracking) */
	bool precopy_err;   /* BAD_RES_STATE: no middle images, full final */
	bool final;         /* stop-copy saving started */
	bool final_issued;  /* first stop-copy SAVE issued */
	bool eos;           /* the last image was produced */
	int err;
	char errmsg[MIG_ERR_MAX];
	uint8_t sc[MLX5_SC_REC_LEN]; /* STOP_COPY_SIZE record */
	uint32_t sc_off, sc_len;
	struct mlx5_slot slot[MLX5_SLOTS_MAX];
	unsigned int nslot;
	unsigned int rd;    /* oldest slot (read order) */
	unsigned int wr;    /* next slot to save into */
	unsigned int saving; /* SAVEs in flight: 0 or 1 */
	bool want_middle;   /* a middle image was asked for */
	bool middle_initial; /* ... of new initial data (REINIT) */
	bool reinit;        /* REINIT not yet reported by query_sizes */
	uint64_t middle_size;
	uint64_t chunk_size; /* stop-copy buffer size (the kernel's prep) */
	uint32_t next_min;  /* next_required_umem_size */
	uint64_t remaining; /* firmware bytes still to save (estimate) */
	uint64_t initial_left; /* initial bytes not yet read */
	uint64_t dirty_est;  /* QUERY incremental: next image's size */
	uint64_t dirty_total; /* ... chunk mode: remaining_total_size */
	uint64_t query_ns;
	uint64_t images;
	struct mig_io *q_head, *q_tail; /* engine saves waiting for data */
	unsigned int q_len;
};

enum mlx5_lslot_st {
	MLX5_LSLOT_FREE = 0,
	MLX5_LSLOT_FILLING,
	MLX5_LSLOT_FULL,
	MLX5_LSLOT_LOADING,
};

struct mlx5_lslot {
	struct mig_mlx5_buf b;
	enum mlx5_lslot_st st;
	uint64_t len;
	uint64_t got;
	uint64_t image;     /* image number in the stream */
	struct mig_mlx5_cmd cmd;
	uint8_t out[MIG_MLX5_LOAD_VHCA_STATE_OUT_LEN];
};

struct mlx5_loader {
	bool active;
	int err;
	char errmsg[MIG_ERR_MAX];
	uint8_t hdr[MLX5_REC_HDR_LEN];
	uint32_t have;      /* header bytes staged */
	bool in_rec;        /* header complete, payload being consumed */
	struct mlx5_rec_hdr rec;
	uint64_t rec_got;
	uint8_t sc[8];
	uint64_t hint;      /* STOP_COPY_SIZE */
	struct mlx5_lslot slot[2];
	unsigned int fill;  /* slot the next image goes to */
	unsigned int next_load; /* slot whose LOAD comes next */
	bool loading;
	uint64_t images;    /* FW_DATA records seen */
	uint64_t loaded;    /* images loaded */
	uint64_t offset;    /* stream bytes consumed */
	struct mig_io *q_head, *q_tail; /* engine loads being consumed */
	unsigned int q_len;
};

/** dev->priv. */
struct mlx5_dev {
	struct mig_dev *dev;
	struct mlx5_opts o;
	struct mlx5_fw_caps caps;
	bool chunk_mode;
	struct mig_mlx5_chan ch;
	bool ch_open;
	enum mig_state state;
	struct mlx5_saver sv;
	struct mlx5_loader ld;
	struct mig_io *done_head, *done_tail; /* completed engine I/Os */
};

#define MLX5_LOG(level, fmt, ...) \
	MIG_LOG(level, mig_mlx5_logtype, fmt, ##__VA_ARGS__)

/* mlx5_fw.c: one firmware command each; errors name the device. */
int mlx5_fw_caps(struct mlx5_dev *md);
int mlx5_fw_suspend(struct mlx5_dev *md, uint16_t op_mod);
int mlx5_fw_resume(struct mlx5_dev *md, uint16_t op_mod);
/* The chunk bit is set whenever chunk mode is on, as upstream does. */
int mlx5_fw_query(struct mlx5_dev *md, bool incremental,
		  struct mig_mlx5_query_vhca_migration_state_res *r);
int mlx5_fw_save_submit(struct mlx5_dev *md, struct mlx5_slot *s,
			bool incremental, bool set_track, uint64_t size);
int mlx5_fw_load_submit(struct mlx5_dev *md, struct mlx5_lslot *s);
/* Compose the message of a failed command (outbox already parsed). */
int mlx5_fw_error(struct mlx5_dev *md, const char *step, int err);
void mlx5_io_done(struct mlx5_dev *md, struct mig_io *io, int status);

/* mlx5_save.c */
int mlx5_save_start(struct mlx5_dev *md, bool precopy);
int mlx5_save_final(struct mlx5_dev *md);
int mlx5_save_abort_precopy(struct mlx5_dev *md);
int mlx5_save_idle(struct mlx5_dev *md);
void mlx5_save_stop(struct mlx5_dev *md);
int mlx5_save_submit(struct mlx5_dev *md, struct mig_io *io);
void mlx5_save_progress(struct mlx5_dev *md);
void mlx5_save_sizes(struct mlx5_dev *md, struct mig_dev_sizes *sz);

/* mlx5_load.c */
int mlx5_load_start(struct mlx5_dev *md);
int mlx5_load_finish(struct mlx5_dev *md);
void mlx5_load_stop(struct mlx5_dev *md);
int mlx5_load_submit(struct mlx5_dev *md, struct mig_io *io);
void mlx5_load_progress(struct mlx5_dev *md);

#endif /* _MLX5_DRV_H_ */
