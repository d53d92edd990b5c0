/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * kmod_test precopy2: VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 and
 * VFIO_PRECOPY_INFO_REINIT on mig_vfio_pci (kernel/mvp_precopy.c).
 *
 * on:  the opt-in (PROBE, SET; GET refused); without it the info's flags
 *      stay 0 whatever the caller passed and a reconfiguration (a write
 *      to A's IntrMask in PRE_COPY) restarts nothing; with it, after the
 *      first pass was read, the reconfiguration gives REINIT once with
 *      initial_bytes = the whole image again, exactly that many bytes
 *      are read before the next temporary end, and the migration through
 *      it gives B A's BAR2 and the new IntrMask; the opt-in ends with the
 *      device's close.
 * off: precopy_v2=0: the feature is ENOTTY, as on a 6.12 core, and a
 *      reconfiguration changes nothing.
 * nopre: pre_copy=0: SET is EINVAL (no PRE_COPY to report on).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kmod_vfio.h"
#include "mig_fsm.h"

#define PC_FEATURE_V2 12		/* VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 */
#define PC_REINIT 1u			/* VFIO_PRECOPY_INFO_REINIT */
#define PC_STREAM_HDR 32u		/* kernel/mvp_stream.h */
#define PC_BUF (1u << 20)

/* PRECOPY_INFO with every input flag set: v1 drivers echo them. */
static int
pc_info(int sfd, uint32_t *flags, uint64_t *initial, uint64_t *dirty)
{
	struct vfio_precopy_info info = {
		.argsz = sizeof(info), .flags = ~0u,
	};

	if (ioctl(sfd, VFIO_MIG_GET_PRECOPY_INFO, &info) < 0)
		return -errno;
	*flags = info.flags;
	*initial = info.initial_bytes;
	*dirty = info.dirty_bytes;
	return 0;
}

/*
 * Read the saving fd into the resuming fd (if >= 0) until the temporary
 * end (ENOMSG) or, with @eof, the end (0). Returns bytes or -errno.
 */
static int64_t
pc_pump(int sfd, int rfd, bool eof)
{
	uint8_t *buf = malloc(PC_BUF);
	int64_t total = 0;
	ssize_t n, w, off;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		n = read(sfd, buf, PC_BUF);
		if (n < 0 && errno == ENOMSG && !eof)
			break;
		if (n < 0) {
			total = -errno;
			break;
		}
		if (n == 0)
			break;
		for (off = 0; rfd >= 0 && off < n; off += w) {
			w = write(rfd, buf + off, (size_t)(n - off));
			if (w < 0) {
				free(buf);
				return -errno;
			}
		}
		total += n;
	}
	free(buf);
	return total;
}

static int
pc_fill(struct kv_dev *d, uint32_t seed)
{
	uint32_t *buf = malloc(PC_BUF);
	uint64_t off;
	unsigned int i;
	int ret = 0;

	if (buf == NULL)
		return -ENOMEM;
	for (off = 0; off < d->bar2_size && ret == 0; off += PC_BUF) {
		for (i = 0; i < PC_BUF / 4; i++)
			buf[i] = seed * 2654435761u ^ (uint32_t)(off / 4 + i);
		ret = kv_bar2_rw(d, off, buf, PC_BUF, true);
	}
	free(buf);
	return ret;
}

/* 0: equal BAR2s, 1: different, <0: error. */
static int
pc_same(struct kv_dev *a, struct kv_dev *b)
{
	uint8_t *x = malloc(PC_BUF), *y = malloc(PC_BUF);
	uint64_t off;
	int ret = 0;

	if (x == NULL || y == NULL)
		ret = -ENOMEM;
	for (off = 0; off < a->bar2_size && ret == 0; off += PC_BUF) {
		ret = kv_bar2_rw(a, off, x, PC_BUF, false);
		if (ret == 0)
			ret = kv_bar2_rw(b, off, y, PC_BUF, false);
		if (ret == 0 && memcmp(x, y, PC_BUF) != 0)
			ret = 1;
	}
	free(x);
	free(y);
	return ret;
}

