/* SPDX-License-Identifier: GPL-2.0 */
/* Interrupt enable/disable. */
#ifndef _ASM_X86_IRQFLAGS_H
#define _ASM_X86_IRQFLAGS_H

#include <asm/processor-flags.h>

#ifndef __ASSEMBLY__

static __always_inline unsigned long native_save_fl(void)
{
	unsigned long flags;

	asm volatile("pushf ; pop %0" : "=rm" (flags) : : "memory");
	return flags;
}

static __always_inline void native_irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

static __always_inline void native_irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

/* sti's one-instruction shadow makes "sti; hlt" wait without losing a wakeup. */
static __always_inline void native_safe_halt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

#define local_irq_disable()	native_irq_disable()
#define local_irq_enable()	native_irq_enable()
#define irqs_disabled()		(!(native_save_fl() & X86_EFLAGS_IF))

static __always_inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags = native_save_fl();

	native_irq_disable();
	return flags;
}

#define local_irq_save(flags)		((flags) = arch_local_irq_save())
#define local_irq_restore(flags)	do { if ((flags) & X86_EFLAGS_IF) native_irq_enable(); } while (0)

#endif /* __ASSEMBLY__ */
#endif
