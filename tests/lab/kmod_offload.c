/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * kmod_offload: offload mode of mig_vfio_pci in the lab guest. It plays
 * the VMM of both devices (their VFIO arcs and data fds, as kmod_test
 * does) while offload_relay, a separate process, is the agent; prints TAP
 * (unnumbered, plan last).
 *
 *   kmod_offload api A B           the bulk-state interface and its
 *                                  refusals (kmod_offload_api.c)
 *   kmod_offload relay A B RELAY   A's state into B through RELAY
 *   kmod_offload faults A B RELAY  RELAY dying, corrupting, lying, silent
 *   kmod_offload inband A B        no agent: the data fds carry the state
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kmod_offload.h"
#include "kmod_vfio.h"
#include "mig_fsm.h"

#define CHUNK (1u << 20)
#define OFF_STREAM_LEN 152	/* header, OFFLOAD record, END */
#define TIMEOUT_MS 2000		/* offload_timeout_ms for the silent cases */

static const char *g_relay;

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
fill(struct kv_dev *d, uint64_t seed)
{
	uint64_t *buf = malloc(CHUNK);
	uint64_t off, i;
	int ret = 0;

	if (buf == NULL)
		return -ENOMEM;
	for (off = 0; off < d->bar2_size && ret == 0; off += CHUNK) {
		for (i = 0; i < CHUNK / 8; i++)
			buf[i] = seed ? rnd(&seed) : 0xeeeeeeeeeeeeeeeeULL;
		ret = kv_bar2_rw(d, off, buf, CHUNK, true);
	}
	free(buf);
	return ret;
}

