/* SPDX-License-Identifier: GPL-2.0 */
/* The one user-copy primitive: rep movsb, whose fault resumes at the fixup with RCX bytes left. */
#include <linux/linkage.h>
#include <asm/asm.h>

	.section .text, "ax"

/*
 * unsigned long copy_user_generic(void *to, const void *from, unsigned long len)
 *
 * Returns the number of bytes not copied: 0 on success. A fault on either side stops the copy;
 * RCX then holds what rep movsb had left to do.
 */
SYM_FUNC_START(copy_user_generic)
	movq	%rdx, %rcx
0:	rep movsb
1:	movq	%rcx, %rax
	RET

	_ASM_EXTABLE_UA(0b, 1b)
SYM_FUNC_END(copy_user_generic)
