/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The sim device's save stream: producing it (a saving session) and
 * parsing it back (a load session), both across arbitrary chunk boundaries.
 *
 * A saving session starts with a header, sends every page once in order
 * (the initial pass), then the pages dirtied after they were sent, and, in
 * STOP_COPY, ends with a trailer carrying the state digest. The loader is a
 * small state machine: stage a record header (tag first, then the rest of
 * the record header), then stream a page's bytes through verification.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "sim_priv.h"

static size_t
sim_bitmap_bytes(const struct sim_dev *sd)
{
	return sim_bitmap_words(sd->npages) * sizeof(uint64_t);
}

/* ------------------------------------------------------------------ save */

void
mig_sim_saver_open(struct sim_dev *sd, bool stop_copy)
{
	memset(sd->dirty, 0, sim_bitmap_bytes(sd));
	memset(&sd->sv, 0, sizeof(sd->sv));
	sd->sv.active = true;
	sd->sv.stop_copy = stop_copy;
}

void
mig_sim_saver_close(struct sim_dev *sd)
{
	if (sd->sv.ndirty != 0)
		memset(sd->dirty, 0, sim_bitmap_bytes(sd));
	memset(&sd->sv, 0, sizeof(sd->sv));
}

/* First dirty page at or after @p from, wrapping; ndirty must be > 0. */
static uint64_t
sim_dirty_find(const struct sim_dev *sd, uint64_t from)
{
	uint64_t words = sim_bitmap_words(sd->npages);
	uint64_t w = from >> 6;
	uint64_t m = sd->dirty[w] & (~UINT64_C(0) << (from & 63));
	uint64_t i;

	for (i = 0; i <= words; i++) {
		if (m != 0)
			return (w << 6) + (uint64_t)__builtin_ctzll(m);
		w = w + 1 == words ? 0 : w + 1;
		m = sd->dirty[w];
	}
	return 0;
}

static void
sim_saver_page(struct sim_dev *sd, uint64_t page, enum sim_rec_kind kind)
{
	struct sim_saver *sv = &sd->sv;
	struct sim_rec_page rec = {
		.tag = rte_cpu_to_le_32(SIM_TAG_PAGE),
		.version = rte_cpu_to_le_32(sd->ver[page]),
		.page = rte_cpu_to_le_64(page),
	};

	memcpy(sv->rec, &rec, sizeof(rec));
	sv->kind = kind;
	sv->rec_hlen = sizeof(rec);
	sv->page = page;
	sv->version = sd->ver[page];
	sv->h = mig_sim_page_hash(sd->seed, page, sv->version);
	sv->off = 0;
	sv->len = sizeof(rec) + sim_page_len(sd, page);
}

/* Start the next record; false when there is nothing to send now. */
static bool
sim_saver_next(struct sim_dev *sd)
{
	struct sim_saver *sv = &sd->sv;

	if (!sv->hdr_started) {
		struct sim_rec_hdr hdr = {
			.tag = rte_cpu_to_le_32(SIM_TAG_HDR),
			.fmt_version = rte_cpu_to_le_16(SIM_FMT_VERSION),
			.len = rte_cpu_to_le_16(SIM_HDR_LEN),
			.page_size = rte_cpu_to_le_32((uint32_t)sd->o.page),
			.size = rte_cpu_to_le_64(sd->o.size),
			.seed = rte_cpu_to_le_64(sd->seed),
			.npages = rte_cpu_to_le_64(sd->npages),
		};

		memcpy(sv->rec, &hdr, sizeof(hdr));
		sv->hdr_started = true;
		sv->kind = SIM_REC_HDR;
		sv->rec_hlen = sizeof(hdr);
		sv->off = 0;
		sv->len = sizeof(hdr);
		return true;
	}
	if (sv->init_next < sd->npages) {
		sim_saver_page(sd, sv->init_next++, SIM_REC_INIT);
		return true;
	}
	if (sv->ndirty > 0) {
		uint64_t page = sim_dirty_find(sd, sv->scan);

		sim_bit_clear(sd->dirty, page);
		sv->ndirty--;
		sv->dirty_bytes -= SIM_PAGE_HLEN + sim_page_len(sd, page);
		sv->scan = page + 1 == sd->npages ? 0 : page + 1;
		sim_saver_page(sd, page, SIM_REC_DIRTY);
		return true;
	}
	if (sv->stop_copy && !sv->trailer_started) {
		struct sim_rec_trailer trl = {
			.tag = rte_cpu_to_le_32(SIM_TAG_TRAILER),
			.digest = rte_cpu_to_le_64(mig_sim_digest(sd)),
		};

		memcpy(sv->rec, &trl, sizeof(trl));
		sv->trailer_started = true;
		sv->kind = SIM_REC_TRAILER;
		sv->rec_hlen = sizeof(trl);
		sv->off = 0;
		sv->len = sizeof(trl);
		return true;
	}
	return false;
}

