/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * sim: a software migratable device for tests, demos and benchmarks.
 *
 * This file holds devargs, probe/remove and the ops table; see sim_priv.h
 * for the model, sim_stream.c for the stream, sim_content.c for page
 * contents, sim_dirty.c for the dirtying workload and sim_timing.c for the
 * emulated latency and bandwidth.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "mig_devargs.h"
#include "mig_dev_driver.h"
#include "mig_fsm.h"
#include "mig_log.h"
#include "sim_priv.h"

RTE_LOG_REGISTER(mig_sim_logtype, mig.dev.sim, INFO);

#define SIM_ARG_SIZE "size"
#define SIM_ARG_PAGE "page"
#define SIM_ARG_SEED "seed"
#define SIM_ARG_CAPS "caps"
#define SIM_ARG_BACKING "backing"
#define SIM_ARG_DIRTY_RATE "dirty_rate"
#define SIM_ARG_LATENCY "latency"
#define SIM_ARG_BANDWIDTH "bandwidth"
#define SIM_ARG_DEPTH "depth"
#define SIM_ARG_CHUNK "chunk"
#define SIM_ARG_FAIL_ARC "fail_arc"
#define SIM_ARG_FAIL_ARC_ERROR "fail_arc_error"
#define SIM_ARG_FAIL_SAVE "fail_save"
#define SIM_ARG_FAIL_LOAD "fail_load"
#define SIM_ARG_CORRUPT_SAVE "corrupt_save"

static const char *const sim_valid_args[] = {
	SIM_ARG_SIZE,
	SIM_ARG_PAGE,
	SIM_ARG_SEED,
	SIM_ARG_CAPS,
	SIM_ARG_BACKING,
	SIM_ARG_DIRTY_RATE,
	SIM_ARG_LATENCY,
	SIM_ARG_BANDWIDTH,
	SIM_ARG_DEPTH,
	SIM_ARG_CHUNK,
	SIM_ARG_FAIL_ARC,
	SIM_ARG_FAIL_ARC_ERROR,
	SIM_ARG_FAIL_SAVE,
	SIM_ARG_FAIL_LOAD,
	SIM_ARG_CORRUPT_SAVE,
	NULL,
};

#define SIM_KIB UINT64_C(1024)
#define SIM_MIB (SIM_KIB * 1024)
#define SIM_GIB (SIM_MIB * 1024)
#define SIM_TIB (SIM_GIB * 1024)
#define SIM_LATENCY_MAX_NS UINT64_C(10000000000)
#define SIM_STR_MAX 64

static void
sim_opts_default(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = 64 * SIM_MIB;
	o->page = 64 * SIM_KIB;
	o->seed = 1;
	o->caps = MIG_CAP_ALL;
	o->backing = SIM_BACKING_GEN;
	o->depth = 4;
	o->chunk = SIM_MIB;
}

/* "from-to" (also "from->to"); '-' inside state names is allowed too. */
static int
sim_parse_arc(const char *s, enum mig_state *from, enum mig_state *to)
{
	char buf[SIM_STR_MAX];
	unsigned int found = 0;
	size_t i, len = strlen(s);

	if (len >= sizeof(buf))
		return -EINVAL;
	for (i = 1; i + 1 < len; i++) {
		enum mig_state f, t;
		const char *rhs = s + i + 1;

		if (s[i] != '-')
			continue;
		memcpy(buf, s, i);
		buf[i] = '\0';
		if (*rhs == '>')
			rhs++;
		if (mig_state_parse(buf, &f) == 0 &&
		    mig_state_parse(rhs, &t) == 0) {
			*from = f;
			*to = t;
			found++;
		}
	}
	return found == 1 ? 0 : -EINVAL;
}

/* Keys that need more than the generic getters. */
static int
sim_parse_strings(struct mig_dev *dev, const char *who,
		  struct rte_kvargs *kv, struct sim_opts *o)
{
	const char *nm = dev->name;
	char s[SIM_STR_MAX];
	char caps[SIM_STR_MAX];

