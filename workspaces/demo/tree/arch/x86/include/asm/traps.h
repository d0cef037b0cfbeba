/* SPDX-License-Identifier: GPL-2.0 */
/* Trap handling helpers shared by traps.c, fault.c and dumpstack.c. */
#ifndef _ASM_X86_TRAPS_H
#define _ASM_X86_TRAPS_H

#include <linux/compiler.h>
#include <asm/idtentry.h>

struct pt_regs;
struct task_struct;

void die(const char *str, struct pt_regs *regs, long err);
void show_signal(struct task_struct *tsk, int signr, const char *type, const char *desc,
		 struct pt_regs *regs, long error_code);

asmlinkage __visible struct pt_regs *sync_regs(struct pt_regs *eregs);
asmlinkage __visible struct pt_regs *fixup_bad_iret(struct pt_regs *bad_regs);

/* Nesting depth of hard interrupts on this CPU (die() in one is fatal). */
#define HARDIRQ_OFFSET	(1 << 16)
#define in_interrupt()	(this_cpu_read(pcpu_hot.preempt_count) >= HARDIRQ_OFFSET)

#endif
