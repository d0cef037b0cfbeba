// SPDX-License-Identifier: GPL-2.0
/*
 * Signals on x86-64, reduced to what this kernel needs: rt_sigreturn() restores every register
 * from a user-supplied frame (and so always returns by IRET), and a pending signal kills the task.
 */
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/sigcontext.h>
#include <asm/traps.h>

/* The flags user space may change through sigreturn. */
#define FIX_EFLAGS	(X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF | X86_EFLAGS_TF | \
			 X86_EFLAGS_SF | X86_EFLAGS_ZF | X86_EFLAGS_AF | X86_EFLAGS_PF | \
			 X86_EFLAGS_CF | X86_EFLAGS_RF)

static void restore_sigcontext(struct pt_regs *regs, const struct sigcontext_64 *sc)
{
	regs->bx = sc->bx;
	regs->cx = sc->cx;
	regs->dx = sc->dx;
	regs->si = sc->si;
	regs->di = sc->di;
	regs->bp = sc->bp;
	regs->ax = sc->ax;
	regs->sp = sc->sp;
	regs->ip = sc->ip;
	regs->r8 = sc->r8;
	regs->r9 = sc->r9;
	regs->r10 = sc->r10;
	regs->r11 = sc->r11;
	regs->r12 = sc->r12;
	regs->r13 = sc->r13;
	regs->r14 = sc->r14;
	regs->r15 = sc->r15;

	/* Get CS/SS and force CPL3 */
	regs->cs = sc->cs | 0x03;
	regs->ss = sc->ss | 0x03;

	regs->flags = (regs->flags & ~FIX_EFLAGS) | (sc->flags & FIX_EFLAGS);
	/* disable syscall checks */
	regs->orig_ax = -1;
}

static void signal_fault(struct pt_regs *regs, void __user *frame, const char *where)
{
	struct task_struct *me = current;

	pr_info("%s[%d] bad frame in %s frame:%p ip:%lx sp:%lx orax:%lx\n", me->comm, me->pid,
		where, frame, regs->ip, regs->sp, regs->orig_ax);
	force_sig(SIGSEGV);
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct pt_regs *regs = current_pt_regs();
	struct rt_sigframe __user *frame = (struct rt_sigframe __user *)(regs->sp - sizeof(long));
	struct sigcontext_64 sc;

	if (copy_from_user(&sc, &frame->uc.uc_mcontext, sizeof(sc))) {
		signal_fault(regs, frame, "rt_sigreturn");
		return 0;
	}
	restore_sigcontext(regs, &sc);
	return regs->ax;
}

/* No signal handlers exist: the lowest pending signal ends the task with that signal. */
void arch_do_signal_or_restart(struct pt_regs *regs)
{
	unsigned long pending = current->pending_signals;
	int sig;

	if (!pending) {
		current_thread_info()->flags &= ~_TIF_SIGPENDING;
		return;
	}
	sig = __builtin_ctzl(pending) + 1;
	current->pending_signals &= ~(1UL << (sig - 1));
	do_group_exit(sig);
}
