/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* EFLAGS, CR0 and CR4 bits. */
#ifndef _UAPI_ASM_X86_PROCESSOR_FLAGS_H
#define _UAPI_ASM_X86_PROCESSOR_FLAGS_H

#include <linux/const.h>

#define X86_EFLAGS_CF		_BITUL(0)	/* Carry Flag */
#define X86_EFLAGS_FIXED	_BITUL(1)	/* Bit 1 - always on */
#define X86_EFLAGS_PF		_BITUL(2)	/* Parity Flag */
#define X86_EFLAGS_AF		_BITUL(4)	/* Auxiliary carry Flag */
#define X86_EFLAGS_ZF		_BITUL(6)	/* Zero Flag */
#define X86_EFLAGS_SF		_BITUL(7)	/* Sign Flag */
#define X86_EFLAGS_TF		_BITUL(8)	/* Trap Flag */
#define X86_EFLAGS_IF		_BITUL(9)	/* Interrupt Flag */
#define X86_EFLAGS_DF		_BITUL(10)	/* Direction Flag */
#define X86_EFLAGS_OF		_BITUL(11)	/* Overflow Flag */
#define X86_EFLAGS_IOPL		(_AC(3, UL) << 12) /* I/O Privilege Level (2 bits) */
#define X86_EFLAGS_NT		_BITUL(14)	/* Nested Task */
#define X86_EFLAGS_RF		_BITUL(16)	/* Resume Flag */
#define X86_EFLAGS_VM		_BITUL(17)	/* Virtual Mode */
#define X86_EFLAGS_AC		_BITUL(18)	/* Alignment Check/Access Control */
#define X86_EFLAGS_VIF		_BITUL(19)	/* Virtual Interrupt Flag */
#define X86_EFLAGS_VIP		_BITUL(20)	/* Virtual Interrupt Pending */
#define X86_EFLAGS_ID		_BITUL(21)	/* CPUID detection */

#define X86_CR0_PE		_BITUL(0)	/* Protection Enable */
#define X86_CR0_MP		_BITUL(1)	/* Monitor Coprocessor */
#define X86_CR0_EM		_BITUL(2)	/* Emulation */
#define X86_CR0_TS		_BITUL(3)	/* Task Switched */
#define X86_CR0_ET		_BITUL(4)	/* Extension Type */
#define X86_CR0_NE		_BITUL(5)	/* Numeric Error */
#define X86_CR0_WP		_BITUL(16)	/* Write Protect */
#define X86_CR0_AM		_BITUL(18)	/* Alignment Mask */
#define X86_CR0_PG		_BITUL(31)	/* Paging */

#define X86_CR4_PAE		_BITUL(5)	/* enable physical address extensions */
#define X86_CR4_PGE		_BITUL(7)	/* enable global pages */
#define X86_CR4_OSFXSR		_BITUL(9)	/* enable fast FPU save and restore */
#define X86_CR4_OSXMMEXCPT	_BITUL(10)	/* enable unmasked SSE exceptions */

#endif
