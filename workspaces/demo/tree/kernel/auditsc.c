// SPDX-License-Identifier: GPL-2.0
/*
 * System-call auditing: __audit_syscall_entry() opens a record for the syscall being entered and
 * __audit_syscall_exit() closes it with the result. Records are counted, not logged.
 *
 * The entry hook must not run twice without an exit in between: that would mean the slow path
 * called it twice for one syscall, and the record being built is already lost. That is a BUG.
 */
#include <linux/audit.h>
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>

#define NR_AUDIT_CONTEXTS 2

static struct audit_context audit_contexts[NR_AUDIT_CONTEXTS];
static int nr_audit_contexts;

/* Every task gets a context at creation, so turning auditing on later just works. */
int audit_alloc(struct task_struct *tsk)
{
	if (nr_audit_contexts == NR_AUDIT_CONTEXTS)
		return -1;
	tsk->audit_context = &audit_contexts[nr_audit_contexts++];
	memset(tsk->audit_context, 0, sizeof(*tsk->audit_context));
	return 0;
}

/**
 * __audit_syscall_entry - fill in an audit record at syscall entry
 * @major: major syscall type (function)
 * @a1: additional syscall register 1
 * @a2: additional syscall register 2
 * @a3: additional syscall register 3
 * @a4: additional syscall register 4
 */
void __audit_syscall_entry(int major, unsigned long a1, unsigned long a2,
			   unsigned long a3, unsigned long a4)
{
	struct audit_context *context = audit_context();

	if (!context)
		return;

	BUG_ON(context->in_syscall);

	context->in_syscall = 1;
	context->major = major;
	context->argv[0] = a1;
	context->argv[1] = a2;
	context->argv[2] = a3;
	context->argv[3] = a4;
	context->serial++;
	context->entries++;
}

/**
 * __audit_syscall_exit - deallocate audit context after a system call
 * @success: success value of the syscall
 * @return_code: return value of the syscall
 */
void __audit_syscall_exit(int success, long return_code)
{
	struct audit_context *context = audit_context();

	if (!context || !context->in_syscall)
		return;

	context->return_valid = success ? AUDITSC_SUCCESS : AUDITSC_FAILURE;
	context->return_code = return_code;
	context->in_syscall = 0;
	context->exits++;
}
