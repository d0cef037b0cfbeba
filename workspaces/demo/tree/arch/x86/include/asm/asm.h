/* SPDX-License-Identifier: GPL-2.0 */
/* Exception-table entries, written from assembly or from C inline assembly. */
#ifndef _ASM_X86_ASM_H
#define _ASM_X86_ASM_H

#include <linux/stringify.h>
#include <asm/extable_fixup_types.h>

/*
 * An __ex_table entry is three 32-bit words: the faulting instruction and the fixup, each relative
 * to the word that holds it, and the type. Same format as Linux, so one decoder reads both.
 */
#ifdef __ASSEMBLY__
# define _ASM_EXTABLE_TYPE(from, to, type)	\
	.pushsection "__ex_table", "a" ;	\
	.balign 4 ;				\
	.long (from) - . ;			\
	.long (to) - . ;			\
	.long type ;				\
	.popsection
#else
# define _ASM_EXTABLE_TYPE(from, to, type)		\
	" .pushsection \"__ex_table\",\"a\"\n"		\
	" .balign 4\n"					\
	" .long (" #from ") - .\n"			\
	" .long (" #to ") - .\n"			\
	" .long " __stringify(type) " \n"		\
	" .popsection\n"
#endif

#define _ASM_EXTABLE(from, to)		_ASM_EXTABLE_TYPE(from, to, EX_TYPE_DEFAULT)
#define _ASM_EXTABLE_UA(from, to)	_ASM_EXTABLE_TYPE(from, to, EX_TYPE_UACCESS)
#define _ASM_EXTABLE_FAULT(from, to)	_ASM_EXTABLE_TYPE(from, to, EX_TYPE_FAULT)

#endif
