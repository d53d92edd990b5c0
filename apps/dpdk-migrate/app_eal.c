/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * EAL options the application adds by default.
 *
 * With DPDK's defaults a process backs its memory with files in
 * /dev/hugepages/<prefix>map_* and creates two sockets in its runtime
 * directory (mp_socket, dpdk_telemetry.v2). A process that exits removes
 * them, but one that is killed (SIGKILL, OOM killer, a crash) leaves them
 * behind, and the hugepage files keep their pages reserved until someone
 * deletes them: a migration whose source or destination is killed would
 * leak tens of MiB of hugepages. dpdk-migrate needs no secondary process,
 * so it runs with --in-memory (anonymous memfd hugepages, no shared files,
 * no mp_socket; --no-shconf with --no-huge) unless the user chose
 * otherwise among the EAL options.
 *
 * The telemetry socket (doc/watching.md) is off unless the EAL option
 * --telemetry asks for it: a killed process would leave it behind. With
 * --telemetry and no --file-prefix, the process gets a prefix of its own,
 * dpdk-migrate-<pid>, so that a source and a destination on one host
 * each have their socket; the loopback role's destination gets one from
 * app_spawn.c. The runtime directory is removed at exit when empty (DPDK
 * leaves it): the handler is registered before rte_eal_init(), so it runs
 * after DPDK's own, which removes the socket.
 */

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "app.h"

static char g_runtime_dir[PATH_MAX];
static char g_prefix_opt[64];
static bool g_telemetry;

/* @p opt (e.g. "--in-memory") given as "--in-memory" or "--in-memory=..." */
static int
eal_has(int argc, char **argv, const char *opt)
{
	size_t n = strlen(opt);
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], opt, n) == 0 &&
		    (argv[i][n] == '\0' || argv[i][n] == '='))
			return 1;
	}
	return 0;
}

static void
app_eal_rmdir(void)
{
	if (g_runtime_dir[0] != '\0')
		rmdir(g_runtime_dir);
}

void
app_eal_init_done(void)
{
	snprintf(g_runtime_dir, sizeof(g_runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
}

void
app_eal_telemetry(const char *role, bool quiet)
{
	if (!g_telemetry || quiet)
		return;
	printf("%s: telemetry on %s/dpdk_telemetry.v2\n", role, g_runtime_dir);
	fflush(stdout);
}

char **
app_eal_argv(int argc, char **argv, int *out_argc, bool *telemetry)
{
	static const char *const mem_opts[] = {
		"--in-memory", "--no-shconf", "--huge-unlink", "--proc-type",
		"--legacy-mem", "--single-file-segments",
	};
	static const char *const tel_opts[] = {
		"--telemetry", "--no-telemetry",
	};
	int add_mem = 1, add_tel = 1, n = 0, i;
	char **v;

	for (i = 0; i < (int)(sizeof(mem_opts) / sizeof(mem_opts[0])); i++)
		if (eal_has(argc, argv, mem_opts[i]))
			add_mem = 0;
	for (i = 0; i < (int)(sizeof(tel_opts) / sizeof(tel_opts[0])); i++)
		if (eal_has(argc, argv, tel_opts[i]))
			add_tel = 0;
	g_telemetry = eal_has(argc, argv, "--telemetry");
	*telemetry = g_telemetry;
	v = calloc((size_t)argc + 4, sizeof(*v));
	if (v == NULL)
		return NULL;
	v[n++] = argv[0];
	/* --no-huge uses no hugepage file but implies legacy memory, which
	 * --in-memory refuses: only no shared files (no mp_socket) then. */
	if (add_mem)
		v[n++] = (char *)(uintptr_t)(eal_has(argc, argv, "--no-huge") ?
					     "--no-shconf" : "--in-memory");
	if (add_tel)
		v[n++] = (char *)(uintptr_t)"--no-telemetry";
	if (g_telemetry && !eal_has(argc, argv, "--file-prefix")) {
		snprintf(g_prefix_opt, sizeof(g_prefix_opt),
			 "--file-prefix=dpdk-migrate-%d", (int)getpid());
		v[n++] = g_prefix_opt;
	}
	atexit(app_eal_rmdir);
	for (i = 1; i < argc; i++)
		v[n++] = argv[i];
	*out_argc = n;
	return v;
}
