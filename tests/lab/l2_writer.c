/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 dpdk-migrate authors
 */

/*
 * A multiboot payload for the nested VMs of the qemu_precopy lab scenario
 * (QEMU's -kernel; 32-bit protected mode, no paging): finds the ivshmem
 * device (1af4:1110) on bus 0, moves its BAR2 to ADDR below 4 GiB, turns
 * memory decoding on and writes BAR2 for ever, one 32-bit word per page of
 * the first PAGES pages per round, so the device's state keeps changing
 * during pre-copy and QEMU's reads of the data fd meet dirty pages.
 */

#include <stdint.h>

#define IVS_ID 0x11101af4u	/* device << 16 | vendor */
#define ADDR 0xe0000000u
#define PAGES 64

__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t mb_hdr[3] = {
	0x1badb002u, 0, (uint32_t)-0x1badb002u,
};

static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint32_t
cfg_rd(uint32_t devfn, uint32_t off)
{
	outl(0xcf8, 0x80000000u | devfn << 8 | off);
	return inl(0xcfc);
}

static void
cfg_wr(uint32_t devfn, uint32_t off, uint32_t v)
{
	outl(0xcf8, 0x80000000u | devfn << 8 | off);
	outl(0xcfc, v);
}

void writer_main(void);

void
writer_main(void)
{
	volatile uint32_t *bar = (volatile uint32_t *)ADDR;
	uint32_t devfn, r, p;

	for (devfn = 0; devfn < 256; devfn += 8)
		if (cfg_rd(devfn, 0) == IVS_ID)
			break;
	if (devfn == 256)
		return;
	cfg_wr(devfn, 0x04, cfg_rd(devfn, 0x04) & ~2u);
	cfg_wr(devfn, 0x18, ADDR);
	cfg_wr(devfn, 0x1c, 0);
	cfg_wr(devfn, 0x04, cfg_rd(devfn, 0x04) | 2u);
	for (r = 1;; r++)
		for (p = 0; p < PAGES; p++)
			bar[p * 1024 + (r & 1023)] = r * PAGES + p;
}

__asm__(".pushsection .text\n"
	".globl _start\n"
	"_start:\n"
	"	mov $stack_top, %esp\n"
	"	call writer_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n"
	".pushsection .bss\n"
	".align 16\n"
	".space 4096\n"
	"stack_top:\n"
	".popsection\n");
