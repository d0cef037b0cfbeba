/* SPDX-License-Identifier: GPL-2.0 */
/* The tracer-reporting hooks on the syscall slow path. */
#ifndef _LINUX_PTRACE_H
#define _LINUX_PTRACE_H

#include <asm/ptrace.h>

int ptrace_report_syscall_entry(struct pt_regs *regs);
void ptrace_report_syscall_exit(struct pt_regs *regs, int step);

#define current_pt_regs() task_pt_regs(current)

#endif
