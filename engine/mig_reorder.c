/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mig_reorder.h"

/* Larger windows are a configuration mistake, not a need. */
#define REORDER_WINDOW_MAX (1u << 20)

int
mig_reorder_init(struct mig_reorder *r, uint32_t window)
{
	memset(r, 0, sizeof(*r));
	if (window == 0 || window > REORDER_WINDOW_MAX)
		return -EINVAL;
	r->slots = calloc(window, sizeof(r->slots[0]));
	if (r->slots == NULL)
		return -ENOMEM;
	r->window = window;
	return 0;
}

void
mig_reorder_fini(struct mig_reorder *r)
{
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

int
mig_reorder_insert(struct mig_reorder *r, uint64_t index, void *item)
{
	void **slot;

	if (item == NULL)
		return -EINVAL;
	if (index < r->next)
		return -EEXIST;
	if (index - r->next >= r->window)
		return -ERANGE;
	slot = &r->slots[index % r->window];
	if (*slot != NULL)
		return -EEXIST;
	*slot = item;
	r->count++;
	return 0;
}

void *
mig_reorder_pop(struct mig_reorder *r)
{
	void **slot = &r->slots[r->next % r->window];
	void *item = *slot;

	if (item == NULL)
		return NULL;
	*slot = NULL;
	r->next++;
	r->count--;
	return item;
}

void
mig_reorder_drain(struct mig_reorder *r, void (*fn)(void *item, void *arg),
		  void *arg)
{
	uint32_t i;

	for (i = 0; i < r->window && r->count; i++) {
		if (r->slots[i] == NULL)
			continue;
		fn(r->slots[i], arg);
		r->slots[i] = NULL;
		r->count--;
	}
}