static int
pc_opt_in(struct kv_dev *d, uint32_t op)
{
	return kv_feature(d, op | PC_FEATURE_V2, NULL, 0);
}

/*
 * One PRE_COPY session on A: first pass read (into nothing), then a write
 * to IntrMask; returns the info's flags after it (and initial_bytes).
 */
static int
pc_reconfig_flags(struct kv_dev *a, uint32_t *flags, uint64_t *initial)
{
	uint64_t dirty;
	uint32_t mask = 1;
	int sfd = -1, ret;

	ret = kv_set_state(a, MIG_STATE_PRE_COPY, &sfd);
	if (ret == 0)
		ret = pc_pump(sfd, -1, false) < 0 ? -EIO : 0;
	if (ret == 0)
		ret = kv_bar0_rw32(a, 0, &mask, true);
	if (ret == 0)
		ret = pc_info(sfd, flags, initial, &dirty);
	if (sfd >= 0)
		close(sfd);
	if (kv_set_state(a, MIG_STATE_RUNNING, NULL) != 0 && ret == 0)
		ret = -EIO;
	return ret;
}

static void
pc_off(struct kv_dev *a)
{
	uint64_t initial = 1;
	uint32_t flags = ~0u;
	int ret;

	kv_ok(pc_opt_in(a, VFIO_DEVICE_FEATURE_PROBE |
			VFIO_DEVICE_FEATURE_SET) == -ENOTTY,
	      "precopy_v2=0: PROBE of PRECOPY_INFOv2 gives ENOTTY");
	kv_ok(pc_opt_in(a, VFIO_DEVICE_FEATURE_SET) == -ENOTTY,
	      "precopy_v2=0: SET of PRECOPY_INFOv2 gives ENOTTY");
	ret = pc_reconfig_flags(a, &flags, &initial);
	kv_ok(ret == 0 && flags == 0 && initial == 0,
	      "precopy_v2=0: IntrMask written after the first pass: flags 0, "
	      "initial 0 (%d, flags 0x%x, initial %llu)", ret, flags,
	      (unsigned long long)initial);
}

/* The migration through a REINIT: B gets A's BAR2 and new IntrMask. */
static void
pc_migrate(struct kv_dev *a, struct kv_dev *b)
{
	uint64_t i0 = 0, initial = 0, dirty = 1, state_init;
	uint32_t flags = ~0u, mask = 0x5a, got = 0;
	int sfd = -1, rfd = -1, ret;
	int64_t n;

	kv_ok(pc_fill(a, 11) == 0 && pc_fill(b, 12) == 0 &&
	      kv_bar0_rw32(a, 0, &got, true) == 0, "fill A and B, A's IntrMask 0");
	kv_ok(kv_set_state(b, MIG_STATE_RESUMING, &rfd) == 0,
	      "B RUNNING -> RESUMING");
	ret = kv_set_state(a, MIG_STATE_PRE_COPY, &sfd);
	kv_ok(ret == 0, "A RUNNING -> PRE_COPY (%d)", ret);
	ret = pc_info(sfd, &flags, &i0, &dirty);
	kv_ok(ret == 0 && flags == 0 && i0 > a->bar2_size && dirty == 0,
	      "info at the start: flags 0, initial %llu > BAR2, dirty 0",
	      (unsigned long long)i0);
	n = pc_pump(sfd, rfd, false);
	kv_ok(n == (int64_t)i0, "first pass: %lld bytes read up to ENOMSG, "
	      "as initial_bytes said", (long long)n);
	ret = pc_info(sfd, &flags, &initial, &dirty);
	kv_ok(ret == 0 && flags == 0 && initial == 0 && dirty == 0,
	      "info after the first pass: 0, 0, flags 0");
	kv_ok(kv_bar0_rw32(a, 0, &mask, true) == 0,
	      "reconfigure A: IntrMask = 0x%x in PRE_COPY", mask);
	ret = pc_info(sfd, &flags, &initial, &dirty);
	state_init = i0 - PC_STREAM_HDR;
	kv_ok(ret == 0 && flags == PC_REINIT && initial == state_init &&
	      dirty == 0, "info: REINIT, initial %llu = the whole image "
	      "again (%llu), dirty 0 (flags 0x%x)",
	      (unsigned long long)initial, (unsigned long long)state_init,
	      flags);
	ret = pc_info(sfd, &flags, &initial, &dirty);
	kv_ok(ret == 0 && flags == 0 && initial == state_init,
	      "info again: REINIT reported once, initial unchanged");
	n = pc_pump(sfd, rfd, false);
	kv_ok(n == (int64_t)state_init,
	      "new first pass: %lld bytes read up to ENOMSG", (long long)n);
	ret = kv_set_state(a, MIG_STATE_STOP_COPY, NULL);
	kv_ok(ret == 0, "A PRE_COPY -> STOP_COPY (%d)", ret);
	n = pc_pump(sfd, rfd, true);
	kv_ok(n > 0, "STOP_COPY: the rest, %lld bytes, to the end",
	      (long long)n);
	ret = kv_set_state(b, MIG_STATE_STOP, NULL);
	kv_ok(ret == 0, "B RESUMING -> STOP accepts the stream (%d)", ret);
	kv_ok(kv_set_state(a, MIG_STATE_RUNNING, NULL) == 0 &&
	      kv_set_state(b, MIG_STATE_RUNNING, NULL) == 0,
	      "A and B -> RUNNING");
	kv_ok(pc_same(a, b) == 0, "B's BAR2 equals A's");
	ret = kv_bar0_rw32(b, 0, &got, false);
	kv_ok(ret == 0 && got == mask, "B's IntrMask is A's new one (0x%x)",
	      got);
	if (sfd >= 0)
		close(sfd);
	if (rfd >= 0)
		close(rfd);
}

