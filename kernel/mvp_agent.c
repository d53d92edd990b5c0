// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * /dev/mig_vfio_offload, the bulk-state interface (uAPI
 * include/uapi/mig_vfio_offload.h): an open file attaches to one device,
 * reads its state events, and moves its sessions' streams. Every ioctl
 * takes the device's off.lock, never the state mutex.
 */

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "include/uapi/mig_vfio_offload.h"
#include "mvp.h"
#include "mvp_agent.h"

#define MVP_EVQ 64

struct mvp_agent {
	struct mutex lock;		/* ATTACH */
	struct mvp_device *mvdev;	/* set by ATTACH, holds a reference */
	bool enable;

	spinlock_t ev_lock;
	wait_queue_head_t ev_wait;
	struct mig_vfio_offload_event ev[MVP_EVQ];
	unsigned int ev_head;
	unsigned int ev_len;
	u64 ev_seq;
};

bool mvp_agent_enabled(struct mvp_agent *ag)
{
	return ag->enable;
}

/*
 * [off.lock] On overflow the oldest is dropped and the one after it, now
 * the oldest, says that events before it were lost.
 */
void mvp_agent_event(struct mvp_agent *ag, u32 type, u64 token, u32 state,
		     int status)
{
	struct mig_vfio_offload_event *ev;

	spin_lock(&ag->ev_lock);
	if (ag->ev_len == MVP_EVQ) {
		ag->ev_head = (ag->ev_head + 1) % MVP_EVQ;
		ag->ev_len--;
		ag->ev[ag->ev_head].flags |= MIG_VFIO_OFFLOAD_EV_F_LOST;
	}
	ev = &ag->ev[(ag->ev_head + ag->ev_len) % MVP_EVQ];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->seq = ++ag->ev_seq;
	ev->token = token;
	ev->state = state;
	ev->status = status;
	ev->time_ns = ktime_get_ns();
	ag->ev_len++;
	spin_unlock(&ag->ev_lock);
	wake_up_interruptible(&ag->ev_wait);
}

void mvp_agent_wake(struct mvp_agent *ag)
{
	wake_up_interruptible(&ag->ev_wait);
}

static bool mvp_agent_gone(struct mvp_agent *ag)
{
	return READ_ONCE(ag->mvdev->off.gone);
}

static bool mvp_agent_ready(struct mvp_agent *ag)
{
	return READ_ONCE(ag->ev_len) || mvp_agent_gone(ag);
}

