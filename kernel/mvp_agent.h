/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/* Copyright(c) 2026 dpdk-migrate authors */

#ifndef _MVP_AGENT_H_
#define _MVP_AGENT_H_

/*
 * Between the character device (mvp_agent.c) and offload mode
 * (mvp_offload.c).
 */

#include <linux/types.h>

struct mvp_agent;
struct mvp_migf;
struct mvp_off_dev;

/* mvp_agent.c */
bool mvp_agent_enabled(struct mvp_agent *ag);
void mvp_agent_event(struct mvp_agent *ag, u32 type, u64 token, u32 state,
		     int status);
void mvp_agent_wake(struct mvp_agent *ag);

/* mvp_offload.c */
void mvp_off_fail(struct mvp_migf *migf, int status);
void mvp_off_event(struct mvp_off_dev *off, u32 type, u64 token, u32 state,
		   int status);

#endif /* _MVP_AGENT_H_ */
