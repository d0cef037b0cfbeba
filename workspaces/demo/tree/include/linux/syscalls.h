/* SPDX-License-Identifier: GPL-2.0 */
/* SYSCALL_DEFINEn: a syscall body with typed arguments, entered as __x64_sys_NAME(pt_regs). */
#ifndef _LINUX_SYSCALLS_H
#define _LINUX_SYSCALLS_H

#include <linux/types.h>
#include <asm/ptrace.h>

/*
 * __x64_sys_foo() is what the syscall table calls; it unpacks the arguments from pt_regs in the
 * x86-64 order (rdi, rsi, rdx, r10, r8) and calls __do_sys_foo() with them.
 */
#define SYSCALL_DEFINE0(sname)							\
	long __x64_sys_##sname(const struct pt_regs *__unused);			\
	long __x64_sys_##sname(const struct pt_regs *__unused)

#define SYSCALL_DEFINE1(sname, t1, a1)						\
	static long __do_sys_##sname(t1 a1);					\
	long __x64_sys_##sname(const struct pt_regs *regs);			\
	long __x64_sys_##sname(const struct pt_regs *regs)			\
	{									\
		return __do_sys_##sname((t1)regs->di);				\
	}									\
	static long __do_sys_##sname(t1 a1)

#define SYSCALL_DEFINE2(sname, t1, a1, t2, a2)					\
	static long __do_sys_##sname(t1 a1, t2 a2);				\
	long __x64_sys_##sname(const struct pt_regs *regs);			\
	long __x64_sys_##sname(const struct pt_regs *regs)			\
	{									\
		return __do_sys_##sname((t1)regs->di, (t2)regs->si);		\
	}									\
	static long __do_sys_##sname(t1 a1, t2 a2)

#define SYSCALL_DEFINE3(sname, t1, a1, t2, a2, t3, a3)				\
	static long __do_sys_##sname(t1 a1, t2 a2, t3 a3);			\
	long __x64_sys_##sname(const struct pt_regs *regs);			\
	long __x64_sys_##sname(const struct pt_regs *regs)			\
	{									\
		return __do_sys_##sname((t1)regs->di, (t2)regs->si,		\
					(t3)regs->dx);				\
	}									\
	static long __do_sys_##sname(t1 a1, t2 a2, t3 a3)

#define SYSCALL_DEFINE4(sname, t1, a1, t2, a2, t3, a3, t4, a4)			\
	static long __do_sys_##sname(t1 a1, t2 a2, t3 a3, t4 a4);		\
	long __x64_sys_##sname(const struct pt_regs *regs);			\
	long __x64_sys_##sname(const struct pt_regs *regs)			\
	{									\
		return __do_sys_##sname((t1)regs->di, (t2)regs->si,		\
					(t3)regs->dx, (t4)regs->r10);		\
	}									\
	static long __do_sys_##sname(t1 a1, t2 a2, t3 a3, t4 a4)

#define SYSCALL_DEFINE5(sname, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)		\
	static long __do_sys_##sname(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);	\
	long __x64_sys_##sname(const struct pt_regs *regs);			\
	long __x64_sys_##sname(const struct pt_regs *regs)			\
	{									\
		return __do_sys_##sname((t1)regs->di, (t2)regs->si,		\
					(t3)regs->dx, (t4)regs->r10,		\
					(t5)regs->r8);				\
	}									\
	static long __do_sys_##sname(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)

#endif
