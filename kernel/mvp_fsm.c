// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * Control plane: the migration state machine, the state mutex with the
 * deferred-reset pattern, and the lifetimes of the data fds. Device
 * access goes through the backend ops table (mvp_backend.h).
 */

#include <linux/device.h>
#include <linux/file.h>
#include <linux/sysfs.h>
#include <linux/vfio.h>

#include "mvp.h"

static void mvp_reset_locked(struct mvp_device *mvdev)
{
	/* Any context, memory_lock may be held for writing: no sleeping. */
	mvdev->mig_state = VFIO_DEVICE_STATE_RUNNING;
	WRITE_ONCE(mvdev->running, true);
	if (mvdev->saving_migf)
		mvp_file_abort(mvdev->saving_migf);
	if (mvdev->resuming_migf)
		mvp_file_abort(mvdev->resuming_migf);
	if (mvdev->be_priv)
		mvdev->be->reset(mvdev);
}

/*
 * Every unlock of state_mutex goes through here: a reset that arrived
 * while the mutex was held is applied before the mutex is released.
 */
void mvp_state_mutex_unlock(struct mvp_device *mvdev)
{
again:
	spin_lock(&mvdev->reset_lock);
	if (mvdev->deferred_reset) {
		mvdev->deferred_reset = false;
		spin_unlock(&mvdev->reset_lock);
		mvp_reset_locked(mvdev);
		goto again;
	}
	mutex_unlock(&mvdev->state_mutex);
	spin_unlock(&mvdev->reset_lock);
}

/*
 * pci_error_handlers.reset_done: called with the core's memory_lock held
 * for writing (VFIO_DEVICE_RESET) or during open. Never waits for
 * state_mutex: whoever holds it applies the reset when unlocking.
 */
void mvp_reset_done(struct mvp_device *mvdev)
{
	spin_lock(&mvdev->reset_lock);
	mvdev->deferred_reset = true;
	if (!mutex_trylock(&mvdev->state_mutex)) {
		spin_unlock(&mvdev->reset_lock);
		return;
	}
	spin_unlock(&mvdev->reset_lock);
	mvp_state_mutex_unlock(mvdev);
}

static void mvp_drop_saving(struct mvp_device *mvdev)
{
	mvp_offload_drop(mvdev, mvdev->saving_migf);
	spin_lock(&mvdev->track_lock);
	mvdev->notify_migf = NULL;
	spin_unlock(&mvdev->track_lock);
	mvp_file_disable(mvdev->saving_migf);
	fput(mvdev->saving_migf->filp);
	mvdev->saving_migf = NULL;
}

static void mvp_drop_resuming(struct mvp_device *mvdev)
{
	mvp_offload_drop(mvdev, mvdev->resuming_migf);
	mvp_file_disable(mvdev->resuming_migf);
	fput(mvdev->resuming_migf->filp);
	mvdev->resuming_migf = NULL;
}

/* Files aborted by a reset are released here, in a context that may sleep. */
static void mvp_reap_files(struct mvp_device *mvdev)
{
	if (mvdev->saving_migf && READ_ONCE(mvdev->saving_migf->aborted))
		mvp_drop_saving(mvdev);
	if (mvdev->resuming_migf && READ_ONCE(mvdev->resuming_migf->aborted))
		mvp_drop_resuming(mvdev);
}

/* close_device: both files reach EOF/ENODEV before the core disables. */
void mvp_close_files(struct mvp_device *mvdev)
{
	if (mvdev->saving_migf)
		mvp_drop_saving(mvdev);
	if (mvdev->resuming_migf)
		mvp_drop_resuming(mvdev);
}

static int mvp_device_stop(struct mvp_device *mvdev)
{
	int ret;

	/* Wait for region writes in flight, refuse new ones. */
	down_write(&mvdev->io_rwsem);
	mvdev->running = false;
	up_write(&mvdev->io_rwsem);
	ret = mvdev->be->stop(mvdev);
	if (ret) {
		WRITE_ONCE(mvdev->running, true);
		dev_err(mvp_dev(mvdev), "stop: %s backend failed: %d\n",
			mvdev->be->name, ret);
	}
	return ret;
}

static struct file *mvp_new_saving(struct mvp_device *mvdev, bool precopy)
{
	struct mvp_migf *migf;

	migf = mvp_save_file_create(mvdev, precopy);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	mvp_offload_save_begin(mvdev, migf);
	get_file(migf->filp);
	mvdev->saving_migf = migf;
	spin_lock(&mvdev->track_lock);
	mvdev->notify_migf = migf;
	spin_unlock(&mvdev->track_lock);
	return migf->filp;
}

static struct file *mvp_new_resuming(struct mvp_device *mvdev)
{
	struct mvp_migf *migf;
	int ret;

	migf = mvp_resume_file_create(mvdev);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	ret = mvp_offload_resume_begin(mvdev, migf);
	if (ret) {
		fput(migf->filp);
		return ERR_PTR(ret);
	}
	get_file(migf->filp);
	mvdev->resuming_migf = migf;
	return migf->filp;
}

#define ARC(a, b) (((a) << 8) | (b))

/* One arc of vfio_mig_get_next_state(); returns a new data file or NULL. */
static struct file *mvp_step(struct mvp_device *mvdev, u32 cur, u32 next)
{
	int ret;

