/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * kmod_offload api: /dev/mig_vfio_offload's checks and refusals, with this
 * process as the agent of A (saving) and B (resuming).
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmod_offload.h"
#include "kmod_vfio.h"
#include "mig_fsm.h"
#include "mig_vfio_offload.h"

#define CHUNK (1u << 20)

static int
agent_open(void)
{
	return open(MIG_VFIO_OFFLOAD_DEV_PATH, O_RDWR | O_NONBLOCK);
}

static int
attach(int fd, const char *bdf, uint32_t flags,
       struct mig_vfio_offload_attach *out)
{
	struct mig_vfio_offload_attach at = {
		.argsz = sizeof(at), .flags = flags,
	};

	snprintf(at.bdf, sizeof(at.bdf), "%s", bdf);
	if (ioctl(fd, MIG_VFIO_OFFLOAD_IOC_ATTACH, &at) < 0)
		return -errno;
	if (out != NULL)
		*out = at;
	return 0;
}

/* Next event within @ms, or type 0. */
static struct mig_vfio_offload_event
event(int fd, int ms)
{
	struct mig_vfio_offload_event ev = { .type = 0 };
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) == 1 && read(fd, &ev, sizeof(ev)) != sizeof(ev))
		ev.type = 0;
	return ev;
}

static int
xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static void
api_attach(struct kv_dev *a, int *fd)
{
	struct mig_vfio_offload_attach at = { .argsz = sizeof(at) };
	int fd2 = agent_open(), ret;
	char c[8];

	*fd = agent_open();
	kv_ok(*fd >= 0 && fd2 >= 0, "open %s as root",
	      MIG_VFIO_OFFLOAD_DEV_PATH);
	kv_ok(read(*fd, c, sizeof(c)) < 0 && errno == EINVAL,
	      "read() shorter than an event: EINVAL");
	kv_ok(read(*fd, &at, sizeof(struct mig_vfio_offload_event)) < 0 &&
	      errno == ENOTCONN, "events before ATTACH: ENOTCONN");
	kv_ok(xioctl(*fd, MIG_VFIO_OFFLOAD_IOC_ATTACH, NULL) == -EFAULT,
	      "ATTACH with a NULL argument: EFAULT");
	at.argsz = 8;
	snprintf(at.bdf, sizeof(at.bdf), "%s", a->bdf);
	kv_ok(xioctl(*fd, MIG_VFIO_OFFLOAD_IOC_ATTACH, &at) == -EINVAL,
	      "ATTACH with argsz 8: EINVAL");
	kv_ok(attach(*fd, a->bdf, 0x80, NULL) == -EINVAL,
	      "ATTACH with an unknown flag: EINVAL");
	at.argsz = sizeof(at);
	memset(at.bdf, 'a', sizeof(at.bdf));
	kv_ok(xioctl(*fd, MIG_VFIO_OFFLOAD_IOC_ATTACH, &at) == -EINVAL,
	      "ATTACH with an unterminated bdf: EINVAL");
	kv_ok(attach(*fd, "0000:7f:1f.7", 0, NULL) == -ENODEV,
	      "ATTACH to a missing device: ENODEV");
	kv_ok(attach(*fd, "0000:00:00.0", 0, NULL) == -ENODEV,
	      "ATTACH to a device of another driver: ENODEV");
	ret = attach(*fd, a->bdf, MIG_VFIO_OFFLOAD_F_ENABLE, &at);
	kv_ok(ret == 0 && at.version == MIG_VFIO_OFFLOAD_UAPI_VERSION &&
	      at.vendor == 0x1af4 && at.device == 0x1110 &&
	      at.state_size == a->bar2_size && at.state == MIG_STATE_RUNNING,
	      "ATTACH %s: version %u, %04x:%04x, %llu bytes, state %u (%d)",
	      a->bdf, at.version, at.vendor, at.device,
	      (unsigned long long)at.state_size, at.state, ret);
	kv_ok(attach(*fd, a->bdf, 0, NULL) == -EISCONN,
	      "the same file attached again: EISCONN");
	kv_ok(attach(fd2, a->bdf, 0, NULL) == -EBUSY,
	      "a second agent on the device: EBUSY");
	close(fd2);
}