	if (rte_kvargs_count(kv, SIM_ARG_CAPS) > 0) {
		if (mig_devargs_str(kv, who, SIM_ARG_CAPS, s, sizeof(s)) < 0)
			return -EINVAL;
		if (mig_caps_parse(s, &o->caps) < 0) {
			mig_err_set(mig_sim_logtype,
				    "sim %s: caps=%s: expected stop_copy, pre_copy, p2p joined by '+'",
				    nm, s);
			return -EINVAL;
		}
	}
	if (rte_kvargs_count(kv, SIM_ARG_BACKING) > 0) {
		if (mig_devargs_str(kv, who, SIM_ARG_BACKING, s, sizeof(s)) < 0)
			return -EINVAL;
		if (strcasecmp(s, "gen") == 0) {
			o->backing = SIM_BACKING_GEN;
		} else if (strcasecmp(s, "mem") == 0) {
			o->backing = SIM_BACKING_MEM;
		} else {
			mig_err_set(mig_sim_logtype,
				    "sim %s: backing=%s: expected gen or mem",
				    nm, s);
			return -EINVAL;
		}
	}
	if (rte_kvargs_count(kv, SIM_ARG_FAIL_ARC) > 0) {
		if (mig_devargs_str(kv, who, SIM_ARG_FAIL_ARC, s, sizeof(s)) < 0)
			return -EINVAL;
		if (sim_parse_arc(s, &o->fail_from, &o->fail_to) < 0) {
			mig_err_set(mig_sim_logtype,
				    "sim %s: fail_arc=%s: expected <from>-<to> with state names (stop, running, stop_copy, resuming, running_p2p, pre_copy, pre_copy_p2p)",
				    nm, s);
			return -EINVAL;
		}
		if (!mig_fsm_arc_legal(o->caps, o->fail_from, o->fail_to)) {
			mig_err_set(mig_sim_logtype,
				    "sim %s: fail_arc=%s: %s -> %s is not a single arc of a device with caps %s",
				    nm, s, mig_state_name(o->fail_from),
				    mig_state_name(o->fail_to),
				    mig_caps_str(o->caps, caps, sizeof(caps)));
			return -EINVAL;
		}
		o->fail_arc = true;
	}
	return 0;
}

static int
sim_parse_args(struct mig_dev *dev, const char *who, struct rte_kvargs *kv,
	       struct sim_opts *o)
{
	const char *nm = dev->name;
	const char *v;

	if (mig_devargs_size(kv, who, SIM_ARG_SIZE, &o->size, SIM_KIB,
			     SIM_TIB) < 0 ||
	    mig_devargs_size(kv, who, SIM_ARG_PAGE, &o->page, 4 * SIM_KIB,
			     SIM_MIB) < 0 ||
	    mig_devargs_u64(kv, who, SIM_ARG_SEED, &o->seed, 0, UINT64_MAX) < 0 ||
	    mig_devargs_size(kv, who, SIM_ARG_DIRTY_RATE, &o->dirty_rate, 0,
			     UINT64_MAX) < 0 ||
	    mig_devargs_duration(kv, who, SIM_ARG_LATENCY, &o->latency_ns,
				 1000) < 0 ||
	    mig_devargs_size(kv, who, SIM_ARG_BANDWIDTH, &o->bandwidth, 0,
			     UINT64_MAX) < 0 ||
	    mig_devargs_u64(kv, who, SIM_ARG_DEPTH, &o->depth, 1, 1024) < 0 ||
	    mig_devargs_size(kv, who, SIM_ARG_CHUNK, &o->chunk, 1, SIM_GIB) < 0 ||
	    mig_devargs_bool(kv, who, SIM_ARG_FAIL_ARC_ERROR,
			     &o->fail_arc_error) < 0 ||
	    mig_devargs_u64(kv, who, SIM_ARG_FAIL_SAVE, &o->fail_save, 0,
			    UINT64_MAX) < 0 ||
	    mig_devargs_u64(kv, who, SIM_ARG_FAIL_LOAD, &o->fail_load, 0,
			    UINT64_MAX) < 0 ||
	    mig_devargs_u64(kv, who, SIM_ARG_CORRUPT_SAVE, &o->corrupt_save, 0,
			    UINT64_MAX) < 0)
		return -EINVAL;
	if (!rte_is_power_of_2(o->page)) {
		v = rte_kvargs_get(kv, SIM_ARG_PAGE);
		mig_err_set(mig_sim_logtype,
			    "sim %s: page=%s: not a power of two", nm,
			    v != NULL ? v : "?");
		return -EINVAL;
	}
	if (o->latency_ns > SIM_LATENCY_MAX_NS) {
		v = rte_kvargs_get(kv, SIM_ARG_LATENCY);
		mig_err_set(mig_sim_logtype,
			    "sim %s: latency=%s: more than 10 s", nm,
			    v != NULL ? v : "?");
		return -EINVAL;
	}
	if (sim_parse_strings(dev, who, kv, o) < 0)
		return -EINVAL;
	if (o->backing == SIM_BACKING_MEM && o->size > SIM_MEM_MAX) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: backing=mem: size=%" PRIu64 " is above the 1 GiB limit of mem backing, use backing=gen",
			    nm, o->size);
		return -EINVAL;
	}
	if ((o->size + o->page - 1) / o->page > SIM_MAX_PAGES) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: size=%" PRIu64 " with page=%" PRIu64 " makes more than %" PRIu64 " pages, use a larger page",
			    nm, o->size, o->page, SIM_MAX_PAGES);
		return -EINVAL;
	}
	return 0;
}

