// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * Data plane for QEMU's ivshmem-plain: the device state is BAR2 (shared
 * memory) plus the BAR0 interrupt registers. Writes to BAR2 reach the
 * device only through ivs_mem_rw() (mmap is refused), so a saving session
 * knows exactly which pages changed since they were sent.
 */

#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mvp.h"

#define IVS_BAR_REGS 0
#define IVS_BAR_MEM 2
#define IVS_REG_INTRMASK 0x0
#define IVS_REG_INTRSTATUS 0x4

struct ivs_regs_payload {
	__le32 intrmask;
	__le32 intrstatus;
};
static_assert(sizeof(struct ivs_regs_payload) <= MVP_REGS_MAX);

struct ivs_save;

struct ivs_priv {
	void __iomem *regs;
	void __iomem *mem;
	u64 size;
	unsigned long npages;
	struct ivs_save *track;		/* under mvdev->track_lock */
	bool regs_valid;		/* snapshot taken by the last stop */
	u32 intrmask;
	u32 intrstatus;
};

/* A saving session: pages still to send, and the first pass's position. */
struct ivs_save {
	unsigned long *pending;
	unsigned long npages;
	unsigned long cursor;
	u64 size;
	bool regs_sent;
};

struct ivs_load {
	unsigned long *seen;
	unsigned long npages;
	bool regs_seen;
	u32 intrmask;
	u32 intrstatus;
};

static struct ivs_priv *ivs_priv(struct mvp_device *mvdev)
{
	return mvdev->be_priv;
}

static int ivs_open(struct mvp_device *mvdev)
{
	struct vfio_pci_core_device *core = &mvdev->core;
	struct ivs_priv *p;
	int ret;

	if (!(pci_resource_flags(core->pdev, IVS_BAR_MEM) & IORESOURCE_MEM) ||
	    pci_resource_len(core->pdev, IVS_BAR_MEM) < PAGE_SIZE)
		return -ENODEV;
	ret = vfio_pci_core_setup_barmap(core, IVS_BAR_REGS);
	if (ret)
		return ret;
	ret = vfio_pci_core_setup_barmap(core, IVS_BAR_MEM);
	if (ret)
		return ret;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->regs = core->barmap[IVS_BAR_REGS];
	p->mem = core->barmap[IVS_BAR_MEM];
	p->size = pci_resource_len(core->pdev, IVS_BAR_MEM);
	p->npages = DIV_ROUND_UP(p->size, PAGE_SIZE);
	mvdev->be_priv = p;
	return 0;
}

static void ivs_close(struct mvp_device *mvdev)
{
	kfree(mvdev->be_priv);
	mvdev->be_priv = NULL;
}

static bool ivs_owns_region(struct mvp_device *mvdev, unsigned int index)
{
	return index == IVS_BAR_REGS || index == IVS_BAR_MEM;
}

static void ivs_mark_dirty(struct mvp_device *mvdev, u64 off, size_t len)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	unsigned long pg;

	spin_lock(&mvdev->track_lock);
	if (p->track) {
		/* The data is written before the page is marked: a reader
		 * that cleared the bit and copied too early sees it again.
		 */
		smp_mb__before_atomic();
		for (pg = off >> PAGE_SHIFT; pg <= (off + len - 1) >> PAGE_SHIFT;
		     pg++)
			set_bit(pg, p->track->pending);
	}
	spin_unlock(&mvdev->track_lock);
}

/*
 * The driver's own device accesses (state copy, register snapshot and
 * restore) must not depend on the user's PCI command register: QEMU loads
 * a device's state before its VM restores the command register, so
 * memory decoding is still off in RESUMING. With decoding off in the
 * user's view, enable it on the device for the access and put the
 * device's command register back afterwards, all under memory_lock held
 * for writing, so no config write of the user and no BAR fault (which
 * check the user's view) runs meanwhile. A device in D3hot is not
 * reachable at all: -EIO.
 */
struct ivs_access {
	bool locked_write;
	bool restore;
	u16 cmd;
};