/*
 * 40 x RUNNING -> STOP -> RUNNING unread: the queue keeps the newest 64
 * events in order, the oldest of them flagged LOST.
 */
static void
api_overflow(struct kv_dev *a, int fd)
{
	struct mig_vfio_offload_event ev, first = { .type = 0 };
	unsigned int i, n = 0, gaps = 0;
	uint64_t last = 0;
	int ret = 0;

	for (i = 0; i < 40 && ret == 0; i++) {
		ret = kv_set_state(a, MIG_STATE_STOP, NULL);
		if (ret == 0)
			ret = kv_set_state(a, MIG_STATE_RUNNING, NULL);
	}
	while ((ev = event(fd, 200)).type) {
		if (n++ == 0)
			first = ev;
		else if (ev.seq != last + 1 || ev.flags)
			gaps++;
		last = ev.seq;
	}
	kv_ok(ret == 0 && n == 64 &&
	      (first.flags & MIG_VFIO_OFFLOAD_EV_F_LOST) && gaps == 0 &&
	      last - first.seq == 63 && first.seq > 1,
	      "events: %u SETs unread, %u kept (seq %llu..%llu), the oldest "
	      "flagged LOST", i * 2, n, (unsigned long long)first.seq,
	      (unsigned long long)last);
}

/* As nobody: opening is refused; an fd opened by root cannot attach. */
static void
api_nonroot(struct kv_dev *a)
{
	int fd = agent_open(), st = -1, code = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(9);
		if (agent_open() >= 0 || errno != EACCES)
			code |= 1;
		if (attach(fd, a->bdf, MIG_VFIO_OFFLOAD_F_ENABLE, NULL) != -EPERM)
			code |= 2;
		_exit(code);
	}
	waitpid(pid, &st, 0);
	close(fd);
	kv_ok(WIFEXITED(st) && (WEXITSTATUS(st) & 1) == 0,
	      "non-root open of the device node: EACCES (status %d)", st);
	kv_ok(WIFEXITED(st) && (WEXITSTATUS(st) & 2) == 0 &&
	      WEXITSTATUS(st) != 9,
	      "non-root ATTACH on a root-opened file: EPERM (status %d)", st);
}