	switch (ARC(cur, next)) {
	/* ivshmem does no DMA: P2P quiescing has nothing to stop. */
	case ARC(VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_RUNNING_P2P):
	case ARC(VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING):
	case ARC(VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P):
	case ARC(VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_PRE_COPY):
		return NULL;

	case ARC(VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_STOP):
	case ARC(VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_STOP):
		ret = mvp_device_stop(mvdev);
		return ret ? ERR_PTR(ret) : NULL;

	case ARC(VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING_P2P):
	case ARC(VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING):
		WRITE_ONCE(mvdev->running, true);
		return NULL;

	case ARC(VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_PRE_COPY):
	case ARC(VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_PRE_COPY_P2P):
		return mvp_new_saving(mvdev, true);

	case ARC(VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_RUNNING):
	case ARC(VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_RUNNING_P2P):
	case ARC(VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP):
		mvp_drop_saving(mvdev);
		return NULL;

	case ARC(VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_STOP_COPY):
	case ARC(VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_STOP_COPY):
		ret = mvp_device_stop(mvdev);
		if (ret)
			return ERR_PTR(ret);
		mvp_save_file_final(mvdev->saving_migf);
		return NULL;

	case ARC(VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY): {
		struct file *f = mvp_new_saving(mvdev, false);

		if (!IS_ERR(f))
			mvp_save_file_final(mvdev->saving_migf);
		return f;
	}

	case ARC(VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING):
		return mvp_new_resuming(mvdev);

	case ARC(VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_STOP):
		ret = mvp_resume_file_end(mvdev->resuming_migf);
		if (!ret)
			ret = mvp_offload_resume_end(mvdev,
						     mvdev->resuming_migf);
		if (ret) {
			dev_err(mvp_dev(mvdev),
				"resuming -> stop: migration stream rejected: %d\n",
				ret);
			return ERR_PTR(ret);
		}
		mvp_drop_resuming(mvdev);
		return NULL;
	}
	WARN_ON(true);
	return ERR_PTR(-EINVAL);
}

static struct file *mvp_set_state(struct vfio_device *vdev,
				  enum vfio_device_mig_state new_state)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&mvdev->state_mutex);
	mvp_reap_files(mvdev);
	mvdev->path[0] = mvdev->mig_state;
	mvdev->path_len = 1;
	/*
	 * vfio_mig_get_next_state() of 6.12 loops forever on these blocked
	 * arcs when PRE_COPY is supported; refuse them before asking it.
	 */
	if (mvdev->mig_state == VFIO_DEVICE_STATE_STOP_COPY &&
	    (new_state == VFIO_DEVICE_STATE_PRE_COPY ||
	     new_state == VFIO_DEVICE_STATE_PRE_COPY_P2P)) {
		res = ERR_PTR(-EINVAL);
		goto out;
	}
	if (mvdev->mig_state == VFIO_DEVICE_STATE_ERROR) {
		res = ERR_PTR(-EIO);
		goto out;
	}
	while (mvdev->mig_state != new_state) {
		ret = vfio_mig_get_next_state(vdev, mvdev->mig_state,
					      new_state, &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = mvp_step(mvdev, mvdev->mig_state, next);
		if (IS_ERR(res))
			break;
		mvdev->mig_state = next;
		mvp_offload_state(mvdev, next);
		if (mvdev->path_len < MVP_PATH_MAX)
			mvdev->path[mvdev->path_len++] = next;
		if (WARN_ON(res && new_state != next)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
out:
	mvp_state_mutex_unlock(mvdev);
	return res;
}

static int mvp_get_state(struct vfio_device *vdev,
			 enum vfio_device_mig_state *cur)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);

	mutex_lock(&mvdev->state_mutex);
	*cur = mvdev->mig_state;
	mvp_state_mutex_unlock(mvdev);
	return 0;
}

/* Stream bytes for @payload bytes of memory state plus registers. */
static u64 mvp_stream_estimate(u64 payload)
{
	u64 recs = DIV_ROUND_UP(payload, MVP_REC_MAX) + 2;

	return sizeof(struct mvp_stream_hdr) + payload + MVP_REGS_MAX +
	       recs * sizeof(struct mvp_rec_hdr) + sizeof(struct mvp_rec_end);
}

static int mvp_get_data_size(struct vfio_device *vdev,
			     unsigned long *stop_copy_length)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);

	mutex_lock(&mvdev->state_mutex);
	mvp_reap_files(mvdev);
	if (mvdev->saving_migf) {
		*stop_copy_length =
			mvp_save_file_stop_copy_len(mvdev->saving_migf);
	} else {
		*stop_copy_length =
			mvp_stream_estimate(mvdev->be->state_size(mvdev));
	}
	mvp_state_mutex_unlock(mvdev);
	return 0;
}

/*
 * /sys/bus/pci/devices/<BDF>/mig_last_path: the states the last SET went
 * through, its start first ("2 5 1 3"), so that tests can compare the
 * arcs the driver executed with the engine's decomposition.
 */
static ssize_t mig_last_path_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(dev);
	struct mvp_device *mvdev = container_of(core, struct mvp_device, core);
	unsigned int i;
	int len = 0;

	mutex_lock(&mvdev->state_mutex);
	for (i = 0; i < mvdev->path_len; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? " " : "",
				     mvdev->path[i]);
	mvp_state_mutex_unlock(mvdev);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(mig_last_path);

static struct attribute *mvp_dev_attrs[] = {
	&dev_attr_mig_last_path.attr,
	NULL,
};

static const struct attribute_group mvp_dev_group = {
	.attrs = mvp_dev_attrs,
};

const struct attribute_group *mvp_dev_groups[] = {
	&mvp_dev_group,
	NULL,
};

const struct vfio_migration_ops mvp_mig_ops = {
	.migration_set_state = mvp_set_state,
	.migration_get_state = mvp_get_state,
	.migration_get_data_size = mvp_get_data_size,
};
