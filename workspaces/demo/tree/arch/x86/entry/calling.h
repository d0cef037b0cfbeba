/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register save/restore macros and pt_regs offsets for the entry code.
 *
 * x86-64 system call convention, as in Linux:
 *   rax  system call number          rdi  arg0     rcx  return address (written by SYSCALL)
 *   rsi  arg1                        rdx  arg2     r10  arg3 (instead of rcx, see above)
 *   r8   arg4                        r9   arg5     r11  saved RFLAGS (written by SYSCALL)
 * The kernel preserves every register except rax (the result), rcx and r11.
 */
#include <asm/processor-flags.h>

/* Offsets into struct pt_regs; asm-offsets.h gives the same numbers as pt_regs_* from C. */
#define R15		0*8
#define R14		1*8
#define R13		2*8
#define R12		3*8
#define RBP		4*8
#define RBX		5*8
#define R11		6*8
#define R10		7*8
#define R9		8*8
#define R8		9*8
#define RAX		10*8
#define RCX		11*8
#define RDX		12*8
#define RSI		13*8
#define RDI		14*8
#define ORIG_RAX	15*8
#define RIP		16*8
#define CS		17*8
#define EFLAGS		18*8
#define RSP		19*8
#define SS		20*8

#define SIZEOF_PTREGS	21*8

/*
 * Push the general registers in the order that makes the stack a struct pt_regs from r15 up to
 * di. With save_ret=1 the caller's return address is on top of the stack and is kept there.
 */
.macro PUSH_REGS rdx=%rdx rcx=%rcx rax=%rax save_ret=0
	.if \save_ret
	pushq	%rsi		/* pt_regs->si */
	movq	8(%rsp), %rsi	/* the return address, for a moment in %rsi */
	movq	%rdi, 8(%rsp)	/* pt_regs->di, where the return address was */
	.else
	pushq	%rdi		/* pt_regs->di */
	pushq	%rsi		/* pt_regs->si */
	.endif
	pushq	\rdx		/* pt_regs->dx */
	pushq	\rcx		/* pt_regs->cx */
	pushq	\rax		/* pt_regs->ax */
	pushq	%r8		/* pt_regs->r8 */
	pushq	%r9		/* pt_regs->r9 */
	pushq	%r10		/* pt_regs->r10 */
	pushq	%r11		/* pt_regs->r11 */
	pushq	%rbx		/* pt_regs->rbx */
	pushq	%rbp		/* pt_regs->rbp */
	pushq	%r12		/* pt_regs->r12 */
	pushq	%r13		/* pt_regs->r13 */
	pushq	%r14		/* pt_regs->r14 */
	pushq	%r15		/* pt_regs->r15 */
	.if \save_ret
	pushq	%rsi		/* the return address back on top */
	.endif
.endm

/* User values must not reach C code in registers a speculative gadget could use. */
.macro CLEAR_REGS clear_bp=1
	xorl	%esi,  %esi
	xorl	%edx,  %edx
	xorl	%ecx,  %ecx
	xorl	%r8d,  %r8d
	xorl	%r9d,  %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%ebx,  %ebx
	.if \clear_bp
	xorl	%ebp,  %ebp	/* also ends the frame-pointer chain */
	.endif
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
.endm

.macro PUSH_AND_CLEAR_REGS rdx=%rdx rcx=%rcx rax=%rax save_ret=0 clear_bp=1
	PUSH_REGS rdx=\rdx, rcx=\rcx, rax=\rax, save_ret=\save_ret
	CLEAR_REGS clear_bp=\clear_bp
.endm

/* The reverse of PUSH_REGS; with pop_rdi=0 the user RDI stays on the stack. */
.macro POP_REGS pop_rdi=1
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	.if \pop_rdi
	popq	%rdi
	.endif
.endm
