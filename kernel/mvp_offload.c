// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * Offload mode: the state machine's hooks and the VMM's side. While an
 * agent with MIG_VFIO_OFFLOAD_F_ENABLE is attached, a new saving session
 * gets a token and the offload file operations: the VMM's data fd gives
 * ENOMSG in PRE_COPY and, in STOP_COPY, waits for the agent's SAVE_DONE
 * and then gives the OFFLOAD record's stream. A new resuming session gets
 * a second, internal resuming stream the agent writes; RESUMING -> STOP
 * checks the VMM's OFFLOAD record against the agent's RESUME_DONE and
 * applies the agent's stream. The character device is mvp_agent.c.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/uaccess.h>

#include "include/uapi/mig_vfio_offload.h"
#include "mvp.h"
#include "mvp_agent.h"

static unsigned int offload_timeout_ms = 30000;
module_param(offload_timeout_ms, uint, 0644);
MODULE_PARM_DESC(offload_timeout_ms,
		 "offload mode: longest wait for the agent's SAVE_DONE in STOP_COPY and RESUME_DONE in RESUMING -> STOP (default 30000)");

static unsigned long mvp_off_timeout(void)
{
	return msecs_to_jiffies(READ_ONCE(offload_timeout_ms));
}

/* The session fails with @status unless it is already settled. */
void mvp_off_fail(struct mvp_migf *migf, int status)
{
	mutex_lock(&migf->lock);
	if (!migf->off.done) {
		migf->off.done = true;
		migf->off.status = status;
	}
	mutex_unlock(&migf->lock);
	wake_up_interruptible(&migf->poll_wait);
}

/* [off.lock] Queue an event for the attached agent, if any. */
void mvp_off_event(struct mvp_off_dev *off, u32 type, u64 token, u32 state,
		   int status)
{
	if (off->agent)
		mvp_agent_event(off->agent, type, token, state, status);
}

/* ---- the VMM's saving fd in offload mode ---- */

static bool mvp_off_settled(struct mvp_migf *migf)
{
	return READ_ONCE(migf->off.done) || READ_ONCE(migf->disabled) ||
	       READ_ONCE(migf->aborted);
}

/* [migf->lock] The session settled: the record's bytes, its error, 0 = end. */
static ssize_t mvp_off_out(struct mvp_migf *migf, char __user *ubuf,
			   size_t len)
{
	size_t n;

	if (migf->off.status)
		return migf->off.status;
	n = min_t(size_t, len, MVP_OFF_STREAM_LEN - migf->off.out_pos);
	if (copy_to_user(ubuf, migf->off.out + migf->off.out_pos, n))
		return -EFAULT;
	migf->off.out_pos += n;
	if (migf->off.out_pos == MVP_OFF_STREAM_LEN)
		migf->off.completed = true;
	return n;
}

static ssize_t mvp_off_save_read(struct file *filp, char __user *ubuf,
				 size_t len, loff_t *pos)
{
	struct mvp_migf *migf = filp->private_data;
	ssize_t ret;
	long left;

	if (pos)
		return -ESPIPE;
	mutex_lock(&migf->lock);
	for (;;) {
		if (migf->disabled || READ_ONCE(migf->aborted)) {
			ret = -ENODEV;
			break;
		}
		if (migf->off.done) {
			ret = mvp_off_out(migf, ubuf, len);
			break;
		}
		/* PRE_COPY: the agent reads the state, nothing for the VMM. */
		if (!migf->final) {
			ret = -ENOMSG;
			break;
		}
		if (!migf->off.deadline)
			migf->off.deadline = jiffies + mvp_off_timeout();
		left = (long)(migf->off.deadline - jiffies);
		if (left <= 0) {
			dev_err(mvp_dev(migf->mvdev),
				"offload: stop-copy: no SAVE_DONE from the agent within %u ms: migration fails\n",
				READ_ONCE(offload_timeout_ms));
			migf->off.done = true;
			migf->off.status = -ETIMEDOUT;
			continue;
		}
		mutex_unlock(&migf->lock);
		left = wait_event_interruptible_timeout(migf->poll_wait,
							mvp_off_settled(migf),
							left);
		mutex_lock(&migf->lock);
		if (left < 0) {
			ret = -EINTR;
			break;
		}
	}
	mutex_unlock(&migf->lock);
	return ret;
}

