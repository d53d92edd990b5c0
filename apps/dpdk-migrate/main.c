/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_version.h>

#include "app.h"
#include "app_check.h"
#include "mig_build_config.h"
#include "mig_dev.h"
#include "mig_devargs.h"
#include "mig_log.h"
#include "mig_session.h"
#include "mig_wire.h"
#include "mig_xport.h"

static void
app_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	       "  --dev <driver>,key=value,...  a device (repeatable)\n"
	       "  --info                         open the devices and describe them\n"
	       "  --check DEVARGS                conformance run of one device against the VFIO migration uAPI\n"
	       "  --list-drivers                 list device and transport drivers and their devargs\n"
	       "  --version                      print the version\n"
	       "  --role source|destination|loopback  migrate the --dev devices\n"
	       "  --role agent                   offload agent: migrate the --dev devices\n"
	       "                                 whenever their VMM does (doc/offload.md)\n"
	       "  --listen ADDR                  destination address (127.0.0.1:7000)\n"
	       "  --peer ADDR                    source: the destination (127.0.0.1:7000);\n"
	       "                                 agent: the peer agent (required)\n"
	       "  --transport ARGS               tcp,streams=N,... (tcp)\n"
	       "  --downtime TIME                downtime limit (300ms)\n"
	       "  --max-rounds N                 pre-copy rounds limit (0: none)\n"
	       "  --max-precopy-time TIME        pre-copy time limit (60s)\n"
	       "  --on-limit switch|fail         at a limit (switch)\n"
	       "  --timeout TIME                 give up when nothing moves for TIME (10s)\n"
	       "  --key FILE                     pre-shared key (raw or hex, >= 16 bytes)\n"
	       "  --insecure                     allow no key (both sides)\n"
	       "  --chunk SIZE                   chunk size (1M)\n"
	       "  --json FILE                    write a JSON summary\n"
	       "  --timeline FILE                samples every 50 ms, CSV if FILE ends in .csv, else JSON Lines\n"
	       "  -q, --quiet / -v, --verbose\n"
	       "  -h, --help                     this help\n"
	       "TIME is " APP_DURATION_HELP ".\n",
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

/* --<name> <arg>: a duration in [min_ns, max_ns] (a bare number is in ms). */
static int
app_opt_duration(const char *name, const char *arg, uint64_t min_ns,
		 uint64_t max_ns, uint64_t *out_ns)
{
	uint64_t v;

	if (mig_parse_duration(arg, APP_MS, &v) < 0) {
		fprintf(stderr, "dpdk-migrate: --%s %s: not a duration (%s)\n",
			name, arg, APP_DURATION_HELP);
		return -EINVAL;
	}
	if (v < min_ns || v > max_ns) {
		fprintf(stderr, "dpdk-migrate: --%s %s: %g .. %g ms\n", name,
			arg, (double)min_ns / APP_MS, (double)max_ns / APP_MS);
		return -EINVAL;
	}
	*out_ns = v;
	return 0;
}

/* --<name> <arg>: a number in [min, max], with an optional K, M, G or T
 * (binary) suffix. */