/* Produce up to @p cap next bytes of the stream into @p dst. */
uint32_t
mig_sim_saver_emit(struct sim_dev *sd, uint8_t *dst, uint32_t cap)
{
	struct sim_saver *sv = &sd->sv;
	uint32_t done = 0;

	while (done < cap) {
		uint64_t n;

		if (sv->kind == SIM_REC_NONE && !sim_saver_next(sd))
			break;
		if (sv->off < sv->rec_hlen) {
			n = RTE_MIN((uint64_t)(cap - done), sv->rec_hlen - sv->off);
			memcpy(dst + done, sv->rec + sv->off, n);
		} else {
			uint64_t doff = sv->off - sv->rec_hlen;

			n = RTE_MIN((uint64_t)(cap - done), sv->len - sv->off);
			/* a page dirtied mid-record keeps its recorded version */
			if (sd->o.backing == SIM_BACKING_MEM &&
			    sd->ver[sv->page] == sv->version)
				memcpy(dst + done,
				       sd->mem + sv->page * sd->o.page + doff, n);
			else
				mig_sim_gen(sv->h, doff, dst + done, n);
			if (sv->corrupt) {
				dst[done] ^= 0xff;
				sv->corrupt = false;
			}
		}
		sv->off += n;
		done += n;
		if (sv->off == sv->len)
			sv->kind = SIM_REC_NONE;
	}
	sv->offset += done;
	return done;
}

/* Full image: header, every page, trailer. */
uint64_t
mig_sim_image_bytes(const struct sim_dev *sd)
{
	return SIM_HDR_LEN + sim_recs_bytes(sd, 0, sd->npages) +
	       SIM_TRAILER_LEN;
}

uint64_t
mig_sim_saver_initial(const struct sim_dev *sd)
{
	const struct sim_saver *sv = &sd->sv;
	uint64_t n;

	if (!sv->active)
		return 0;
	n = (sv->hdr_started ? 0 : SIM_HDR_LEN) +
	    sim_recs_bytes(sd, sv->init_next, sd->npages);
	if (sv->kind == SIM_REC_HDR || sv->kind == SIM_REC_INIT)
		n += sv->len - sv->off;
	return n;
}

uint64_t
mig_sim_saver_dirty(const struct sim_dev *sd)
{
	const struct sim_saver *sv = &sd->sv;

	if (!sv->active)
		return 0;
	return sv->dirty_bytes +
	       (sv->kind == SIM_REC_DIRTY ? sv->len - sv->off : 0);
}

/* Bytes still needed to reach the end of STOP_COPY. */
uint64_t
mig_sim_saver_remaining(const struct sim_dev *sd)
{
	const struct sim_saver *sv = &sd->sv;
	uint64_t n;

	if (!sv->active)
		return mig_sim_image_bytes(sd);
	n = mig_sim_saver_initial(sd) + mig_sim_saver_dirty(sd) +
	    (sv->trailer_started ? 0 : SIM_TRAILER_LEN);
	if (sv->kind == SIM_REC_TRAILER)
		n += sv->len - sv->off;
	return n;
}

/* ------------------------------------------------------------------ load */

void
mig_sim_loader_open(struct sim_dev *sd)
{
	memset(sd->recv, 0, sim_bitmap_bytes(sd));
	memset(&sd->ld, 0, sizeof(sd->ld));
	sd->ld.active = true;
}

void
mig_sim_loader_close(struct sim_dev *sd)
{
	memset(&sd->ld, 0, sizeof(sd->ld));
}

static int __attribute__((format(printf, 3, 4)))
sim_load_fail(struct sim_dev *sd, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sd->ld.errmsg, sizeof(sd->ld.errmsg), fmt, ap);
	va_end(ap);
	sd->ld.err = err;
	return err;
}

