/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System calls for the user program's ordinary code (the prompt, TAP output, the simple checks).
 *
 * They go through robust_syscall() (abi_probe.S), which keeps the callee-saved registers on the
 * stack across SYSCALL instead of trusting the kernel to preserve them. The ABI checks use their
 * own raw probes; this way a kernel that breaks the ABI is reported by them, and the prompt still
 * works on it so the reviewer can look around.
 */
#ifndef _INIT_SYSCALL_H
#define _INIT_SYSCALL_H

#include <asm/unistd_64.h>

long robust_syscall(long nr, long a0, long a1, long a2, long a3, long a4);

static inline long syscall0(long nr)
{
	return robust_syscall(nr, 0, 0, 0, 0, 0);
}

static inline long syscall1(long nr, long a0)
{
	return robust_syscall(nr, a0, 0, 0, 0, 0);
}

static inline long syscall2(long nr, long a0, long a1)
{
	return robust_syscall(nr, a0, a1, 0, 0, 0);
}

static inline long syscall3(long nr, long a0, long a1, long a2)
{
	return robust_syscall(nr, a0, a1, a2, 0, 0);
}

static inline long syscall4(long nr, long a0, long a1, long a2, long a3)
{
	return robust_syscall(nr, a0, a1, a2, a3, 0);
}

static inline long syscall5(long nr, long a0, long a1, long a2, long a3, long a4)
{
	return robust_syscall(nr, a0, a1, a2, a3, a4);
}

#endif
