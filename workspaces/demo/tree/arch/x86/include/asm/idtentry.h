/* SPDX-License-Identifier: GPL-2.0 */
/* The IDT entry points (asm_*, in entry_64.S) and the C handlers they call (exc_*). */
#ifndef _ASM_X86_IDTENTRY_H
#define _ASM_X86_IDTENTRY_H

#include <asm/trapnr.h>

#ifndef __ASSEMBLY__
struct pt_regs;

#define DECLARE_IDTENTRY(vector, func)					\
	void asm_##func(void);						\
	__visible void func(struct pt_regs *regs)
#define DECLARE_IDTENTRY_ERRORCODE(vector, func)			\
	void asm_##func(void);						\
	__visible void func(struct pt_regs *regs, unsigned long error_code)

DECLARE_IDTENTRY(X86_TRAP_DE,		exc_divide_error);
DECLARE_IDTENTRY(X86_TRAP_DB,		exc_debug);
DECLARE_IDTENTRY(X86_TRAP_NMI,		exc_nmi);
DECLARE_IDTENTRY(X86_TRAP_BP,		exc_int3);
DECLARE_IDTENTRY(X86_TRAP_OF,		exc_overflow);
DECLARE_IDTENTRY(X86_TRAP_BR,		exc_bounds);
DECLARE_IDTENTRY(X86_TRAP_UD,		exc_invalid_op);
DECLARE_IDTENTRY(X86_TRAP_NM,		exc_device_not_available);
DECLARE_IDTENTRY_ERRORCODE(X86_TRAP_DF,	exc_double_fault);
DECLARE_IDTENTRY_ERRORCODE(X86_TRAP_TS,	exc_invalid_tss);
DECLARE_IDTENTRY_ERRORCODE(X86_TRAP_NP,	exc_segment_not_present);
DECLARE_IDTENTRY_ERRORCODE(X86_TRAP_SS,	exc_stack_segment);
DECLARE_IDTENTRY_ERRORCODE(X86_TRAP_GP,	exc_general_protection);
DECLARE_IDTENTRY_ERRORCODE(X86_TRAP_PF,	exc_page_fault);
DECLARE_IDTENTRY(X86_TRAP_MF,		exc_coprocessor_error);
DECLARE_IDTENTRY_ERRORCODE(X86_TRAP_AC,	exc_alignment_check);
DECLARE_IDTENTRY(X86_TRAP_XF,		exc_simd_coprocessor_error);
DECLARE_IDTENTRY(X86_TRAP_SPURIOUS,	exc_spurious_interrupt_bug);

/* External interrupts: irq_entries_start has one 8-byte stub per vector from 0x20 up. */
extern char irq_entries_start[];
void asm_common_interrupt(void);
__visible void common_interrupt(struct pt_regs *regs, unsigned long error_code);

#endif /* __ASSEMBLY__ */
#endif