static void
sim_free(struct sim_dev *sd)
{
	free(sd->ver);
	free(sd->dirty);
	free(sd->recv);
	if (sd->mem != NULL)
		munmap(sd->mem, sd->o.size);
	sd->ver = NULL;
	sd->dirty = NULL;
	sd->recv = NULL;
	sd->mem = NULL;
}

/* Fresh contents: versions zero, the devargs seed, a new workload. */
static void
sim_fresh(struct sim_dev *sd)
{
	memset(sd->ver, 0, sd->npages * sizeof(*sd->ver));
	sd->seed = sd->o.seed;
	sd->rng = mig_mix64(sd->o.seed ^ UINT64_C(0x6469727479));
	if (sd->o.backing == SIM_BACKING_MEM)
		mig_sim_fill_all(sd);
}

static int
sim_probe(struct mig_dev *dev, const char *args)
{
	struct sim_dev *sd = dev->priv;
	char who[MIG_DEV_NAME_MAX + 8];
	struct rte_kvargs *kv;
	uint64_t words;
	int ret;

	sd->dev = dev;
	sim_opts_default(&sd->o);
	snprintf(who, sizeof(who), "sim %s", dev->name);
	kv = mig_devargs_parse(who, args, sim_valid_args);
	if (kv == NULL)
		return -EINVAL;
	ret = sim_parse_args(dev, who, kv, &sd->o);
	rte_kvargs_free(kv);
	if (ret < 0)
		return ret;

	sd->npages = (sd->o.size + sd->o.page - 1) / sd->o.page;
	words = sim_bitmap_words(sd->npages);
	/* calloc of large blocks maps zero pages: RSS grows only when used */
	sd->ver = calloc(sd->npages, sizeof(*sd->ver));
	sd->dirty = calloc(words, sizeof(uint64_t));
	sd->recv = calloc(words, sizeof(uint64_t));
	if (sd->ver == NULL || sd->dirty == NULL || sd->recv == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	if (sd->o.backing == SIM_BACKING_MEM) {
		void *p = mmap(NULL, sd->o.size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			ret = -ENOMEM;
			goto fail;
		}
		sd->mem = p;
	}
	sim_fresh(sd);
	sd->state = MIG_STATE_RUNNING;
	mig_sim_dirty_start(sd, mig_time_ns());

	dev->info.caps = sd->o.caps;
	dev->info.state_size = sd->o.size;
	dev->info.chunk_size = (uint32_t)sd->o.chunk;
	dev->info.chunk_min = 1;
	dev->info.max_inflight = (uint32_t)sd->o.depth;
	dev->info.socket_id = SOCKET_ID_ANY;
	SIM_LOG(DEBUG, "sim %s: size %" PRIu64 ", page %" PRIu64 ", %s backing, caps 0x%" PRIx64,
		dev->name, sd->o.size, sd->o.page,
		sd->o.backing == SIM_BACKING_MEM ? "mem" : "gen", sd->o.caps);
	return 0;

fail:
	mig_err_set(mig_sim_logtype,
		    "sim %s: out of memory for size=%" PRIu64 " page=%" PRIu64 " (%s backing)",
		    dev->name, sd->o.size, sd->o.page,
		    sd->o.backing == SIM_BACKING_MEM ? "mem" : "gen");
	sim_free(sd);
	return ret;
}

static void
sim_remove(struct mig_dev *dev)
{
	struct sim_dev *sd = dev->priv;

	mig_sim_io_drop(sd);
	sim_free(sd);
}

static void
sim_enter_error(struct sim_dev *sd)
{
	mig_sim_saver_close(sd);
	mig_sim_loader_close(sd);
	sd->state = MIG_STATE_ERROR;
}

static int
sim_set_state(struct mig_dev *dev, enum mig_state next)
{
	struct sim_dev *sd = dev->priv;
	enum mig_state from = sd->state;
	uint64_t now = mig_time_ns();
	int ret;

	mig_sim_dirty_advance(sd, now);
	if (sd->q_len != 0) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: %s -> %s with %u I/Os outstanding",
			    dev->name, mig_state_name(from),
			    mig_state_name(next), sd->q_len);
		return -EBUSY;
	}
	if (!mig_fsm_arc_legal(sd->o.caps, from, next)) {
		mig_err_set(mig_sim_logtype, "sim %s: %s -> %s is not an arc",
			    dev->name, mig_state_name(from),
			    mig_state_name(next));
		return -EINVAL;
	}
	if (sd->o.fail_arc && from == sd->o.fail_from &&
	    next == sd->o.fail_to) {
		mig_err_set(mig_sim_logtype,
			    "sim %s: %s -> %s failed (fault injection fail_arc)%s",
			    dev->name, mig_state_name(from),
			    mig_state_name(next),
			    sd->o.fail_arc_error ? ", device in error" : "");
		if (sd->o.fail_arc_error)
			sim_enter_error(sd);
		return -EIO;
	}

	switch (next) {
	case MIG_STATE_PRE_COPY:
	case MIG_STATE_PRE_COPY_P2P:
		/* from RUNNING(_P2P): a new session; within the group: same */
		if (from == MIG_STATE_RUNNING || from == MIG_STATE_RUNNING_P2P)
			mig_sim_saver_open(sd, false);
		break;
	case MIG_STATE_STOP_COPY:
		if (from == MIG_STATE_STOP)
			mig_sim_saver_open(sd, true);
		else
			sd->sv.stop_copy = true;
		break;
	case MIG_STATE_RESUMING:
		mig_sim_loader_open(sd);
		break;
	case MIG_STATE_STOP:
		if (from == MIG_STATE_RESUMING) {
			ret = mig_sim_loader_finish(sd);
			if (ret < 0)
				return ret;
		} else if (from == MIG_STATE_STOP_COPY) {
			mig_sim_saver_close(sd);
		}
		break;
	case MIG_STATE_RUNNING:
	case MIG_STATE_RUNNING_P2P:
		if (mig_state_is_saving(from))
			mig_sim_saver_close(sd);
		break;
	default:
		break;
	}
	sd->state = next;
	mig_sim_dirty_start(sd, now);
	return 0;
}

