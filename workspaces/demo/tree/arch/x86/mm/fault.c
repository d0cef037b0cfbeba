// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults. Nothing is demand-paged here: a fault on a user address is always a bad access,
 * which kills a user task and, in kernel mode, takes the __ex_table fixup of a user copy or oopses.
 */
#include <linux/entry-common.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <asm/extable.h>
#include <asm/idtentry.h>
#include <asm/page_types.h>
#include <asm/pgtable_types.h>
#include <asm/processor.h>
#include <asm/traps.h>

static void show_fault_oops(struct pt_regs *regs, unsigned long error_code, unsigned long address)
{
	if (address < PAGE_SIZE && !user_mode(regs))
		pr_alert("BUG: kernel NULL pointer dereference, address: %016lx\n", address);
	else
		pr_alert("BUG: unable to handle page fault for address: %016lx\n", address);

	pr_alert("#PF: %s %s in %s mode\n",
		 (error_code & X86_PF_USER) ? "user" : "supervisor",
		 (error_code & X86_PF_INSTR) ? "instruction fetch" :
		 (error_code & X86_PF_WRITE) ? "write access" : "read access",
		 user_mode(regs) ? "user" : "kernel");
	pr_alert("#PF: error_code(0x%04lx) - %s\n", error_code,
		 !(error_code & X86_PF_PROT) ? "not-present page" :
		 (error_code & X86_PF_RSVD) ? "reserved bit violation" : "permissions violation");
}

static void page_fault_oops(struct pt_regs *regs, unsigned long error_code, unsigned long address)
{
	show_fault_oops(regs, error_code, address);
	die("Oops", regs, error_code);
}

static void kernelmode_fixup_or_oops(struct pt_regs *regs, unsigned long error_code,
				     unsigned long address)
{
	/* A user copy given a bad pointer: resume at its fixup, which returns -EFAULT. */
	if (fixup_exception(regs, X86_TRAP_PF, error_code, address))
		return;
	page_fault_oops(regs, error_code, address);
}

static void show_signal_msg(struct pt_regs *regs, unsigned long error_code, unsigned long address,
			    struct task_struct *tsk)
{
	pr_info("%s[%d]: segfault at %lx ip %016lx sp %016lx error %lx likely on CPU 0 (core 0, socket 0)\n",
		tsk->comm, task_pid_nr(tsk), address, regs->ip, regs->sp, error_code);
}

static void bad_area_nosemaphore(struct pt_regs *regs, unsigned long error_code,
				 unsigned long address)
{
	struct task_struct *tsk = current;

	if (!user_mode(regs)) {
		kernelmode_fixup_or_oops(regs, error_code, address);
		return;
	}

	tsk->thread.cr2 = address;
	tsk->thread.error_code = error_code | X86_PF_USER;
	tsk->thread.trap_nr = X86_TRAP_PF;
	show_signal_msg(regs, error_code, address, tsk);
	force_sig_fault(SIGSEGV, (error_code & X86_PF_PROT) ? SEGV_ACCERR : SEGV_MAPERR,
			(void __user *)address);
}

static void handle_page_fault(struct pt_regs *regs, unsigned long error_code, unsigned long address)
{
	if (address >= TASK_SIZE_MAX && !user_mode(regs)) {
		/* The kernel touched an unmapped kernel address: a plain bug. */
		page_fault_oops(regs, error_code, address);
		return;
	}
	bad_area_nosemaphore(regs, error_code, address);
}

__visible void exc_page_fault(struct pt_regs *regs, unsigned long error_code)
{
	/* Read CR2 first: anything that faults later would overwrite it. */
	unsigned long address = native_read_cr2();
	irqentry_state_t state = irqentry_enter(regs);

	handle_page_fault(regs, error_code, address);
	irqentry_exit(regs, state);
}
