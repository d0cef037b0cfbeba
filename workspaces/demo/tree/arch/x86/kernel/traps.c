// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of the exception entries: user-mode faults raise a signal (fatal here), kernel-mode
 * faults take an __ex_table fixup or oops; ud2 from BUG()/WARN() goes through report_bug().
 */
#define pr_fmt(fmt) "traps: " fmt

#include <linux/bug.h>
#include <linux/entry-common.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <asm/bug.h>
#include <asm/extable.h>
#include <asm/processor.h>
#include <asm/traps.h>

#define DEFINE_IDTENTRY(func)		__visible void func(struct pt_regs *regs)
#define DEFINE_IDTENTRY_ERRORCODE(func)	__visible void func(struct pt_regs *regs, unsigned long error_code)

void show_signal(struct task_struct *tsk, int signr, const char *type, const char *desc,
		 struct pt_regs *regs, long error_code)
{
	pr_info("%s[%d] %s%s ip:%lx sp:%lx error:%lx in %s\n", tsk->comm, task_pid_nr(tsk), type,
		desc, regs->ip, regs->sp, error_code, tsk->comm);
}

static void do_error_trap(struct pt_regs *regs, long error_code, const char *str,
			  unsigned long trapnr, int signr, int sicode, void __user *addr)
{
	struct task_struct *tsk = current;

	if (!user_mode(regs)) {
		if (fixup_exception(regs, trapnr, error_code, 0))
			return;
		tsk->thread.error_code = error_code;
		tsk->thread.trap_nr = trapnr;
		die(str, regs, error_code);
		return;
	}

	tsk->thread.error_code = error_code;
	tsk->thread.trap_nr = trapnr;
	show_signal(tsk, signr, "trap ", str, regs, error_code);
	force_sig_fault(signr, sicode, addr);
}