static __poll_t mvp_off_save_poll(struct file *filp,
				  struct poll_table_struct *wait)
{
	struct mvp_migf *migf = filp->private_data;

	poll_wait(filp, &migf->poll_wait, wait);
	return mvp_off_settled(migf) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations mvp_off_save_fops = {
	.owner = THIS_MODULE,
	.read = mvp_off_save_read,
	.poll = mvp_off_save_poll,
	.unlocked_ioctl = mvp_save_file_ioctl,	/* PRECOPY_INFO: the bulk */
	.compat_ioctl = compat_ptr_ioctl,
	.release = mvp_file_release,
};

/* ---- hooks of the state machine, [state] ---- */

/* The VMM's arc entered @state. */
void mvp_offload_state(struct mvp_device *mvdev, u32 state)
{
	mutex_lock(&mvdev->off.lock);
	mvp_off_event(&mvdev->off, MIG_VFIO_OFFLOAD_EV_STATE, 0, state, 0);
	mutex_unlock(&mvdev->off.lock);
}

/* A new saving fd, not yet given to the VMM: offload it if enabled. */
void mvp_offload_save_begin(struct mvp_device *mvdev, struct mvp_migf *migf)
{
	const struct file_operations *fops;
	struct mvp_off_dev *off = &mvdev->off;
	u64 token;

	mutex_lock(&off->lock);
	if (off->agent && mvp_agent_enabled(off->agent) && !off->gone) {
		do {
			token = get_random_u64();
		} while (!token);
		/*
		 * Not yet given to the VMM: the file takes the offload file
		 * operations (and their module reference, the old one put).
		 */
		fops = fops_get(&mvp_off_save_fops);
		replace_fops(migf->filp, fops);
		migf->off.on = true;
		migf->off.token = token;
		off->save = migf;
		off->token = token;
		mvp_off_event(off, MIG_VFIO_OFFLOAD_EV_SAVE, token, 0, 0);
	}
	mutex_unlock(&off->lock);
}

/* A new resuming fd: with an agent, its stream gets a resuming file too. */
int mvp_offload_resume_begin(struct mvp_device *mvdev, struct mvp_migf *migf)
{
	struct mvp_off_dev *off = &mvdev->off;
	struct mvp_migf *bulk;
	int ret = 0;

	mutex_lock(&off->lock);
	if (off->agent && mvp_agent_enabled(off->agent) && !off->gone) {
		bulk = mvp_resume_file_create(mvdev);
		if (IS_ERR(bulk)) {
			ret = PTR_ERR(bulk);
			dev_err(mvp_dev(mvdev),
				"offload: stop -> resuming: no stream for the agent: %d\n",
				ret);
			goto out;
		}
		bulk->off.agent_stream = true;
		off->resume = migf;
		off->bulk = bulk;
		off->begun = false;
		off->token = 0;
		mvp_off_event(off, MIG_VFIO_OFFLOAD_EV_RESUME, 0, 0, 0);
	}
out:
	mutex_unlock(&off->lock);
	return ret;
}

static int mvp_off_resume_check(struct mvp_device *mvdev,
				struct mvp_migf *migf)
{
	const struct mvp_rec_offload *r = &migf->off.rec;
	struct pci_dev *pdev = mvdev->core.pdev;

