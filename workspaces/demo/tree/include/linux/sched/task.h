/* SPDX-License-Identifier: GPL-2.0 */
/* Task lifetime: exit and the death of a task after an oops. */
#ifndef _LINUX_SCHED_TASK_H
#define _LINUX_SCHED_TASK_H

#include <linux/compiler.h>

__noreturn void do_exit(long code);
__noreturn void do_group_exit(int exit_code);
__noreturn void make_task_dead(int signr);

int kernel_execve(const char *filename, const char *const *argv, const char *const *envp);
void start_thread(struct pt_regs *regs, unsigned long new_ip, unsigned long new_sp);

#endif
