/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _SIM_PRIV_H_
#define _SIM_PRIV_H_

/**
 * @file
 * Software migratable device: shared definitions of the sim driver's files.
 *
 * The device state is `size` bytes split into pages. A page's bytes are a
 * function of (seed, page index, page version): 64-bit words
 * w[i] = h + i * SIM_WORD_STEP with h = sim_page_hash(seed, page, version),
 * so a device of any size needs only a version per page in memory (gen
 * backing), or real memory holding those bytes (mem backing, small devices).
 *
 * Stream (little-endian, byte stream, any chunking):
 *   header   struct sim_rec_hdr, first record of each saving session
 *   page     struct sim_rec_page, then the page's bytes
 *   trailer  struct sim_rec_trailer with the state digest, end of STOP_COPY
 *
 * One thread drives a device at a time (no locking), as the engine does.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mig_dev_driver.h"
#include "mig_hash.h"
#include "mig_log.h"
#include "mig_time.h"

extern int mig_sim_logtype;

#define SIM_LOG(level, fmt, ...)                                               \
	MIG_LOG(level, mig_sim_logtype, fmt, ##__VA_ARGS__)

/** Step between consecutive 64-bit words of a page (odd, golden ratio). */
#define SIM_WORD_STEP UINT64_C(0x9e3779b97f4a7c15)

/** Largest number of pages (metadata is 4 bytes + 2 bits per page). */
#define SIM_MAX_PAGES (UINT64_C(1) << 26)

/** Largest mem-backed device. */
#define SIM_MEM_MAX (UINT64_C(1) << 30)

/* Stream format. */
#define SIM_FMT_VERSION 1
#define SIM_TAG_HDR UINT32_C(0x484d4953)     /**< "SIMH" */
#define SIM_TAG_PAGE UINT32_C(0x504d4953)    /**< "SIMP" */
#define SIM_TAG_TRAILER UINT32_C(0x544d4953) /**< "SIMT" */

/** Stream header, first record of a saving session. */
struct sim_rec_hdr {
	uint32_t tag;         /**< SIM_TAG_HDR */
	uint16_t fmt_version; /**< SIM_FMT_VERSION */
	uint16_t len;         /**< sizeof(struct sim_rec_hdr) */
	uint32_t page_size;
	uint32_t flags;       /**< 0 */
	uint64_t size;        /**< device size in bytes */
	uint64_t seed;        /**< content seed (the loader adopts it) */
	uint64_t npages;
	uint64_t reserved;    /**< 0 */
} __attribute__((packed));

/** Page record; page_len(page) bytes of data follow. */
struct sim_rec_page {
	uint32_t tag;     /**< SIM_TAG_PAGE */
	uint32_t version; /**< page version the data was generated from */
	uint64_t page;    /**< page index */
} __attribute__((packed));

/** Trailer, last record of a STOP_COPY stream. */
struct sim_rec_trailer {
	uint32_t tag;      /**< SIM_TAG_TRAILER */
	uint32_t reserved; /**< 0 */
	uint64_t digest;   /**< sim_state_digest() of the saved state */
} __attribute__((packed));

#define SIM_HDR_LEN 48u
#define SIM_PAGE_HLEN 16u
#define SIM_TRAILER_LEN 16u
#define SIM_REC_MAX SIM_HDR_LEN

_Static_assert(sizeof(struct sim_rec_hdr) == SIM_HDR_LEN, "sim_rec_hdr");
_Static_assert(sizeof(struct sim_rec_page) == SIM_PAGE_HLEN, "sim_rec_page");
_Static_assert(sizeof(struct sim_rec_trailer) == SIM_TRAILER_LEN,
	       "sim_rec_trailer");

enum sim_backing {
	SIM_BACKING_GEN = 0,
	SIM_BACKING_MEM,
};

/** Devargs, defaults first. */
struct sim_opts {
	uint64_t size;
	uint64_t page;
	uint64_t seed;
	uint64_t caps;
	enum sim_backing backing;
	uint64_t dirty_rate;   /**< bytes/s */
	uint64_t latency_ns;   /**< per command */
	uint64_t bandwidth;    /**< bytes/s, 0 unlimited */
	uint64_t depth;
	uint64_t chunk;
	bool fail_arc;
	enum mig_state fail_from;
	enum mig_state fail_to;
	bool fail_arc_error;
	uint64_t fail_save;    /**< 1-based, 0 off */
	uint64_t fail_load;
	uint64_t corrupt_save;
};

/** Kind of the record being produced by the saver. */
enum sim_rec_kind {
	SIM_REC_NONE = 0,
	SIM_REC_HDR,
	SIM_REC_INIT,    /**< page of the initial pass */
	SIM_REC_DIRTY,   /**< page re-sent because it was dirtied */
	SIM_REC_TRAILER,
};

/** A saving session (PRE_COPY and/or STOP_COPY). */
struct sim_saver {
	bool active;
	bool stop_copy;    /**< end with a trailer; no more dirtying */
	bool hdr_started;
	bool trailer_started;
	bool corrupt;      /**< flip the next page data byte produced */
	int err;           /**< sticky failure of the session */
	uint64_t init_next; /**< next page of the initial pass */
	uint64_t scan;     /**< where the dirty scan resumes */
	uint64_t ndirty;   /**< dirty bits set */
	uint64_t dirty_bytes; /**< bytes of dirty records not started */
	uint64_t offset;   /**< stream bytes produced */
	/* record being produced */
	enum sim_rec_kind kind;
	uint8_t rec[SIM_REC_MAX];
	uint32_t rec_hlen;
	uint32_t version;
	uint64_t page;
	uint64_t h;
	uint64_t off;      /**< bytes of the record produced */
	uint64_t len;      /**< record length */
	char errmsg[MIG_ERR_MAX];
};

