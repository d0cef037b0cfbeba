// SPDX-License-Identifier: GPL-2.0
/*
 * Generic syscall and interrupt entry/exit work: the syscall slow path (tracer and audit hooks)
 * and the checks on every return to user mode (pending signals).
 */
#include <linux/audit.h>
#include <linux/entry-common.h>
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <asm/syscall.h>

static inline void syscall_enter_audit(struct pt_regs *regs, long syscall)
{
	if (unlikely(audit_context())) {
		unsigned long args[6];

		syscall_get_arguments(current, regs, args);
		audit_syscall_entry(syscall, args[0], args[1], args[2], args[3]);
	}
}

long syscall_trace_enter(struct pt_regs *regs, long syscall, unsigned long work)
{
	long ret = 0;

	/* Handle ptrace */
	if (work & (SYSCALL_WORK_SYSCALL_TRACE | SYSCALL_WORK_SYSCALL_EMU)) {
		ret = ptrace_report_syscall_entry(regs);
		if (ret || (work & SYSCALL_WORK_SYSCALL_EMU))
			return -1L;
	}

	/* The tracer might have changed the syscall number. */
	syscall = syscall_get_nr(current, regs);

	syscall_enter_audit(regs, syscall);

	return ret ? : syscall;
}

static void syscall_exit_work(struct pt_regs *regs, unsigned long work)
{
	audit_syscall_exit(regs);

	if (work & SYSCALL_WORK_SYSCALL_TRACE)
		ptrace_report_syscall_exit(regs, 0);
}

/* Work to do before returning to user mode; interrupts are off. */
static void exit_to_user_mode_loop(struct pt_regs *regs, unsigned long ti_work)
{
	while (ti_work & EXIT_TO_USER_MODE_WORK) {
		local_irq_enable();

		if (ti_work & _TIF_SIGPENDING)
			arch_do_signal_or_restart(regs);
		current_thread_info()->flags &= ~(_TIF_NOTIFY_RESUME | _TIF_NEED_RESCHED);

		local_irq_disable();
		ti_work = READ_ONCE(current_thread_info()->flags);
	}
}

static void exit_to_user_mode_prepare(struct pt_regs *regs)
{
	unsigned long ti_work = READ_ONCE(current_thread_info()->flags);

	if (unlikely(ti_work & EXIT_TO_USER_MODE_WORK))
		exit_to_user_mode_loop(regs, ti_work);
}

__visible noinstr void syscall_exit_to_user_mode(struct pt_regs *regs)
{
	unsigned long work = READ_ONCE(current_thread_info()->syscall_work);

	if (unlikely(work & SYSCALL_WORK_EXIT))
		syscall_exit_work(regs, work);

	local_irq_disable();
	exit_to_user_mode_prepare(regs);
}

noinstr irqentry_state_t irqentry_enter(struct pt_regs *regs)
{
	irqentry_state_t ret = { .exit_rcu = false };

	return ret;
}

noinstr void irqentry_exit_to_user_mode(struct pt_regs *regs)
{
	local_irq_disable();
	exit_to_user_mode_prepare(regs);
}

noinstr void irqentry_exit(struct pt_regs *regs, irqentry_state_t state)
{
	if (user_mode(regs))
		irqentry_exit_to_user_mode(regs);
}
