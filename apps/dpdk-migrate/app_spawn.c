/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Loopback role: the destination runs as a second process (fork() after
 * rte_eal_init() is not allowed with DPDK): this program started again
 * with --role destination and its own --file-prefix. It reports the
 * address it listens on through a pipe (--ready-fd).
 *
 * Lcores: the destination gets the same EAL options, so the same lcore
 * list. When that list has more than one lcore and no --main-lcore was
 * given, the destination's main lcore is the last one of the list (the
 * source's is the first), so that the two processes' main lcores, which
 * carry the transports, do not share a CPU: with "-l 0-1" the source
 * runs its transport on CPU 0 and its devices on CPU 1, the destination
 * the other way round.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "app.h"

extern char **environ;

#define SPAWN_READY_MS 30000

int
app_spawn_destination(int argc, char **argv, pid_t *pid, char *addr,
		      size_t addr_len)
{
	char **nargv, prefix[256], fdarg[16], mainarg[32];
	bool app = false, have_prefix = false, have_listen = false;
	bool have_main = false;
	unsigned int lcore, last = 0;
	struct pollfd pfd;
	int i, n = 0, fds[2], ret;
	ssize_t len;

	nargv = calloc((size_t)argc + 12, sizeof(*nargv));
	if (nargv == NULL || pipe(fds) < 0) {
		free(nargv);
		return -ENOMEM;
	}
	nargv[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!app && strncmp(a, "--main-lcore", 12) == 0)
			have_main = true;
		if (!app && strcmp(a, "--") == 0) {
			if (!have_main && rte_lcore_count() > 1) {
				RTE_LCORE_FOREACH(lcore)
					last = lcore;
				snprintf(mainarg, sizeof(mainarg),
					 "--main-lcore=%u", last);
				nargv[n++] = mainarg;
			}
			if (!have_prefix) {
				snprintf(prefix, sizeof(prefix),
					 "--file-prefix=mig-loop-%d-dst",
					 (int)getpid());
				nargv[n++] = prefix;
			}
			app = true;
			nargv[n++] = argv[i];
			continue;
		}
		if (!app && strncmp(a, "--file-prefix", 13) == 0) {
			const char *v = a[13] == '=' ? a + 14 :
					(i + 1 < argc ? argv[++i] : "rte");

			snprintf(prefix, sizeof(prefix), "--file-prefix=%s-dst",
				 v);
			nargv[n++] = prefix;
			have_prefix = true;
			continue;
		}
		if (app && (strcmp(a, "--role") == 0 || strcmp(a, "--json") == 0 ||
			    strcmp(a, "--timeline") == 0 ||
			    strcmp(a, "--peer") == 0)) {
			i++;
			continue;
		}
		if (app && (strncmp(a, "--role=", 7) == 0 ||
			    strncmp(a, "--json=", 7) == 0 ||
			    strncmp(a, "--timeline=", 11) == 0 ||
			    strncmp(a, "--peer=", 7) == 0))
			continue;
		if (app && strncmp(a, "--listen", 8) == 0)
			have_listen = true;
		nargv[n++] = argv[i];
	}
	if (!app) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=mig-loop-%d-dst",
			 (int)getpid());
		nargv[n++] = prefix;
		nargv[n++] = (char *)"--";
	}
	nargv[n++] = (char *)"--role";
	nargv[n++] = (char *)"destination";
	if (!have_listen) {
		nargv[n++] = (char *)"--listen";
		nargv[n++] = (char *)"127.0.0.1:0";
	}
	snprintf(fdarg, sizeof(fdarg), "%d", fds[1]);
	nargv[n++] = (char *)"--ready-fd";
	nargv[n++] = fdarg;
	nargv[n] = NULL;
	ret = posix_spawn(pid, "/proc/self/exe", NULL, NULL, nargv, environ);
	close(fds[1]);
	free(nargv);
	if (ret != 0) {
		close(fds[0]);
		return -ret;
	}
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, SPAWN_READY_MS);
	len = ret > 0 ? read(fds[0], addr, addr_len - 1) : -1;
	close(fds[0]);
	if (len <= 0) {
		kill(*pid, SIGKILL);
		app_wait_child(*pid, 5);
		return -ECHILD;
	}
	addr[len] = '\0';
	addr[strcspn(addr, "\n")] = '\0';
	return 0;
}

int
app_wait_child(pid_t pid, unsigned int timeout_s)
{
	struct timespec ts = { 0, 10000000 };
	unsigned int i;
	int status;

	for (i = 0; i < timeout_s * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}