static void
api_save(struct kv_dev *a, int fd)
{
	struct mig_vfio_offload_read rd = { .argsz = sizeof(rd) };
	struct mig_vfio_offload_done dn = { .argsz = sizeof(dn) };
	struct mig_vfio_offload_event e1, e2;
	uint64_t init = 0, dirty = 0, off = 0, tok;
	uint8_t *buf = malloc(CHUNK);
	int sfd = -1, ret;
	char c;

	rd.buf = (uintptr_t)buf;
	rd.len = CHUNK;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd) == -ESRCH,
	      "SAVE_READ without a session: ESRCH");
	ret = kv_set_state(a, MIG_STATE_PRE_COPY, &sfd);
	e1 = event(fd, 1000);
	e2 = event(fd, 1000);
	tok = e1.token;
	kv_ok(ret == 0 && e1.type == MIG_VFIO_OFFLOAD_EV_SAVE && tok &&
	      e2.type == MIG_VFIO_OFFLOAD_EV_STATE &&
	      e2.state == MIG_STATE_PRE_COPY && e2.seq == e1.seq + 1,
	      "RUNNING -> PRE_COPY: events SAVE (token %llx) then STATE "
	      "PRE_COPY", (unsigned long long)tok);
	kv_ok(read(sfd, &c, 1) < 0 && errno == ENOMSG,
	      "offload: the VMM's data fd in PRE_COPY: ENOMSG");
	rd.token = tok + 1;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd) == -ESRCH,
	      "SAVE_READ with another token: ESRCH");
	rd.token = tok;
	rd.len = 0;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd) == -EINVAL,
	      "SAVE_READ of 0 bytes: EINVAL");
	rd.len = CHUNK;
	rd.flags = 1;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd) == -EINVAL,
	      "SAVE_READ with input flags: EINVAL");
	rd.flags = 0;
	rd.buf = 0;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd) == -EFAULT,
	      "SAVE_READ into NULL: EFAULT");
	rd.buf = 0xffff888000000000ULL;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd) == -EFAULT,
	      "SAVE_READ into a kernel address: EFAULT");
	rd.buf = (uintptr_t)buf;
	rd.argsz = 16;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd) == -EINVAL,
	      "SAVE_READ with argsz 16: EINVAL");
	rd.argsz = sizeof(rd);
	ret = xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd);
	if (kv_precopy_info(sfd, &init, &dirty))
		init = 0;
	kv_ok(ret == 0 && rd.bytes == CHUNK && rd.offset == 0 &&
	      !memcmp(buf, "MVPS", 4) && init == rd.initial &&
	      init > 0 && init < a->bar2_size,
	      "SAVE_READ: %u bytes at 0 (the stream), PRECOPY_INFO initial "
	      "%llu = what the agent has not read", rd.bytes,
	      (unsigned long long)init);
	dn.token = tok;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_DONE, &dn) == -EINVAL,
	      "SAVE_DONE(0) before the END record was read: EINVAL");
	off = rd.offset + rd.bytes;
	do {
		rd.flags = 0;	/* in: 0, out: flags */
		ret = xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd);
		off += rd.bytes;
	} while (ret == 0 && rd.bytes);
	kv_ok(ret == 0 && (rd.flags & MIG_VFIO_OFFLOAD_RD_F_AGAIN) &&
	      rd.initial == 0 && rd.dirty == 0 &&
	      kv_precopy_info(sfd, &init, &dirty) == 0 && init == 0 &&
	      dirty == 0,
	      "PRE_COPY: first pass read, SAVE_READ gives AGAIN, "
	      "PRECOPY_INFO 0/0 (%llu bytes)", (unsigned long long)off);
	init = 0x5a5a5a5a;
	ret = kv_bar2_rw(a, 8192, &init, 8, true);
	rd.flags = 0;
	if (ret == 0)
		ret = xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd);
	kv_ok(ret == 0 && rd.offset == off && rd.bytes == 4096 + 24 &&
	      !(rd.flags & MIG_VFIO_OFFLOAD_RD_F_AGAIN),
	      "a page written in PRE_COPY: SAVE_READ gives its record "
	      "(%u bytes at %llu)", rd.bytes, (unsigned long long)rd.offset);
	off += rd.bytes;
	kv_ok(kv_set_state(a, MIG_STATE_STOP_COPY, NULL) == 0,
	      "A PRE_COPY -> STOP_COPY");
	do {
		rd.flags = 0;
		ret = xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd);
		if (ret || rd.offset != off)
			break;
		off += rd.bytes;
	} while (!(rd.flags & MIG_VFIO_OFFLOAD_RD_F_END));
	kv_ok(ret == 0 && (rd.flags & MIG_VFIO_OFFLOAD_RD_F_END) &&
	      rd.initial == 0 && rd.dirty == 0,
	      "SAVE_READ in STOP_COPY: sequential offsets up to END (%llu bytes)",
	      (unsigned long long)off);
	dn.bytes = off - 1;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_DONE, &dn) == -EILSEQ &&
	      read(sfd, &c, 1) < 0 && errno == EILSEQ,
	      "SAVE_DONE with a wrong byte count: EILSEQ, the VMM's read fails");
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_SAVE_DONE, &dn) == -EALREADY,
	      "SAVE_DONE again: EALREADY");
	ret = kv_set_state(a, MIG_STATE_RUNNING, NULL);
	/* PRE_COPY -> PRE_COPY_P2P -> STOP_COPY with P2P. */
	do
		e1 = event(fd, 1000);
	while (e1.type == MIG_VFIO_OFFLOAD_EV_STATE &&
	       e1.state == MIG_STATE_PRE_COPY_P2P);
	kv_ok(ret == 0 && e1.type == MIG_VFIO_OFFLOAD_EV_STATE &&
	      e1.state == MIG_STATE_STOP_COPY,
	      "A back to RUNNING; STATE STOP_COPY was reported (%u %u)",
	      e1.type, e1.state);
	e1 = event(fd, 1000);
	e2 = event(fd, 1000);
	kv_ok(e1.type == MIG_VFIO_OFFLOAD_EV_ABORT && e1.token == tok &&
	      e1.status == -EILSEQ && e2.type == MIG_VFIO_OFFLOAD_EV_STATE &&
	      e2.state == MIG_STATE_STOP,
	      "STOP_COPY -> STOP: ABORT (%d) then STATE STOP", e1.status);
	while (event(fd, 200).type)
		;
	close(sfd);
	free(buf);
}

