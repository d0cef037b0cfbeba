/* SPDX-License-Identifier: GPL-2.0 */
/* struct task_struct: the process descriptor, thread_info first and thread_struct last as in Linux. */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/types.h>
#include <linux/thread_info.h>
#include <asm/current.h>
#include <asm/processor.h>

#define TASK_COMM_LEN		16
#define NR_OPEN_DEFAULT		8

#define TASK_RUNNING		0x00000000
#define TASK_DEAD		0x00000080

struct audit_context;
struct file;

struct task_struct {
	/* Must stay first: current_thread_info() is the task pointer itself. */
	struct thread_info		thread_info;
	unsigned int			__state;
	unsigned int			saved_state;
	void				*stack;		/* THREAD_SIZE bytes, pt_regs at the top */
	unsigned int			flags;		/* PF_* */
	pid_t				pid;
	pid_t				tgid;
	struct task_struct		*real_parent;
	char				comm[TASK_COMM_LEN];
	int				exit_code;
	unsigned long			pending_signals; /* bit (sig - 1) */
	struct file			*fd_array[NR_OPEN_DEFAULT];
#ifdef CONFIG_AUDITSYSCALL
	struct audit_context		*audit_context;
#endif
	/* What the syscall-trace hooks saw: a ptrace stand-in the user program can read back. */
	unsigned long			trace_entries;
	unsigned long			trace_exits;
	/* CPU-specific state of this task; must be last (as in Linux). */
	struct thread_struct		thread;
};

#define PF_KTHREAD		0x00200000

extern struct task_struct init_task;
extern unsigned long init_stack[THREAD_SIZE / sizeof(unsigned long)];

static inline struct pt_regs *task_pt_regs(struct task_struct *task)
{
	return (struct pt_regs *)((unsigned long)task->stack + THREAD_SIZE) - 1;
}

static inline unsigned long task_top_of_stack(struct task_struct *task)
{
	return (unsigned long)task->stack + THREAD_SIZE;
}

static inline int is_global_init(struct task_struct *tsk)
{
	return tsk->tgid == 1;
}

static inline pid_t task_pid_nr(struct task_struct *tsk)
{
	return tsk->pid;
}

struct task_struct *copy_process(struct task_struct *parent, const char *comm);
__noreturn void switch_to_task(struct task_struct *next, int (*fn)(void));

#endif
