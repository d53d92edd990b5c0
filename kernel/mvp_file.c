// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * The data fds: framing of the backend's records into the stream, the
 * uAPI's end-of-stream rules (ENOMSG in PRE_COPY, 0 at the end of
 * STOP_COPY), PRECOPY_INFO, poll, and incremental validation on resume.
 */

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "mvp.h"
#include "mvp_fault.h"

#define MVP_BUF_SIZE (sizeof(struct mvp_rec_hdr) + MVP_REC_MAX)

enum {
	MVP_PHASE_HDR,
	MVP_PHASE_REC_HDR,
	MVP_PHASE_PAYLOAD,
};

int mvp_file_release(struct inode *inode, struct file *filp)
{
	struct mvp_migf *migf = filp->private_data;

	/* The driver dropped its reference first: tracking is detached. */
	mutex_lock(&migf->lock);
	migf->disabled = true;
	mutex_unlock(&migf->lock);
	if (migf->be_ctx) {
		if (migf->kind == MVP_MIGF_SAVE)
			migf->be->save_free(migf->be_ctx);
		else
			migf->be->load_free(migf->be_ctx);
	}
	kvfree(migf->buf);
	mutex_destroy(&migf->lock);
	kfree(migf);
	return 0;
}

static struct mvp_migf *mvp_migf_alloc(struct mvp_device *mvdev,
				       enum mvp_migf_kind kind)
{
	struct mvp_migf *migf;

	migf = kzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return NULL;
	migf->buf = kvmalloc(MVP_BUF_SIZE, GFP_KERNEL_ACCOUNT);
	if (!migf->buf) {
		kfree(migf);
		return NULL;
	}
	migf->mvdev = mvdev;
	migf->be = mvdev->be;
	migf->kind = kind;
	migf->crc = ~0U;
	mutex_init(&migf->lock);
	init_waitqueue_head(&migf->poll_wait);
	return migf;
}

static bool mvp_migf_gone(struct mvp_migf *migf)
{
	return migf->disabled || READ_ONCE(migf->aborted);
}

/* [state] End of the session: the fd reads/writes -ENODEV from now on. */
void mvp_file_disable(struct mvp_migf *migf)
{
	mutex_lock(&migf->lock);
	if (migf->kind == MVP_MIGF_SAVE)
		migf->be->save_detach(migf->mvdev, migf->be_ctx);
	migf->disabled = true;
	migf->buf_len = 0;
	migf->buf_pos = 0;
	migf->filp->f_pos = 0;
	mutex_unlock(&migf->lock);
	wake_up_interruptible(&migf->poll_wait);
}

/*
 * Reset path (any context, no sleeping): the session is over. The file
 * is released later by mvp_reap_files() or close_device.
 */
void mvp_file_abort(struct mvp_migf *migf)
{
	WRITE_ONCE(migf->aborted, true);
	if (migf->kind == MVP_MIGF_SAVE)
		migf->be->save_detach(migf->mvdev, migf->be_ctx);
	wake_up_interruptible(&migf->poll_wait);
}

/* ---- saving ---- */

static size_t mvp_framed(u64 payload)
{
	return payload + DIV_ROUND_UP(payload, MVP_REC_MAX) *
			 sizeof(struct mvp_rec_hdr);
}

static void mvp_save_pending_locked(struct mvp_migf *migf, u64 *initial,
				    u64 *dirty)
{
	u64 staged = migf->buf_len - migf->buf_pos;
	u64 bi, bd;

	migf->be->save_pending(migf->be_ctx, &bi, &bd);
	*initial = mvp_framed(bi);
	*dirty = mvp_framed(bd);
	if (!migf->hdr_done)
		*initial += sizeof(struct mvp_stream_hdr);
	if (migf->staged_initial)
		*initial += staged;
	else
		*dirty += staged;
	if (migf->final && !migf->end_done)
		*dirty += sizeof(struct mvp_rec_hdr) + sizeof(struct mvp_rec_end);
}

