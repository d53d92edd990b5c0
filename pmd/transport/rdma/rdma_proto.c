/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * RDMA transport codecs: connect private data, SLOTS and CREDIT frames;
 * the signaling and credit batching rules.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "mig_log.h"
#include "rdma_proto.h"

void
mig_rdma_pdata_encode(struct rdma_pdata_le *out, const struct rdma_pdata *in)
{
	memset(out, 0, sizeof(*out));
	out->magic = rte_cpu_to_le_32(RDMA_PDATA_MAGIC);
	out->version = RDMA_PROTO_VERSION;
	out->qp = rte_cpu_to_le_16(in->qp);
	out->qps = rte_cpu_to_le_16(in->qps);
	out->reason = rte_cpu_to_le_32(in->reason);
	out->session = rte_cpu_to_le_64(in->session);
}

int
mig_rdma_pdata_decode(const void *buf, size_t len, struct rdma_pdata *out)
{
	struct rdma_pdata_le p;

	if (buf == NULL || len < sizeof(p)) {
		mig_err_set(mig_rdma_logtype,
			    "rdma: connection private data of %zu bytes (expected %zu)",
			    buf == NULL ? 0 : len, sizeof(p));
		return -EPROTO;
	}
	memcpy(&p, buf, sizeof(p));
	if (rte_le_to_cpu_32(p.magic) != RDMA_PDATA_MAGIC) {
		mig_err_set(mig_rdma_logtype,
			    "rdma: connection private data: bad magic 0x%08x (not a dpdk-migrate peer)",
			    rte_le_to_cpu_32(p.magic));
		return -EPROTO;
	}
	if (p.version != RDMA_PROTO_VERSION) {
		mig_err_set(mig_rdma_logtype,
			    "rdma: peer speaks transport version %u, this side %u",
			    p.version, RDMA_PROTO_VERSION);
		return -EPROTO;
	}
	out->qp = rte_le_to_cpu_16(p.qp);
	out->qps = rte_le_to_cpu_16(p.qps);
	out->reason = rte_le_to_cpu_32(p.reason);
	out->session = rte_le_to_cpu_64(p.session);
	return 0;
}

int
mig_rdma_slots_encode(void *buf, size_t size, const struct rdma_slots *s,
		      const struct rdma_slot_desc *e)
{
	uint8_t body[RDMA_BODY_MAX];
	struct rdma_slots_le h;
	struct rdma_slot_le d;
	uint32_t i, len;

	if (s->count == 0 || s->count > RDMA_SLOTS_PER_FRAME)
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	h.first = rte_cpu_to_le_32(s->first);
	h.count = rte_cpu_to_le_32(s->count);
	h.total = rte_cpu_to_le_32(s->total);
	h.slot_size = rte_cpu_to_le_32(s->slot_size);
	h.hdr_addr = rte_cpu_to_le_64(s->hdr_addr);
	h.hdr_rkey = rte_cpu_to_le_32(s->hdr_rkey);
	h.flags = rte_cpu_to_le_32(s->flags);
	memcpy(body, &h, sizeof(h));
	len = sizeof(h);
	for (i = 0; i < s->count; i++) {
		memset(&d, 0, sizeof(d));
		d.addr = rte_cpu_to_le_64(e[i].addr);
		d.rkey = rte_cpu_to_le_32(e[i].rkey);
		memcpy(body + len, &d, sizeof(d));
		len += sizeof(d);
	}
	return mig_wire_encode_raw(buf, size, RDMA_T_SLOTS,
				   MIG_WIRE_F_OPTIONAL, body, len);
}

int
mig_rdma_slots_decode(const void *body, uint32_t len, struct rdma_slots *s,
		      struct rdma_slot_desc *e)
{
	const uint8_t *b = body;
	struct rdma_slots_le h;
	struct rdma_slot_le d;
	uint32_t i;