/* Whole events; 0 once the device is removed and nothing is queued. */
static ssize_t mvp_agent_read(struct file *filp, char __user *ubuf,
			      size_t len, loff_t *pos)
{
	struct mvp_agent *ag = filp->private_data;
	struct mig_vfio_offload_event ev;
	size_t done = 0;
	bool have;
	int ret;

	if (len < sizeof(ev))
		return -EINVAL;
	if (!READ_ONCE(ag->mvdev))
		return -ENOTCONN;
	while (done + sizeof(ev) <= len) {
		spin_lock(&ag->ev_lock);
		have = ag->ev_len;
		if (have)
			ev = ag->ev[ag->ev_head];
		spin_unlock(&ag->ev_lock);
		if (!have) {
			if (done || mvp_agent_gone(ag))
				break;
			if (filp->f_flags & O_NONBLOCK)
				return -EAGAIN;
			ret = wait_event_interruptible(ag->ev_wait,
						       mvp_agent_ready(ag));
			if (ret)
				return ret;
			continue;
		}
		if (copy_to_user(ubuf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		/* Dequeue what was copied, unless another reader did. */
		spin_lock(&ag->ev_lock);
		if (ag->ev_len && ag->ev[ag->ev_head].seq == ev.seq) {
			ag->ev_head = (ag->ev_head + 1) % MVP_EVQ;
			ag->ev_len--;
		}
		spin_unlock(&ag->ev_lock);
		done += sizeof(ev);
	}
	return done;
}

static __poll_t mvp_agent_poll(struct file *filp,
			       struct poll_table_struct *wait)
{
	struct mvp_agent *ag = filp->private_data;
	__poll_t mask = 0;

	if (!READ_ONCE(ag->mvdev))
		return EPOLLERR;
	poll_wait(filp, &ag->ev_wait, wait);
	if (READ_ONCE(ag->ev_len))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (mvp_agent_gone(ag))
		mask |= EPOLLHUP;
	return mask;
}

/* ---- ioctls ---- */

static int mvp_agent_attach(struct mvp_agent *ag, void __user *arg)
{
	struct mig_vfio_offload_attach at;
	struct mvp_device *mvdev = NULL;
	struct pci_dev *pdev;
	struct device *dev;
	int ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&at, arg, sizeof(at)))
		return -EFAULT;
	if (at.argsz < sizeof(at) || at.flags & ~MIG_VFIO_OFFLOAD_F_ENABLE ||
	    strnlen(at.bdf, sizeof(at.bdf)) == sizeof(at.bdf))
		return -EINVAL;
	/* The result goes back where the argument came from: writable? */
	if (copy_to_user(arg, &at, sizeof(at)))
		return -EFAULT;
	dev = bus_find_device_by_name(&pci_bus_type, NULL, at.bdf);
	if (!dev)
		return -ENODEV;
	pdev = to_pci_dev(dev);
	mutex_lock(&ag->lock);
	if (ag->mvdev) {
		ret = -EISCONN;
		goto out;
	}
	/* Under the device lock the driver cannot be unbound. */
	device_lock(dev);
	if (!mvp_pci_owns(pdev)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	mvdev = container_of(dev_get_drvdata(dev), struct mvp_device, core);
	mutex_lock(&mvdev->state_mutex);
	at.state = mvdev->mig_state;
	at.state_size = mvdev->be_priv ? mvdev->be->state_size(mvdev) : 0;
	mvp_state_mutex_unlock(mvdev);
	mutex_lock(&mvdev->off.lock);
	if (mvdev->off.gone) {
		ret = -ENODEV;
	} else if (mvdev->off.agent) {
		ret = -EBUSY;
	} else {
		get_device(&mvdev->core.vdev.device);
		ag->enable = at.flags & MIG_VFIO_OFFLOAD_F_ENABLE;
		mvdev->off.agent = ag;
		WRITE_ONCE(ag->mvdev, mvdev);
	}
	mutex_unlock(&mvdev->off.lock);
out_unlock:
	device_unlock(dev);
out:
	mutex_unlock(&ag->lock);
	put_device(dev);
	if (ret)
		return ret;
	at.version = MIG_VFIO_OFFLOAD_UAPI_VERSION;
	at.vendor = pdev->vendor;
	at.device = pdev->device;
	dev_info(mvp_dev(mvdev), "offload: agent %d attached%s\n",
		 task_tgid_nr(current), ag->enable ? ", offload enabled" : "");
	return copy_to_user(arg, &at, sizeof(at)) ? -EFAULT : 0;
}

/* Lock the attached device's off.lock; NULL with *ret set otherwise. */
static struct mvp_device *mvp_agent_lock(struct mvp_agent *ag, int *ret)
{
	struct mvp_device *mvdev = READ_ONCE(ag->mvdev);

	if (!mvdev) {
		*ret = -ENOTCONN;
		return NULL;
	}
	mutex_lock(&mvdev->off.lock);
	if (mvdev->off.gone) {
		mutex_unlock(&mvdev->off.lock);
		*ret = -ENODEV;
		return NULL;
	}
	return mvdev;
}

static int mvp_agent_save_read(struct mvp_agent *ag, void __user *arg)
{
	struct mig_vfio_offload_read rd;
	struct mvp_device *mvdev;
	bool end = false;
	ssize_t n;
	int ret;

	if (copy_from_user(&rd, arg, sizeof(rd)))
		return -EFAULT;
	if (rd.argsz < sizeof(rd) || rd.flags || !rd.len)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(rd.buf), rd.len) ||
	    copy_to_user(arg, &rd, sizeof(rd)))
		return -EFAULT;
	mvdev = mvp_agent_lock(ag, &ret);
	if (!mvdev)
		return ret;
	if (!mvdev->off.save || rd.token != mvdev->off.token)
		n = -ESRCH;
	else
		n = mvp_save_file_pull(mvdev->off.save,
				       u64_to_user_ptr(rd.buf), rd.len,
				       &rd.offset, &end, &rd.initial,
				       &rd.dirty);
	mutex_unlock(&mvdev->off.lock);
	if (n < 0)
		return n;
	rd.bytes = n;
	if (end)
		rd.flags |= MIG_VFIO_OFFLOAD_RD_F_END;
	else if (!n)
		rd.flags |= MIG_VFIO_OFFLOAD_RD_F_AGAIN;
	return copy_to_user(arg, &rd, sizeof(rd)) ? -EFAULT : 0;
}