/*
 * [state] MIG_DATA_SIZE in a session: the stream bytes STOP_COPY would
 * still send, the register record (MVP_REGS_MAX at most) and the END
 * record included until the END record is staged.
 */
u64 mvp_save_file_stop_copy_len(struct mvp_migf *migf)
{
	u64 initial, dirty;

	mutex_lock(&migf->lock);
	mvp_save_pending_locked(migf, &initial, &dirty);
	if (!migf->end_done) {
		dirty += sizeof(struct mvp_rec_hdr) + MVP_REGS_MAX;
		if (!migf->final)
			dirty += sizeof(struct mvp_rec_hdr) +
				 sizeof(struct mvp_rec_end);
	}
	mutex_unlock(&migf->lock);
	return initial + dirty;
}

/* [state] The device is stopped: stream what is left, then the end. */
void mvp_save_file_final(struct mvp_migf *migf)
{
	mutex_lock(&migf->lock);
	migf->final = true;
	mutex_unlock(&migf->lock);
	wake_up_interruptible(&migf->poll_wait);
}

/* Stage the next piece of the stream in migf->buf: bytes, 0 = none now. */
static int mvp_save_fill(struct mvp_migf *migf)
{
	struct mvp_device *mvdev = migf->mvdev;
	struct mvp_rec_hdr *rh = (struct mvp_rec_hdr *)migf->buf;
	void *payload = migf->buf + sizeof(*rh);
	struct mvp_record rec = {};
	size_t len;
	int ret;

	if (!migf->hdr_done) {
		mvp_stream_hdr_fill((struct mvp_stream_hdr *)migf->buf,
				    mvdev->core.pdev->vendor,
				    mvdev->core.pdev->device,
				    migf->be->state_size(mvdev),
				    migf->precopy ? MVP_HDR_F_PRE_COPY : 0);
		migf->hdr_done = true;
		migf->staged_initial = true;
		len = sizeof(struct mvp_stream_hdr);
		goto staged;
	}
	if (migf->end_done)
		return 0;
	ret = migf->be->save_next(mvdev, migf->be_ctx, &rec, payload,
				  MVP_REC_MAX, migf->final);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		struct mvp_rec_end *end = payload;

		if (!migf->final)
			return 0;
		end->records = cpu_to_le64(migf->records);
		end->bytes = cpu_to_le64(migf->bytes);
		end->stream_crc = cpu_to_le32(migf->crc);
		end->rsvd = 0;
		migf->digest = migf->crc;
		rec.tag = MVP_REC_END;
		rec.len = sizeof(*end);
		migf->end_done = true;
	} else {
		rec.len = ret;
	}
	mvp_rec_hdr_fill(rh, &rec, payload);
	len = sizeof(*rh) + rec.len;
	migf->staged_initial = rec.initial;
	migf->records++;
staged:
	migf->crc = mvp_crc(migf->crc, migf->buf, len);
	migf->bytes += len;
	migf->buf_len = len;
	migf->buf_pos = 0;
	return len;
}

/* Copy the next stream bytes to the user: bytes, 0 = none now, or -errno. */
static ssize_t mvp_save_copy_locked(struct mvp_migf *migf, char __user *ubuf,
				    size_t len)
{
	ssize_t done = 0;
	size_t n;
	int ret;

	if (mvp_migf_gone(migf))
		return -ENODEV;
	if (migf->error)
		return migf->error;
	while (len) {
		if (migf->buf_pos == migf->buf_len) {
			ret = mvp_save_fill(migf);
			if (ret < 0) {
				migf->error = ret;
				wake_up_interruptible(&migf->poll_wait);
				return done ? done : ret;
			}
			if (ret == 0)
				break;
		}
		n = min_t(size_t, len, migf->buf_len - migf->buf_pos);
		if (copy_to_user(ubuf + done, migf->buf + migf->buf_pos, n))
			return done ? done : -EFAULT;
		migf->buf_pos += n;
		done += n;
		len -= n;
		if (READ_ONCE(migf->aborted))
			break;
	}
	return done;
}