static int ivs_access_begin(struct mvp_device *mvdev, struct ivs_access *a)
{
	struct vfio_pci_core_device *core = &mvdev->core;
	struct pci_dev *pdev = core->pdev;

	a->locked_write = false;
	a->restore = false;
	down_read(&core->memory_lock);
	if (mvp_memory_enabled(mvdev))
		return 0;
	up_read(&core->memory_lock);

	down_write(&core->memory_lock);
	a->locked_write = true;
	if (pdev->current_state >= PCI_D3hot) {
		up_write(&core->memory_lock);
		return -EIO;
	}
	pci_read_config_word(pdev, PCI_COMMAND, &a->cmd);
	if (!(a->cmd & PCI_COMMAND_MEMORY)) {
		pci_write_config_word(pdev, PCI_COMMAND,
				      a->cmd | PCI_COMMAND_MEMORY);
		a->restore = true;
	}
	return 0;
}

static void ivs_access_end(struct mvp_device *mvdev, struct ivs_access *a)
{
	struct vfio_pci_core_device *core = &mvdev->core;

	if (!a->locked_write) {
		up_read(&core->memory_lock);
		return;
	}
	if (a->restore)
		pci_write_config_word(core->pdev, PCI_COMMAND, a->cmd);
	up_write(&core->memory_lock);
}

/*
 * Copy between the state memory and a kernel buffer: for the driver
 * itself whatever the user's command register says; for the user's
 * region accesses (@user) -EIO while the user has decoding off, as the
 * core's BAR access does.
 */
static int ivs_mem_copy(struct mvp_device *mvdev, u64 off, void *kbuf,
			size_t len, bool to_dev, bool user)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	struct ivs_access a;
	int ret = 0;

	if (user) {
		down_read(&mvdev->core.memory_lock);
		a.locked_write = false;
		if (!mvp_memory_enabled(mvdev))
			ret = -EIO;
	} else {
		ret = ivs_access_begin(mvdev, &a);
		if (ret)
			return ret;
	}
	if (!ret && to_dev)
		memcpy_toio(p->mem + off, kbuf, len);
	else if (!ret)
		memcpy_fromio(kbuf, p->mem + off, len);
	ivs_access_end(mvdev, &a);
	return ret;
}

static ssize_t ivs_mem_rw(struct mvp_device *mvdev, char __user *buf,
			  size_t count, loff_t off, bool iswrite)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	size_t done = 0, n;
	void *bounce;
	int ret = 0;

	if (off >= p->size)
		return -EINVAL;
	count = min_t(u64, count, p->size - off);
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		/* One page at a time: never straddle a dirty-tracking unit. */
		n = min_t(size_t, count - done,
			  PAGE_SIZE - ((off + done) & ~PAGE_MASK));
		if (iswrite) {
			if (copy_from_user(bounce, buf + done, n)) {
				ret = -EFAULT;
				break;
			}
			if (!mvp_io_begin(mvdev)) {
				ret = -EBUSY;
				break;
			}
			ret = ivs_mem_copy(mvdev, off + done, bounce, n, true,
					   true);
			if (!ret)
				ivs_mark_dirty(mvdev, off + done, n);
			mvp_io_end(mvdev);
			if (ret)
				break;
		} else {
			ret = ivs_mem_copy(mvdev, off + done, bounce, n, false,
					   true);
			if (ret)
				break;
			if (copy_to_user(buf + done, bounce, n)) {
				ret = -EFAULT;
				break;
			}
		}
		done += n;
	}
	kfree(bounce);
	if (iswrite && done)
		mvp_notify_change(mvdev);
	return done ? done : ret;
}

/* BAR0: reading IntrStatus clears it, so a stopped device refuses both. */
static ssize_t ivs_regs_rw(struct mvp_device *mvdev, char __user *buf,
			   size_t count, loff_t off, bool iswrite)
{
	struct vfio_device *vdev = &mvdev->core.vdev;
	loff_t pos = VFIO_PCI_INDEX_TO_OFFSET(IVS_BAR_REGS) + off;
	ssize_t ret;

	if (!mvp_io_begin(mvdev))
		return -EBUSY;
	if (iswrite)
		ret = vfio_pci_core_write(vdev, buf, count, &pos);
	else
		ret = vfio_pci_core_read(vdev, buf, count, &pos);
	mvp_io_end(mvdev);
	if (iswrite && ret > 0 && off <= IVS_REG_INTRMASK &&
	    off + ret > IVS_REG_INTRMASK)
		mvp_precopy_reconfigured(mvdev);
	return ret;
}