/** A load session (RESUMING). */
struct sim_loader {
	bool active;
	bool hdr_seen;
	bool trailer_seen;
	bool in_data;      /**< inside a page record's data */
	int err;           /**< sticky failure of the session */
	uint8_t stage[SIM_REC_MAX];
	uint32_t have;     /**< record header bytes staged */
	uint32_t need;     /**< record header length, 0 until the tag is in */
	uint32_t version;
	uint64_t page;
	uint64_t h;
	uint64_t off;      /**< page data bytes consumed */
	uint64_t plen;     /**< page data length */
	uint64_t received; /**< distinct pages fully loaded */
	uint64_t trailer_digest;
	uint64_t offset;   /**< stream bytes consumed */
	char errmsg[MIG_ERR_MAX];
};

/** Private data of a sim device (dev->priv). */
struct sim_dev {
	struct mig_dev *dev;
	struct sim_opts o;
	enum mig_state state;  /**< the device's actual state */
	uint64_t seed;         /**< content seed (adopted from a loaded stream) */
	uint64_t npages;
	uint32_t *ver;         /**< version per page */
	uint64_t *dirty;       /**< dirty bitmap (saving session) */
	uint64_t *recv;        /**< received bitmap (load session) */
	uint8_t *mem;          /**< mem backing */
	/* dirtying workload */
	uint64_t rng;
	uint64_t dirty_last_ns;
	uint64_t dirty_carry;  /**< byte-nanoseconds not yet a page */
	uint64_t pages_dirtied;
	/* timing */
	uint64_t busy_until_ns;
	struct mig_io *q_head;
	struct mig_io *q_tail;
	unsigned int q_len;
	/* fault injection counters, since open */
	uint64_t nsaves;
	uint64_t nloads;
	struct sim_saver sv;
	struct sim_loader ld;
};

static inline uint64_t
sim_page_len(const struct sim_dev *sd, uint64_t page)
{
	uint64_t start = page * sd->o.page;

	return sd->o.size - start < sd->o.page ? sd->o.size - start :
						   sd->o.page;
}

/** Bytes of the page records of pages [first, end). */
static inline uint64_t
sim_recs_bytes(const struct sim_dev *sd, uint64_t first, uint64_t end)
{
	uint64_t hi = end * sd->o.page;

	if (first >= end)
		return 0;
	if (hi > sd->o.size)
		hi = sd->o.size;
	return (end - first) * SIM_PAGE_HLEN + hi - first * sd->o.page;
}

static inline bool
sim_bit_test(const uint64_t *map, uint64_t i)
{
	return (map[i >> 6] >> (i & 63)) & 1;
}

static inline void
sim_bit_set(uint64_t *map, uint64_t i)
{
	map[i >> 6] |= UINT64_C(1) << (i & 63);
}

static inline void
sim_bit_clear(uint64_t *map, uint64_t i)
{
	map[i >> 6] &= ~(UINT64_C(1) << (i & 63));
}

static inline uint64_t
sim_bitmap_words(uint64_t nbits)
{
	return (nbits + 63) / 64;
}

/* sim_content.c */
uint64_t mig_sim_page_hash(uint64_t seed, uint64_t page, uint32_t version);
void mig_sim_gen(uint64_t h, uint64_t off, void *dst, size_t n);
size_t mig_sim_verify(uint64_t h, uint64_t off, const void *src, size_t n);
void mig_sim_fill_page(struct sim_dev *sd, uint64_t page);
void mig_sim_fill_all(struct sim_dev *sd);
uint64_t mig_sim_digest(const struct sim_dev *sd);

/* sim_dirty.c */
void mig_sim_dirty_start(struct sim_dev *sd, uint64_t now_ns);
void mig_sim_dirty_advance(struct sim_dev *sd, uint64_t now_ns);
void mig_sim_dirty_page(struct sim_dev *sd, uint64_t page);

/* sim_stream.c */
void mig_sim_saver_open(struct sim_dev *sd, bool stop_copy);
void mig_sim_saver_close(struct sim_dev *sd);
uint32_t mig_sim_saver_emit(struct sim_dev *sd, uint8_t *dst, uint32_t cap);
uint64_t mig_sim_saver_initial(const struct sim_dev *sd);
uint64_t mig_sim_saver_dirty(const struct sim_dev *sd);
uint64_t mig_sim_saver_remaining(const struct sim_dev *sd);
uint64_t mig_sim_image_bytes(const struct sim_dev *sd);
void mig_sim_loader_open(struct sim_dev *sd);
void mig_sim_loader_close(struct sim_dev *sd);
int mig_sim_loader_consume(struct sim_dev *sd, const uint8_t *src,
			   uint64_t len);
int mig_sim_loader_finish(struct sim_dev *sd);

/* sim_timing.c */
void mig_sim_io_queue(struct sim_dev *sd, struct mig_io *io, uint64_t len,
		      uint64_t now_ns);
unsigned int mig_sim_io_poll(struct sim_dev *sd, struct mig_io **done,
			     unsigned int n, uint64_t now_ns);
void mig_sim_io_drop(struct sim_dev *sd);

#endif /* _SIM_PRIV_H_ */
