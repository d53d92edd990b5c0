/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_WIRE_PRIV_H_
#define _MIG_WIRE_PRIV_H_

/**
 * @file
 * Wire format v1 frame codec: definitions shared by its files (mig_wire.c,
 * mig_wire_encode.c, mig_wire_decode.c). Not part of the API.
 *
 * The checkers return 0 or a negative errno and record the error with
 * WIRE_ERR().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mig_log.h"
#include "mig_wire.h"

#define WIRE_ERR(fmt, ...) \
	mig_err_set(mig_logtype_wire, "wire: " fmt, ##__VA_ARGS__)

/* mig_wire.c */
int mig_wire_check_wire_str(const char *what, const char *s, size_t area,
			    bool nonempty);
int mig_wire_check_reserved(const char *what, uint64_t v);
int mig_wire_check_hdr(const struct mig_wire_hdr *hdr,
		       const struct mig_wire_limits *lim);
int mig_wire_check_hello(const struct mig_wire_hello *h,
			 const struct mig_wire_limits *lim);
int mig_wire_check_dev_desc(const struct mig_wire_dev_desc *d,
			    const struct mig_wire_limits *lim);
int mig_wire_check_chunk(const struct mig_wire_chunk *c,
			 const struct mig_wire_limits *lim);
int mig_wire_check_msg(const struct mig_wire_msg *m,
		       const struct mig_wire_limits *lim);

/* mig_wire_encode.c */
/** Length of the ABORT reason area: the reason, its NUL, 8-byte padded. */
uint32_t mig_wire_abort_area_len(const char *reason);

#endif /* _MIG_WIRE_PRIV_H_ */
