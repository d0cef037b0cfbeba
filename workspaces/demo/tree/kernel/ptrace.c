// SPDX-License-Identifier: GPL-2.0
/*
 * The tracer hooks of the syscall slow path. There are no tracers here; each hook counts its
 * calls on the task so user space (prctl(PR_DEMO_GET_SYSCALL_COUNTS)) can check they ran once.
 */
#include <linux/ptrace.h>
#include <linux/sched.h>

int ptrace_report_syscall_entry(struct pt_regs *regs)
{
	current->trace_entries++;
	return 0;
}

void ptrace_report_syscall_exit(struct pt_regs *regs, int step)
{
	current->trace_exits++;
}
