/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _KMOD_OFFLOAD_H_
#define _KMOD_OFFLOAD_H_

#include "kmod_vfio.h"

/* kmod_offload_api.c: the interface's checks, A saving, B resuming. */
void cmd_api(struct kv_dev *a, struct kv_dev *b);

#endif /* _KMOD_OFFLOAD_H_ */
