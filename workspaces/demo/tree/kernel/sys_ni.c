// SPDX-License-Identifier: GPL-2.0
/* The entry for syscall numbers with nothing behind them. */
#include <linux/errno.h>
#include <linux/syscalls.h>

SYSCALL_DEFINE0(ni_syscall)
{
	return -ENOSYS;
}
