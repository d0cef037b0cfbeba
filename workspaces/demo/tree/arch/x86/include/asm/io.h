/* SPDX-License-Identifier: GPL-2.0 */
/* Port I/O. */
#ifndef _ASM_X86_IO_H
#define _ASM_X86_IO_H

#include <linux/types.h>

static __always_inline void outb(u8 value, u16 port)
{
	asm volatile("outb %b0, %w1" : : "a" (value), "Nd" (port));
}

static __always_inline u8 inb(u16 port)
{
	u8 value;

	asm volatile("inb %w1, %b0" : "=a" (value) : "Nd" (port));
	return value;
}

static __always_inline void outw(u16 value, u16 port)
{
	asm volatile("outw %w0, %w1" : : "a" (value), "Nd" (port));
}

/* A write to an unused port: about a microsecond on real hardware. */
static __always_inline void io_delay(void)
{
	outb(0, 0x80);
}

#endif
