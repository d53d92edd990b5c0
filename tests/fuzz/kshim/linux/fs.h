/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/* stand-in for the kernel header: see ../kshim.h */
#include "../kshim.h"