static int
sim_load_hdr(struct sim_dev *sd, uint64_t at)
{
	struct sim_loader *ld = &sd->ld;
	struct sim_rec_hdr hdr;
	uint64_t size, page, npages;

	memcpy(&hdr, ld->stage, sizeof(hdr));
	if (ld->hdr_seen)
		return sim_load_fail(sd, -EBADMSG,
				     "second stream header at stream offset %" PRIu64,
				     at);
	if (rte_le_to_cpu_16(hdr.fmt_version) != SIM_FMT_VERSION ||
	    rte_le_to_cpu_16(hdr.len) != SIM_HDR_LEN)
		return sim_load_fail(sd, -EBADMSG,
				     "stream format version %u (header length %u), this driver reads version %u",
				     rte_le_to_cpu_16(hdr.fmt_version),
				     rte_le_to_cpu_16(hdr.len), SIM_FMT_VERSION);
	/* version 1 defines no flag: a set bit is a meaning we lack */
	if (hdr.flags != 0 || hdr.reserved != 0)
		return sim_load_fail(sd, -EBADMSG,
				     "stream header with flags 0x%08x, reserved 0x%016" PRIx64 " (both must be 0) at stream offset %" PRIu64,
				     rte_le_to_cpu_32(hdr.flags),
				     rte_le_to_cpu_64(hdr.reserved), at);
	size = rte_le_to_cpu_64(hdr.size);
	page = rte_le_to_cpu_32(hdr.page_size);
	npages = rte_le_to_cpu_64(hdr.npages);
	if (size != sd->o.size)
		return sim_load_fail(sd, -EBADMSG,
				     "stream is from a device of size %" PRIu64 ", this device is %" PRIu64,
				     size, sd->o.size);
	if (page != sd->o.page)
		return sim_load_fail(sd, -EBADMSG,
				     "stream is from a device with page size %" PRIu64 ", this device has %" PRIu64,
				     page, sd->o.page);
	if (npages != sd->npages)
		return sim_load_fail(sd, -EBADMSG,
				     "stream header claims %" PRIu64 " pages, this device has %" PRIu64,
				     npages, sd->npages);
	/* the contents are the source's: adopt its seed */
	sd->seed = rte_le_to_cpu_64(hdr.seed);
	ld->hdr_seen = true;
	return 0;
}

static int
sim_load_record(struct sim_dev *sd)
{
	struct sim_loader *ld = &sd->ld;
	uint64_t at = ld->offset - ld->need;
	uint32_t tag;

	memcpy(&tag, ld->stage, sizeof(tag));
	tag = rte_le_to_cpu_32(tag);
	if (tag == SIM_TAG_HDR)
		return sim_load_hdr(sd, at);
	if (!ld->hdr_seen)
		return sim_load_fail(sd, -EBADMSG,
				     "record before the stream header at stream offset %" PRIu64,
				     at);
	if (tag == SIM_TAG_PAGE) {
		struct sim_rec_page rec;
		uint64_t page;

		memcpy(&rec, ld->stage, sizeof(rec));
		page = rte_le_to_cpu_64(rec.page);
		if (page >= sd->npages)
			return sim_load_fail(sd, -EBADMSG,
					     "record for page %" PRIu64 " at stream offset %" PRIu64 ", the device has %" PRIu64 " pages",
					     page, at, sd->npages);
		ld->page = page;
		ld->version = rte_le_to_cpu_32(rec.version);
		ld->h = mig_sim_page_hash(sd->seed, page, ld->version);
		ld->off = 0;
		ld->plen = sim_page_len(sd, page);
		ld->in_data = true;
	} else {
		struct sim_rec_trailer trl;

		memcpy(&trl, ld->stage, sizeof(trl));
		if (trl.reserved != 0)
			return sim_load_fail(sd, -EBADMSG,
					     "trailer with reserved 0x%08x (must be 0) at stream offset %" PRIu64,
					     rte_le_to_cpu_32(trl.reserved), at);
		ld->trailer_digest = rte_le_to_cpu_64(trl.digest);
		ld->trailer_seen = true;
	}
	return 0;
}

/* Page data: verify against the pattern, store with mem backing. */
static int
sim_load_data(struct sim_dev *sd, const uint8_t *src, uint64_t n)
{
	struct sim_loader *ld = &sd->ld;
	size_t k = mig_sim_verify(ld->h, ld->off, src, n);

	if (k < n)
		return sim_load_fail(sd, -EBADMSG,
				     "page %" PRIu64 " (version %u) is corrupt at byte %" PRIu64 " of the page (stream offset %" PRIu64 ")",
				     ld->page, ld->version, ld->off + k,
				     ld->offset + k);
	if (sd->o.backing == SIM_BACKING_MEM)
		memcpy(sd->mem + ld->page * sd->o.page + ld->off, src, n);
	ld->off += n;
	ld->offset += n;
	if (ld->off == ld->plen) {
		sd->ver[ld->page] = ld->version;
		if (!sim_bit_test(sd->recv, ld->page)) {
			sim_bit_set(sd->recv, ld->page);
			ld->received++;
		}
		ld->in_data = false;
	}
	return 0;
}

