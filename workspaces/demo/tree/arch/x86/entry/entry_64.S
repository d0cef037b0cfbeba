/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The low-level entry and exit code: SYSCALL, exceptions, interrupts, NMI, and the returns to user
 * mode by SYSRET or IRET. Shaped like Linux's arch/x86/entry/entry_64.S, symbol for symbol.
 */
#include <linux/linkage.h>
#include <linux/errno.h>
#include <asm/segment.h>
#include <asm/percpu.h>
#include <asm/page_types.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include <generated/asm-offsets.h>

#include "calling.h"

	.code64
	.section .entry.text, "ax"

/*
 * 64-bit SYSCALL from user mode: the only entry that arrives with no stack. SYSCALL has put the
 * return address in RCX and RFLAGS in R11, loaded CS/SS from MSR_STAR and masked RFLAGS with
 * MSR_SYSCALL_MASK (interrupts are off); RSP is still the user's and GS is the user's.
 *
 * The entry parks the user RSP in the TSS's sp2 slot, takes the task stack from pcpu_hot, and
 * builds a complete struct pt_regs there: first the frame an exception would have pushed (ss, sp,
 * flags, cs, ip), then orig_ax, then the general registers.
 */
SYM_CODE_START(entry_SYSCALL_64)
	swapgs
	/* tss.sp2 is scratch space while there is no stack. */
	movq	%rsp, PER_CPU_VAR(cpu_tss_rw + TSS_sp2)
	movq	PER_CPU_VAR(pcpu_hot + X86_top_of_stack), %rsp

SYM_INNER_LABEL(entry_SYSCALL_64_safe_stack, SYM_L_GLOBAL)
	/* Construct struct pt_regs on the stack. */
	pushq	$__USER_DS				/* pt_regs->ss */
	pushq	PER_CPU_VAR(cpu_tss_rw + TSS_sp2)	/* pt_regs->sp */
	pushq	%r11					/* pt_regs->flags */
	pushq	$__USER_CS				/* pt_regs->cs */
	pushq	%rcx					/* pt_regs->ip */
SYM_INNER_LABEL(entry_SYSCALL_64_after_hwframe, SYM_L_GLOBAL)
	pushq	%rax					/* pt_regs->orig_ax */

	PUSH_AND_CLEAR_REGS rax=$-ENOSYS

	/* IRQs are off. */
	movq	%rsp, %rdi
	/* The syscall number is an int: sign-extend the low 32 bits. */
	movslq	%eax, %rsi
	call	do_syscall_64		/* returns with IRQs disabled */

	/*
	 * Return by SYSRET when the frame is one SYSRET can reproduce exactly, else by IRET:
	 * RCX == RIP and R11 == RFLAGS (SYSRET takes RIP from RCX and RFLAGS from R11), a canonical
	 * RIP (SYSRET to a non-canonical address faults in kernel mode with the user's RSP), the
	 * CS/SS values SYSRET loads, and neither RF (SYSRET cannot restore it) nor TF (it would trap
	 * right after SYSRET).
	 */
	movq	RCX(%rsp), %rcx
	movq	RIP(%rsp), %r11

	cmpq	%rcx, %r11			/* SYSRET requires RCX == RIP */
	jne	swapgs_restore_regs_and_return_to_usermode

	/* Sign-extend bit 47 over the top bits: a changed value was not canonical. */
	shl	$(64 - (__VIRTUAL_MASK_SHIFT + 1)), %rcx
	sar	$(64 - (__VIRTUAL_MASK_SHIFT + 1)), %rcx
	cmpq	%rcx, %r11
	jne	swapgs_restore_regs_and_return_to_usermode

	cmpq	$__USER_CS, CS(%rsp)		/* CS must match SYSRET */
	jne	swapgs_restore_regs_and_return_to_usermode

	movq	R11(%rsp), %r11
	cmpq	%r11, EFLAGS(%rsp)		/* R11 == RFLAGS */
	jne	swapgs_restore_regs_and_return_to_usermode

	testq	$(X86_EFLAGS_RF | X86_EFLAGS_TF), %r11
	jnz	swapgs_restore_regs_and_return_to_usermode

	cmpq	$__USER_DS, SS(%rsp)		/* SS must match SYSRET */
	jne	swapgs_restore_regs_and_return_to_usermode

	/* Nothing jumps here; the label names the SYSRET path in traces. */
syscall_return_via_sysret:
	POP_REGS pop_rdi=0

	/*
	 * Every register but RDI and RSP now holds its user value. Leave the task stack for the
	 * entry (trampoline) stack with the user RSP and RDI, so nothing refers to the task stack
	 * once GS is the user's again.
	 */
	movq	%rsp, %rdi
	movq	PER_CPU_VAR(cpu_tss_rw + TSS_sp0), %rsp

	pushq	RSP-RDI(%rdi)	/* RSP */
	pushq	(%rdi)		/* RDI */

	popq	%rdi
	popq	%rsp
