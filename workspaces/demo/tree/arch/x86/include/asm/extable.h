/* SPDX-License-Identifier: GPL-2.0 */
/* The exception table: instructions allowed to fault, and where to go when they do. */
#ifndef _ASM_X86_EXTABLE_H
#define _ASM_X86_EXTABLE_H

#include <asm/extable_fixup_types.h>

struct exception_table_entry {
	int insn, fixup, data;
};

struct pt_regs;

const struct exception_table_entry *search_exception_tables(unsigned long addr);
int fixup_exception(struct pt_regs *regs, int trapnr, unsigned long error_code, unsigned long fault_addr);

#endif
