/* SPDX-License-Identifier: GPL-2.0 */
/* BUG() and WARN(): a ud2 plus a __bug_table entry, emitted as Linux 6.12 does on x86-64. */
#ifndef _ASM_X86_BUG_H
#define _ASM_X86_BUG_H

#include <linux/stringify.h>
#include <asm-generic/bug.h>

#define ASM_UD2		".byte 0x0f, 0x0b"
#define INSN_UD2	0x0b0f
#define LEN_UD2		2

#ifndef __ASSEMBLY__

#ifdef CONFIG_GENERIC_BUG

/* 64-bit: the entry's pointers are 32-bit displacements from the field itself. */
#define __BUG_REL(val)	".long " __stringify(val) " - ."

#ifdef CONFIG_DEBUG_BUGVERBOSE
#define _BUG_FLAGS(ins, flags)						\
do {									\
	asm volatile("1:\t" ins "\n"					\
		     ".pushsection __bug_table,\"aw\"\n"		\
		     "2:\t" __BUG_REL(1b) "\t# bug_entry::bug_addr\n"	\
		     "\t" __BUG_REL(%c0) "\t# bug_entry::file\n"	\
		     "\t.word %c1\t# bug_entry::line\n"			\
		     "\t.word %c2\t# bug_entry::flags\n"		\
		     "\t.org 2b+%c3\n"					\
		     ".popsection"					\
		     : : "i" (__FILE__), "i" (__LINE__),		\
			 "i" (flags), "i" (sizeof(struct bug_entry)));	\
} while (0)
#else
#define _BUG_FLAGS(ins, flags)						\
do {									\
	asm volatile("1:\t" ins "\n"					\
		     ".pushsection __bug_table,\"aw\"\n"		\
		     "2:\t" __BUG_REL(1b) "\t# bug_entry::bug_addr\n"	\
		     "\t.word %c0\t# bug_entry::flags\n"		\
		     "\t.org 2b+%c1\n"					\
		     ".popsection"					\
		     : : "i" (flags), "i" (sizeof(struct bug_entry)));	\
} while (0)
#endif

#else /* !CONFIG_GENERIC_BUG */
#define _BUG_FLAGS(ins, flags)	asm volatile(ins)
#endif

#ifdef CONFIG_BUG
#define BUG()							\
do {								\
	_BUG_FLAGS(ASM_UD2, 0);					\
	__builtin_unreachable();				\
} while (0)

#define __WARN_FLAGS(flags)	_BUG_FLAGS(ASM_UD2, BUGFLAG_WARNING | (flags))
#else
/* Without BUG support a BUG() still stops the CPU, silently. */
#define BUG()			do { for (;;) asm volatile("cli; hlt"); } while (0)
#define __WARN_FLAGS(flags)	do { } while (0)
#endif

#endif /* __ASSEMBLY__ */
#endif
