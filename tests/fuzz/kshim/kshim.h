/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

#ifndef _KSHIM_H_
#define _KSHIM_H_

/*
 * Userspace stand-ins for the kernel types and functions that
 * kernel/mvp_stream.c and kernel/mvp_file.c use, so that the module's
 * stream framing and parser build into tests/fuzz/fuzz_kstream. Every
 * linux/<x>.h of this directory includes this file. Locks, wait queues
 * and polling are no-ops (the harness is single-threaded); memory comes
 * from malloc so that ASan sees every access; copy_{from,to}_user are
 * memcpy and never fault.
 */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef uint64_t __le64;
typedef unsigned int __poll_t;
typedef unsigned int gfp_t;

#define __user
#define fallthrough __attribute__((__fallthrough__))
#define static_assert(expr, ...) _Static_assert(expr, #expr)

#define cpu_to_le16(x) htole16(x)
#define cpu_to_le32(x) htole32(x)
#define cpu_to_le64(x) htole64(x)
#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)

#define PAGE_SIZE 4096UL

#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *
ERR_PTR(long e)
{
	return (void *)e;
}

static inline long
PTR_ERR(const void *p)
{
	return (long)p;
}

static inline bool
IS_ERR(const void *p)
{
	return IS_ERR_VALUE(p);
}

/* memory */
#define GFP_KERNEL 0u
#define GFP_KERNEL_ACCOUNT 0u
static inline void *
kzalloc(size_t n, gfp_t f)
{
	(void)f;
	return calloc(1, n);
}

static inline void *
kvmalloc(size_t n, gfp_t f)
{
	(void)f;
	return malloc(n);
}

static inline void
kfree(const void *p)
{
	free((void *)p);
}

static inline void
kvfree(const void *p)
{
	free((void *)p);
}

static inline unsigned long
copy_from_user(void *to, const void __user *from, unsigned long n)
{
	memcpy(to, from, n);
	return 0;
}

static inline unsigned long
copy_to_user(void __user *to, const void *from, unsigned long n)
{
	memcpy(to, from, n);
	return 0;
}

/* crc32_le of lib/crc32.c: reflected 0xedb88320, no final inversion */
static inline u32
crc32_le(u32 crc, const void *p, size_t len)
{
	static u32 table[256];
	const u8 *b = p;
	u32 i, c;
	int k;

	if (table[1] == 0) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = (c >> 1) ^ (0xedb88320U & -(c & 1));
			table[i] = c;
		}
	}
	while (len--)
		crc = (crc >> 8) ^ table[(crc ^ *b++) & 0xff];
	return crc;
}

/* locks and waits: single-threaded harness */
struct mutex { int locked; };
struct rw_semaphore { int n; };
typedef struct { int n; } spinlock_t;
typedef struct { int n; } wait_queue_head_t;
#define mutex_init(m) ((m)->locked = 0)
#define mutex_destroy(m) ((void)(m))
#define mutex_lock(m) ((m)->locked++)
#define mutex_unlock(m) ((m)->locked--)
#define spin_lock(l) ((void)(l))
#define spin_unlock(l) ((void)(l))
#define down_read(s) ((void)(s))
#define up_read(s) ((void)(s))
#define init_waitqueue_head(w) ((w)->n = 0)
#define wake_up_interruptible(w) ((w)->n++)

/* files */
#define EPOLLIN 0x001u
#define EPOLLERR 0x008u
#define EPOLLRDNORM 0x040u
#define EPOLLRDHUP 0x2000u
struct inode { int unused; };
struct file;
struct poll_table_struct;
struct module;
#define THIS_MODULE ((struct module *)0)
struct file_operations {
	struct module *owner;
	ssize_t (*read)(struct file *, char __user *, size_t, loff_t *);
	ssize_t (*write)(struct file *, const char __user *, size_t, loff_t *);
	__poll_t (*poll)(struct file *, struct poll_table_struct *);
	long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
	long (*compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*release)(struct inode *, struct file *);
};
struct file {
	const struct file_operations *f_op;
	void *private_data;
	loff_t f_pos;
	struct inode *f_inode;
	struct inode inode;
};
static inline struct file *
anon_inode_getfile(const char *name, const struct file_operations *fops,
		   void *priv, int flags)
{
	struct file *f = calloc(1, sizeof(*f));

	(void)name;
	(void)flags;
	if (f == NULL)
		return ERR_PTR(-ENOMEM);
	f->f_op = fops;
	f->private_data = priv;
	f->f_inode = &f->inode;
	return f;
}
static inline int
stream_open(struct inode *i, struct file *f)
{
	(void)i;
	(void)f;
	return 0;
}
static inline void
poll_wait(struct file *f, wait_queue_head_t *w, struct poll_table_struct *p)
{
	(void)f;
	(void)w;
	(void)p;
}
static inline long
compat_ptr_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	return f->f_op->unlocked_ioctl(f, cmd, arg);
}

/* devices */
struct device { int unused; };
struct pci_dev {
	u16 vendor;
	u16 device;
	struct device dev;
};
struct vfio_device { int unused; };
struct vfio_pci_core_device {
	struct vfio_device vdev;
	struct pci_dev *pdev;
};
struct attribute_group;
struct vfio_migration_ops;

/* the part of the VFIO uAPI the data fds use */
enum vfio_device_mig_state {
	VFIO_DEVICE_STATE_ERROR = 0,
	VFIO_DEVICE_STATE_STOP = 1,
	VFIO_DEVICE_STATE_RUNNING = 2,
	VFIO_DEVICE_STATE_STOP_COPY = 3,
	VFIO_DEVICE_STATE_RESUMING = 4,
	VFIO_DEVICE_STATE_RUNNING_P2P = 5,
	VFIO_DEVICE_STATE_PRE_COPY = 6,
	VFIO_DEVICE_STATE_PRE_COPY_P2P = 7,
};
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__u64 initial_bytes;
	__u64 dirty_bytes;
};
#define VFIO_MIG_GET_PRECOPY_INFO _IO(';', 100 + 21)

#endif /* _KSHIM_H_ */
