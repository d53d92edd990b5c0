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
 * leak tens of MiB of hugepages. dpdk-migrate needs no secondary process
 * and no telemetry socket, so it runs with --in-memory (anonymous memfd
 * hugepages, no shared files, no mp_socket; --no-shconf with --no-huge)
 * and --no-telemetry unless the user chose otherwise among the EAL
 * options.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

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

char **
app_eal_argv(int argc, char **argv, int *out_argc)
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
	v = calloc((size_t)argc + 3, sizeof(*v));
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
	for (i = 1; i < argc; i++)
		v[n++] = argv[i];
	*out_argc = n;
	return v;
}