/* Feed the next @p len bytes of the stream. 0 or a sticky -errno. */
int
mig_sim_loader_consume(struct sim_dev *sd, const uint8_t *src, uint64_t len)
{
	struct sim_loader *ld = &sd->ld;
	uint64_t pos = 0, n;
	int ret;

	if (ld->err != 0)
		return ld->err;
	while (pos < len) {
		if (ld->in_data) {
			n = RTE_MIN(len - pos, ld->plen - ld->off);
			ret = sim_load_data(sd, src + pos, n);
			if (ret < 0)
				return ret;
			pos += n;
			continue;
		}
		if (ld->trailer_seen)
			return sim_load_fail(sd, -EBADMSG,
					     "%" PRIu64 " bytes after the end of the stream (stream offset %" PRIu64 ")",
					     len - pos, ld->offset);
		if (ld->need == 0) {
			uint32_t tag;

			n = RTE_MIN(len - pos, (uint64_t)(4 - ld->have));
			memcpy(ld->stage + ld->have, src + pos, n);
			ld->have += n;
			ld->offset += n;
			pos += n;
			if (ld->have < 4)
				break;
			memcpy(&tag, ld->stage, sizeof(tag));
			switch (rte_le_to_cpu_32(tag)) {
			case SIM_TAG_HDR:
				ld->need = SIM_HDR_LEN;
				break;
			case SIM_TAG_PAGE:
				ld->need = SIM_PAGE_HLEN;
				break;
			case SIM_TAG_TRAILER:
				ld->need = SIM_TRAILER_LEN;
				break;
			default:
				return sim_load_fail(sd, -EBADMSG,
						     "unknown record tag 0x%08x at stream offset %" PRIu64,
						     rte_le_to_cpu_32(tag),
						     ld->offset - 4);
			}
		}
		n = RTE_MIN(len - pos, (uint64_t)(ld->need - ld->have));
		memcpy(ld->stage + ld->have, src + pos, n);
		ld->have += n;
		ld->offset += n;
		pos += n;
		if (ld->have < ld->need)
			break;
		ret = sim_load_record(sd);
		if (ret < 0)
			return ret;
		ld->have = 0;
		ld->need = 0;
	}
	return 0;
}

static uint64_t
sim_first_missing(const struct sim_dev *sd)
{
	uint64_t w;

	for (w = 0; w < sim_bitmap_words(sd->npages); w++)
		if (~sd->recv[w] != 0)
			return (w << 6) + (uint64_t)__builtin_ctzll(~sd->recv[w]);
	return sd->npages;
}

/* RESUMING -> STOP: accept only a complete, consistent stream. */
int
mig_sim_loader_finish(struct sim_dev *sd)
{
	struct sim_loader *ld = &sd->ld;
	const char *nm = sd->dev->name;
	uint64_t digest;

	if (ld->err != 0) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: resuming -> stop: the stream failed to load: %s",
			    nm, ld->errmsg);
		return -EINVAL;
	}
	if (!ld->hdr_seen) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: resuming -> stop: incomplete stream: no stream header received (%" PRIu64 " bytes loaded)",
			    nm, ld->offset);
		return -EINVAL;
	}
	if (ld->in_data || ld->have != 0) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: resuming -> stop: incomplete stream: it ends inside a record at stream offset %" PRIu64,
			    nm, ld->offset);
		return -EINVAL;
	}
	if (ld->received < sd->npages) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: resuming -> stop: incomplete stream: %" PRIu64 " of %" PRIu64 " pages received (page %" PRIu64 " missing)",
			    nm, ld->received, sd->npages,
			    sim_first_missing(sd));
		return -EINVAL;
	}
	if (!ld->trailer_seen) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: resuming -> stop: incomplete stream: no trailer (the source did not reach the end of stop_copy)",
			    nm);
		return -EINVAL;
	}
	digest = mig_sim_digest(sd);
	if (digest != ld->trailer_digest) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: resuming -> stop: loaded state digest 0x%016" PRIx64 " differs from the stream's 0x%016" PRIx64,
			    nm, digest, ld->trailer_digest);
		return -EINVAL;
	}
	mig_sim_loader_close(sd);
	return 0;
}
