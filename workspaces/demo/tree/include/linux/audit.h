/* SPDX-License-Identifier: GPL-2.0 */
/* Syscall auditing: the entry and exit hooks the syscall slow path calls. */
#ifndef _LINUX_AUDIT_H_
#define _LINUX_AUDIT_H_

#include <linux/sched.h>
#include <asm/ptrace.h>

#define AUDITSC_INVALID	0
#define AUDITSC_SUCCESS	1
#define AUDITSC_FAILURE	2

#ifdef CONFIG_AUDITSYSCALL
/* The audit state of one task: which syscall is being recorded, and running totals. */
struct audit_context {
	int		in_syscall;	/* between the entry hook and the exit hook */
	int		major;		/* syscall number */
	unsigned long	argv[4];	/* first four syscall arguments */
	int		return_valid;
	long		return_code;
	unsigned long	serial;		/* records started */
	unsigned long	entries;	/* entry hooks run */
	unsigned long	exits;		/* exit hooks that closed a record */
};

int audit_alloc(struct task_struct *tsk);
void __audit_syscall_entry(int major, unsigned long a1, unsigned long a2,
			   unsigned long a3, unsigned long a4);
void __audit_syscall_exit(int success, long return_code);

static inline struct audit_context *audit_context(void)
{
	return current->audit_context;
}

static inline void audit_syscall_entry(int major, unsigned long a0, unsigned long a1,
				       unsigned long a2, unsigned long a3)
{
	if (unlikely(audit_context()))
		__audit_syscall_entry(major, a0, a1, a2, a3);
}

static inline void audit_syscall_exit(struct pt_regs *regs)
{
	if (unlikely(audit_context())) {
		long return_code = (long)regs->ax;
		int success = return_code >= 0 || return_code < -4095;

		__audit_syscall_exit(success, return_code);
	}
}
#else
static inline int audit_alloc(struct task_struct *tsk) { return 0; }
static inline struct audit_context *audit_context(void) { return NULL; }
static inline void audit_syscall_entry(int major, unsigned long a0, unsigned long a1,
				       unsigned long a2, unsigned long a3) { }
static inline void audit_syscall_exit(struct pt_regs *regs) { }
#endif

#endif
