// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/* Copyright(c) 2026 dpdk-migrate authors */

/*
 * mig_vfio_pci: a vfio-pci-core variant driver with VFIO migration v2 for
 * QEMU's ivshmem-plain device (1af4:1110), whose BAR2 memory plays the
 * device's internal state. This file: PCI and vfio_device glue, module
 * parameters, and routing of the state regions to the backend.
 */

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include "mvp.h"

static bool pre_copy = true;
module_param(pre_copy, bool, 0444);
MODULE_PARM_DESC(pre_copy,
		 "advertise VFIO_MIGRATION_PRE_COPY (default 1; 0 = STOP_COPY only)");

static bool p2p = true;
module_param(p2p, bool, 0444);
MODULE_PARM_DESC(p2p, "advertise VFIO_MIGRATION_P2P (default 1)");

/*
 * The 6.12 vfio core answers DMA_LOGGING_REPORT through iova_bitmap, which
 * exists only with CONFIG_IOMMUFD_DRIVER; without it every REPORT fails
 * with EOPNOTSUPP before reaching the driver, and a VMM that relied on
 * the log fails its migration at the first dirty sync. Auto offers the
 * log only where the core can report it.
 */
static int dma_log = -1;
module_param(dma_log, int, 0444);
MODULE_PARM_DESC(dma_log,
		 "offer device DMA logging, an always empty report: -1 auto (default: only if the vfio core can report, CONFIG_IOMMUFD_DRIVER), 0 no, 1 yes");

static bool mvp_dma_log(void)
{
	if (dma_log >= 0)
		return dma_log;
	return IS_ENABLED(CONFIG_IOMMUFD_DRIVER);
}

bool mvp_memory_enabled(struct mvp_device *mvdev)
{
	struct vfio_pci_core_device *core = &mvdev->core;
	u16 cmd = le16_to_cpu(*(__le16 *)&core->vconfig[PCI_COMMAND]);

	lockdep_assert_held(&core->memory_lock);
	if (core->pdev->current_state >= PCI_D3hot)
		return false;
	return core->pdev->no_command_memory || (cmd & PCI_COMMAND_MEMORY);
}

static int mvp_init_dev(struct vfio_device *vdev)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	int ret;

	ret = vfio_pci_core_init_dev(vdev);
	if (ret)
		return ret;
	mvdev->be = &mvp_ivshmem_ops;
	/* reset_done may run from vfio_pci_core_enable(): locks first. */
	mutex_init(&mvdev->state_mutex);
	spin_lock_init(&mvdev->reset_lock);
	init_rwsem(&mvdev->io_rwsem);
	spin_lock_init(&mvdev->track_lock);
	mutex_init(&mvdev->log_mutex);
	mvp_offload_dev_init(mvdev);
	mvdev->mig_state = VFIO_DEVICE_STATE_RUNNING;
	mvdev->running = true;
	vdev->migration_flags = VFIO_MIGRATION_STOP_COPY;
	if (p2p)
		vdev->migration_flags |= VFIO_MIGRATION_P2P;
	if (pre_copy)
		vdev->migration_flags |= VFIO_MIGRATION_PRE_COPY;
	vdev->mig_ops = &mvp_mig_ops;
	if (mvp_dma_log())
		vdev->log_ops = &mvp_log_ops;
	return 0;
}

static void mvp_release_dev(struct vfio_device *vdev)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);

	mutex_destroy(&mvdev->state_mutex);
	mutex_destroy(&mvdev->log_mutex);
	mutex_destroy(&mvdev->off.lock);
	vfio_pci_core_release_dev(vdev);
}

static bool mvp_owned(struct mvp_device *mvdev, unsigned int index)
{
	return index < VFIO_PCI_NUM_REGIONS &&
	       mvdev->be->owns_region(mvdev, index);
}

static int mvp_open_device(struct vfio_device *vdev)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	unsigned int i;
	int ret;

	ret = vfio_pci_core_enable(&mvdev->core);
	if (ret)
		return ret;
	mutex_lock(&mvdev->state_mutex);
	ret = mvdev->be->open(mvdev);
	if (!ret) {
		mvdev->mig_state = VFIO_DEVICE_STATE_RUNNING;
		WRITE_ONCE(mvdev->running, true);
	}
	mvp_state_mutex_unlock(mvdev);
	if (ret) {
		dev_err(mvp_dev(mvdev), "open: %s backend failed: %d\n",
			mvdev->be->name, ret);
		vfio_pci_core_disable(&mvdev->core);
		return ret;
	}
	vfio_pci_core_finish_enable(&mvdev->core);
	/* finish_enable() probed the mmaps: the state is never mapped. */
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (mvp_owned(mvdev, i))
			mvdev->core.bar_mmap_supported[i] = false;
	return 0;
}