static void
pc_on(struct kv_dev *a, struct kv_dev *b)
{
	uint64_t initial = 1;
	uint32_t flags = ~0u;
	char bdf[sizeof(a->bdf)];
	int ret;

	ret = pc_reconfig_flags(a, &flags, &initial);
	kv_ok(ret == 0 && flags == 0 && initial == 0,
	      "not opted in: IntrMask written after the first pass: flags 0 "
	      "(input ~0), initial 0 (%d, flags 0x%x)", ret, flags);
	kv_ok(pc_opt_in(a, VFIO_DEVICE_FEATURE_PROBE |
			VFIO_DEVICE_FEATURE_SET) == 0,
	      "PROBE of PRECOPY_INFOv2 (SET) succeeds");
	kv_ok(pc_opt_in(a, VFIO_DEVICE_FEATURE_GET) == -EINVAL,
	      "GET of PRECOPY_INFOv2: EINVAL");
	kv_ok(pc_opt_in(a, VFIO_DEVICE_FEATURE_SET) == 0,
	      "SET of PRECOPY_INFOv2 (opt in)");
	pc_migrate(a, b);
	/* the opt-in ends with the close */
	snprintf(bdf, sizeof(bdf), "%s", a->bdf);
	kv_close(a);
	ret = kv_open(a, bdf);
	kv_ok(ret == 0, "A closed and opened again (%d)", ret);
	if (ret != 0)
		return;
	flags = ~0u;
	ret = pc_reconfig_flags(a, &flags, &initial);
	kv_ok(ret == 0 && flags == 0 && initial == 0,
	      "after the close, not opted in any more: flags 0 (%d, 0x%x)",
	      ret, flags);
}

void
cmd_precopy2(struct kv_dev *a, struct kv_dev *b, const char *mode)
{
	if (strcmp(mode, "on") == 0)
		pc_on(a, b);
	else if (strcmp(mode, "off") == 0)
		pc_off(a);
	else if (strcmp(mode, "nopre") == 0)
		kv_ok(pc_opt_in(a, VFIO_DEVICE_FEATURE_SET) == -EINVAL,
		      "pre_copy=0: SET of PRECOPY_INFOv2 gives EINVAL");
	else
		kv_ok(false, "precopy2: unknown mode '%s'", mode);
}
