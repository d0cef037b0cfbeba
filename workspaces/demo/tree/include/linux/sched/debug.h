/* SPDX-License-Identifier: GPL-2.0 */
/* Stack dumps for oopses and warnings (arch/x86/kernel/dumpstack.c). */
#ifndef _LINUX_SCHED_DEBUG_H
#define _LINUX_SCHED_DEBUG_H

struct pt_regs;
struct task_struct;

void show_regs(struct pt_regs *regs);
void show_stack(struct task_struct *task, unsigned long *sp);
void dump_stack(void);

#endif
