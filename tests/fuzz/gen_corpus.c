/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Seed corpus of the wire fuzz target (tests/fuzz/corpus/wire/).
 *
 *   gen_corpus DIR          write the seeds into DIR
 *   gen_corpus --check DIR  fail unless DIR holds exactly these seeds
 *
 * Each seed is the fuzz target's control byte followed by valid frames
 * (see fuzz_wire.c). --check runs in the unit suite so that the committed
 * seeds follow any change of the format.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "mig_wire.h"

#define SEED_MAX 8192

struct seed {
	uint8_t buf[SEED_MAX];
	size_t len;
	uint64_t digest[2];
	uint64_t bytes[2];
};

static void
die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s\n", what);
	exit(1);
}

static void
seed_start(struct seed *s, uint8_t ctl)
{
	memset(s, 0, sizeof(*s));
	s->buf[0] = ctl;
	s->len = 1;
}

static void
add(struct seed *s, const struct mig_wire_msg *m)
{
	int n = mig_wire_encode(s->buf + s->len, SEED_MAX - s->len, m);

	if (n < 0)
		die("encode failed");
	s->len += (size_t)n;
}

static void
add_hello(struct seed *s, uint8_t role, uint32_t devs)
{
	struct mig_wire_msg m = { .type = MIG_WIRE_T_HELLO };
	unsigned int i;

	m.hello.version_min = 1;
	m.hello.version_max = 1;
	m.hello.role = role;
	m.hello.chunk_size = 4096;
	m.hello.features = MIG_WIRE_FEAT_ALL;
	m.hello.slot_count = 16;
	m.hello.dev_count = devs;
	m.hello.window = 8;
	for (i = 0; i < MIG_WIRE_NONCE_LEN; i++)
		m.hello.nonce[i] = (uint8_t)(i + 1);
	strcpy(m.hello.session, "seed");
	add(s, &m);
}

static void
add_simple(struct seed *s, uint8_t type, uint32_t dev, uint32_t val)
{
	struct mig_wire_msg m = { .type = type };

	switch (type) {
	case MIG_WIRE_T_AUTH:
		memset(m.auth.hmac, 0x5c, sizeof(m.auth.hmac));
		break;
	case MIG_WIRE_T_INIT_SENT:
		m.init_sent.dev_id = dev;
		m.init_sent.end_index = val;
		break;
	case MIG_WIRE_T_SWITCHOVER_ACK:
		m.switchover_ack.dev_id = dev;
		break;
	case MIG_WIRE_T_CREDIT:
		m.credit.dev_id = dev;
		m.credit.credits = val;
		break;
	case MIG_WIRE_T_DONE:
		m.done.dev_count = val;
		break;
	case MIG_WIRE_T_KEEPALIVE:
		m.keepalive.seq = val;
		break;
	case MIG_WIRE_T_ABORT:
		m.abort.code = -ETIMEDOUT;
		m.abort.dev_id = dev;
		m.abort.step = MIG_WIRE_STEP_PRECOPY;
		strcpy(m.abort.reason, "device 0: no progress for 30 s");
		break;
	default:
		die("bad type");
	}
	add(s, &m);
}

static void
add_desc(struct seed *s, uint32_t dev, uint64_t caps)
{
	struct mig_wire_msg m = { .type = MIG_WIRE_T_DEV_DESC };

	m.dev_desc.dev_id = dev;
	m.dev_desc.chunk_size = 4096;
	m.dev_desc.caps = caps;
	m.dev_desc.state_size = 1 << 20;
	snprintf(m.dev_desc.name, sizeof(m.dev_desc.name), "sim%u", dev);
	strcpy(m.dev_desc.driver, "sim");
	add(s, &m);
}

static uint32_t
make_payload(uint8_t *payload, uint32_t dev, uint64_t index, uint32_t len)
{
	if (len > 256)
		die("payload too long");
	memset(payload, (int)((index * 31 + dev) & 0xff), len);
	return mig_wire_crc32c(payload, len);
}

/* Count a chunk in the device totals (DEV_END) without emitting it. */
static void
account(struct seed *s, uint32_t dev, uint64_t index, uint32_t len)
{
	uint8_t payload[256];
	uint32_t crc = make_payload(payload, dev, index, len);

	s->digest[dev] = mig_wire_digest_add(s->digest[dev], index, len, crc);
	s->bytes[dev] += len;
}

static void
emit_chunk(struct seed *s, uint32_t dev, uint32_t flags, uint64_t index,
	   uint32_t len)
{
	struct mig_wire_chunk c = {
		.dev_id = dev, .flags = flags, .index = index, .length = len,
	};
	uint8_t payload[256];
	int n;

	c.crc = make_payload(payload, dev, index, len);
	n = mig_wire_encode_chunk_hdr(s->buf + s->len, SEED_MAX - s->len, &c);
	if (n < 0 || s->len + (size_t)n + len > SEED_MAX)
		die("chunk does not fit");
	s->len += (size_t)n;
	memcpy(s->buf + s->len, payload, len);
	s->len += len;
}

static void
add_chunk(struct seed *s, uint32_t dev, uint32_t flags, uint64_t index,
	  uint32_t len)
{
	emit_chunk(s, dev, flags, index, len);
	account(s, dev, index, len);
}

static void
add_end(struct seed *s, uint32_t dev, uint64_t chunks)
{
	struct mig_wire_msg m = { .type = MIG_WIRE_T_DEV_END };

	m.dev_end.dev_id = dev;
	m.dev_end.total_bytes = s->bytes[dev];
	m.dev_end.chunk_count = chunks;
	m.dev_end.digest = s->digest[dev];
	add(s, &m);
}

