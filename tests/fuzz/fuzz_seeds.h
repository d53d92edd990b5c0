/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _FUZZ_SEEDS_H_
#define _FUZZ_SEEDS_H_

/*
 * Seed corpus writer and checker shared by the fuzz targets that generate
 * their own seeds. A target compiled with -DFUZZ_GEN (no libFuzzer) gets
 * a main() from FUZZ_SEEDS_MAIN(make): make() appends seeds with
 * fuzz_seed_add(), then
 *
 *   gen_<target> DIR          writes them into DIR
 *   gen_<target> --check DIR  fails unless DIR holds exactly these seeds
 *
 * The unit suite runs --check, so the committed seeds follow any change
 * of the harness or of the format.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_SEEDS_MAX 64

struct fuzz_seed {
	char name[64];
	unsigned char *buf;
	size_t len;
};

static struct fuzz_seed fuzz_seeds[FUZZ_SEEDS_MAX];
static unsigned int fuzz_nseeds;

static void
fuzz_seed_add(const char *name, const void *buf, size_t len)
{
	struct fuzz_seed *s;

	if (fuzz_nseeds == FUZZ_SEEDS_MAX) {
		fprintf(stderr, "too many seeds\n");
		exit(1);
	}
	s = &fuzz_seeds[fuzz_nseeds++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->buf = malloc(len == 0 ? 1 : len);
	if (s->buf == NULL)
		exit(1);
	memcpy(s->buf, buf, len);
	s->len = len;
}

/* A seed made of a header of @p hlen bytes followed by a body of @p blen. */
static __attribute__((unused)) void
fuzz_seed_add_parts(const char *name, const void *hdr, size_t hlen,
		    const void *body, size_t blen)
{
	unsigned char *buf = malloc(hlen + blen + 1);

	if (buf == NULL)
		exit(1);
	memcpy(buf, hdr, hlen);
	if (blen > 0)
		memcpy(buf + hlen, body, blen);
	fuzz_seed_add(name, buf, hlen + blen);
	free(buf);
}

static int
fuzz_seeds_run(int argc, char **argv)
{
	int check = argc == 3 && strcmp(argv[1], "--check") == 0;
	const char *dir = check ? argv[2] : argv[1];
	unsigned char *got;
	unsigned int i, files = 0;
	struct dirent *de;
	char path[4096];
	size_t n;
	DIR *d;
	FILE *f;

	if (argc != 2 && !check) {
		fprintf(stderr, "usage: %s [--check] DIR\n", argv[0]);
		return 1;
	}
	for (i = 0; i < fuzz_nseeds; i++) {
		const struct fuzz_seed *s = &fuzz_seeds[i];

		snprintf(path, sizeof(path), "%s/%s", dir, s->name);
		f = fopen(path, check ? "rb" : "wb");
		if (f == NULL) {
			fprintf(stderr, "%s: cannot open\n", path);
			return 1;
		}
		if (check) {
			got = malloc(s->len + 1);
			if (got == NULL)
				return 1;
			n = fread(got, 1, s->len + 1, f);
			if (n != s->len || memcmp(got, s->buf, n) != 0) {
				fprintf(stderr, "%s: differs from the generator's seed (regenerate: %s DIR)\n",
					path, argv[0]);
				return 1;
			}
			free(got);
		} else if (fwrite(s->buf, 1, s->len, f) != s->len) {
			fprintf(stderr, "%s: write failed\n", path);
			return 1;
		}
		fclose(f);
		printf("%s %s (%zu bytes)\n", check ? "checked" : "wrote", path,
		       s->len);
	}
	if (!check)
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return 1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			files++;
	closedir(d);
	if (files != fuzz_nseeds) {
		fprintf(stderr, "%s: %u files, the generator makes %u\n", dir,
			files, fuzz_nseeds);
		return 1;
	}
	return 0;
}

#define FUZZ_SEEDS_MAIN(make)                                                  \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		make();                                                        \
		return fuzz_seeds_run(argc, argv);                             \
	}

#endif /* _FUZZ_SEEDS_H_ */