static bool
equal(struct kv_dev *a, struct kv_dev *b)
{
	uint8_t *x = malloc(CHUNK), *y = malloc(CHUNK);
	bool eq = x != NULL && y != NULL;
	uint64_t off;

	for (off = 0; eq && off < a->bar2_size; off += CHUNK)
		eq = kv_bar2_rw(a, off, x, CHUNK, false) == 0 &&
		     kv_bar2_rw(b, off, y, CHUNK, false) == 0 &&
		     memcmp(x, y, CHUNK) == 0;
	free(x);
	free(y);
	return eq;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct relay {
	pid_t pid;
	FILE *out;	/* its stdout */
};

/* Start RELAY A B KNOBS...; pid -1 unless it has attached. */
static struct relay
relay_start(const char *a, const char *b, const char *k1, const char *k2)
{
	struct relay r = { .pid = -1 };
	char line[64] = "";
	int p[2], st;
	FILE *f;
	pid_t pid;

	if (pipe(p) < 0)
		return r;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execl(g_relay, g_relay, a, b, k1, k2, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (pid < 0 || f == NULL || fgets(line, sizeof(line), f) == NULL ||
	    strcmp(line, "attached\n") != 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		if (f != NULL)
			fclose(f);
		return r;
	}
	r.pid = pid;
	r.out = f;
	return r;
}

/* Stop it (SIGKILL: an agent can die at any point). */
static void
relay_stop(struct relay *r)
{
	int st = 0;

	kill(r->pid, SIGKILL);
	waitpid(r->pid, &st, 0);
	fclose(r->out);
}

static bool
relay_exited(struct relay *r, int code)
{
	int st = 0;
	bool ok;

	ok = waitpid(r->pid, &st, 0) == r->pid && WIFEXITED(st) &&
	     WEXITSTATUS(st) == code;
	fclose(r->out);
	return ok;
}

/*
 * A process that kills the relay 300 ms after it printed its session
 * line (SAVE_DONE given): the destination is waiting for RESUME_DONE.
 */
static pid_t
relay_killer(struct relay *r)
{
	char line[256];
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	while (fgets(line, sizeof(line), r->out) != NULL)
		if (strncmp(line, "session ", 8) == 0) {
			usleep(300000);
			kill(r->pid, SIGKILL);
			break;
		}
	_exit(0);
}

/* ---- one migration of A into B, driven as a VMM drives it ---- */

struct arc {
	int pre_err;		/* PRE_COPY data fd error (not ENOMSG) */
	bool drained;		/* PRE_COPY info reached 0/0 */
	int stop_copy_err;	/* STOP_COPY data fd: 0 = ended with read() 0 */
	size_t len;		/* bytes the data fd gave */
	uint8_t rec[4096];
	double wait_s;		/* STOP_COPY: time until the end */
	int b_stop;		/* B RESUMING -> STOP */
};

static void
vmm_migrate(struct kv_dev *a, struct kv_dev *b, bool precopy, struct arc *r)
{
	uint64_t init = 1, dirty = 1;
	int sfd = -1, rfd = -1;
	double t0;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->b_stop = kv_set_state(b, MIG_STATE_RESUMING, &rfd);
	if (r->b_stop)
		return;
	r->b_stop = -EINPROGRESS;
	if (precopy) {
		if (kv_set_state(a, MIG_STATE_PRE_COPY, &sfd))
			goto out;
		for (t0 = now(); now() - t0 < 30;) {
			n = read(sfd, r->rec, sizeof(r->rec));
			if (n < 0 && errno != ENOMSG) {
				r->pre_err = -errno;
				goto out;
			}
			if (n > 0) {	/* not offload: carry it */
				r->len += n;
				if (write(rfd, r->rec, n) != n)
					goto out;
			}
			if (kv_precopy_info(sfd, &init, &dirty) == 0 &&
			    init == 0 && dirty == 0) {
				r->drained = true;
				break;
			}
			usleep(n > 0 ? 0 : 20000);
		}
		if (kv_set_state(a, MIG_STATE_STOP_COPY, NULL))
			goto out;
	} else if (kv_set_state(a, MIG_STATE_STOP_COPY, &sfd)) {
		goto out;
	}
	t0 = now();
	for (;;) {
		n = read(sfd, r->rec, sizeof(r->rec));
		if (n <= 0)
			break;
		r->len += n;
		if (write(rfd, r->rec, n) != n) {
			n = -1;
			break;
		}
	}
	r->wait_s = now() - t0;
	r->stop_copy_err = n < 0 ? -errno : 0;
	if (n == 0)
		r->b_stop = kv_set_state(b, MIG_STATE_STOP, NULL);
out:
	if (sfd >= 0)
		close(sfd);
	close(rfd);
}

/* After any arc: A RUNNING and writable, B RUNNING (reset if stuck). */
static void
recover(struct kv_dev *a, struct kv_dev *b, const char *what)
{
	uint32_t sa = 0, sb = 0, v = 0;
	int ra, rb;

	ra = kv_set_state(a, MIG_STATE_RUNNING, NULL);
	rb = kv_set_state(b, MIG_STATE_RUNNING, NULL);
	if (rb)
		rb = kv_reset(b);
	kv_ok(ra == 0 && kv_get_state(a, &sa) == 0 &&
	      sa == MIG_STATE_RUNNING && kv_bar2_rw(a, 0, &v, 4, false) == 0 &&
	      kv_bar2_rw(a, 0, &v, 4, true) == 0,
	      "%s: A back to RUNNING and writable (%d)", what, ra);
	kv_ok(rb == 0 && kv_get_state(b, &sb) == 0 && sb == MIG_STATE_RUNNING,
	      "%s: B back to RUNNING (%d)", what, rb);
}

/* The offload stream of the VMM's data fd: header flag, tag 4, END. */
static bool
is_offload_record(const struct arc *r)
{
	uint32_t magic, flags;
	uint16_t tag;

	if (r->len != OFF_STREAM_LEN)
		return false;
	memcpy(&magic, r->rec, 4);
	memcpy(&flags, r->rec + 24, 4);
	memcpy(&tag, r->rec + 32, 2);
	return magic == 0x5350564d && (flags & 2) && tag == 4;
}

/* ---- relay: A's state into B, checked ---- */

static void
cmd_relay(struct kv_dev *a, struct kv_dev *b)
{
	struct relay rl;
	struct arc r;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		bool pre = pass == 0 && (a->caps & (1 << 2));

		kv_ok(fill(a, 0x5eed + pass) == 0 && fill(b, 0) == 0,
		      "A filled (seed %d), B with 0xee", 0x5eed + pass);
		rl = relay_start(a->bdf, b->bdf, NULL, NULL);
		kv_ok(rl.pid > 0, "offload_relay attached to A and B");
		vmm_migrate(a, b, pre, &r);
		kv_ok(!pre || r.drained, "%s: PRECOPY_INFO fell to 0/0 as the "
		      "relay read", pre ? "PRE_COPY" : "STOP_COPY");
		kv_ok(r.stop_copy_err == 0 && is_offload_record(&r),
		      "the VMM's data fd carried only the offload record "
		      "(%zu bytes, %d)", r.len, r.stop_copy_err);
		kv_ok(r.b_stop == 0, "B RESUMING -> STOP accepts it (%d)",
		      r.b_stop);
		kv_ok(equal(a, b), "B's BAR2 equals A's (%llu bytes)",
		      (unsigned long long)a->bar2_size);
		recover(a, b, "after the migration");
		if (rl.pid > 0)
			relay_stop(&rl);
	}
}

/* ---- faults ---- */

/*
 * One migration with the relay's knobs @k1 @k2: @code its exit status
 * (-1: killed afterwards, -2: killed while B waits for RESUME_DONE),
 * @want_src the VMM's read error on A (0: the record comes),
 * @want_b what B's RESUMING -> STOP gives (-EINPROGRESS: never tried).
 */
static void
fault_case(struct kv_dev *a, struct kv_dev *b, const char *what,
	   const char *k1, const char *k2, int code, int want_src,
	   int want_b)
{
	pid_t killer = -1;
	struct relay rl;
	struct arc r;
	int st;

	fill(a, 0xbad);
	fill(b, 0);
	rl = relay_start(a->bdf, b->bdf, k1, k2);
	if (rl.pid < 0) {
		kv_ok(false, "%s: relay started", what);
		return;
	}
	if (code == -2)
		killer = relay_killer(&rl);
	vmm_migrate(a, b, (a->caps & (1 << 2)) != 0, &r);
	if (killer > 0)
		waitpid(killer, &st, 0);
	if (want_src)
		kv_ok(r.pre_err == want_src || r.stop_copy_err == want_src,
		      "%s: the VMM's read fails with %s (%d/%d, after %.1f s)",
		      what, strerror(-want_src), r.pre_err, r.stop_copy_err,
		      r.wait_s);
	else
		kv_ok(r.stop_copy_err == 0 && is_offload_record(&r),
		      "%s: the source's data fd gave the offload record", what);
	if (want_b == -EINPROGRESS)
		kv_ok(r.b_stop == -EINPROGRESS,
		      "%s: B never got to RESUMING -> STOP", what);
	else
		kv_ok(r.b_stop == want_b,
		      "%s: B RESUMING -> STOP fails with %s (%d)", what,
		      strerror(-want_b), r.b_stop);
	if (code >= 0)
		kv_ok(relay_exited(&rl, code), "%s: the relay died as asked",
		      what);
	else
		relay_stop(&rl);
	recover(a, b, what);
}

static int
set_timeout(unsigned int ms)
{
	FILE *f = fopen("/sys/module/mig_vfio_pci/parameters/offload_timeout_ms",
			"w");
	int ret;

	if (f == NULL)
		return -errno;
	ret = fprintf(f, "%u\n", ms) > 0 ? 0 : -EIO;
	return fclose(f) == 0 ? ret : -errno;
}

static void
cmd_faults(struct kv_dev *a, struct kv_dev *b)
{
	char mid[32];

	snprintf(mid, sizeof(mid), "%llu",
		 (unsigned long long)a->bar2_size / 3);
	fault_case(a, b, "relay dies mid-transfer", "--die-after", mid, 3,
		   -ECONNRESET, -EINPROGRESS);
	fault_case(a, b, "relay dies after END, before SAVE_DONE",
		   "--die-at-end", NULL, 4, -ECONNRESET, -EINPROGRESS);
	fault_case(a, b, "relay killed while B waits for RESUME_DONE",
		   "--no-resume-done", NULL, -2, 0, -ECONNRESET);
	fault_case(a, b, "a corrupted byte on the way", "--corrupt", "100000",
		   -1, 0, -EILSEQ);
	fault_case(a, b, "RESUME_DONE with a wrong digest", "--bad-digest",
		   NULL, -1, 0, -EILSEQ);
	fault_case(a, b, "SAVE_DONE with a wrong digest", "--bad-save-digest",
		   NULL, -1, -EILSEQ, -EINPROGRESS);
	kv_ok(set_timeout(TIMEOUT_MS) == 0, "offload_timeout_ms=%d",
	      TIMEOUT_MS);
	fault_case(a, b, "relay never reports", "--no-done", NULL, -1,
		   -ETIMEDOUT, -EINPROGRESS);
	fault_case(a, b, "relay never reports RESUME_DONE",
		   "--no-resume-done", NULL, -1, 0, -ETIMEDOUT);
	kv_ok(set_timeout(30000) == 0, "offload_timeout_ms=30000");
}

/* ---- no agent ---- */

static void
cmd_inband(struct kv_dev *a, struct kv_dev *b)
{
	struct arc r;

	kv_ok(fill(a, 0x1b) == 0 && fill(b, 0) == 0, "A filled, B with 0xee");
	vmm_migrate(a, b, (a->caps & (1 << 2)) != 0, &r);
	kv_ok(r.stop_copy_err == 0 && r.len > a->bar2_size,
	      "no agent: the data fd carried the whole state (%zu bytes)",
	      r.len);
	kv_ok(r.b_stop == 0 && equal(a, b),
	      "B RESUMING -> STOP, B's BAR2 equals A's (%d)", r.b_stop);
	recover(a, b, "in-band");
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	struct kv_dev a, b;
	int ret;

	if (argc < 4 || ((!strcmp(cmd, "relay") || !strcmp(cmd, "faults")) &&
			 argc < 5)) {
		fprintf(stderr, "usage: %s api|inband A B | relay|faults A B "
			"RELAY\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	g_relay = argc > 4 ? argv[4] : NULL;
	ret = kv_open(&a, argv[2]);
	kv_ok(ret == 0, "open %s: %s", argv[2], strerror(-ret));
	if (ret == 0) {
		ret = kv_open(&b, argv[3]);
		kv_ok(ret == 0 && b.bar2_size == a.bar2_size,
		      "open %s: %s", argv[3], strerror(-ret));
	}
	if (ret == 0) {
		if (!strcmp(cmd, "api"))
			cmd_api(&a, &b);
		else if (!strcmp(cmd, "relay"))
			cmd_relay(&a, &b);
		else if (!strcmp(cmd, "faults"))
			cmd_faults(&a, &b);
		else if (!strcmp(cmd, "inband"))
			cmd_inband(&a, &b);
		else
			kv_ok(false, "unknown command '%s'", cmd);
		kv_close(&b);
		kv_close(&a);
	}
	return kv_tap_plan();
}
