/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * stand-in for the kernel header: see ../kshim.h; the libc reaches the
 * errno values through this name too
 */
#include_next <linux/errno.h>
#include "../kshim.h"
