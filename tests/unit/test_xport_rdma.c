/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * RDMA transport, what runs without an RDMA device: opening fails at once
 * saying there is no device (skipped on a host that has one), devargs
 * errors name the key, the connect private data, SLOTS and CREDIT codecs,
 * the immediate, the signaling and credit batching rules, and the generic memory registration call. The data
 * path runs in the lab VM (tests/lab/scenarios/rdma_*.sh).
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <infiniband/verbs.h>
#include <rte_errno.h>

#include "mig_log.h"
#include "mig_wire.h"
#include "mig_xport.h"
#include "rdma_proto.h"

static void
expect_msg(const char *msg, const char *needle)
{
	if (strstr(msg, needle) == NULL)
		fail_msg("message '%s' lacks '%s'", msg, needle);
}

static bool
host_has_rdma(void)
{
	struct ibv_device **l;
	int n = 0;

	l = ibv_get_device_list(&n);
	if (l != NULL)
		ibv_free_device_list(l);
	return l != NULL && n > 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_no_device(void **state)
{
	const char *const args[] = { "rdma", "rdma,qps=4,window=8" };
	unsigned int i;
	double t0;

	(void)state;
	if (host_has_rdma())
		skip();
	for (i = 0; i < RTE_DIM(args); i++) {
		mig_err_clear();
		t0 = now_s();
		assert_null(mig_xport_open(args[i]));
		assert_int_equal(rte_errno, ENODEV);
		expect_msg(mig_err_last(), "no RDMA device");
		/* refused at open, not after a connect timeout */
		assert_true(now_s() - t0 < 2.0);
	}
}

static void
expect_open_error(const char *args, const char *needle)
{
	mig_err_clear();
	assert_null(mig_xport_open(args));
	assert_int_equal(rte_errno, EINVAL);
	expect_msg(mig_err_last(), needle);
}

static void
test_bad_devargs(void **state)
{
	(void)state;
	expect_open_error("rdma,qps=0", "qps");
	expect_open_error("rdma,qps=17", "qps");
	expect_open_error("rdma,window=0", "window");
	expect_open_error("rdma,window=1025", "window");
	expect_open_error("rdma,tx_depth=4", "tx_depth");
	expect_open_error("rdma,cq_mod=often", "cq_mod");
	expect_open_error("rdma,verify=maybe", "verify");
	expect_open_error("rdma,idle=nap", "idle");
	expect_open_error("rdma,idle=spinning", "idle");
	expect_open_error("rdma,connect_timeout=soon", "connect_timeout");
	expect_open_error("rdma,connect_timeout=0", "connect_timeout");
	expect_open_error("rdma,streams=2", "streams");
	expect_open_error("rdma,qps=2,qps=3", "qps");
}

static void
test_pdata(void **state)
{
	struct rdma_pdata in = {
		.qp = 3, .qps = 4, .reason = 0,
		.session = UINT64_C(0x0123456789abcdef),
	}, out;
	struct rdma_pdata_le le;
	uint8_t buf[64] = { 0 };

	(void)state;
	mig_rdma_pdata_encode(&le, &in);
	memcpy(buf, &le, sizeof(le));
	/* a peer may append bytes (the CM pads the private data) */
	assert_int_equal(mig_rdma_pdata_decode(buf, sizeof(buf), &out), 0);
	assert_int_equal(out.qp, 3);
	assert_int_equal(out.qps, 4);
	assert_int_equal(out.reason, 0);
	assert_true(out.session == in.session);
	assert_int_equal(mig_rdma_pdata_decode(buf, sizeof(le) - 1, &out), -EPROTO);
	expect_msg(mig_err_last(), "private data");
	assert_int_equal(mig_rdma_pdata_decode(NULL, 0, &out), -EPROTO);
	buf[0] ^= 1;
	assert_int_equal(mig_rdma_pdata_decode(buf, sizeof(buf), &out), -EPROTO);
	expect_msg(mig_err_last(), "not a dpdk-migrate peer");
	buf[0] ^= 1;
	buf[4] = RDMA_PROTO_VERSION + 1;
	assert_int_equal(mig_rdma_pdata_decode(buf, sizeof(buf), &out), -EPROTO);
	expect_msg(mig_err_last(), "version");
}

/* Decode a transport frame as the receiver does: header, body CRC, body. */
static int
frame_body(const uint8_t *f, int len, uint8_t type, const uint8_t **body,
	   uint32_t *blen)
{
	struct mig_wire_limits lim = { .max_optional = RDMA_BODY_MAX };
	struct mig_wire_hdr h;
	struct mig_wire_msg m;
	int ret;

	ret = mig_wire_hdr_decode(f, (size_t)len, &h, &lim);
	if (ret < 0)
		return ret;
	assert_int_equal(h.type, type);
	assert_int_equal(MIG_WIRE_HDR_LEN + h.body_len, len);
	ret = mig_wire_body_decode(&h, f + MIG_WIRE_HDR_LEN, h.body_len, &m,
				   &lim);
	if (ret < 0)
		return ret;
	assert_int_equal(m.type, MIG_WIRE_T_NONE); /* optional for others */
	*body = f + MIG_WIRE_HDR_LEN;
	*blen = h.body_len;
	return 0;
}

static void
test_slots_codec(void **state)
{
	struct rdma_slot_desc e[RDMA_SLOTS_PER_FRAME], d[RDMA_SLOTS_PER_FRAME];
	struct rdma_slots s = {
		.first = 62, .count = RDMA_SLOTS_PER_FRAME, .total = 200,
		.slot_size = 1u << 20, .hdr_addr = UINT64_C(0x7f0012345000),
		.hdr_rkey = 0xabcd, .flags = RDMA_SLOTS_F_MW,
	}, o;
	uint8_t f[MIG_XPORT_CTRL_MAX], bad[MIG_XPORT_CTRL_MAX];
	const uint8_t *body;
	uint32_t blen, i;
	int len;

	(void)state;
	memset(e, 0, sizeof(e));
	memset(d, 0, sizeof(d));
	assert_int_equal(RDMA_SLOTS_PER_FRAME, 62);
	for (i = 0; i < s.count; i++) {
		e[i].addr = UINT64_C(0x7f0000000000) + (uint64_t)i * (1u << 20);
		e[i].rkey = 0x1000 + i;
	}
	len = mig_rdma_slots_encode(f, sizeof(f), &s, e);
	assert_true(len > 0 && len <= (int)MIG_XPORT_CTRL_MAX);
	assert_int_equal(frame_body(f, len, RDMA_T_SLOTS, &body, &blen), 0);
	assert_int_equal(mig_rdma_slots_decode(body, blen, &o, d), 0);
	assert_int_equal(o.first, s.first);
	assert_int_equal(o.count, s.count);
	assert_int_equal(o.total, s.total);
	assert_int_equal(o.slot_size, s.slot_size);
	assert_true(o.hdr_addr == s.hdr_addr);
	assert_int_equal(o.hdr_rkey, s.hdr_rkey);
	assert_int_equal(o.flags, RDMA_SLOTS_F_MW);
	assert_memory_equal(d, e, sizeof(e));
	/* a flipped bit is caught by the body CRC */
	memcpy(bad, f, (size_t)len);
	bad[MIG_WIRE_HDR_LEN + 40] ^= 4;
	assert_int_equal(frame_body(bad, len, RDMA_T_SLOTS, &body, &blen),
			 -EBADMSG);
	/* inconsistent headers are refused */
	assert_int_equal(mig_rdma_slots_decode(f + MIG_WIRE_HDR_LEN, blen - 16,
					       &o, d), -EPROTO);
	expect_msg(mig_err_last(), "malformed SLOTS");
	s.count = 2;
	s.first = 199; /* 199 + 2 > 200 */
	len = mig_rdma_slots_encode(f, sizeof(f), &s, e);
	assert_true(len > 0);
	assert_int_equal(frame_body(f, len, RDMA_T_SLOTS, &body, &blen), 0);
	assert_int_equal(mig_rdma_slots_decode(body, blen, &o, d), -EPROTO);
	s.first = 0;
	s.total = RDMA_SLOTS_MAX + 1;
	len = mig_rdma_slots_encode(f, sizeof(f), &s, e);
	assert_int_equal(frame_body(f, len, RDMA_T_SLOTS, &body, &blen), 0);
	assert_int_equal(mig_rdma_slots_decode(body, blen, &o, d), -EPROTO);
	s.total = 2;
	s.flags = 2; /* unknown flag */
	len = mig_rdma_slots_encode(f, sizeof(f), &s, e);
	assert_int_equal(frame_body(f, len, RDMA_T_SLOTS, &body, &blen), 0);
	assert_int_equal(mig_rdma_slots_decode(body, blen, &o, d), -EPROTO);
	s.flags = 0;
	s.slot_size = 0;
	len = mig_rdma_slots_encode(f, sizeof(f), &s, e);
	assert_int_equal(frame_body(f, len, RDMA_T_SLOTS, &body, &blen), 0);
	assert_int_equal(mig_rdma_slots_decode(body, blen, &o, d), -EPROTO);
	s.count = RDMA_SLOTS_PER_FRAME + 1;
	assert_int_equal(mig_rdma_slots_encode(f, sizeof(f), &s, e), -EINVAL);
}

static void
test_credit_codec(void **state)
{
	struct rdma_credit in[RDMA_CREDITS_PER_FRAME];
	struct rdma_credit out[RDMA_CREDITS_PER_FRAME];
	uint8_t f[MIG_XPORT_CTRL_MAX], bad[MIG_XPORT_CTRL_MAX];
	const uint8_t *body;
	uint32_t blen, i;
	int len;

	(void)state;
	assert_int_equal(RDMA_CREDITS_PER_FRAME, 127);
	for (i = 0; i < RDMA_CREDITS_PER_FRAME; i++) {
		in[i].slot = (uint16_t)(RDMA_SLOTS_MAX - 1 - i);
		in[i].rkey = 0x5a000000u + i;
	}
	len = mig_rdma_credit_encode(f, sizeof(f), in, RDMA_CREDITS_PER_FRAME);
	assert_true(len > 0 && len <= (int)MIG_XPORT_CTRL_MAX);
	assert_int_equal(frame_body(f, len, RDMA_T_CREDIT, &body, &blen), 0);
	assert_int_equal(mig_rdma_credit_decode(body, blen, out),
			 (int)RDMA_CREDITS_PER_FRAME);
	for (i = 0; i < RDMA_CREDITS_PER_FRAME; i++) {
		assert_int_equal(out[i].slot, in[i].slot);
		assert_int_equal(out[i].rkey, in[i].rkey);
	}
	len = mig_rdma_credit_encode(f, sizeof(f), in, 3);
	assert_int_equal(frame_body(f, len, RDMA_T_CREDIT, &body, &blen), 0);
	assert_int_equal(mig_rdma_credit_decode(body, blen, out), 3);
	assert_int_equal(out[2].slot, in[2].slot);
	assert_int_equal(out[2].rkey, in[2].rkey);
	assert_int_equal(mig_rdma_credit_decode(body, blen - 1, out), -EPROTO);
	expect_msg(mig_err_last(), "malformed CREDIT");
	assert_int_equal(mig_rdma_credit_decode(body, 2, out), -EPROTO);
	/* reserved bits of an entry */
	memcpy(bad, body, blen);
	bad[4 + 8 + 2] = 1;
	assert_int_equal(mig_rdma_credit_decode(bad, blen, out), -EPROTO);
	assert_int_equal(mig_rdma_credit_encode(f, sizeof(f), in, 0), -EINVAL);
	assert_int_equal(mig_rdma_credit_encode(f, sizeof(f), in,
						RDMA_CREDITS_PER_FRAME + 1),
			     -EINVAL);
}

static void
test_imm(void **state)
{
	uint32_t imm = rdma_imm(0xbeef, RDMA_SLOTS_MAX - 1);

	(void)state;
	assert_int_equal(rdma_imm_seq(imm), 0xbeef);
	assert_int_equal(rdma_imm_slot(imm), RDMA_SLOTS_MAX - 1);
	assert_int_equal(rdma_imm_slot(rdma_imm(0, 0)), 0);
	assert_int_equal(rdma_imm_seq(rdma_imm(0xffff, 5)), 0xffff);
}

/* Two signaled batches of chunks (2 work requests each) fit in the send
 * queue next to the flush entry, for every tx_depth. */
static void
test_cq_mod_clamp(void **state)
{
	static const uint32_t want[] = { 1, 4, 16, 100, 4096, 8192 };
	uint32_t t, i, c;

	(void)state;
	for (t = 8; t <= 8192; t++) {
		for (i = 0; i < RTE_DIM(want); i++) {
			c = mig_rdma_cq_mod_clamp(want[i], t);
			if (c < 1 || c > want[i] || 2 * 2 * c > t - 1)
				fail_msg("tx_depth %u cq_mod %u: clamped to %u",
					 t, want[i], c);
		}
	}
	/* the defaults: 128 work requests, cq_mod 100 */
	assert_int_equal(mig_rdma_cq_mod_clamp(100, 128), 31);
	assert_int_equal(mig_rdma_cq_mod_clamp(16, 128), 16);
}

/*
 * Credit batching: a batch goes at once, nothing is held back from a
 * source that has no credit left, and a frame of fewer than
 * nslots / RDMA_CREDIT_FRAMES_MAX slots goes only to such a source (so
 * the source's 128 receives hold every frame it has not taken yet).
 */
static void
test_credit_due(void **state)
{
	static const uint32_t nslots[] = { 1, 2, 3, 63, 64, 65, 100, 256,
					   1000, RDMA_SLOTS_MAX };
	uint32_t i, n, g, pend, batch, least;
	unsigned int idle;
	bool due;

	(void)state;
	for (i = 0; i < RTE_DIM(nslots); i++) {
		n = nslots[i];
		batch = n / 4 > 1 ? n / 4 : 1;
		least = (n + RDMA_CREDIT_FRAMES_MAX - 1) / RDMA_CREDIT_FRAMES_MAX;
		for (g = 0; g <= n; g++) {
			for (pend = 0; pend + g <= n; pend++) {
				for (idle = 0; idle <= 1; idle++) {
					due = mig_rdma_credit_due(pend, g, n, idle);
					if (pend == 0 && due)
						fail_msg("%u slots: nothing pending is due", n);
					if (pend > 0 && (g == 0 || pend >= batch) && !due)
						fail_msg("%u slots, %u granted, %u pending: held back",
							 n, g, pend);
					/* idle: all that makes a frame goes back */
					if (idle && pend >= least && !due)
						fail_msg("%u slots, %u granted, %u pending: held back while idle",
							 n, g, pend);
					if (due && g > 0 && pend < least)
						fail_msg("%u slots, %u granted: a frame of %u < %u slots",
							 n, g, pend, least);
				}
			}
		}
	}
	/* window=64: a source with a quarter or less gets every slot back */
	assert_true(mig_rdma_credit_due(1, 16, 64, false));
	assert_false(mig_rdma_credit_due(1, 17, 64, false));
	/* ... and every slot back when the destination is idle */
	assert_true(mig_rdma_credit_due(1, 17, 64, true));
}

/* The generic call: checked, and a no-op for a transport without
 * registration (TCP). */
static void
test_mem_register_generic(void **state)
{
	static uint8_t mem[4096];
	struct mig_xport *xp;

	(void)state;
	xp = mig_xport_open("tcp");
	assert_non_null(xp);
	assert_int_equal(mig_xport_mem_register(xp, mem, sizeof(mem)), 0);
	assert_int_equal(mig_xport_mem_register(xp, mem, 0), -EINVAL);
	expect_msg(mig_err_last(), "empty region");
	assert_int_equal(mig_xport_mem_register(xp, NULL, 16), -EINVAL);
	assert_int_equal(mig_xport_mem_register_pool(xp, NULL), -EINVAL);
	mig_xport_close(xp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_device),
		cmocka_unit_test(test_bad_devargs),
		cmocka_unit_test(test_pdata),
		cmocka_unit_test(test_slots_codec),
		cmocka_unit_test(test_credit_codec),
		cmocka_unit_test(test_imm),
		cmocka_unit_test(test_cq_mod_clamp),
		cmocka_unit_test(test_credit_due),
		cmocka_unit_test(test_mem_register_generic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
