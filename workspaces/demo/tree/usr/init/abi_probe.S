/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall ABI probes: load every general register from probe->in, execute SYSCALL, and store
 * every register as it came back into probe->out. After SYSCALL no register is trusted, the stack
 * pointer included: the probe is found again through RIP-relative variables. And robust_syscall(),
 * the wrapper everything else uses.
 */
#include <asm/unistd_64.h>

/* struct abi_regs */
#define R_RAX		0
#define R_RBX		8
#define R_RCX		16
#define R_RDX		24
#define R_RSI		32
#define R_RDI		40
#define R_RBP		48
#define R_RSP		56
#define R_R8		64
#define R_R9		72
#define R_R10		80
#define R_R11		88
#define R_R12		96
#define R_R13		104
#define R_R14		112
#define R_R15		120
#define R_RFLAGS	128
#define REGS_SIZE	136

/* struct abi_probe */
#define IN		0
#define OUT		REGS_SIZE
#define RETURN_ADDRESS	(2 * REGS_SIZE)

	.bss
	.balign 8
probe_ptr:	.quad 0
saved_rsp:	.quad 0
scratch_rdi:	.quad 0
scratch_rsp:	.quad 0

	.text

/* The C ABI's callee-saved registers, kept on the stack across a SYSCALL we do not trust. */
.macro SAVE_CALLEE_SAVED
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro RESTORE_CALLEE_SAVED
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
.endm

/* Save the C caller's registers and remember the probe and the stack. */
.macro PROBE_ENTER
	SAVE_CALLEE_SAVED
	movq	%rdi, probe_ptr(%rip)
	movq	%rsp, saved_rsp(%rip)
.endm

/* Right after the kernel returned: store everything, then return to the C caller. */
.macro PROBE_CAPTURE
	movq	%rsp, scratch_rsp(%rip)
	movq	saved_rsp(%rip), %rsp
	pushfq
	movq	%rdi, scratch_rdi(%rip)
	movq	probe_ptr(%rip), %rdi
	popq	OUT+R_RFLAGS(%rdi)
	movq	%rax, OUT+R_RAX(%rdi)
	movq	%rbx, OUT+R_RBX(%rdi)
	movq	%rcx, OUT+R_RCX(%rdi)
	movq	%rdx, OUT+R_RDX(%rdi)
	movq	%rsi, OUT+R_RSI(%rdi)
	movq	%rbp, OUT+R_RBP(%rdi)
	movq	%r8, OUT+R_R8(%rdi)
	movq	%r9, OUT+R_R9(%rdi)
	movq	%r10, OUT+R_R10(%rdi)
	movq	%r11, OUT+R_R11(%rdi)
	movq	%r12, OUT+R_R12(%rdi)
	movq	%r13, OUT+R_R13(%rdi)
	movq	%r14, OUT+R_R14(%rdi)
	movq	%r15, OUT+R_R15(%rdi)
	movq	scratch_rdi(%rip), %rax
	movq	%rax, OUT+R_RDI(%rdi)
	movq	scratch_rsp(%rip), %rax
	movq	%rax, OUT+R_RSP(%rdi)
	cld
	RESTORE_CALLEE_SAVED
	ret
.endm

/*
 * long robust_syscall(long nr, long a0, long a1, long a2, long a3, long a4)
 *
 * A plain C function around SYSCALL: arguments moved from the C convention to the syscall one,
 * and the callee-saved registers restored from the stack afterwards whatever the kernel did.
 */
	.globl robust_syscall
	.type robust_syscall, @function
robust_syscall:
	SAVE_CALLEE_SAVED
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	movq	%r8, %r10
	movq	%r9, %r8
	syscall
	RESTORE_CALLEE_SAVED
	ret
	.size robust_syscall, . - robust_syscall

/* void abi_probe_syscall(struct abi_probe *probe) */
	.globl abi_probe_syscall
	.type abi_probe_syscall, @function
abi_probe_syscall:
	PROBE_ENTER
	movq	%rsp, IN+R_RSP(%rdi)
	leaq	1f(%rip), %rax
	movq	%rax, RETURN_ADDRESS(%rdi)

	/* The flags as asked (IF and IOPL cannot change in user mode), then as they really are. */
	pushq	IN+R_RFLAGS(%rdi)
	popfq
	pushfq
	popq	IN+R_RFLAGS(%rdi)

	/* From here on only moves: they leave the flags alone. */
	movq	IN+R_RAX(%rdi), %rax
	movq	IN+R_RBX(%rdi), %rbx
	movq	IN+R_RCX(%rdi), %rcx
	movq	IN+R_RDX(%rdi), %rdx
	movq	IN+R_RSI(%rdi), %rsi
	movq	IN+R_RBP(%rdi), %rbp
	movq	IN+R_R8(%rdi), %r8
	movq	IN+R_R9(%rdi), %r9
	movq	IN+R_R10(%rdi), %r10
	movq	IN+R_R11(%rdi), %r11
	movq	IN+R_R12(%rdi), %r12
	movq	IN+R_R13(%rdi), %r13
	movq	IN+R_R14(%rdi), %r14
	movq	IN+R_R15(%rdi), %r15
	movq	IN+R_RDI(%rdi), %rdi
	syscall
1:
	PROBE_CAPTURE
	.size abi_probe_syscall, . - abi_probe_syscall

/*
 * void abi_probe_sigreturn(struct abi_probe *probe, void *frame)
 *
 * rt_sigreturn loads every register, RIP and RSP from the frame's sigcontext, which points RIP at
 * abi_sigreturn_landing. The kernel has to return by IRET: RCX and R11 differ from RIP and RFLAGS.
 */
	.globl abi_probe_sigreturn
	.type abi_probe_sigreturn, @function
abi_probe_sigreturn:
	PROBE_ENTER
	leaq	8(%rsi), %rsp		/* as if a signal handler's ret had popped pretcode */
	movl	$__NR_rt_sigreturn, %eax
	syscall
	ud2				/* rt_sigreturn does not come back here */

	.globl abi_sigreturn_landing
abi_sigreturn_landing:
	PROBE_CAPTURE
	.size abi_probe_sigreturn, . - abi_probe_sigreturn

	.section .note.GNU-stack, "", @progbits
