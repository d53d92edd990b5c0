/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * The device's own view, for conformance checks (dpdk-migrate --check):
 * the state it reports, and requests it decomposes itself. Migrations never
 * use these; they trust the engine's state machine (mig_dev.c).
 */

#include <errno.h>
#include <string.h>

#include "mig_dev_driver.h"
#include "mig_log.h"

int
mig_dev_state_read(struct mig_dev *dev, enum mig_state *state)
{
	int ret;

	if (dev->drv->ops->get_state == NULL) {
		mig_err_set(mig_logtype_engine,
			    "device %s: read state: not supported by driver %s",
			    dev->name, dev->drv->name);
		return -ENOTSUP;
	}
	ret = dev->drv->ops->get_state(dev, state);
	if (ret == 0)
		dev->state = *state;
	return ret;
}

int
mig_dev_request_state(struct mig_dev *dev, enum mig_state target,
		      enum mig_state *path, unsigned int max)
{
	enum mig_state actual;
	int ret;

	if (dev->drv->ops->request_state == NULL) {
		mig_err_set(mig_logtype_engine,
			    "device %s: request %s: driver %s cannot take a request in one step",
			    dev->name, mig_state_name(target), dev->drv->name);
		return -ENOTSUP;
	}
	if (dev->inflight) {
		mig_err_set(mig_logtype_engine,
			    "device %s: request %s: %u I/Os still outstanding",
			    dev->name, mig_state_name(target), dev->inflight);
		return -EBUSY;
	}
	mig_err_clear();
	ret = dev->drv->ops->request_state(dev, target, path, max);
	if (ret >= 0)
		dev->state = target;
	else if (dev->drv->ops->get_state != NULL &&
		 dev->drv->ops->get_state(dev, &actual) == 0)
		dev->state = actual;
	else
		dev->state = MIG_STATE_ERROR;
	return ret;
}