static int mvp_done_args(struct mig_vfio_offload_done *dn, void __user *arg)
{
	if (copy_from_user(dn, arg, sizeof(*dn)))
		return -EFAULT;
	if (dn->argsz < sizeof(*dn) || dn->flags || dn->status > 0)
		return -EINVAL;
	return 0;
}

/* [off.lock, migf->lock] The source's stream was delivered: check it. */
static int mvp_save_done_locked(struct mvp_device *mvdev,
				struct mvp_migf *migf,
				const struct mig_vfio_offload_done *dn)
{
	struct mvp_rec_offload r = {};

	if (migf->off.done)
		return -EALREADY;
	if (dn->status) {
		dev_err(mvp_dev(mvdev),
			"offload: save: the agent reports the transfer failed: %d\n",
			dn->status);
		migf->off.done = true;
		migf->off.status = dn->status;
		return 0;
	}
	if (!migf->end_done || migf->buf_pos != migf->buf_len)
		return -EINVAL;	/* not all read yet */
	if (dn->bytes != migf->bytes || dn->digest != migf->digest) {
		dev_err(mvp_dev(mvdev),
			"offload: save: SAVE_DONE names %llu bytes digest %llx, the stream was %llu bytes digest %x: migration fails\n",
			dn->bytes, dn->digest, migf->bytes, migf->digest);
		migf->off.done = true;
		migf->off.status = -EILSEQ;
		return -EILSEQ;
	}
	r.token = cpu_to_le64(migf->off.token);
	r.vendor = cpu_to_le16(mvdev->core.pdev->vendor);
	r.device = cpu_to_le16(mvdev->core.pdev->device);
	r.flags = cpu_to_le32(migf->precopy ? MVP_HDR_F_PRE_COPY : 0);
	r.state_size = cpu_to_le64(mvdev->be->state_size(mvdev));
	r.bytes = cpu_to_le64(migf->bytes);
	r.digest = cpu_to_le64(migf->digest);
	mvp_offload_stream_fill(migf->off.out, &r);
	migf->off.done = true;
	migf->off.status = 0;
	return 0;
}

static int mvp_agent_save_done(struct mvp_agent *ag, void __user *arg)
{
	struct mig_vfio_offload_done dn;
	struct mvp_device *mvdev;
	struct mvp_migf *migf;
	int ret;

	ret = mvp_done_args(&dn, arg);
	if (ret)
		return ret;
	mvdev = mvp_agent_lock(ag, &ret);
	if (!mvdev)
		return ret;
	migf = mvdev->off.save;
	if (!migf || dn.token != mvdev->off.token) {
		ret = -ESRCH;
	} else {
		mutex_lock(&migf->lock);
		ret = mvp_save_done_locked(mvdev, migf, &dn);
		mutex_unlock(&migf->lock);
		wake_up_interruptible(&migf->poll_wait);
	}
	mutex_unlock(&mvdev->off.lock);
	return ret;
}

