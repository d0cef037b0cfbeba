// SPDX-License-Identifier: GPL-2.0
/* Task exit. There is no one to reap init, so its exit is a panic, worded as in Linux. */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/syscalls.h>

__noreturn void do_exit(long code)
{
	struct task_struct *tsk = current;

	if (tsk->pid == 0)
		panic("Attempted to kill the idle task!");
	tsk->exit_code = code;
	tsk->__state = TASK_DEAD;
	if (is_global_init(tsk))
		panic("Attempted to kill init! exitcode=0x%08lx\n", code);
	panic("%s[%d] exited with code %ld and there is nothing else to run", tsk->comm, tsk->pid, code);
}

__noreturn void do_group_exit(int exit_code)
{
	do_exit(exit_code);
}

/* After an oops: the task cannot continue from where it was. */
__noreturn void make_task_dead(int signr)
{
	do_exit(signr);
}

SYSCALL_DEFINE1(exit, int, error_code)
{
	do_exit((error_code & 0xff) << 8);
}

SYSCALL_DEFINE1(exit_group, int, error_code)
{
	do_group_exit((error_code & 0xff) << 8);
}
