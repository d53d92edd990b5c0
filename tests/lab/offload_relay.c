/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * offload_relay: a minimal offload agent for the lab tests. It attaches
 * to a source and a destination device bound to mig_vfio_pci in the same
 * guest (/dev/mig_vfio_offload) and moves every saving session's stream
 * of the source into the destination's resuming session, then reports
 * RESUME_DONE and SAVE_DONE with the digest it computed itself. It serves
 * sessions until killed.
 *
 *   offload_relay SRC DST [knob...]
 *     --die-after N      exit at once after moving N bytes
 *     --die-at-end       exit at once after reading the END record
 *     --corrupt N        flip a bit of stream byte N on its way; report
 *                        success to the source anyway
 *     --bad-digest       RESUME_DONE with a wrong digest; report success
 *                        to the source anyway
 *     --bad-save-digest  SAVE_DONE with a wrong digest
 *     --no-done          never report either DONE
 *     --no-resume-done   report SAVE_DONE (success) but never RESUME_DONE
 *
 * Prints "attached" once both devices are attached, then one line per
 * finished session ("session TOKEN bytes N digest D status S").
 */

/* Its diagnostics start with "# ": they reach the scenario's TAP output
 * as comments (several are expected, in the fault cases). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mig_vfio_offload.h"

#define BUF (1u << 20)
#define END_LEN 48	/* END record header + payload */
#define ST_RESUMING 4	/* VFIO_DEVICE_STATE_RESUMING */

struct knobs {
	long long die_after;
	bool die_at_end;
	long long corrupt;
	bool bad_digest;
	bool bad_save_digest;
	bool no_done;
	bool no_resume_done;
};

struct relay {
	int sfd, dfd;
	uint64_t token;		/* saving session, 0 = none */
	bool resuming;		/* destination in RESUMING */
	bool begun;
	bool finished;		/* this session's DONEs sent */
	int werr;		/* first RESUME_WRITE error */
	uint64_t moved;
	uint8_t *stream;	/* the whole stream, for the digest */
	size_t cap;
};

static uint32_t crc_table[256];