	if (migf->off.status) {
		dev_err(mvp_dev(mvdev),
			"resuming -> stop: offload: the agent's transfer failed: %d\n",
			migf->off.status);
		return migf->off.status;
	}
	if (le16_to_cpu(r->vendor) != pdev->vendor ||
	    le16_to_cpu(r->device) != pdev->device ||
	    le64_to_cpu(r->state_size) != mvdev->be->state_size(mvdev)) {
		dev_err(mvp_dev(mvdev),
			"resuming -> stop: offload record names another device\n");
		return -EINVAL;
	}
	if (le64_to_cpu(r->token) != migf->off.token ||
	    le64_to_cpu(r->bytes) != migf->off.bytes ||
	    le64_to_cpu(r->digest) != migf->off.digest) {
		dev_err(mvp_dev(mvdev),
			"resuming -> stop: offload record (token %llx, %llu bytes, digest %llx) does not match the agent's stream (token %llx, %llu bytes, digest %llx)\n",
			le64_to_cpu(r->token), le64_to_cpu(r->bytes),
			le64_to_cpu(r->digest), migf->off.token,
			migf->off.bytes, migf->off.digest);
		return -EILSEQ;
	}
	return 0;
}

/*
 * RESUMING -> STOP after the VMM's stream was found whole: with an
 * OFFLOAD record, wait for the agent's RESUME_DONE, compare, and apply
 * the agent's stream.
 */
int mvp_offload_resume_end(struct mvp_device *mvdev, struct mvp_migf *migf)
{
	struct mvp_off_dev *off = &mvdev->off;
	long left;
	int ret;

	if (!migf->off.rec_seen)
		return 0;
	mutex_lock(&off->lock);
	ret = off->resume == migf ? 0 : -ENOLINK;
	mutex_unlock(&off->lock);
	if (ret) {
		dev_err(mvp_dev(mvdev),
			"resuming -> stop: offload record but no agent with offload enabled was attached at stop -> resuming\n");
		return ret;
	}
	left = wait_event_interruptible_timeout(migf->poll_wait,
						READ_ONCE(migf->off.done),
						mvp_off_timeout());
	if (left < 0)
		return -EINTR;
	mutex_lock(&off->lock);
	mutex_lock(&migf->lock);
	if (!migf->off.done) {
		dev_err(mvp_dev(mvdev),
			"resuming -> stop: offload: no RESUME_DONE from the agent within %u ms\n",
			READ_ONCE(offload_timeout_ms));
		migf->off.done = true;
		migf->off.status = -ETIMEDOUT;
	}
	ret = mvp_off_resume_check(mvdev, migf);
	mutex_unlock(&migf->lock);
	if (!ret) {
		ret = mvp_resume_file_end(off->bulk);
		if (ret)
			dev_err(mvp_dev(mvdev),
				"resuming -> stop: offload: the agent's stream was not applied: %d\n",
				ret);
	}
	mutex_lock(&migf->lock);
	if (ret)
		migf->off.status = ret;
	else
		migf->off.completed = true;
	mutex_unlock(&migf->lock);
	mutex_unlock(&off->lock);
	return ret;
}

/* A data fd's session ends (arc, reset, close): tell the agent. */
void mvp_offload_drop(struct mvp_device *mvdev, struct mvp_migf *migf)
{
	struct mvp_off_dev *off = &mvdev->off;
	struct mvp_migf *bulk = NULL;
	bool completed;
	int status;

	mutex_lock(&off->lock);
	if (off->save != migf && off->resume != migf) {
		mutex_unlock(&off->lock);
		return;
	}
	mutex_lock(&migf->lock);
	if (!migf->off.done) {
		migf->off.done = true;
		migf->off.status = -ECANCELED;
	}
	completed = migf->off.completed;
	status = migf->off.status ? migf->off.status : -ECANCELED;
	mutex_unlock(&migf->lock);
	if (!completed)
		mvp_off_event(off, MIG_VFIO_OFFLOAD_EV_ABORT, off->token, 0,
			      status);
	if (off->resume == migf) {
		bulk = off->bulk;
		off->bulk = NULL;
		off->resume = NULL;
		off->begun = false;
	} else {
		off->save = NULL;
	}
	off->token = 0;
	mutex_unlock(&off->lock);
	if (bulk) {
		mvp_file_disable(bulk);
		fput(bulk->filp);
	}
}

/* .init: before the device can be used or found. */
void mvp_offload_dev_init(struct mvp_device *mvdev)
{
	mutex_init(&mvdev->off.lock);
}

/* .remove, after the VMM is gone: an attached agent gets ENODEV. */
void mvp_offload_remove(struct mvp_device *mvdev)
{
	mutex_lock(&mvdev->off.lock);
	mvdev->off.gone = true;
	if (mvdev->off.agent)
		mvp_agent_wake(mvdev->off.agent);
	mutex_unlock(&mvdev->off.lock);
}
