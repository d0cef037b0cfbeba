/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a syscall's number, arguments and result out of pt_regs. */
#ifndef _ASM_X86_SYSCALL_H
#define _ASM_X86_SYSCALL_H

#include <asm/ptrace.h>

struct task_struct;

typedef long (*sys_call_ptr_t)(const struct pt_regs *);
extern const sys_call_ptr_t sys_call_table[];

long x64_sys_call(const struct pt_regs *regs, unsigned int nr);
long __x64_sys_ni_syscall(const struct pt_regs *regs);

static inline long syscall_get_nr(struct task_struct *task, struct pt_regs *regs)
{
	return regs->orig_ax;
}

static inline long syscall_get_return_value(struct task_struct *task, struct pt_regs *regs)
{
	return regs->ax;
}

/* The x86-64 syscall ABI: arguments in rdi, rsi, rdx, r10, r8, r9. */
static inline void syscall_get_arguments(struct task_struct *task, struct pt_regs *regs,
					 unsigned long *args)
{
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
}

#endif