static int
sim_get_state(struct mig_dev *dev, enum mig_state *state)
{
	struct sim_dev *sd = dev->priv;

	*state = sd->state;
	return 0;
}

static int
sim_query_sizes(struct mig_dev *dev, struct mig_dev_sizes *sizes)
{
	struct sim_dev *sd = dev->priv;

	mig_sim_dirty_advance(sd, mig_time_ns());
	sizes->initial_bytes = mig_sim_saver_initial(sd);
	sizes->dirty_bytes = mig_sim_saver_dirty(sd);
	sizes->stop_copy_bytes = mig_sim_saver_remaining(sd);
	return 0;
}

static int
sim_save_submit(struct mig_dev *dev, struct mig_io *io)
{
	struct sim_dev *sd = dev->priv;
	struct sim_saver *sv = &sd->sv;
	uint64_t now = mig_time_ns();

	mig_sim_dirty_advance(sd, now);
	if (!mig_state_is_saving(sd->state) || !sv->active || io->cap == 0)
		return -EINVAL;
	if (sd->q_len >= sd->o.depth)
		return -EBUSY;
	sd->nsaves++;
	io->len = 0;
	io->status = 0;
	io->drv[1] = MIG_IO_F_SAVE;
	if (sv->err != 0) {
		io->status = sv->err;
	} else if (sd->nsaves == sd->o.fail_save) {
		snprintf(sv->errmsg, sizeof(sv->errmsg),
			 "save #%" PRIu64 " failed (fault injection fail_save=%" PRIu64 ") at stream offset %" PRIu64,
			 sd->nsaves, sd->o.fail_save, sv->offset);
		sv->err = -EIO;
		io->status = -EIO;
	} else {
		if (sd->nsaves == sd->o.corrupt_save)
			sv->corrupt = true;
		if (!sv->stop_copy && mig_sim_saver_initial(sd) == 0 &&
		    mig_sim_saver_dirty(sd) == 0)
			io->status = -ENOMSG;
		else
			io->len = mig_sim_saver_emit(sd, io->buf, io->cap);
	}
	mig_sim_io_queue(sd, io, io->len, now);
	return 0;
}