static int mvp_agent_resume_begin(struct mvp_agent *ag, void __user *arg)
{
	struct mig_vfio_offload_begin bg;
	struct mvp_device *mvdev;
	struct mvp_migf *migf;
	int ret = 0;

	if (copy_from_user(&bg, arg, sizeof(bg)))
		return -EFAULT;
	if (bg.argsz < sizeof(bg) || bg.flags || !bg.token)
		return -EINVAL;
	mvdev = mvp_agent_lock(ag, &ret);
	if (!mvdev)
		return ret;
	migf = mvdev->off.resume;
	if (!migf) {
		ret = -ESRCH;
	} else if (mvdev->off.begun) {
		ret = -EALREADY;
	} else {
		mvdev->off.begun = true;
		mvdev->off.token = bg.token;
		mutex_lock(&migf->lock);
		migf->off.token = bg.token;
		mutex_unlock(&migf->lock);
	}
	mutex_unlock(&mvdev->off.lock);
	return ret;
}

/* [off.lock] The resuming session named @token, or NULL. */
static struct mvp_migf *mvp_resume_session(struct mvp_device *mvdev,
					   u64 token)
{
	if (!mvdev->off.resume || !mvdev->off.begun ||
	    token != mvdev->off.token)
		return NULL;
	return mvdev->off.resume;
}

static int mvp_agent_resume_write(struct mvp_agent *ag, void __user *arg)
{
	struct mig_vfio_offload_write wr;
	struct mvp_device *mvdev;
	struct mvp_migf *bulk;
	ssize_t n;
	int ret;

	if (copy_from_user(&wr, arg, sizeof(wr)))
		return -EFAULT;
	if (wr.argsz < sizeof(wr) || wr.flags || !wr.len)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(wr.buf), wr.len))
		return -EFAULT;
	mvdev = mvp_agent_lock(ag, &ret);
	if (!mvdev)
		return ret;
	bulk = mvdev->off.bulk;
	if (!mvp_resume_session(mvdev, wr.token)) {
		ret = -ESRCH;
	} else if (wr.offset != bulk->filp->f_pos) {
		ret = -EINVAL;
	} else {
		n = mvp_resume_file_write(bulk, u64_to_user_ptr(wr.buf),
					  wr.len);
		ret = n < 0 ? n : 0;
		if (n >= 0 && n < wr.len) {
			/* A fault after some bytes: the stream is broken. */
			mutex_lock(&bulk->lock);
			bulk->error = -EFAULT;
			mutex_unlock(&bulk->lock);
			ret = -EFAULT;
		}
	}
	mutex_unlock(&mvdev->off.lock);
	return ret;
}

/* [off.lock, migf->lock] The destination's stream was written: check it. */
static int mvp_resume_done_locked(struct mvp_device *mvdev,
				  struct mvp_migf *migf,
				  const struct mig_vfio_offload_done *dn)
{
	struct mvp_migf *bulk = mvdev->off.bulk;
	int ret = 0;

	if (migf->off.done)
		return -EALREADY;
	if (dn->status) {
		dev_err(mvp_dev(mvdev),
			"offload: resume: the agent reports the transfer failed: %d\n",
			dn->status);
		migf->off.done = true;
		migf->off.status = dn->status;
		return 0;
	}
	/* The agent's stream has no waiter: its lock nests here alone. */
	mutex_lock_nested(&bulk->lock, SINGLE_DEPTH_NESTING);
	if (bulk->error)
		ret = bulk->error;
	else if (!bulk->complete)
		ret = -EINVAL;
	else if (dn->bytes != bulk->bytes || dn->digest != bulk->digest)
		ret = -EILSEQ;
	mutex_unlock(&bulk->lock);
	if (ret)
		dev_err(mvp_dev(mvdev),
			"offload: resume: RESUME_DONE (%llu bytes, digest %llx) but the stream written is %s: %d\n",
			dn->bytes, dn->digest,
			ret == -EILSEQ ? "another" :
			ret == -EINVAL ? "incomplete" : "broken", ret);
	migf->off.done = true;
	migf->off.status = ret;
	migf->off.bytes = dn->bytes;
	migf->off.digest = dn->digest;
	return ret;
}

