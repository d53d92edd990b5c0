/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_version.h>

#include "mig_build_config.h"
#include "mig_dev.h"
#include "mig_log.h"

#define APP_MAX_DEVS 64

static void
app_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	       "  --dev <driver>,key=value,...  a device (repeatable)\n"
	       "  --info                         open the devices and describe them\n"
	       "  --list-drivers                 list device drivers and their devargs\n"
	       "  --version                      print the version\n"
	       "  -h, --help                     this help\n",
	       prog);
}

static void
app_print_driver(const char *name, const char *params, void *arg)
{
	RTE_SET_USED(arg);
	printf("  %-8s %s\n", name, params);
}

static int
app_info(char **devargs, unsigned int ndev)
{
	struct mig_dev_sizes sz;
	struct mig_dev_info info;
	struct mig_dev *dev;
	char caps[64];
	unsigned int i;

	for (i = 0; i < ndev; i++) {
		dev = mig_dev_open(devargs[i]);
		if (dev == NULL) {
			fprintf(stderr, "dpdk-migrate: %s\n", mig_err_last());
			return -rte_errno;
		}
		mig_dev_info_get(dev, &info);
		mig_dev_query_sizes(dev, &sz);
		printf("%s: driver %s, caps %s, state %s, size %" PRIu64
		       " bytes, stop-copy estimate %" PRIu64
		       " bytes, chunk %u, in flight %u\n",
		       info.name, info.driver,
		       mig_caps_str(info.caps, caps, sizeof(caps)),
		       mig_state_name(mig_dev_state(dev)), info.state_size,
		       sz.stop_copy_bytes, info.chunk_size, info.max_inflight);
		mig_dev_close(dev);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "info", no_argument, NULL, 'i' },
		{ "list-drivers", no_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *devargs[APP_MAX_DEVS];
	unsigned int ndev = 0;
	int ret, opt, info = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "cannot initialise EAL: %s\n",
			 rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (ndev == APP_MAX_DEVS)
				rte_exit(EXIT_FAILURE, "at most %d --dev\n",
					 APP_MAX_DEVS);
			devargs[ndev++] = optarg;
			break;
		case 'i':
			info = 1;
			break;
		case 'L':
			printf("device drivers:\n");
			mig_dev_driver_foreach(app_print_driver, NULL);
			break;
		case 'V':
			printf("dpdk-migrate %s (%s)\n", MIG_VERSION,
			       rte_version());
			break;
		case 'h':
			app_usage(argv[0]);
			break;
		default:
			app_usage(argv[0]);
			rte_eal_cleanup();
			return EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dpdk-migrate: unexpected argument '%s'\n",
			argv[optind]);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	ret = 0;
	if (info || ndev)
		ret = app_info(devargs, ndev);
	rte_eal_cleanup();
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
