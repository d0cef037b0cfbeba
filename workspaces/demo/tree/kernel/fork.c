// SPDX-License-Identifier: GPL-2.0
/* Creating tasks: a static pool, since the only task ever created is PID 1. */
#include <linux/audit.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>

#define NR_TASKS 2

static struct task_struct task_pool[NR_TASKS];
static unsigned long task_stacks[NR_TASKS][THREAD_SIZE / sizeof(unsigned long)]
	__section(".bss..page_aligned") __aligned(THREAD_SIZE);
static int nr_tasks;
static pid_t last_pid;

struct task_struct *copy_process(struct task_struct *parent, const char *comm)
{
	struct task_struct *p;

	if (nr_tasks == NR_TASKS)
		return NULL;
	p = &task_pool[nr_tasks];
	memset(p, 0, sizeof(*p));
	p->stack = task_stacks[nr_tasks];
	nr_tasks++;

	p->__state = TASK_RUNNING;
	p->pid = p->tgid = ++last_pid;
	p->real_parent = parent;
	strscpy(p->comm, comm, sizeof(p->comm));
	p->thread.sp = (unsigned long)task_pt_regs(p);
	if (audit_alloc(p))
		return NULL;
	return p;
}

/*
 * Make next the running task and start it in ret_from_fork_asm, which calls fn and then returns
 * to user mode through next's pt_regs. One way only: the caller's stack is abandoned.
 */
__noreturn void switch_to_task(struct task_struct *next, int (*fn)(void))
{
	this_cpu_write(pcpu_hot.current_task, next);
	this_cpu_write(pcpu_hot.top_of_stack, task_top_of_stack(next));

	asm volatile("movq %0, %%rsp\n\t"
		     "xorl %%ebp, %%ebp\n\t"
		     "jmp ret_from_fork_asm"
		     : : "r" (task_pt_regs(next)), "D" (fn) : "memory");
	unreachable();
}