static void
crc_init(void)
{
	uint32_t c, i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* The kernel's crc32_le(~0, p, len): reflected, no final inversion. */
static uint32_t
crc32_le(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

static int
attach(const char *bdf)
{
	struct mig_vfio_offload_attach at = {
		.argsz = sizeof(at),
		.flags = MIG_VFIO_OFFLOAD_F_ENABLE,
	};
	int fd = open(MIG_VFIO_OFFLOAD_DEV_PATH, O_RDWR | O_NONBLOCK);

	if (fd < 0) {
		fprintf(stderr, "# offload_relay: open %s: %s\n",
			MIG_VFIO_OFFLOAD_DEV_PATH, strerror(errno));
		exit(1);
	}
	snprintf(at.bdf, sizeof(at.bdf), "%s", bdf);
	if (ioctl(fd, MIG_VFIO_OFFLOAD_IOC_ATTACH, &at) < 0) {
		fprintf(stderr, "# offload_relay: attach %s: %s\n", bdf,
			strerror(errno));
		exit(1);
	}
	return fd;
}

static void
session_reset(struct relay *r)
{
	r->token = 0;
	r->begun = false;
	r->finished = false;
	r->werr = 0;
	r->moved = 0;
}

static void
events(struct relay *r, int fd, bool src)
{
	struct mig_vfio_offload_event ev;

	while (read(fd, &ev, sizeof(ev)) == (ssize_t)sizeof(ev)) {
		switch (ev.type) {
		case MIG_VFIO_OFFLOAD_EV_SAVE:
			session_reset(r);
			r->token = ev.token;
			break;
		case MIG_VFIO_OFFLOAD_EV_RESUME:
			r->resuming = true;
			r->begun = false;
			break;
		case MIG_VFIO_OFFLOAD_EV_ABORT:
			fprintf(stderr, "# offload_relay: %s session aborted: %d\n",
				src ? "saving" : "resuming", ev.status);
			if (src)
				session_reset(r);
			else
				r->resuming = false;
			break;
		case MIG_VFIO_OFFLOAD_EV_STATE:
			/* RESUMING -> STOP (or reset) ends the resuming side. */
			if (!src && ev.state != ST_RESUMING)
				r->resuming = false;
			break;
		}
	}
}

static void
done(struct relay *r, const struct knobs *k, uint64_t digest)
{
	struct mig_vfio_offload_done d = {
		.argsz = sizeof(d), .token = r->token, .bytes = r->moved,
		.digest = digest ^ (k->bad_digest ? 1 : 0),
		.status = r->werr,
	};
	int rret = 0, sret = 0;

	r->finished = true;
	if (k->no_done)
		return;
	if (!k->no_resume_done &&
	    ioctl(r->dfd, MIG_VFIO_OFFLOAD_IOC_RESUME_DONE, &d) < 0)
		rret = -errno;
	/* The lying knobs report success to the source regardless. */
	d.digest = digest ^ (k->bad_save_digest ? 1 : 0);
	d.status = (k->corrupt >= 0 || k->bad_digest) ? 0 : rret;
	if (ioctl(r->sfd, MIG_VFIO_OFFLOAD_IOC_SAVE_DONE, &d) < 0)
		sret = -errno;
	printf("session %llx bytes %llu digest %llx resume_done %d save_done %d\n",
	       (unsigned long long)r->token, (unsigned long long)r->moved,
	       (unsigned long long)digest, rret, sret);
	fflush(stdout);
}

/* Move what the source has now; true if something moved. */
static bool
pump(struct relay *r, const struct knobs *k, uint8_t *buf)
{
	struct mig_vfio_offload_read rd = {
		.argsz = sizeof(rd), .token = r->token,
		.buf = (uintptr_t)buf, .len = BUF,
	};
	struct mig_vfio_offload_write wr = {
		.argsz = sizeof(wr), .token = r->token, .buf = (uintptr_t)buf,
	};
	uint64_t digest;

	if (ioctl(r->sfd, MIG_VFIO_OFFLOAD_IOC_SAVE_READ, &rd) < 0) {
		if (errno != ESRCH)
			fprintf(stderr, "# offload_relay: SAVE_READ: %s\n",
				strerror(errno));
		session_reset(r);
		return false;
	}
	if (rd.bytes) {
		if (r->moved + rd.bytes > r->cap) {
			r->cap = (r->moved + rd.bytes) * 2;
			r->stream = realloc(r->stream, r->cap);
			if (r->stream == NULL)
				exit(1);
		}
		memcpy(r->stream + r->moved, buf, rd.bytes);
		if (k->corrupt >= 0 && (uint64_t)k->corrupt >= r->moved &&
		    (uint64_t)k->corrupt < r->moved + rd.bytes)
			buf[k->corrupt - r->moved] ^= 0x10;
		wr.offset = r->moved;
		wr.len = rd.bytes;
		if (!r->werr &&
		    ioctl(r->dfd, MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE, &wr) < 0) {
			r->werr = -errno;
			fprintf(stderr, "# offload_relay: RESUME_WRITE at %llu: %s\n",
				(unsigned long long)r->moved, strerror(errno));
		}
		r->moved += rd.bytes;
		if (k->die_after >= 0 && r->moved >= (uint64_t)k->die_after)
			_exit(3);
	}
	if (rd.flags & MIG_VFIO_OFFLOAD_RD_F_END) {
		if (k->die_at_end)
			_exit(4);
		digest = crc32_le(~0u, r->stream, r->moved - END_LEN);
		done(r, k, digest);
	}
	return rd.bytes != 0;
}

static void
parse(int argc, char **argv, struct knobs *k)
{
	int i;

	memset(k, 0, sizeof(*k));
	k->die_after = -1;
	k->corrupt = -1;
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--die-after") && i + 1 < argc)
			k->die_after = atoll(argv[++i]);
		else if (!strcmp(argv[i], "--corrupt") && i + 1 < argc)
			k->corrupt = atoll(argv[++i]);
		else if (!strcmp(argv[i], "--die-at-end"))
			k->die_at_end = true;
		else if (!strcmp(argv[i], "--bad-digest"))
			k->bad_digest = true;
		else if (!strcmp(argv[i], "--bad-save-digest"))
			k->bad_save_digest = true;
		else if (!strcmp(argv[i], "--no-done"))
			k->no_done = true;
		else if (!strcmp(argv[i], "--no-resume-done"))
			k->no_resume_done = true;
		else {
			fprintf(stderr, "# offload_relay: unknown knob '%s'\n",
				argv[i]);
			exit(2);
		}
	}
}

int
main(int argc, char **argv)
{
	struct relay r = { .token = 0 };
	struct mig_vfio_offload_begin bg = { .argsz = sizeof(bg) };
	uint8_t *buf = malloc(BUF);
	struct pollfd pfd[2];
	struct knobs k;
	bool moved;

	if (argc < 3 || buf == NULL) {
		fprintf(stderr, "usage: %s SRC DST [knob...]\n", argv[0]);
		return 2;
	}
	parse(argc, argv, &k);
	crc_init();
	r.sfd = attach(argv[1]);
	r.dfd = attach(argv[2]);
	printf("attached\n");
	fflush(stdout);
	for (;;) {
		events(&r, r.sfd, true);
		events(&r, r.dfd, false);
		if (r.token && r.resuming && !r.begun) {
			bg.token = r.token;
			if (ioctl(r.dfd, MIG_VFIO_OFFLOAD_IOC_RESUME_BEGIN,
				  &bg) == 0)
				r.begun = true;
			else
				fprintf(stderr, "# offload_relay: RESUME_BEGIN: %s\n",
					strerror(errno));
		}
		moved = false;
		if (r.token && r.begun && !r.finished)
			moved = pump(&r, &k, buf);
		if (moved)
			continue;
		/* No readiness for new dirty data: poll events, look again. */
		pfd[0] = (struct pollfd){ .fd = r.sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = r.dfd, .events = POLLIN };
		if (poll(pfd, 2, 5) < 0 && errno != EINTR)
			return 1;
		if ((pfd[0].revents | pfd[1].revents) & (POLLHUP | POLLERR))
			return 0;
	}
}
