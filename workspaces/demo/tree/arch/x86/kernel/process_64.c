// SPDX-License-Identifier: GPL-2.0
/* Starting user threads: the register state of a fresh exec, and a new task's first run. */
#include <linux/entry-common.h>
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>

void start_thread(struct pt_regs *regs, unsigned long new_ip, unsigned long new_sp)
{
	memset(regs, 0, sizeof(*regs));
	regs->ip	= new_ip;
	regs->sp	= new_sp;
	regs->cs	= __USER_CS;
	regs->ss	= __USER_DS;
	regs->flags	= X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	regs->orig_ax	= -1;
}

/*
 * Called from ret_from_fork_asm on the new task's stack. A kernel thread that returns from its
 * function has exec'd a user program: do the exit work and let the caller IRET to user mode.
 */
__visible void ret_from_fork(int (*fn)(void))
{
	if (fn())
		panic("%s: kernel thread returned an error", __func__);
	syscall_exit_to_user_mode(current_pt_regs());
}