static int
app_opt_size(const char *name, const char *arg, uint64_t min, uint64_t max,
	     uint64_t *out)
{
	uint64_t v;

	if (mig_parse_size(arg, &v) < 0) {
		fprintf(stderr, "dpdk-migrate: --%s %s: not a number (an optional K, M, G or T suffix)\n",
			name, arg);
		return -EINVAL;
	}
	if (v < min || v > max) {
		fprintf(stderr, "dpdk-migrate: --%s %s: %" PRIu64 " .. %" PRIu64 "\n",
			name, arg, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Read a key file: hex (even count of hex digits, whitespace trimmed)
 * or raw bytes. Like rsync's secrets file, a regular file that others may
 * read or write is refused; so is one longer than APP_KEY_MAX. */
int
app_read_key(const char *path, uint8_t *key, size_t *len)
{
	uint8_t raw[APP_KEY_MAX + 1];
	size_t n, i, k = 0;
	bool hex = true;
	struct stat sb;
	FILE *f;
	int ret;

	f = fopen(path, "rb");
	if (f == NULL) {
		ret = -errno;
		fprintf(stderr, "dpdk-migrate: cannot read key file %s: %s\n",
			path, strerror(-ret));
		return ret;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_mode & (S_IROTH | S_IWOTH | S_IXOTH)) != 0) {
		fclose(f);
		fprintf(stderr, "dpdk-migrate: key file %s is accessible by others (mode %04o): chmod o-rwx it (600 is best)\n",
			path, (unsigned int)(sb.st_mode & 07777));
		return -EPERM;
	}
	n = fread(raw, 1, sizeof(raw), f);
	fclose(f);
	if (n > APP_KEY_MAX) {
		fprintf(stderr, "dpdk-migrate: key file %s: more than %d bytes\n",
			path, APP_KEY_MAX);
		return -EINVAL;
	}
	while (n > 0 && isspace(raw[n - 1]))
		n--;
	for (i = 0; i < n; i++)
		if (!isxdigit(raw[i]))
			hex = false;
	if (hex && n % 2 == 0) {
		for (i = 0; i < n; i += 2) {
			char b[3] = { (char)raw[i], (char)raw[i + 1], 0 };

			key[k++] = (uint8_t)strtoul(b, NULL, 16);
		}
	} else {
		memcpy(key, raw, n);
		k = n;
	}
	if (k < 16) {
		fprintf(stderr, "dpdk-migrate: key file %s: %zu bytes, at least 16 needed\n",
			path, k);
		return -EINVAL;
	}
	*len = k;
	return 0;
}

/* Run one role over the devices; prints the outcome. */
static int
app_migrate(struct app_opts *o, const char *role, const char *addr,
	    char **devargs, unsigned int ndev)
{
	static uint8_t key[APP_KEY_MAX];
	struct mig_session_cfg cfg;
	struct mig_session_stats st;
	struct mig_dev *devs[APP_MAX_DEVS];
	char *names[APP_MAX_DEVS];
	struct app_report r;
	char err[MIG_ERR_MAX];
	size_t key_len = 0;
	unsigned int i, n = 0;
	int ret;

	memset(&st, 0, sizeof(st));
	memset(&r, 0, sizeof(r));
	r.role = role;
	r.quiet = o->quiet;
	/* The loopback's destination (started with --ready-fd) shares the
	 * terminal with the source: only the source draws progress. */
	r.tty = isatty(STDERR_FILENO) && o->ready_fd < 0;
	r.ready_fd = o->ready_fd;
	r.names = names;
	if (o->key_file != NULL) {
		ret = app_read_key(o->key_file, key, &key_len);
		if (ret < 0)
			return ret;
	}
	for (n = 0; n < ndev; n++) {
		devs[n] = mig_dev_open(devargs[n]);
		if (devs[n] == NULL) {
			fprintf(stderr, "dpdk-migrate: %s\n", mig_err_last());
			ret = -EINVAL;
			goto out;
		}
		names[n] = (char *)mig_dev_name(devs[n]);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.xport_args = o->xport;
	cfg.addr = addr;
	cfg.devs = devs;
	cfg.ndev = ndev;
	cfg.key = o->key_file ? key : NULL;
	cfg.key_len = key_len;
	cfg.insecure = o->insecure;
	cfg.chunk_size = o->chunk;
	cfg.timeout_ns = o->timeout_ns;
	cfg.policy = o->policy;
	cfg.progress = app_progress;
	cfg.progress_ctx = &r;
	cfg.listening = app_listening;
	o->watch.quiet = o->quiet;
	ret = app_watch_start(&o->watch, &cfg, role, names, ndev);
	if (ret < 0)
		goto out;
	if (strcmp(role, "source") == 0)
		ret = mig_session_source(&cfg, &st);
	else
		ret = mig_session_destination(&cfg, &st);
	snprintf(err, sizeof(err), "%s", mig_err_last());
	if (ret == 0) {
		app_summary(&r, &st);
	} else {
		if (r.progress_shown)
			fprintf(stderr, "\n");
		fprintf(stderr, "dpdk-migrate: %s\n", err);
		for (i = 0; i < ndev; i++)
			fprintf(stderr, "dpdk-migrate: %s: device %s: state %s%s\n",
				role, names[i],
				mig_state_name(mig_dev_state(devs[i])),
				strcmp(role, "destination") == 0 ?
				" (reset)" : "");
	}
	if (o->json != NULL && app_json(o->json, &r, &st, ret, err) < 0)
		fprintf(stderr, "dpdk-migrate: cannot write %s\n", o->json);
	app_watch_end(&o->watch, role);
out:
	for (i = 0; i < n; i++)
		mig_dev_close(devs[i]);
	return ret;
}

static int
app_loopback(struct app_opts *o, int argc, char **argv, char **devargs,
	     unsigned int ndev)
{
	char addr[128];
	pid_t pid;
	int ret, st;

	ret = app_spawn_destination(argc, argv, &pid, addr, sizeof(addr));
	if (ret < 0) {
		fprintf(stderr, "dpdk-migrate: loopback: cannot start the destination process: %s\n",
			strerror(-ret));
		return ret;
	}
	ret = app_migrate(o, "source", addr, devargs, ndev);
	/* After a failure the destination has the ABORT, or never got a
	 * connection and would wait for one: do not wait long for it. */
	st = app_wait_child(pid, ret == 0 ? 30 : 5);
	if (st != 0) {
		fprintf(stderr, "dpdk-migrate: loopback: destination process failed (status %d)\n",
			st);
		if (ret == 0)
			ret = -EIO;
	}
	return ret;
}

/* An option that sets a limit or a size of the migration; 0, or -EINVAL
 * with a message. */
static int
app_opt_limit(struct app_opts *o, int opt, const char *arg)
{
	uint64_t v = 0;
	int ret = 0;

	switch (opt) {
	case 'D':
		ret = app_opt_duration("downtime", arg, 0, UINT64_MAX,
				       &o->policy.downtime_limit_ns);
		break;
	case 'r':
		ret = app_opt_size("max-rounds", arg, 0, UINT_MAX, &v);
		o->policy.max_rounds = (unsigned int)v;
		break;
	case 'W':
		ret = app_opt_duration("timeout", arg, APP_MS,
				       3600ull * 1000ull * APP_MS,
				       &o->timeout_ns);
		break;
	case 'T':
		ret = app_opt_duration("max-precopy-time", arg, 0, UINT64_MAX,
				       &o->policy.max_precopy_ns);
		break;
	case 'o':
		if (strcmp(arg, "fail") == 0) {
			o->policy.on_limit = MIG_POLICY_ON_LIMIT_FAIL;
		} else if (strcmp(arg, "switch") == 0) {
			o->policy.on_limit = MIG_POLICY_ON_LIMIT_SWITCH;
		} else {
			fprintf(stderr, "dpdk-migrate: --on-limit %s: switch or fail\n",
				arg);
			ret = -EINVAL;
		}
		break;
	case 'c':
		ret = app_opt_size("chunk", arg, 1, MIG_WIRE_CHUNK_MAX, &v);
		o->chunk = (uint32_t)v;
		break;
	}
	return ret;
}

/* One option of the command line; 0, or -EINVAL with a message. */
static int
app_opt(struct app_opts *o, int opt, const char *arg, const char *prog)
{
	uint64_t v = 0;
	int ret = 0;

	switch (opt) {
	case 'R':
		o->role = arg;
		break;
	case 'l':
		o->listen = arg;
		break;
	case 'p':
		o->peer = arg;
		break;
	case 't':
		o->xport = arg;
		break;
	case 'D':
	case 'r':
	case 'W':
	case 'T':
	case 'o':
	case 'c':
		ret = app_opt_limit(o, opt, arg);
		break;
	case 'k':
		o->key_file = arg;
		break;
	case 'I':
		o->insecure = true;
		break;
	case 'j':
		o->json = arg;
		break;
	case 'G':
		o->watch.timeline = arg;
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'v':
		o->verbose++;
		break;
	case 'F':
		ret = app_opt_size("ready-fd", arg, 0, INT_MAX, &v);
		o->ready_fd = (int)v;
		break;
	case 'd':
		if (o->ndev == APP_MAX_DEVS) {
			fprintf(stderr, "dpdk-migrate: at most %d --dev\n",
				APP_MAX_DEVS);
			ret = -EINVAL;
			break;
		}
		o->devargs[o->ndev++] = (char *)arg;
		break;
	case 'i':
		o->info = true;
		break;
	case 'C':
		o->check = arg;
		break;
	case 'L':
		printf("device drivers:\n");
		mig_dev_driver_foreach(app_print_driver, NULL);
		printf("transport drivers:\n");
		mig_xport_driver_foreach(app_print_driver, NULL);
		break;
	case 'V':
		printf("dpdk-migrate %s (%s)\n", MIG_VERSION, rte_version());
		break;
	case 'h':
		app_usage(prog);
		break;
	default:
		app_usage(prog);
		ret = -EINVAL;
		break;
	}
	return ret;
}

/* The application's options (after the EAL's); 0 or -EINVAL. */
static int
app_parse_args(struct app_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "info", no_argument, NULL, 'i' },
		{ "check", required_argument, NULL, 'C' },
		{ "list-drivers", no_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "role", required_argument, NULL, 'R' },
		{ "listen", required_argument, NULL, 'l' },
		{ "peer", required_argument, NULL, 'p' },
		{ "transport", required_argument, NULL, 't' },
		{ "downtime", required_argument, NULL, 'D' },
		{ "max-rounds", required_argument, NULL, 'r' },
		{ "max-precopy-time", required_argument, NULL, 'T' },
		{ "on-limit", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 'W' },
		{ "key", required_argument, NULL, 'k' },
		{ "insecure", no_argument, NULL, 'I' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "timeline", required_argument, NULL, 'G' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "ready-fd", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "hqv", longopts, NULL)) != -1)
		if (app_opt(o, opt, optarg, argv[0]) < 0)
			return -EINVAL;
	if (optind < argc) {
		fprintf(stderr, "dpdk-migrate: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* What the options ask for: describe the devices, or migrate them. */
static int
app_run(struct app_opts *o, int orig_argc, char **orig_argv)
{
	if (o->check != NULL && (o->role != NULL || o->ndev > 0)) {
		fprintf(stderr, "dpdk-migrate: --check names its one device itself: no --role or --dev with it\n");
		return -EINVAL;
	}
	if (o->check != NULL)
		return app_check(o->check, o->json, o->quiet);
	if (o->role != NULL && o->ndev == 0) {
		fprintf(stderr, "dpdk-migrate: --role needs at least one --dev\n");
		return -EINVAL;
	}
	if (o->role == NULL)
		return o->info || o->ndev ? app_info(o->devargs, o->ndev) : 0;
	if (strcmp(o->role, "source") == 0)
		return app_migrate(o, "source",
				   o->peer ? o->peer : "127.0.0.1:7000",
				   o->devargs, o->ndev);
	if (strcmp(o->role, "destination") == 0)
		return app_migrate(o, "destination",
				   o->listen ? o->listen : "127.0.0.1:7000",
				   o->devargs, o->ndev);
	if (strcmp(o->role, "loopback") == 0)
		return app_loopback(o, orig_argc, orig_argv, o->devargs,
				    o->ndev);
	if (strcmp(o->role, "agent") == 0) {
		if (o->listen == NULL)
			o->listen = "127.0.0.1:7000";
		return app_agent(o);
	}
	fprintf(stderr, "dpdk-migrate: unknown role '%s' (source, destination, loopback, agent)\n",
		o->role);
	return -EINVAL;
}

int
main(int argc, char **argv)
{
	struct app_opts o = {
		.xport = "tcp",
		.chunk = 1u << 20,
		.ready_fd = -1,
		.policy = {
			.downtime_limit_ns = 300ull * APP_MS,
			.max_precopy_ns = 60ull * 1000ull * APP_MS,
			.on_limit = MIG_POLICY_ON_LIMIT_SWITCH,
		},
	};
	/* The loopback role starts the destination with the same EAL
	 * options: keep them, rte_eal_init() reorders argv. */
	char **orig_argv, **eal_argv;
	int orig_argc = argc;
	int ret;

	orig_argv = calloc((size_t)argc + 1, sizeof(*orig_argv));
	if (orig_argv == NULL)
		return EXIT_FAILURE;
	memcpy(orig_argv, argv, (size_t)argc * sizeof(*argv));
	eal_argv = app_eal_argv(argc, argv, &argc, &o.watch.telemetry);
	if (eal_argv == NULL)
		return EXIT_FAILURE;
	argv = eal_argv;
	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "cannot initialise EAL: %s\n",
			 rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	app_eal_init_done();
	ret = app_parse_args(&o, argc, argv);
	if (ret == 0) {
		if (o.verbose)
			rte_log_set_level_pattern("mig.*", RTE_LOG_DEBUG);
		ret = app_run(&o, orig_argc, orig_argv);
	}
	free(orig_argv);
	free(eal_argv);
	rte_eal_cleanup();
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