	if (len < sizeof(h))
		goto bad;
	memcpy(&h, b, sizeof(h));
	s->first = rte_le_to_cpu_32(h.first);
	s->count = rte_le_to_cpu_32(h.count);
	s->total = rte_le_to_cpu_32(h.total);
	s->slot_size = rte_le_to_cpu_32(h.slot_size);
	s->hdr_addr = rte_le_to_cpu_64(h.hdr_addr);
	s->hdr_rkey = rte_le_to_cpu_32(h.hdr_rkey);
	s->flags = rte_le_to_cpu_32(h.flags);
	if ((s->flags & ~RDMA_SLOTS_F_ALL) != 0 || s->count == 0 || s->count > RDMA_SLOTS_PER_FRAME ||
	    len != sizeof(h) + s->count * sizeof(d) || s->total == 0 ||
	    s->total > RDMA_SLOTS_MAX || s->first >= s->total ||
	    s->count > s->total - s->first || s->slot_size == 0 ||
	    s->slot_size > MIG_WIRE_CHUNK_MAX)
		goto bad;
	for (i = 0; i < s->count; i++) {
		memcpy(&d, b + sizeof(h) + i * sizeof(d), sizeof(d));
		e[i].addr = rte_le_to_cpu_64(d.addr);
		e[i].rkey = rte_le_to_cpu_32(d.rkey);
	}
	return 0;
bad:
	mig_err_set(mig_rdma_logtype,
		    "rdma: malformed SLOTS frame (%u bytes: slots %u+%u of %u, slot size %u)",
		    len, len >= sizeof(h) ? s->first : 0,
		    len >= sizeof(h) ? s->count : 0,
		    len >= sizeof(h) ? s->total : 0,
		    len >= sizeof(h) ? s->slot_size : 0);
	return -EPROTO;
}

int
mig_rdma_credit_encode(void *buf, size_t size, const struct rdma_credit *c,
		       uint32_t n)
{
	uint8_t body[RDMA_BODY_MAX];
	struct rdma_credit_le e;
	rte_le32_t cnt;
	uint32_t i;

	if (n == 0 || n > RDMA_CREDITS_PER_FRAME)
		return -EINVAL;
	cnt = rte_cpu_to_le_32(n);
	memcpy(body, &cnt, sizeof(cnt));
	for (i = 0; i < n; i++) {
		e.slot = rte_cpu_to_le_16(c[i].slot);
		e.reserved = 0;
		e.rkey = rte_cpu_to_le_32(c[i].rkey);
		memcpy(body + 4 + sizeof(e) * i, &e, sizeof(e));
	}
	return mig_wire_encode_raw(buf, size, RDMA_T_CREDIT,
				   MIG_WIRE_F_OPTIONAL, body,
				   4 + (uint32_t)sizeof(e) * n);
}

int
mig_rdma_credit_decode(const void *body, uint32_t len, struct rdma_credit *c)
{
	const uint8_t *b = body;
	struct rdma_credit_le e;
	rte_le32_t cnt;
	uint32_t i, n = 0;

	if (len >= sizeof(cnt)) {
		memcpy(&cnt, b, sizeof(cnt));
		n = rte_le_to_cpu_32(cnt);
	}
	if (len < sizeof(cnt) || n == 0 || n > RDMA_CREDITS_PER_FRAME ||
	    len != 4 + sizeof(e) * n)
		goto bad;
	for (i = 0; i < n; i++) {
		memcpy(&e, b + 4 + sizeof(e) * i, sizeof(e));
		if (e.reserved != 0)
			goto bad;
		c[i].slot = rte_le_to_cpu_16(e.slot);
		c[i].rkey = rte_le_to_cpu_32(e.rkey);
	}
	return (int)n;
bad:
	mig_err_set(mig_rdma_logtype,
		    "rdma: malformed CREDIT frame (%u bytes, %u credits)", len,
		    n);
	return -EPROTO;
}

uint32_t
mig_rdma_cq_mod_clamp(uint32_t cq_mod, uint32_t tx_depth)
{
	uint32_t max = tx_depth > 4 ? (tx_depth - 1) / 4 : 1;

	return RTE_MAX(RTE_MIN(cq_mod, max), 1u);
}

bool
mig_rdma_credit_due(uint32_t npending, uint32_t granted, uint32_t nslots,
		    bool idle)
{
	uint32_t batch = RTE_MAX(nslots / 4, 1u);
	uint32_t least = RTE_MAX((nslots + RDMA_CREDIT_FRAMES_MAX - 1) /
				 RDMA_CREDIT_FRAMES_MAX, 1u);

	if (npending == 0)
		return false;
	if (npending >= batch || granted == 0)
		return true;
	return (granted <= batch || idle) && npending >= least;
}
