/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * Emulated command latency and DMA bandwidth of the sim device.
 *
 * Each command spends `latency` in the device (commands overlap, up to the
 * queue depth), then moves its bytes through one DMA engine shared by all of
 * the device's commands at `bandwidth` bytes/s:
 *
 *   xfer_start = max(submit + latency, engine busy until)
 *   done       = xfer_start + len / bandwidth
 *
 * With depth=1 this is latency + len / bandwidth per command, back to back.
 * Completion times never decrease in submission order, so completed I/Os
 * leave a FIFO. Nothing sleeps and nothing spins: poll compares times.
 */

#include <stdint.h>

#include "sim_priv.h"


void
mig_sim_io_queue(struct sim_dev *sd, struct mig_io *io, uint64_t len,
		 uint64_t now_ns)
{
	uint64_t start = now_ns + sd->o.latency_ns;

	if (start < sd->busy_until_ns)
		start = sd->busy_until_ns;
	if (sd->o.bandwidth != 0)
		start += (uint64_t)((unsigned __int128)len * MIG_NS_PER_S /
				    sd->o.bandwidth);
	sd->busy_until_ns = start;
	io->drv[0] = start;
	io->drv_next = NULL;
	if (sd->q_tail == NULL)
		sd->q_head = io;
	else
		sd->q_tail->drv_next = io;
	sd->q_tail = io;
	sd->q_len++;
}

unsigned int
mig_sim_io_poll(struct sim_dev *sd, struct mig_io **done, unsigned int n,
		uint64_t now_ns)
{
	unsigned int k = 0;

	while (k < n && sd->q_head != NULL && sd->q_head->drv[0] <= now_ns) {
		struct mig_io *io = sd->q_head;

		sd->q_head = io->drv_next;
		if (sd->q_head == NULL)
			sd->q_tail = NULL;
		io->drv_next = NULL;
		sd->q_len--;
		done[k++] = io;
	}
	return k;
}

/* Abandon every queued I/O (reset, close). */
void
mig_sim_io_drop(struct sim_dev *sd)
{
	sd->q_head = NULL;
	sd->q_tail = NULL;
	sd->q_len = 0;
	sd->busy_until_ns = 0;
}
