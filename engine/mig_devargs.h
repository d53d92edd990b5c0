/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_DEVARGS_H_
#define _MIG_DEVARGS_H_

/**
 * @file
 * Devargs parsing for drivers, on top of rte_kvargs, with errors that name
 * the driver, the key and the value.
 *
 * Usage, the shape of a DPDK vdev probe:
 *
 *	static const char *const valid[] = { "size", "seed", NULL };
 *	kv = mig_devargs_parse("sim", args, valid);
 *	if (kv == NULL)
 *		return -EINVAL;
 *	ret = mig_devargs_size(kv, "sim", "size", &opt.size, 4096, UINT64_MAX);
 *	if (ret < 0)
 *		goto free_kvlist;
 *	...
 * free_kvlist:
 *	rte_kvargs_free(kv);
 *
 * Each getter leaves *out untouched when the key is absent, so defaults are
 * set first. Sizes take binary suffixes K, M, G, T (also KiB, MiB, ...);
 * durations take ns, us, ms, s (default unit given by the getter).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_kvargs.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Parse @p args ("k=v,k=v", may be NULL or ""). Unknown, repeated or empty
 * keys and values missing '=' are refused with a message naming them.
 *
 * @return The list (free with rte_kvargs_free()), or NULL on error.
 */
struct rte_kvargs *mig_devargs_parse(const char *who, const char *args,
				     const char *const valid[]);

/** Plain unsigned integer (decimal or 0x hex) in [min, max]. */
int mig_devargs_u64(struct rte_kvargs *kv, const char *who, const char *key,
		    uint64_t *out, uint64_t min, uint64_t max);

/** Byte count with optional binary suffix, in [min, max]. */
int mig_devargs_size(struct rte_kvargs *kv, const char *who, const char *key,
		     uint64_t *out, uint64_t min, uint64_t max);

/** Duration converted to nanoseconds (mig_parse_duration()); a bare
 *  number is in @p unit_ns. */
int mig_devargs_duration(struct rte_kvargs *kv, const char *who,
			 const char *key, uint64_t *out_ns, uint64_t unit_ns);

/** 0/1, yes/no, on/off, true/false. */
int mig_devargs_bool(struct rte_kvargs *kv, const char *who, const char *key,
		     bool *out);

/** String copied into @p out (refused if it does not fit). */
int mig_devargs_str(struct rte_kvargs *kv, const char *who, const char *key,
		    char *out, size_t len);

/** Parse a size string outside kvargs ("4G"); 0 or -EINVAL. */
int mig_parse_size(const char *s, uint64_t *out);

/**
 * Parse a duration outside kvargs into nanoseconds; 0 or -EINVAL.
 *
 * Grammar: DIGITS [ "." DIGITS ] [ UNIT ], UNIT one of ns, us, ms, s (any
 * case); a number without a unit is in @p unit_ns. Up to 9 decimals, and
 * the result must be a whole number of nanoseconds ("1.5s", "0.25ms";
 * "1.5ns" is refused). Anything else is refused, size suffixes included:
 * "1K" is not 1024 of anything.
 */
int mig_parse_duration(const char *s, uint64_t unit_ns, uint64_t *out_ns);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_DEVARGS_H_ */
