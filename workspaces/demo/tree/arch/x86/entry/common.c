// SPDX-License-Identifier: GPL-2.0
/* The C half of the 64-bit syscall entry: called from entry_SYSCALL_64 with the user's pt_regs. */
#include <linux/entry-common.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <asm/syscall.h>

#define __SYSCALL(nr, sym)
#include <asm/syscalls_64.h>
#undef __SYSCALL
#define NR_syscalls (__NR_syscall_max + 1)

static __always_inline bool do_syscall_x64(struct pt_regs *regs, int nr)
{
	/* Negative numbers become huge and fail the range check. */
	unsigned int unr = nr;

	if (likely(unr < NR_syscalls)) {
		regs->ax = x64_sys_call(regs, unr);
		return true;
	}
	return false;
}

/* Returns with interrupts disabled; the assembly then picks SYSRET or IRET. */
__visible noinstr void do_syscall_64(struct pt_regs *regs, int nr)
{
	nr = syscall_enter_from_user_mode(regs, nr);

	instrumentation_begin();

	if (!do_syscall_x64(regs, nr) && nr != -1) {
		/* Invalid system call, but still a system call. */
		regs->ax = __x64_sys_ni_syscall(regs);
	}

	instrumentation_end();
	syscall_exit_to_user_mode(regs);
}