SYM_INNER_LABEL(entry_SYSRETQ_unsafe_stack, SYM_L_GLOBAL)
	swapgs
	sysretq
SYM_INNER_LABEL(entry_SYSRETQ_end, SYM_L_GLOBAL)
	int3
SYM_CODE_END(entry_SYSCALL_64)

/*
 * SYSCALL from 32-bit code, and SYSENTER: this kernel has no IA32 emulation, so both land here
 * and return -ENOSYS without touching anything else.
 */
SYM_CODE_START(ignore_sysret)
	mov	$-ENOSYS, %eax
	sysretl
SYM_CODE_END(ignore_sysret)

/*
 * A new task's first run (see switch_to_task()): RSP is just below the task's pt_regs and RDI is
 * the kernel function to run first. ret_from_fork() runs it and the exit work; then leave for user
 * mode through the pt_regs it filled in.
 */
SYM_CODE_START(ret_from_fork_asm)
	call	ret_from_fork
	jmp	swapgs_restore_regs_and_return_to_usermode
SYM_CODE_END(ret_from_fork_asm)

/*
 * Exceptions and interrupts.
 *
 * idtentry: the CPU has pushed ss, sp, flags, cs, ip and, for some vectors, an error code. Make
 * that an orig_ax slot (-1 when there is no error code), save the registers with error_entry,
 * call the C handler with pt_regs (and the error code), and leave through error_return.
 */
.macro idtentry_body cfunc has_error_code:req
	call	error_entry
	movq	%rax, %rsp			/* on the task stack if we came from user mode */

	movq	%rsp, %rdi			/* pt_regs pointer into the 1st argument */

	.if \has_error_code == 1
	movq	ORIG_RAX(%rsp), %rsi		/* error code into the 2nd argument */
	movq	$-1, ORIG_RAX(%rsp)		/* no syscall to restart */
	.endif

	call	\cfunc

	jmp	error_return
.endm

.macro idtentry vector asmsym cfunc has_error_code:req
SYM_CODE_START(\asmsym)
	cld

	.if \has_error_code == 0
	pushq	$-1				/* ORIG_RAX: no syscall to restart */
	.endif

	idtentry_body \cfunc \has_error_code
SYM_CODE_END(\asmsym)
.endm

idtentry X86_TRAP_DE		asm_exc_divide_error		exc_divide_error		has_error_code=0
idtentry X86_TRAP_DB		asm_exc_debug			exc_debug			has_error_code=0
idtentry X86_TRAP_BP		asm_exc_int3			exc_int3			has_error_code=0
idtentry X86_TRAP_OF		asm_exc_overflow		exc_overflow			has_error_code=0
idtentry X86_TRAP_BR		asm_exc_bounds			exc_bounds			has_error_code=0
idtentry X86_TRAP_UD		asm_exc_invalid_op		exc_invalid_op			has_error_code=0
idtentry X86_TRAP_NM		asm_exc_device_not_available	exc_device_not_available	has_error_code=0
idtentry X86_TRAP_TS		asm_exc_invalid_tss		exc_invalid_tss			has_error_code=1
idtentry X86_TRAP_NP		asm_exc_segment_not_present	exc_segment_not_present		has_error_code=1
idtentry X86_TRAP_SS		asm_exc_stack_segment		exc_stack_segment		has_error_code=1
idtentry X86_TRAP_GP		asm_exc_general_protection	exc_general_protection		has_error_code=1
idtentry X86_TRAP_PF		asm_exc_page_fault		exc_page_fault			has_error_code=1
idtentry X86_TRAP_MF		asm_exc_coprocessor_error	exc_coprocessor_error		has_error_code=0
idtentry X86_TRAP_AC		asm_exc_alignment_check		exc_alignment_check		has_error_code=1
idtentry X86_TRAP_XF		asm_exc_simd_coprocessor_error	exc_simd_coprocessor_error	has_error_code=0
idtentry X86_TRAP_SPURIOUS	asm_exc_spurious_interrupt_bug	exc_spurious_interrupt_bug	has_error_code=0

/*
 * External interrupts: one IDT_ALIGN-byte stub per vector pushes the vector (as the error code)
 * and joins asm_common_interrupt. IDT entry n points at irq_entries_start + (n - 0x20) * 8.
 */
	.balign IDT_ALIGN
SYM_CODE_START(irq_entries_start)
    vector=FIRST_EXTERNAL_VECTOR
    .rept NR_EXTERNAL_VECTORS
0 :
	.byte	0x6a, vector
	jmp	asm_common_interrupt
	/* Ensure that the above is IDT_ALIGN bytes max */
	.fill 0b + IDT_ALIGN - ., 1, 0xcc
	vector = vector + 1
    .endr
SYM_CODE_END(irq_entries_start)

