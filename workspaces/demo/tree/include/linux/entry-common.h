/* SPDX-License-Identifier: GPL-2.0 */
/* Generic entry and exit work for syscalls and interrupts (kernel/entry/common.c). */
#ifndef __LINUX_ENTRYCOMMON_H
#define __LINUX_ENTRYCOMMON_H

#include <linux/sched.h>
#include <asm/irqflags.h>
#include <asm/ptrace.h>

/* Work that sends a syscall through syscall_trace_enter() on the way in ... */
#define SYSCALL_WORK_ENTER	(SYSCALL_WORK_SECCOMP |			\
				 SYSCALL_WORK_SYSCALL_TRACEPOINT |	\
				 SYSCALL_WORK_SYSCALL_TRACE |		\
				 SYSCALL_WORK_SYSCALL_EMU |		\
				 SYSCALL_WORK_SYSCALL_AUDIT |		\
				 SYSCALL_WORK_SYSCALL_USER_DISPATCH)
/* ... and through syscall_exit_work() on the way out. */
#define SYSCALL_WORK_EXIT	(SYSCALL_WORK_SYSCALL_TRACEPOINT |	\
				 SYSCALL_WORK_SYSCALL_TRACE |		\
				 SYSCALL_WORK_SYSCALL_AUDIT |		\
				 SYSCALL_WORK_SYSCALL_USER_DISPATCH |	\
				 SYSCALL_WORK_SYSCALL_EXIT_TRAP)

long syscall_trace_enter(struct pt_regs *regs, long syscall, unsigned long work);

static __always_inline long syscall_enter_from_user_mode_work(struct pt_regs *regs, long syscall)
{
	if (current_thread_info()->syscall_work & SYSCALL_WORK_ENTER)
		syscall = syscall_trace_enter(regs, syscall, current_thread_info()->syscall_work);

	return syscall;
}

/*
 * Called with interrupts off, right after the entry code built pt_regs. Returns the syscall
 * number to run, or -1 to skip it.
 */
static __always_inline long syscall_enter_from_user_mode(struct pt_regs *regs, long syscall)
{
	local_irq_enable();
	return syscall_enter_from_user_mode_work(regs, syscall);
}

/* Exit work, then interrupts off and the return-to-user checks. */
void syscall_exit_to_user_mode(struct pt_regs *regs);

typedef struct irqentry_state {
	bool exit_rcu;
} irqentry_state_t;

irqentry_state_t irqentry_enter(struct pt_regs *regs);
void irqentry_exit(struct pt_regs *regs, irqentry_state_t state);
void irqentry_exit_to_user_mode(struct pt_regs *regs);

#endif
