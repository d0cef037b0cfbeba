/* SPDX-License-Identifier: GPL-2.0 */
/* struct pt_regs: the frame the entry code builds, in Linux's x86-64 layout. */
#ifndef _ASM_X86_PTRACE_H
#define _ASM_X86_PTRACE_H

#include <asm/segment.h>
#include <asm/page_types.h>

#ifndef __ASSEMBLY__

struct pt_regs {
	/* Callee-saved in the C ABI: C code never changes them, only the entry code saves them. */
	unsigned long r15;		/*   0 */
	unsigned long r14;		/*   8 */
	unsigned long r13;		/*  16 */
	unsigned long r12;		/*  24 */
	unsigned long bp;		/*  32 */
	unsigned long bx;		/*  40 */
	/* Caller-saved: arguments, return value and scratch. */
	unsigned long r11;		/*  48 */
	unsigned long r10;		/*  56 */
	unsigned long r9;		/*  64 */
	unsigned long r8;		/*  72 */
	unsigned long ax;		/*  80 */
	unsigned long cx;		/*  88 */
	unsigned long dx;		/*  96 */
	unsigned long si;		/* 104 */
	unsigned long di;		/* 112 */
	/* The syscall number on syscall entry, the error code of an exception, or the vector. */
	unsigned long orig_ax;		/* 120 */
	/* What the CPU pushes (or SYSCALL leaves in RCX/R11), in IRET frame order. */
	unsigned long ip;		/* 128 */
	unsigned long cs;		/* 136 */
	unsigned long flags;		/* 144 */
	unsigned long sp;		/* 152 */
	unsigned long ss;		/* 160 */
	/* 168: top of the frame */
};

static inline int user_mode(const struct pt_regs *regs)
{
	return !!(regs->cs & 3);
}

static inline unsigned long instruction_pointer(const struct pt_regs *regs)
{
	return regs->ip;
}

static inline unsigned long kernel_stack_pointer(const struct pt_regs *regs)
{
	return regs->sp;
}

#endif /* !__ASSEMBLY__ */
#endif
