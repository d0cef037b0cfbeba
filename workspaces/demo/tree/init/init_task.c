// SPDX-License-Identifier: GPL-2.0
/* init_task (PID 0, "swapper/0") and the stack the kernel boots on. */
#include <linux/init.h>
#include <linux/sched.h>

unsigned long init_stack[THREAD_SIZE / sizeof(unsigned long)]
	__section(".data..page_aligned") __aligned(THREAD_SIZE);

struct task_struct init_task __section(".data..init_task") __aligned(64) = {
	.__state	= TASK_RUNNING,
	.stack		= init_stack,
	.flags		= PF_KTHREAD,
	.pid		= 0,
	.tgid		= 0,
	.real_parent	= &init_task,
	.comm		= "swapper/0",
	.thread		= {
		.sp	= (unsigned long)init_stack + sizeof(init_stack),
	},
};
