/* SPDX-License-Identifier: GPL-2.0 */
/* The per-CPU GDT and helpers to load descriptor tables. */
#ifndef _ASM_X86_DESC_H
#define _ASM_X86_DESC_H

#include <asm/desc_defs.h>
#include <asm/segment.h>
#include <asm/percpu.h>

struct gdt_page {
	struct desc_struct gdt[GDT_ENTRIES];
} __aligned(PAGE_SIZE);

DECLARE_PER_CPU_PAGE_ALIGNED(struct gdt_page, gdt_page);

static inline void native_load_gdt(const struct desc_ptr *dtr)
{
	asm volatile("lgdt %0" : : "m" (*dtr));
}

static inline void native_load_idt(const struct desc_ptr *dtr)
{
	asm volatile("lidt %0" : : "m" (*dtr));
}

static inline void native_load_tr_desc(void)
{
	asm volatile("ltr %w0" : : "q" (GDT_ENTRY_TSS * 8));
}

void idt_setup_traps(void);
void idt_setup_apic_and_irq_gates(void);
void load_current_idt(void);

#endif
