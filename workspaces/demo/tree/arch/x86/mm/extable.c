// SPDX-License-Identifier: GPL-2.0
/* Exception-table lookups: where a faulting kernel instruction that was allowed to fault resumes. */
#include <linux/kernel.h>
#include <asm/extable.h>
#include <asm/ptrace.h>
#include <asm/sections.h>

static inline unsigned long ex_insn_addr(const struct exception_table_entry *x)
{
	return (unsigned long)&x->insn + x->insn;
}

static inline unsigned long ex_fixup_addr(const struct exception_table_entry *x)
{
	return (unsigned long)&x->fixup + x->fixup;
}

const struct exception_table_entry *search_exception_tables(unsigned long addr)
{
	/* A handful of entries: a linear scan needs no build-time sort. */
	for (const struct exception_table_entry *e = __start___ex_table; e < __stop___ex_table; e++)
		if (ex_insn_addr(e) == addr)
			return e;
	return NULL;
}

int fixup_exception(struct pt_regs *regs, int trapnr, unsigned long error_code, unsigned long fault_addr)
{
	const struct exception_table_entry *e = search_exception_tables(regs->ip);

	if (!e)
		return 0;

	switch (e->data & EX_DATA_TYPE_MASK) {
	case EX_TYPE_DEFAULT:
	case EX_TYPE_UACCESS:
		regs->ip = ex_fixup_addr(e);
		return 1;
	case EX_TYPE_FAULT:
		regs->ax = trapnr;
		regs->ip = ex_fixup_addr(e);
		return 1;
	}
	pr_emerg("exception table entry for %pS has unknown type %d\n", (void *)regs->ip,
		 e->data & EX_DATA_TYPE_MASK);
	return 0;
}