static ssize_t mvp_save_read(struct file *filp, char __user *ubuf, size_t len,
			     loff_t *pos)
{
	struct mvp_migf *migf = filp->private_data;
	ssize_t done;

	if (pos)
		return -ESPIPE;

	mutex_lock(&migf->lock);
	done = mvp_save_copy_locked(migf, ubuf, len);
	if (done > 0)
		filp->f_pos += done;
	/* Nothing now and not the permanent end: a PRE_COPY temporary end. */
	if (done == 0 && len && !migf->end_done)
		done = -ENOMSG;
	done = mvp_fault_save_read(migf, ubuf, len, done);
	mutex_unlock(&migf->lock);
	return done;
}

/*
 * Offload: the agent reads the stream (SAVE_READ). @offset is the stream
 * offset of the first byte, @end says the END record has been read,
 * @initial/@dirty what is left.
 */
ssize_t mvp_save_file_pull(struct mvp_migf *migf, char __user *ubuf,
			   size_t len, u64 *offset, bool *end, u64 *initial,
			   u64 *dirty)
{
	ssize_t done;

	mutex_lock(&migf->lock);
	*offset = migf->filp->f_pos;
	done = mvp_save_copy_locked(migf, ubuf, len);
	if (done >= 0) {
		migf->filp->f_pos += done;
		*end = migf->end_done && migf->buf_pos == migf->buf_len;
		mvp_save_pending_locked(migf, initial, dirty);
	}
	mutex_unlock(&migf->lock);
	return done;
}

static __poll_t mvp_save_poll(struct file *filp, struct poll_table_struct *wait)
{
	struct mvp_migf *migf = filp->private_data;
	__poll_t mask = 0;
	u64 initial, dirty;

	poll_wait(filp, &migf->poll_wait, wait);
	mutex_lock(&migf->lock);
	if (mvp_migf_gone(migf) || migf->error) {
		mask = EPOLLIN | EPOLLRDNORM | EPOLLERR | EPOLLRDHUP;
	} else if (migf->final) {
		mask = EPOLLIN | EPOLLRDNORM;
	} else {
		mvp_save_pending_locked(migf, &initial, &dirty);
		if (initial || dirty)
			mask = EPOLLIN | EPOLLRDNORM;
	}
	mutex_unlock(&migf->lock);
	return mask;
}

long mvp_save_file_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	struct mvp_migf *migf = filp->private_data;
	unsigned long minsz = offsetofend(struct vfio_precopy_info, dirty_bytes);
	struct vfio_precopy_info info;
	u64 initial, dirty;

	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	mutex_lock(&migf->lock);
	/* Only PRE_COPY and PRE_COPY_P2P: a live, non-final precopy file. */
	if (mvp_migf_gone(migf) || !migf->precopy || migf->final ||
	    mvp_fault_precopy_info(migf)) {
		mutex_unlock(&migf->lock);
		return -EINVAL;
	}
	info.flags = mvp_precopy_info_flags(migf);
	mvp_save_pending_locked(migf, &initial, &dirty);
	mutex_unlock(&migf->lock);
	info.initial_bytes = mvp_fault_precopy_initial(initial);
	info.dirty_bytes = dirty;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static const struct file_operations mvp_save_fops = {
	.owner = THIS_MODULE,
	.read = mvp_save_read,
	.poll = mvp_save_poll,
	.unlocked_ioctl = mvp_save_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = mvp_file_release,
};

/* [state] RUNNING -> PRE_COPY, RUNNING_P2P -> PRE_COPY_P2P, STOP -> STOP_COPY. */
struct mvp_migf *mvp_save_file_create(struct mvp_device *mvdev, bool precopy)
{
	struct mvp_migf *migf;
	void *ctx;
	int ret;

