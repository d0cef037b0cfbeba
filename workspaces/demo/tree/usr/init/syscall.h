/* SPDX-License-Identifier: GPL-2.0 */
/* Raw x86-64 system calls for the user program: nothing between it and the SYSCALL instruction. */
#ifndef _INIT_SYSCALL_H
#define _INIT_SYSCALL_H

#include <asm/unistd_64.h>

/* The kernel may clobber RCX and R11 and nothing else; say exactly that to the compiler. */
static inline long syscall0(long nr)
{
	long ret;

	asm volatile("syscall" : "=a" (ret) : "a" (nr) : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall1(long nr, long a0)
{
	long ret;

	asm volatile("syscall" : "=a" (ret) : "a" (nr), "D" (a0) : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall2(long nr, long a0, long a1)
{
	long ret;

	asm volatile("syscall" : "=a" (ret) : "a" (nr), "D" (a0), "S" (a1) : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall3(long nr, long a0, long a1, long a2)
{
	long ret;

	asm volatile("syscall" : "=a" (ret) : "a" (nr), "D" (a0), "S" (a1), "d" (a2)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall4(long nr, long a0, long a1, long a2, long a3)
{
	register long r10 asm("r10") = a3;
	long ret;

	asm volatile("syscall" : "=a" (ret) : "a" (nr), "D" (a0), "S" (a1), "d" (a2), "r" (r10)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall5(long nr, long a0, long a1, long a2, long a3, long a4)
{
	register long r10 asm("r10") = a3;
	register long r8 asm("r8") = a4;
	long ret;

	asm volatile("syscall" : "=a" (ret) : "a" (nr), "D" (a0), "S" (a1), "d" (a2), "r" (r10),
		     "r" (r8) : "rcx", "r11", "memory");
	return ret;
}

#endif
