/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* prctl(2) options: two of Linux's, and two that exist only in the demo kernel. */
#ifndef _UAPI_LINUX_PRCTL_H
#define _UAPI_LINUX_PRCTL_H

#define PR_SET_NAME		15	/* Set process name */
#define PR_GET_NAME		16	/* Get process name */

/*
 * Demo kernel only. Linux turns on the syscall slow path through ptrace, audit rules or seccomp;
 * this kernel has none of those, so user space sets the work bits directly:
 *   prctl(PR_DEMO_SET_SYSCALL_WORK, set_bits, clear_bits)
 * accepts SYSCALL_WORK_SYSCALL_TRACE and SYSCALL_WORK_SYSCALL_AUDIT (the latter needs
 * CONFIG_AUDITSYSCALL, else -EINVAL), and
 *   prctl(PR_DEMO_GET_SYSCALL_COUNTS, struct demo_syscall_counts *)
 * reads back how often the slow-path hooks ran for this task.
 */
#define PR_DEMO_SET_SYSCALL_WORK	0x44454d01
#define PR_DEMO_GET_SYSCALL_COUNTS	0x44454d02

#define DEMO_SYSCALL_WORK_SYSCALL_TRACE	(1UL << 2)	/* SYSCALL_WORK_BIT_SYSCALL_TRACE */
#define DEMO_SYSCALL_WORK_SYSCALL_AUDIT	(1UL << 4)	/* SYSCALL_WORK_BIT_SYSCALL_AUDIT */

struct demo_syscall_counts {
	unsigned long audit_entries;
	unsigned long audit_exits;
	unsigned long trace_entries;
	unsigned long trace_exits;
};

#endif