	migf = mvp_migf_alloc(mvdev, MVP_MIGF_SAVE);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	migf->precopy = precopy;
	ctx = mvdev->be->save_begin(mvdev, precopy);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto err_free;
	}
	migf->be_ctx = ctx;
	migf->filp = anon_inode_getfile("mig_vfio_pci_save", &mvp_save_fops,
					migf, O_RDONLY);
	if (IS_ERR(migf->filp)) {
		ret = PTR_ERR(migf->filp);
		mvdev->be->save_detach(mvdev, ctx);
		mvdev->be->save_free(ctx);
		goto err_free;
	}
	stream_open(migf->filp->f_inode, migf->filp);
	return migf;

err_free:
	kvfree(migf->buf);
	kfree(migf);
	return ERR_PTR(ret);
}

/* ---- resuming ---- */

static size_t mvp_resume_need(struct mvp_migf *migf)
{
	switch (migf->phase) {
	case MVP_PHASE_HDR:
		return sizeof(struct mvp_stream_hdr);
	case MVP_PHASE_REC_HDR:
		return sizeof(struct mvp_rec_hdr);
	default:
		return sizeof(struct mvp_rec_hdr) + migf->rec.len;
	}
}

static int mvp_resume_end_check(struct mvp_migf *migf, const void *payload)
{
	const struct mvp_rec_end *end = payload;

	if (migf->rec.len != sizeof(*end) ||
	    le64_to_cpu(end->records) != migf->records ||
	    le64_to_cpu(end->bytes) != migf->bytes ||
	    le32_to_cpu(end->stream_crc) != migf->crc)
		return -EILSEQ;
	/* An offload stream is its OFFLOAD record and END. */
	if (migf->off.hdr_offload && !migf->off.rec_seen)
		return -EINVAL;
	migf->digest = migf->crc;
	migf->complete = true;
	return 0;
}

/* The OFFLOAD record: only in an offload stream, once. */
static int mvp_resume_offload_rec(struct mvp_migf *migf, const void *payload)
{
	if (!migf->off.hdr_offload || migf->off.rec_seen ||
	    migf->rec.len != sizeof(migf->off.rec) || migf->rec.addr)
		return -EINVAL;
	memcpy(&migf->off.rec, payload, sizeof(migf->off.rec));
	migf->off.rec_seen = true;
	return 0;
}

/* A whole unit (header, record header or record) is in migf->buf. */
static int mvp_resume_unit(struct mvp_migf *migf)
{
	struct mvp_device *mvdev = migf->mvdev;
	struct mvp_rec_hdr *rh = (struct mvp_rec_hdr *)migf->buf;
	void *payload = migf->buf + sizeof(*rh);
	int ret;

	switch (migf->phase) {
	case MVP_PHASE_HDR:
		ret = mvp_stream_hdr_check((struct mvp_stream_hdr *)migf->buf,
					   mvdev->core.pdev->vendor,
					   mvdev->core.pdev->device,
					   migf->be->state_size(mvdev));
		if (ret)
			return ret;
		migf->off.hdr_offload = le32_to_cpu(((struct mvp_stream_hdr *)
						     migf->buf)->flags) &
					MVP_HDR_F_OFFLOAD;
		/* The agent's stream is the state itself, never a reference. */
		if (migf->off.hdr_offload && migf->off.agent_stream)
			return -EINVAL;
		migf->crc = mvp_crc(migf->crc, migf->buf, migf->buf_len);
		migf->bytes += migf->buf_len;
		migf->phase = MVP_PHASE_REC_HDR;
		migf->buf_len = 0;
		return 0;
	case MVP_PHASE_REC_HDR:
		ret = mvp_rec_hdr_check(rh, &migf->rec);
		if (ret)
			return ret;
		migf->phase = MVP_PHASE_PAYLOAD;
		if (migf->rec.len)
			return 0;
		fallthrough;
	default:
		ret = mvp_rec_payload_check(rh, payload);
		if (ret)
			return ret;
		switch (migf->rec.tag) {
		case MVP_REC_END:
			ret = mvp_resume_end_check(migf, payload);
			break;
		case MVP_REC_DATA:
		case MVP_REC_REGS:
			if (migf->off.hdr_offload) {
				ret = -EINVAL;
				break;
			}
			ret = migf->be->load_record(mvdev, migf->be_ctx,
						    &migf->rec, payload);
			break;
		case MVP_REC_OFFLOAD:
			ret = mvp_resume_offload_rec(migf, payload);
			break;
		default:
			ret = (migf->rec.flags & MVP_REC_F_OPTIONAL) ?
				0 : -EOPNOTSUPP;
			break;
		}
		if (ret)
			return ret;
		migf->crc = mvp_crc(migf->crc, migf->buf, migf->buf_len);
		migf->bytes += migf->buf_len;
		migf->records++;
		migf->phase = MVP_PHASE_REC_HDR;
		migf->buf_len = 0;
		return 0;
	}
}

