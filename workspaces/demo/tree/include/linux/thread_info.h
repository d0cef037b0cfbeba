/* SPDX-License-Identifier: GPL-2.0 */
/* Generic thread flags: the SYSCALL_WORK bits that send a syscall through the slow path. */
#ifndef _LINUX_THREAD_INFO_H
#define _LINUX_THREAD_INFO_H

#include <asm/thread_info.h>

/* Bit numbers as in Linux 6.12, so a flag word reads the same in both kernels. */
enum syscall_work_bit {
	SYSCALL_WORK_BIT_SECCOMP,
	SYSCALL_WORK_BIT_SYSCALL_TRACEPOINT,
	SYSCALL_WORK_BIT_SYSCALL_TRACE,
	SYSCALL_WORK_BIT_SYSCALL_EMU,
	SYSCALL_WORK_BIT_SYSCALL_AUDIT,
	SYSCALL_WORK_BIT_SYSCALL_USER_DISPATCH,
	SYSCALL_WORK_BIT_SYSCALL_EXIT_TRAP,
};

#define SYSCALL_WORK_SECCOMP		(1UL << SYSCALL_WORK_BIT_SECCOMP)
#define SYSCALL_WORK_SYSCALL_TRACEPOINT	(1UL << SYSCALL_WORK_BIT_SYSCALL_TRACEPOINT)
#define SYSCALL_WORK_SYSCALL_TRACE	(1UL << SYSCALL_WORK_BIT_SYSCALL_TRACE)
#define SYSCALL_WORK_SYSCALL_EMU	(1UL << SYSCALL_WORK_BIT_SYSCALL_EMU)
#define SYSCALL_WORK_SYSCALL_AUDIT	(1UL << SYSCALL_WORK_BIT_SYSCALL_AUDIT)
#define SYSCALL_WORK_SYSCALL_USER_DISPATCH (1UL << SYSCALL_WORK_BIT_SYSCALL_USER_DISPATCH)
#define SYSCALL_WORK_SYSCALL_EXIT_TRAP	(1UL << SYSCALL_WORK_BIT_SYSCALL_EXIT_TRAP)

#define current_thread_info()	((struct thread_info *)current)
#define task_thread_info(task)	((struct thread_info *)(task))

#define set_thread_flag(flag)	(current_thread_info()->flags |= (1UL << (flag)))
#define test_thread_flag(flag)	(!!(current_thread_info()->flags & (1UL << (flag))))

#endif
