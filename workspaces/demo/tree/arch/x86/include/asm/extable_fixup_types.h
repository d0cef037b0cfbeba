/* SPDX-License-Identifier: GPL-2.0 */
/* The type field of an __ex_table entry (low byte of "data"), with Linux's numbers. */
#ifndef _ASM_X86_EXTABLE_FIXUP_TYPES_H
#define _ASM_X86_EXTABLE_FIXUP_TYPES_H

#define EX_DATA_TYPE_MASK		((int)0x000000FF)
#define EX_DATA_REG_MASK		((int)0x00000F00)
#define EX_DATA_FLAG_MASK		((int)0x0000F000)
#define EX_DATA_IMM_MASK		((int)0xFFFF0000)

#define EX_DATA_REG_SHIFT		8
#define EX_DATA_FLAG_SHIFT		12
#define EX_DATA_IMM_SHIFT		16

#define	EX_TYPE_NONE			 0
#define	EX_TYPE_DEFAULT			 1	/* continue at the fixup */
#define	EX_TYPE_FAULT			 2	/* continue at the fixup with the trap number in %rax */
#define	EX_TYPE_UACCESS			 3	/* a user access: continue at the fixup */

#endif