static void
api_resume(struct kv_dev *b)
{
	struct mig_vfio_offload_write wr = { .argsz = sizeof(wr) };
	struct mig_vfio_offload_begin bg = { .argsz = sizeof(bg) };
	struct mig_vfio_offload_event ev;
	int fd = agent_open(), rfd = -1, ret;
	uint8_t buf[64] = "";

	kv_ok(attach(fd, b->bdf, MIG_VFIO_OFFLOAD_F_ENABLE, NULL) == 0,
	      "ATTACH %s", b->bdf);
	wr.buf = (uintptr_t)buf;
	wr.len = sizeof(buf);
	wr.token = 7;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE, &wr) == -ESRCH,
	      "RESUME_WRITE without a session: ESRCH");
	ret = kv_set_state(b, MIG_STATE_RESUMING, &rfd);
	do
		ev = event(fd, 1000);
	while (ev.type == MIG_VFIO_OFFLOAD_EV_STATE &&
	       ev.state != MIG_STATE_RESUMING);
	kv_ok(ret == 0 && ev.type == MIG_VFIO_OFFLOAD_EV_RESUME,
	      "STOP -> RESUMING: event RESUME");
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE, &wr) == -ESRCH,
	      "RESUME_WRITE before RESUME_BEGIN: ESRCH");
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_BEGIN, &bg) == -EINVAL,
	      "RESUME_BEGIN with token 0: EINVAL");
	bg.token = 7;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_BEGIN, &bg) == 0 &&
	      xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_BEGIN, &bg) == -EALREADY,
	      "RESUME_BEGIN, then again: EALREADY");
	wr.offset = 5;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE, &wr) == -EINVAL,
	      "RESUME_WRITE at offset 5 of 0: EINVAL");
	wr.offset = 0;
	wr.buf = 0;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE, &wr) == -EFAULT,
	      "RESUME_WRITE from NULL: EFAULT");
	wr.buf = (uintptr_t)buf;
	wr.len = 0;
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE, &wr) == -EINVAL,
	      "RESUME_WRITE of 0 bytes: EINVAL");
	wr.len = sizeof(buf);
	kv_ok(xioctl(fd, MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE, &wr) == -EINVAL,
	      "RESUME_WRITE of a stream without a header: EINVAL");
	kv_ok(kv_set_state(b, MIG_STATE_STOP, NULL) != 0,
	      "B RESUMING -> STOP with nothing written fails");
	close(rfd);
	close(fd);
	kv_ok(kv_reset(b) == 0, "reset B");
}

void
cmd_api(struct kv_dev *a, struct kv_dev *b)
{
	int fd;

	api_nonroot(a);
	api_attach(a, &fd);
	api_overflow(a, fd);
	api_save(a, fd);
	close(fd);
	api_resume(b);
}

