/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _MIG_FSM_H_
#define _MIG_FSM_H_

/**
 * @file
 * The VFIO migration v2 device state machine.
 *
 * State numbers and capability bits are the kernel uAPI's
 * (enum vfio_device_mig_state, VFIO_MIGRATION_*), so that a value read from
 * or written to a VFIO device needs no translation.
 *
 * The decomposition of a requested transition into single arcs follows
 * vfio_mig_get_next_state() of Linux 6.12: a table of first steps, with
 * steps through optional states the device lacks skipped over.
 */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Device migration states, numbered as the VFIO uAPI numbers them. */
enum mig_state {
	MIG_STATE_ERROR = 0,
	MIG_STATE_STOP = 1,
	MIG_STATE_RUNNING = 2,
	MIG_STATE_STOP_COPY = 3,
	MIG_STATE_RESUMING = 4,
	MIG_STATE_RUNNING_P2P = 5,
	MIG_STATE_PRE_COPY = 6,
	MIG_STATE_PRE_COPY_P2P = 7,
	MIG_STATE_COUNT = 8,
};

/** Migration capabilities, as in struct vfio_device_feature_migration. */
#define MIG_CAP_STOP_COPY (UINT64_C(1) << 0) /**< mandatory */
#define MIG_CAP_P2P (UINT64_C(1) << 1)
#define MIG_CAP_PRE_COPY (UINT64_C(1) << 2)
#define MIG_CAP_ALL (MIG_CAP_STOP_COPY | MIG_CAP_P2P | MIG_CAP_PRE_COPY)

/** Longest decomposition of one request (STOP_COPY -> RUNNING is 3 arcs). */
#define MIG_FSM_MAX_PATH 4

/** Lower-case name of a state ("pre_copy_p2p"), "invalid" when out of range. */
const char *mig_state_name(enum mig_state s);

/**
 * Parse a state name as printed by mig_state_name(); case-insensitive,
 * '-' accepted for '_'.
 *
 * @return 0, or -EINVAL if @p s names no state.
 */
int mig_state_parse(const char *s, enum mig_state *out);

/** True if @p s is one of the states that read device data out. */
bool mig_state_is_saving(enum mig_state s);

/** True if @p s exists for a device with capabilities @p caps. */
bool mig_state_supported(uint64_t caps, enum mig_state s);

/**
 * True if @p from -> @p to is a single arc a driver with @p caps must
 * implement (the kernel's "arcs the driver sees").
 */
bool mig_fsm_arc_legal(uint64_t caps, enum mig_state from, enum mig_state to);

/**
 * The next single arc from @p cur towards @p target.
 *
 * @return 0 and *next set; -EINVAL if @p caps lacks STOP_COPY, either state
 *   is ERROR, unsupported by @p caps or out of range, or the request is
 *   forbidden (STOP_COPY -> PRE_COPY / PRE_COPY_P2P). When cur == target,
 *   *next = cur.
 */
int mig_fsm_next(uint64_t caps, enum mig_state cur, enum mig_state target,
		 enum mig_state *next);

/**
 * The whole decomposition of cur -> target into single arcs.
 *
 * @param path
 *   Receives the states entered, in order; path[n - 1] == target.
 * @param max
 *   Capacity of @p path (MIG_FSM_MAX_PATH is always enough).
 * @return
 *   Number of arcs (0 when cur == target), or -EINVAL as mig_fsm_next(),
 *   or -E2BIG if @p max is too small.
 */
int mig_fsm_path(uint64_t caps, enum mig_state cur, enum mig_state target,
		 enum mig_state *path, unsigned int max);

/** Format @p caps as "stop_copy+p2p+pre_copy" into @p buf. */
const char *mig_caps_str(uint64_t caps, char *buf, unsigned int len);

/**
 * Parse "stop_copy", "pre_copy", "p2p" joined by '+' or '|'. STOP_COPY is
 * implied (it is mandatory).
 *
 * @return 0, or -EINVAL naming nothing (the caller names the key).
 */
int mig_caps_parse(const char *s, uint64_t *caps);

#ifdef __cplusplus
}
#endif

#endif /* _MIG_FSM_H_ */
