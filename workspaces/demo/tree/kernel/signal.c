// SPDX-License-Identifier: GPL-2.0
/* Raising signals: mark them pending; the return to user mode delivers (and so far, kills). */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/signal.h>

void force_sig(int sig)
{
	current->pending_signals |= 1UL << (sig - 1);
	current_thread_info()->flags |= _TIF_SIGPENDING;
}

void force_sig_fault(int sig, int code, void __user *addr)
{
	force_sig(sig);
}