static int mvp_agent_resume_done(struct mvp_agent *ag, void __user *arg)
{
	struct mig_vfio_offload_done dn;
	struct mvp_device *mvdev;
	struct mvp_migf *migf;
	int ret;

	ret = mvp_done_args(&dn, arg);
	if (ret)
		return ret;
	mvdev = mvp_agent_lock(ag, &ret);
	if (!mvdev)
		return ret;
	migf = mvp_resume_session(mvdev, dn.token);
	if (!migf) {
		ret = -ESRCH;
	} else {
		mutex_lock(&migf->lock);
		ret = mvp_resume_done_locked(mvdev, migf, &dn);
		mutex_unlock(&migf->lock);
		wake_up_interruptible(&migf->poll_wait);
	}
	mutex_unlock(&mvdev->off.lock);
	return ret;
}

static long mvp_agent_ioctl(struct file *filp, unsigned int cmd,
			    unsigned long arg)
{
	struct mvp_agent *ag = filp->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MIG_VFIO_OFFLOAD_IOC_ATTACH:
		return mvp_agent_attach(ag, uarg);
	case MIG_VFIO_OFFLOAD_IOC_SAVE_READ:
		return mvp_agent_save_read(ag, uarg);
	case MIG_VFIO_OFFLOAD_IOC_SAVE_DONE:
		return mvp_agent_save_done(ag, uarg);
	case MIG_VFIO_OFFLOAD_IOC_RESUME_BEGIN:
		return mvp_agent_resume_begin(ag, uarg);
	case MIG_VFIO_OFFLOAD_IOC_RESUME_WRITE:
		return mvp_agent_resume_write(ag, uarg);
	case MIG_VFIO_OFFLOAD_IOC_RESUME_DONE:
		return mvp_agent_resume_done(ag, uarg);
	}
	return -ENOTTY;
}

static int mvp_agent_open(struct inode *inode, struct file *filp)
{
	struct mvp_agent *ag;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ag = kzalloc(sizeof(*ag), GFP_KERNEL_ACCOUNT);
	if (!ag)
		return -ENOMEM;
	mutex_init(&ag->lock);
	spin_lock_init(&ag->ev_lock);
	init_waitqueue_head(&ag->ev_wait);
	filp->private_data = ag;
	return stream_open(inode, filp);
}

/* Detach at any point: a session in flight through this agent fails. */
static int mvp_agent_release(struct inode *inode, struct file *filp)
{
	struct mvp_agent *ag = filp->private_data;
	struct mvp_device *mvdev = ag->mvdev;
	struct mvp_off_dev *off;

	if (mvdev) {
		off = &mvdev->off;
		mutex_lock(&off->lock);
		off->agent = NULL;
		if (off->save || off->resume)
			dev_warn(mvp_dev(mvdev),
				 "offload: agent detached during a %s session: the VMM's migration fails\n",
				 off->save ? "saving" : "resuming");
		if (off->save)
			mvp_off_fail(off->save, -ECONNRESET);
		if (off->resume)
			mvp_off_fail(off->resume, -ECONNRESET);
		mutex_unlock(&off->lock);
		vfio_put_device(&mvdev->core.vdev);
	}
	mutex_destroy(&ag->lock);
	kfree(ag);
	return 0;
}

static const struct file_operations mvp_agent_fops = {
	.owner = THIS_MODULE,
	.open = mvp_agent_open,
	.release = mvp_agent_release,
	.read = mvp_agent_read,
	.poll = mvp_agent_poll,
	.unlocked_ioctl = mvp_agent_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice mvp_agent_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mig_vfio_offload",
	.fops = &mvp_agent_fops,
	.mode = 0600,
};

int mvp_agent_init(void)
{
	return misc_register(&mvp_agent_misc);
}

void mvp_agent_exit(void)
{
	misc_deregister(&mvp_agent_misc);
}
