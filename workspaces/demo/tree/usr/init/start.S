/* SPDX-License-Identifier: GPL-2.0 */
/* _start: argc and argv from the initial stack into main(), and its return into exit(). */
#include <asm/unistd_64.h>

	.text
	.globl _start
_start:
	xorl	%ebp, %ebp		/* outermost frame */
	movq	(%rsp), %rdi		/* argc */
	leaq	8(%rsp), %rsi		/* argv */
	leaq	8(%rsi,%rdi,8), %rdx	/* envp */
	andq	$-16, %rsp
	call	main
	movl	%eax, %edi
	movl	$__NR_exit, %eax
	syscall
	hlt				/* not reached: exit does not return */