static int
sim_load_submit(struct mig_dev *dev, struct mig_io *io)
{
	struct sim_dev *sd = dev->priv;
	struct sim_loader *ld = &sd->ld;
	uint64_t now = mig_time_ns();

	mig_sim_dirty_advance(sd, now);
	if (sd->state != MIG_STATE_RESUMING || !ld->active)
		return -EINVAL;
	if (sd->q_len >= sd->o.depth)
		return -EBUSY;
	sd->nloads++;
	io->status = 0;
	io->drv[1] = MIG_IO_F_LOAD;
	if (ld->err == 0 && sd->nloads == sd->o.fail_load) {
		snprintf(ld->errmsg, sizeof(ld->errmsg),
			 "load #%" PRIu64 " failed (fault injection fail_load=%" PRIu64 ") at stream offset %" PRIu64,
			 sd->nloads, sd->o.fail_load, ld->offset);
		ld->err = -EIO;
	}
	io->status = mig_sim_loader_consume(sd, io->buf, io->len);
	mig_sim_io_queue(sd, io, io->len, now);
	return 0;
}

static int
sim_poll(struct mig_dev *dev, struct mig_io **done, unsigned int n)
{
	struct sim_dev *sd = dev->priv;
	uint64_t now;
	unsigned int i, k;

	if (sd->q_head == NULL)
		return 0;
	now = mig_time_ns();
	mig_sim_dirty_advance(sd, now);
	k = mig_sim_io_poll(sd, done, n, now);
	for (i = 0; i < k; i++) {
		struct mig_io *io = done[i];

		if (io->status >= 0 || io->status == -ENOMSG)
			continue;
		if (io->drv[1] == MIG_IO_F_LOAD)
			mig_err_set(mig_sim_logtype, "sim %s: load: %s",
				    dev->name, sd->ld.errmsg);
		else
			mig_err_set(mig_sim_logtype, "sim %s: save: %s",
				    dev->name, sd->sv.errmsg);
	}
	return (int)k;
}

static int
sim_reset(struct mig_dev *dev)
{
	struct sim_dev *sd = dev->priv;

	mig_sim_io_drop(sd);
	mig_sim_saver_close(sd);
	mig_sim_loader_close(sd);
	memset(sd->recv, 0, sim_bitmap_words(sd->npages) * sizeof(uint64_t));
	sim_fresh(sd);
	sd->state = MIG_STATE_RUNNING;
	mig_sim_dirty_start(sd, mig_time_ns());
	return 0;
}

static int
sim_digest(struct mig_dev *dev, uint64_t *digest)
{
	struct sim_dev *sd = dev->priv;

	mig_sim_dirty_advance(sd, mig_time_ns());
	*digest = mig_sim_digest(sd);
	return 0;
}

static const struct mig_dev_ops sim_ops = {
	.version = MIG_DEV_OPS_VERSION,
	.probe = sim_probe,
	.remove = sim_remove,
	.set_state = sim_set_state,
	.get_state = sim_get_state,
	.query_sizes = sim_query_sizes,
	.save_submit = sim_save_submit,
	.load_submit = sim_load_submit,
	.poll = sim_poll,
	.reset = sim_reset,
	.digest = sim_digest,
};

static struct mig_dev_driver sim_driver = {
	.params = "size=<bytes 1K..1T> page=<4K..1M, power of 2> seed=<u64> "
		  "caps=<stop_copy+pre_copy+p2p> backing=<gen|mem> "
		  "dirty_rate=<bytes/s> latency=<duration, us> "
		  "bandwidth=<bytes/s, 0 unlimited> depth=<1..1024> "
		  "chunk=<bytes> fail_arc=<from>-<to> fail_arc_error=<0|1> "
		  "fail_save=<n> fail_load=<n> corrupt_save=<n>",
	.priv_size = sizeof(struct sim_dev),
	.ops = &sim_ops,
};

MIG_PMD_REGISTER(sim, sim_driver);