static ssize_t ivs_region_rw(struct mvp_device *mvdev, unsigned int index,
			     char __user *buf, size_t count, loff_t off,
			     bool iswrite)
{
	if (index == IVS_BAR_MEM)
		return ivs_mem_rw(mvdev, buf, count, off, iswrite);
	return ivs_regs_rw(mvdev, buf, count, off, iswrite);
}

/* The device is stopped: snapshot the interrupt registers. */
static int ivs_stop(struct mvp_device *mvdev)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	struct ivs_access a;
	int ret;

	ret = ivs_access_begin(mvdev, &a);
	if (ret) {
		p->regs_valid = false;
		return ret;
	}
	p->intrmask = ioread32(p->regs + IVS_REG_INTRMASK);
	p->intrstatus = ioread32(p->regs + IVS_REG_INTRSTATUS);
	/* The read cleared IntrStatus: put it back. */
	iowrite32(p->intrstatus, p->regs + IVS_REG_INTRSTATUS);
	ivs_access_end(mvdev, &a);
	p->regs_valid = true;
	return 0;
}

static void ivs_reset(struct mvp_device *mvdev)
{
	ivs_priv(mvdev)->regs_valid = false;
}

static u64 ivs_state_size(struct mvp_device *mvdev)
{
	return ivs_priv(mvdev)->size;
}

static void *ivs_save_begin(struct mvp_device *mvdev, bool track)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	struct ivs_save *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->pending = bitmap_zalloc(p->npages, GFP_KERNEL_ACCOUNT);
	if (!s->pending) {
		kfree(s);
		return ERR_PTR(-ENOMEM);
	}
	bitmap_fill(s->pending, p->npages);
	s->npages = p->npages;
	s->size = p->size;
	if (track) {
		spin_lock(&mvdev->track_lock);
		p->track = s;
		spin_unlock(&mvdev->track_lock);
	}
	return s;
}

static void ivs_save_detach(struct mvp_device *mvdev, void *ctx)
{
	struct ivs_priv *p = ivs_priv(mvdev);

	if (!p)
		return;
	spin_lock(&mvdev->track_lock);
	if (p->track == ctx)
		p->track = NULL;
	spin_unlock(&mvdev->track_lock);
}

static void ivs_save_free(void *ctx)
{
	struct ivs_save *s = ctx;

	bitmap_free(s->pending);
	kfree(s);
}

static u64 ivs_pages_bytes(struct ivs_save *s, unsigned long first,
			   unsigned long n)
{
	u64 start = (u64)first << PAGE_SHIFT;

	return min_t(u64, (u64)n << PAGE_SHIFT, s->size - start);
}

static int ivs_save_next(struct mvp_device *mvdev, void *ctx,
			 struct mvp_record *rec, void *buf, size_t cap,
			 bool final)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	struct ivs_save *s = ctx;
	unsigned long first, n, max = cap >> PAGE_SHIFT;
	struct ivs_regs_payload *regs = buf;
	u64 len;
	int ret;

	rec->initial = s->cursor < s->npages;
	if (rec->initial)
		first = s->cursor;
	else
		first = find_first_bit(s->pending, s->npages);
	if (first < s->npages) {
		/*
		 * Clear, then copy: a write racing with the copy marks its
		 * page again (ivs_mark_dirty), so it is sent once more.
		 * test_and_clear_bit() is fully ordered.
		 */
		for (n = 0; first + n < s->npages && n < max; n++)
			if (!test_and_clear_bit(first + n, s->pending))
				break;
		if (rec->initial)
			s->cursor = first + n;
		len = ivs_pages_bytes(s, first, n);
		ret = ivs_mem_copy(mvdev, (u64)first << PAGE_SHIFT, buf, len,
				   false, false);
		if (ret)
			return ret;
		rec->tag = MVP_REC_DATA;
		rec->addr = (u64)first << PAGE_SHIFT;
		return len;
	}
	if (!final || s->regs_sent)
		return 0;
	if (!p->regs_valid)
		return -EIO;
	regs->intrmask = cpu_to_le32(p->intrmask);
	regs->intrstatus = cpu_to_le32(p->intrstatus);
	rec->tag = MVP_REC_REGS;
	rec->addr = 0;
	rec->initial = false;
	s->regs_sent = true;
	return sizeof(*regs);
}

static void ivs_save_restart(void *ctx)
{
	struct ivs_save *s = ctx;

	s->cursor = 0;
	bitmap_fill(s->pending, s->npages);
}