SYM_CODE_START(asm_common_interrupt)
	cld
	idtentry_body common_interrupt 1
SYM_CODE_END(asm_common_interrupt)

/*
 * Save the registers of an exception or interrupt. Called with the hardware frame and orig_ax on
 * the stack; returns the pt_regs pointer in RAX. From user mode it also switches GS and copies the
 * frame from the entry stack (where TSS.sp0 put it) to the task stack with sync_regs().
 */
SYM_CODE_START(error_entry)
	PUSH_AND_CLEAR_REGS save_ret=1

	testb	$3, CS+8(%rsp)
	jz	.Lerror_kernelspace

	/* From user mode: kernel GS, then onto the real task stack. */
	swapgs
	leaq	8(%rsp), %rdi			/* arg0 = pt_regs pointer */
	jmp	sync_regs			/* returns to our caller with the new pt_regs */

.Lerror_kernelspace:
	/*
	 * From kernel mode, with one exception: a fault on the IRET to user mode happens after the
	 * swapgs, with the user's GS. Handle it as a fault in user mode right after that IRET.
	 */
	leaq	native_irq_return_iret(%rip), %rcx
	cmpq	%rcx, RIP+8(%rsp)
	je	.Lerror_bad_iret

	leaq	8(%rsp), %rax			/* return pt_regs pointer */
	RET

.Lerror_bad_iret:
	swapgs
	leaq	8(%rsp), %rdi			/* arg0 = pt_regs pointer */
	call	fixup_bad_iret
	mov	%rax, %rdi
	jmp	sync_regs
SYM_CODE_END(error_entry)

SYM_CODE_START_LOCAL(error_return)
	testb	$3, CS(%rsp)
	jz	restore_regs_and_return_to_kernel
	jmp	swapgs_restore_regs_and_return_to_usermode
SYM_CODE_END(error_return)

/* The IRET exits, to user mode (with swapgs) and to kernel mode. */
SYM_CODE_START_LOCAL(common_interrupt_return)
SYM_INNER_LABEL(swapgs_restore_regs_and_return_to_usermode, SYM_L_GLOBAL)
	POP_REGS
	addq	$8, %rsp			/* skip regs->orig_ax */

	swapgs
	/* Assert that the IRET frame indicates user mode. */
	testb	$3, 8(%rsp)
	jnz	.Lnative_iret
	ud2

SYM_INNER_LABEL(restore_regs_and_return_to_kernel, SYM_L_GLOBAL)
#ifdef CONFIG_DEBUG_ENTRY
	/* Assert that pt_regs indicates kernel mode. */
	testb	$3, CS(%rsp)
	jz	1f
	ud2
1:
#endif
	POP_REGS
	addq	$8, %rsp			/* skip regs->orig_ax */

.Lnative_iret:
SYM_INNER_LABEL(native_irq_return_iret, SYM_L_GLOBAL)
	/* Can fault on a bad user frame: error_entry recognises this address. */
	iretq
SYM_CODE_END(common_interrupt_return)

/*
 * NMI and #DF run on their own IST stacks and may arrive where GS is either the kernel's or the
 * user's (an NMI can hit the first instruction of entry_SYSCALL_64). So decide by the GS base
 * itself, like Linux's paranoid_entry: kernel GS bases are in the negative half.
 * EBX = 0 means "swapgs on the way out".
 */
SYM_CODE_START(paranoid_entry)
	movl	$1, %ebx
	movl	$MSR_GS_BASE, %ecx
	rdmsr
	testl	%edx, %edx
	js	1f				/* negative: the kernel's GS already */
	swapgs
	xorl	%ebx, %ebx
1:	RET
SYM_CODE_END(paranoid_entry)

SYM_CODE_START_LOCAL(paranoid_exit)
	testl	%ebx, %ebx
	jnz	1f
	swapgs
1:	POP_REGS
	addq	$8, %rsp			/* skip regs->orig_ax */
	iretq
SYM_CODE_END(paranoid_exit)

SYM_CODE_START(asm_exc_nmi)
	cld
	pushq	$-1				/* ORIG_RAX: no syscall to restart */
	PUSH_AND_CLEAR_REGS
	call	paranoid_entry
	movq	%rsp, %rdi
	call	exc_nmi
	jmp	paranoid_exit
SYM_CODE_END(asm_exc_nmi)

SYM_CODE_START(asm_exc_double_fault)
	cld
	PUSH_AND_CLEAR_REGS
	call	paranoid_entry
	movq	%rsp, %rdi			/* pt_regs pointer into the 1st argument */
	movq	ORIG_RAX(%rsp), %rsi		/* error code into the 2nd argument */
	movq	$-1, ORIG_RAX(%rsp)
	call	exc_double_fault		/* does not return: panics */
	jmp	paranoid_exit
SYM_CODE_END(asm_exc_double_fault)