#define DO_ERROR(trapnr, signr, sicode, addr, str, name)				\
DEFINE_IDTENTRY(exc_##name)								\
{											\
	irqentry_state_t state = irqentry_enter(regs);					\
											\
	do_error_trap(regs, 0, str, trapnr, signr, sicode, addr);			\
	irqentry_exit(regs, state);							\
}

#define DO_ERROR_CODE(trapnr, signr, sicode, addr, str, name)				\
DEFINE_IDTENTRY_ERRORCODE(exc_##name)							\
{											\
	irqentry_state_t state = irqentry_enter(regs);					\
											\
	do_error_trap(regs, error_code, str, trapnr, signr, sicode, addr);		\
	irqentry_exit(regs, state);							\
}

DO_ERROR(X86_TRAP_DE, SIGFPE, FPE_INTDIV, (void __user *)regs->ip, "divide error", divide_error)
DO_ERROR(X86_TRAP_OF, SIGSEGV, 0, NULL, "overflow", overflow)
DO_ERROR(X86_TRAP_BR, SIGSEGV, 0, NULL, "bounds", bounds)
DO_ERROR(X86_TRAP_NM, SIGSEGV, 0, NULL, "device not available", device_not_available)
DO_ERROR(X86_TRAP_MF, SIGFPE, 0, NULL, "coprocessor error", coprocessor_error)
DO_ERROR(X86_TRAP_XF, SIGFPE, 0, NULL, "SIMD coprocessor error", simd_coprocessor_error)
DO_ERROR_CODE(X86_TRAP_TS, SIGSEGV, 0, NULL, "invalid TSS", invalid_tss)
DO_ERROR_CODE(X86_TRAP_NP, SIGBUS, 0, NULL, "segment not present", segment_not_present)
DO_ERROR_CODE(X86_TRAP_SS, SIGBUS, 0, NULL, "stack segment", stack_segment)
DO_ERROR_CODE(X86_TRAP_AC, SIGBUS, 0, NULL, "alignment check", alignment_check)

/* ud2 in kernel text with a __bug_table entry: a WARN continues after it, a BUG oopses. */
static bool handle_bug(struct pt_regs *regs)
{
	if (*(const u16 *)regs->ip != INSN_UD2)
		return false;

	if (report_bug(regs->ip, regs) == BUG_TRAP_TYPE_WARN) {
		regs->ip += LEN_UD2;
		return true;
	}
	return false;
}

DEFINE_IDTENTRY(exc_invalid_op)
{
	irqentry_state_t state;

	if (!user_mode(regs) && handle_bug(regs))
		return;

	state = irqentry_enter(regs);
	do_error_trap(regs, 0, "invalid opcode", X86_TRAP_UD, SIGILL, ILL_ILLOPN,
		      (void __user *)regs->ip);
	irqentry_exit(regs, state);
}

DEFINE_IDTENTRY_ERRORCODE(exc_general_protection)
{
	irqentry_state_t state = irqentry_enter(regs);
	struct task_struct *tsk = current;

	if (user_mode(regs)) {
		tsk->thread.error_code = error_code;
		tsk->thread.trap_nr = X86_TRAP_GP;
		show_signal(tsk, SIGSEGV, "", "general protection fault", regs, error_code);
		force_sig(SIGSEGV);
	} else if (!fixup_exception(regs, X86_TRAP_GP, error_code, 0)) {
		die("general protection fault", regs, error_code);
	}
	irqentry_exit(regs, state);
}

DEFINE_IDTENTRY(exc_int3)
{
	irqentry_state_t state = irqentry_enter(regs);

	if (user_mode(regs)) {
		/* int3 leaves RIP after itself; report the breakpoint's own address. */
		show_signal(current, SIGTRAP, "trap ", "int3", regs, 0);
		force_sig_fault(SIGTRAP, TRAP_BRKPT, (void __user *)(regs->ip - 1));
	} else {
		die("int3", regs, 0);
	}
	irqentry_exit(regs, state);
}

DEFINE_IDTENTRY(exc_debug)
{
	irqentry_state_t state = irqentry_enter(regs);

	if (user_mode(regs)) {
		show_signal(current, SIGTRAP, "trap ", "debug", regs, 0);
		force_sig(SIGTRAP);
	} else {
		/* No kernel debugger: a stray single-step is cleared and ignored. */
		regs->flags &= ~X86_EFLAGS_TF;
	}
	irqentry_exit(regs, state);
}

DEFINE_IDTENTRY(exc_spurious_interrupt_bug)
{
	/* Some CPUs report a spurious vector 15: nothing to do. */
}

DEFINE_IDTENTRY_ERRORCODE(exc_double_fault)
{
	static const char str[] = "double fault";

	pr_emerg("PANIC: double fault, error_code: 0x%lx\n", error_code);
	die(str, regs, error_code);
	panic("Machine halted.");
}

/*
 * An exception from user mode arrived on the entry stack (TSS.sp0). Move its frame to the top of
 * the task stack, where a syscall would have built it, and continue there.
 */
asmlinkage __visible noinstr struct pt_regs *sync_regs(struct pt_regs *eregs)
{
	struct pt_regs *regs = (struct pt_regs *)current_top_of_stack() - 1;

	if (regs != eregs)
		*regs = *eregs;
	return regs;
}

/*
 * The IRET to user mode faulted (a bad frame, e.g. a non-canonical RIP from rt_sigreturn). Build
 * the frame of a fault in user mode right after that IRET: the user registers from bad_regs, the
 * IRET frame it was returning to from its stack.
 */
asmlinkage __visible noinstr struct pt_regs *fixup_bad_iret(struct pt_regs *bad_regs)
{
	struct pt_regs tmp, *new_stack = (struct pt_regs *)current_top_of_stack() - 1;

	memcpy(&tmp.ip, (void *)bad_regs->sp, 5 * sizeof(unsigned long));
	memcpy(&tmp, bad_regs, offsetof(struct pt_regs, ip));
	*new_stack = tmp;
	return new_stack;
}