static void ivs_save_pending(void *ctx, u64 *initial, u64 *dirty)
{
	struct ivs_save *s = ctx;

	*initial = s->cursor < s->npages ?
		ivs_pages_bytes(s, s->cursor, s->npages - s->cursor) : 0;
	*dirty = (u64)bitmap_weight(s->pending, s->cursor) << PAGE_SHIFT;
}

static void *ivs_load_begin(struct mvp_device *mvdev)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	struct ivs_load *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return ERR_PTR(-ENOMEM);
	l->seen = bitmap_zalloc(p->npages, GFP_KERNEL_ACCOUNT);
	if (!l->seen) {
		kfree(l);
		return ERR_PTR(-ENOMEM);
	}
	l->npages = p->npages;
	return l;
}

static int ivs_load_record(struct mvp_device *mvdev, void *ctx,
			   const struct mvp_record *rec, const void *payload)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	const struct ivs_regs_payload *regs = payload;
	struct ivs_load *l = ctx;
	int ret;

	if (rec->tag == MVP_REC_REGS) {
		if (rec->len != sizeof(*regs) || rec->addr)
			return -EINVAL;
		l->intrmask = le32_to_cpu(regs->intrmask);
		l->intrstatus = le32_to_cpu(regs->intrstatus);
		l->regs_seen = true;
		return 0;
	}
	if (!rec->len || rec->addr & ~PAGE_MASK || rec->addr >= p->size ||
	    rec->len > p->size - rec->addr ||
	    (rec->len & ~PAGE_MASK && rec->addr + rec->len != p->size))
		return -EINVAL;
	/* The device is stopped in RESUMING: write straight into it. */
	ret = ivs_mem_copy(mvdev, rec->addr, (void *)payload, rec->len, true,
			   false);
	if (ret)
		return ret;
	bitmap_set(l->seen, rec->addr >> PAGE_SHIFT,
		   DIV_ROUND_UP(rec->len, PAGE_SIZE));
	return 0;
}

static int ivs_load_end(struct mvp_device *mvdev, void *ctx)
{
	struct ivs_priv *p = ivs_priv(mvdev);
	struct ivs_load *l = ctx;
	struct ivs_access a;
	unsigned long missing;
	int ret;

	missing = find_first_zero_bit(l->seen, l->npages);
	if (missing < l->npages) {
		dev_err(mvp_dev(mvdev),
			"resume: stream has no data for page %lu\n", missing);
		return -EINVAL;
	}
	if (!l->regs_seen) {
		dev_err(mvp_dev(mvdev), "resume: stream has no registers\n");
		return -EINVAL;
	}
	ret = ivs_access_begin(mvdev, &a);
	if (ret) {
		dev_err(mvp_dev(mvdev),
			"resume: device unreachable for its registers: %d\n",
			ret);
		return ret;
	}
	iowrite32(l->intrmask, p->regs + IVS_REG_INTRMASK);
	iowrite32(l->intrstatus, p->regs + IVS_REG_INTRSTATUS);
	ivs_access_end(mvdev, &a);
	/*
	 * The device stays stopped (RESUMING -> STOP): the loaded registers
	 * are its stopped state now, not the snapshot of the stop before
	 * RESUMING, which STOP -> STOP_COPY would otherwise save.
	 */
	p->intrmask = l->intrmask;
	p->intrstatus = l->intrstatus;
	p->regs_valid = true;
	return 0;
}

static void ivs_load_free(void *ctx)
{
	struct ivs_load *l = ctx;

	bitmap_free(l->seen);
	kfree(l);
}

const struct mvp_backend_ops mvp_ivshmem_ops = {
	.name = "ivshmem",
	.open = ivs_open,
	.close = ivs_close,
	.owns_region = ivs_owns_region,
	.region_rw = ivs_region_rw,
	.stop = ivs_stop,
	.reset = ivs_reset,
	.state_size = ivs_state_size,
	.save_begin = ivs_save_begin,
	.save_detach = ivs_save_detach,
	.save_free = ivs_save_free,
	.save_next = ivs_save_next,
	.save_restart = ivs_save_restart,
	.save_pending = ivs_save_pending,
	.load_begin = ivs_load_begin,
	.load_record = ivs_load_record,
	.load_end = ivs_load_end,
	.load_free = ivs_load_free,
};