static void
add_optional(struct seed *s)
{
	static const uint8_t body[16] = "future-ext-0001";
	int n;

	n = mig_wire_encode_raw(s->buf + s->len, SEED_MAX - s->len, 100,
				MIG_WIRE_F_OPTIONAL, body, sizeof(body));
	if (n < 0)
		die("optional frame");
	s->len += (size_t)n;
}

/* A complete destination-side session. */
static void
dest_session(struct seed *s, uint8_t ctl)
{
	static const uint64_t stop_order[] = { 4, 3, 6, 5, 7 };
	unsigned int i;

	seed_start(s, ctl);
	add_hello(s, MIG_WIRE_ROLE_SOURCE, 2);
	add_simple(s, MIG_WIRE_T_AUTH, 0, 0);
	add_desc(s, 0, MIG_WIRE_CAP_ALL);
	add_desc(s, 1, MIG_WIRE_CAP_STOP_COPY);
	for (i = 0; i < 3; i++)
		add_chunk(s, 0, MIG_WIRE_CHUNK_F_PRECOPY, i, 40 + i);
	add_simple(s, MIG_WIRE_T_INIT_SENT, 0, 3);
	add_optional(s);
	for (i = 0; i < RTE_DIM(stop_order); i++)
		add_chunk(s, 0, MIG_WIRE_CHUNK_F_STOPCOPY, stop_order[i], 64);
	add_chunk(s, 1, MIG_WIRE_CHUNK_F_STOPCOPY, 1, 17);
	account(s, 1, 0, 200);
	add_end(s, 1, 2); /* overtakes chunk 0, as from another stream */
	emit_chunk(s, 1, MIG_WIRE_CHUNK_F_STOPCOPY, 0, 200);
	add_end(s, 0, 8);
}

struct seed_def {
	const char *name;
	void (*make)(struct seed *s);
};

static void
seed_dest(struct seed *s)
{
	dest_session(s, 0);
}

static void
seed_dest_fixup(struct seed *s)
{
	dest_session(s, 1);
}

static void
seed_dest_small(struct seed *s)
{
	dest_session(s, 5);
}

static void
seed_source(struct seed *s)
{
	seed_start(s, 3);
	add_hello(s, MIG_WIRE_ROLE_DEST, 2);
	add_simple(s, MIG_WIRE_T_AUTH, 0, 0);
	add_simple(s, MIG_WIRE_T_CREDIT, MIG_WIRE_DEV_ALL, 16);
	add_simple(s, MIG_WIRE_T_SWITCHOVER_ACK, 1, 0);
	add_simple(s, MIG_WIRE_T_CREDIT, 0, 4);
	add_simple(s, MIG_WIRE_T_SWITCHOVER_ACK, 0, 0);
	add_simple(s, MIG_WIRE_T_SWITCHOVER_ACK, MIG_WIRE_DEV_ALL, 0);
	add_simple(s, MIG_WIRE_T_KEEPALIVE, 0, 7);
	add_simple(s, MIG_WIRE_T_DONE, 0, 2);
}

static void
seed_abort(struct seed *s)
{
	seed_start(s, 1);
	add_hello(s, MIG_WIRE_ROLE_SOURCE, 1);
	add_simple(s, MIG_WIRE_T_ABORT, 0, 0);
}

static void
seed_reorder(struct seed *s)
{
	static const uint64_t order[] = { 1, 0, 7, 2, 5, 4, 3, 6, 8 };
	unsigned int i;

	seed_start(s, 1);
	add_hello(s, MIG_WIRE_ROLE_SOURCE, 1);
	add_simple(s, MIG_WIRE_T_AUTH, 0, 0);
	add_desc(s, 0, MIG_WIRE_CAP_STOP_COPY | MIG_WIRE_CAP_P2P);
	for (i = 0; i < RTE_DIM(order); i++)
		add_chunk(s, 0, MIG_WIRE_CHUNK_F_STOPCOPY, order[i], 8);
	add_end(s, 0, 9);
}

static const struct seed_def seeds[] = {
	{ "seed-dest-session", seed_dest },
	{ "seed-dest-session-fixup", seed_dest_fixup },
	{ "seed-dest-session-small", seed_dest_small },
	{ "seed-source-session", seed_source },
	{ "seed-abort", seed_abort },
	{ "seed-reorder", seed_reorder },
};

int
main(int argc, char **argv)
{
	static struct seed s;
	static uint8_t disk[SEED_MAX + 1];
	bool check = argc == 3 && strcmp(argv[1], "--check") == 0;
	const char *dir = check ? argv[2] : argv[1];
	char path[4096];
	unsigned int i;
	size_t n;
	FILE *f;
	int bad = 0;

	if (argc != 2 && !check) {
		fprintf(stderr, "usage: %s [--check] DIR\n", argv[0]);
		return 2;
	}
	rte_log_set_level(mig_logtype_wire, RTE_LOG_EMERG);
	for (i = 0; i < RTE_DIM(seeds); i++) {
		seeds[i].make(&s);
		snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].name);
		f = fopen(path, check ? "rb" : "wb");
		if (f == NULL) {
			perror(path);
			return 1;
		}
		if (check) {
			n = fread(disk, 1, sizeof(disk), f);
			if (n != s.len || memcmp(disk, s.buf, n) != 0) {
				fprintf(stderr, "%s: out of date, regenerate "
					"with gen_corpus %s\n", path, dir);
				bad = 1;
			}
		} else if (fwrite(s.buf, 1, s.len, f) != s.len) {
			perror(path);
			bad = 1;
		}
		fclose(f);
		printf("%s %s (%zu bytes)\n", check ? "checked" : "wrote",
		       path, s.len);
	}
	return bad;
}