static void mvp_close_device(struct vfio_device *vdev)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);

	mutex_lock(&mvdev->state_mutex);
	mvp_close_files(mvdev);
	mvdev->be->close(mvdev);
	mvp_state_mutex_unlock(mvdev);
	mvp_log_close(mvdev);
	mvp_precopy_close(mvdev);
	vfio_pci_core_close_device(vdev);
}

static ssize_t mvp_rw(struct vfio_device *vdev, char __user *buf,
		      size_t count, loff_t *ppos, bool iswrite)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	unsigned int index = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	ssize_t ret;

	if (!mvp_owned(mvdev, index)) {
		if (iswrite)
			return vfio_pci_core_write(vdev, buf, count, ppos);
		return vfio_pci_core_read(vdev, buf, count, ppos);
	}
	if (!count)
		return 0;
	ret = mvdev->be->region_rw(mvdev, index, buf, count,
				   *ppos & VFIO_PCI_OFFSET_MASK, iswrite);
	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t mvp_read(struct vfio_device *vdev, char __user *buf,
			size_t count, loff_t *ppos)
{
	return mvp_rw(vdev, buf, count, ppos, false);
}

static ssize_t mvp_write(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	return mvp_rw(vdev, (char __user *)buf, count, ppos, true);
}

/* The state regions are never mapped: every write is seen and tracked. */
static int mvp_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	unsigned int index;

	index = vma->vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	if (mvp_owned(mvdev, index))
		return -EINVAL;
	return vfio_pci_core_mmap(vdev, vma);
}

static long mvp_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg)
{
	struct mvp_device *mvdev = mvp_from_vdev(vdev);
	unsigned int i;

	/*
	 * An ioeventfd would write the state behind the region handlers.
	 * The core copies the argument from user memory again after any
	 * check of ours, so a check of its offset races with a thread that
	 * changes it: no ioeventfd at all on a device with an owned BAR.
	 */
	if (cmd == VFIO_DEVICE_IOEVENTFD)
		for (i = 0; i < PCI_STD_NUM_BARS; i++)
			if (mvp_owned(mvdev, i))
				return -EINVAL;
	return vfio_pci_core_ioctl(vdev, cmd, arg);
}

static const struct vfio_device_ops mvp_vfio_ops = {
	.name = "mig-vfio-pci",
	.init = mvp_init_dev,
	.release = mvp_release_dev,
	.open_device = mvp_open_device,
	.close_device = mvp_close_device,
	.ioctl = mvp_ioctl,
	.device_feature = mvp_device_feature,
	.read = mvp_read,
	.write = mvp_write,
	.mmap = mvp_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
	.bind_iommufd = vfio_iommufd_physical_bind,
	.unbind_iommufd = vfio_iommufd_physical_unbind,
	.attach_ioas = vfio_iommufd_physical_attach_ioas,
	.detach_ioas = vfio_iommufd_physical_detach_ioas,
};

static int mvp_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct mvp_device *mvdev;
	int ret;

	mvdev = vfio_alloc_device(mvp_device, core.vdev, &pdev->dev,
				  &mvp_vfio_ops);
	if (IS_ERR(mvdev))
		return PTR_ERR(mvdev);
	dev_set_drvdata(&pdev->dev, &mvdev->core);
	ret = vfio_pci_core_register_device(&mvdev->core);
	if (ret) {
		vfio_put_device(&mvdev->core.vdev);
		return ret;
	}
	return 0;
}

static void mvp_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(core);
	mvp_offload_remove(container_of(core, struct mvp_device, core));
	vfio_put_device(&core->vdev);
}

static void mvp_pci_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	mvp_reset_done(container_of(core, struct mvp_device, core));
}

static const struct pci_error_handlers mvp_err_handlers = {
	.reset_done = mvp_pci_reset_done,
	.error_detected = vfio_pci_core_aer_err_detected,
};

static const struct pci_device_id mvp_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{}
};
MODULE_DEVICE_TABLE(pci, mvp_pci_table);

static struct pci_driver mvp_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = mvp_pci_table,
	.probe = mvp_probe,
	.remove = mvp_remove,
	.err_handler = &mvp_err_handlers,
	.driver_managed_dma = true,
	.dev_groups = mvp_dev_groups,
};

bool mvp_pci_owns(struct pci_dev *pdev)
{
	return pdev->driver == &mvp_pci_driver;
}

static int __init mvp_init(void)
{
	int ret;

	ret = mvp_agent_init();
	if (ret)
		return ret;
	ret = pci_register_driver(&mvp_pci_driver);
	if (ret)
		mvp_agent_exit();
	return ret;
}
module_init(mvp_init);

static void __exit mvp_exit(void)
{
	pci_unregister_driver(&mvp_pci_driver);
	mvp_agent_exit();
}
module_exit(mvp_exit);

MODULE_LICENSE("Dual BSD/GPL");
MODULE_AUTHOR("dpdk-migrate authors");
MODULE_DESCRIPTION("vfio-pci variant driver with migration v2 for ivshmem-plain");