static ssize_t mvp_resume_write(struct file *filp, const char __user *ubuf,
				size_t len, loff_t *pos)
{
	struct mvp_migf *migf = filp->private_data;
	ssize_t done = 0;
	size_t n;
	int ret = 0;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	if (mvp_migf_gone(migf)) {
		ret = -ENODEV;
		goto out;
	}
	while (len && !migf->error) {
		if (migf->complete) {
			/* Bytes after the END record. */
			migf->error = -EINVAL;
			break;
		}
		n = min_t(size_t, len, mvp_resume_need(migf) - migf->buf_len);
		if (copy_from_user(migf->buf + migf->buf_len, ubuf + done, n)) {
			ret = done ? 0 : -EFAULT;
			goto out;
		}
		migf->buf_len += n;
		done += n;
		len -= n;
		*pos += n;
		if (migf->buf_len == mvp_resume_need(migf)) {
			ret = mvp_resume_unit(migf);
			if (ret)
				migf->error = ret;
		}
	}
	ret = migf->error;
out:
	mutex_unlock(&migf->lock);
	return ret ? ret : done;
}

/* Offload: the agent writes the stream (RESUME_WRITE). */
ssize_t mvp_resume_file_write(struct mvp_migf *migf, const char __user *ubuf,
			      size_t len)
{
	return mvp_resume_write(migf->filp, ubuf, len, NULL);
}

static const struct file_operations mvp_resume_fops = {
	.owner = THIS_MODULE,
	.write = mvp_resume_write,
	.release = mvp_file_release,
};

/* [state] STOP -> RESUMING */
struct mvp_migf *mvp_resume_file_create(struct mvp_device *mvdev)
{
	struct mvp_migf *migf;
	void *ctx;
	int ret;

	migf = mvp_migf_alloc(mvdev, MVP_MIGF_RESUME);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	ctx = mvdev->be->load_begin(mvdev);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto err_free;
	}
	migf->be_ctx = ctx;
	migf->filp = anon_inode_getfile("mig_vfio_pci_resume", &mvp_resume_fops,
					migf, O_WRONLY);
	if (IS_ERR(migf->filp)) {
		ret = PTR_ERR(migf->filp);
		mvdev->be->load_free(ctx);
		goto err_free;
	}
	stream_open(migf->filp->f_inode, migf->filp);
	return migf;

err_free:
	kvfree(migf->buf);
	kfree(migf);
	return ERR_PTR(ret);
}

/* [state] RESUMING -> STOP: the stream must be whole and valid. */
int mvp_resume_file_end(struct mvp_migf *migf)
{
	int ret;

	mutex_lock(&migf->lock);
	if (migf->error)
		ret = migf->error;
	else if (!migf->complete && !mvp_fault_accept_incomplete())
		ret = -EINVAL;	/* incomplete stream */
	else if (migf->off.rec_seen)
		ret = 0;	/* the agent's stream: mvp_offload_resume_end() */
	else
		ret = migf->be->load_end(migf->mvdev, migf->be_ctx);
	mutex_unlock(&migf->lock);
	return ret;
}

/* A device change while saving: wake the file's pollers. */
void mvp_notify_change(struct mvp_device *mvdev)
{
	spin_lock(&mvdev->track_lock);
	if (mvdev->notify_migf)
		wake_up_interruptible(&mvdev->notify_migf->poll_wait);
	spin_unlock(&mvdev->track_lock);
}
