/* SPDX-License-Identifier: GPL-2.0 */
/* Signals, as far as this kernel has them: raised by faults, fatal on return to user mode. */
#ifndef _LINUX_SIGNAL_H
#define _LINUX_SIGNAL_H

#include <uapi/asm/signal.h>

struct pt_regs;

/* si_code values for the faults the demo kernel raises. */
#define ILL_ILLOPN	2
#define FPE_INTDIV	1
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define TRAP_BRKPT	1
#define SI_KERNEL	0x80

void force_sig(int sig);
void force_sig_fault(int sig, int code, void __user *addr);
/* Deliver what is pending on the way out to user mode (no handlers: every signal here is fatal). */
void arch_do_signal_or_restart(struct pt_regs *regs);

#endif
