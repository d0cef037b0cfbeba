// SPDX-License-Identifier: GPL-2.0
/* The interrupt descriptor table: exception gates as Linux sets them, then one gate per vector. */
#include <linux/init.h>
#include <linux/kernel.h>
#include <asm/desc.h>
#include <asm/idtentry.h>
#include <asm/segment.h>

#define IDT_ENTRIES		256
#define DPL0			0x0
#define DPL3			0x3

struct idt_data {
	unsigned int	vector;
	unsigned int	segment;
	struct idt_bits	bits;
	const void	*addr;
};

#define G(_vector, _addr, _ist, _type, _dpl, _segment)	\
	{						\
		.vector		= _vector,		\
		.bits.ist	= _ist,			\
		.bits.type	= _type,		\
		.bits.dpl	= _dpl,			\
		.bits.p		= 1,			\
		.addr		= _addr,		\
		.segment	= _segment,		\
	}

/* Interrupt gate */
#define INTG(_vector, _addr)		G(_vector, _addr, 0, GATE_INTERRUPT, DPL0, __KERNEL_CS)
/* System interrupt gate: reachable from user mode with int $n */
#define SYSG(_vector, _addr)		G(_vector, _addr, 0, GATE_INTERRUPT, DPL3, __KERNEL_CS)
/* Interrupt gate on an IST stack (the IST field is 1-based) */
#define ISTG(_vector, _addr, _ist)	G(_vector, _addr, (_ist) + 1, GATE_INTERRUPT, DPL0, __KERNEL_CS)

static const struct idt_data def_idts[] = {
	INTG(X86_TRAP_DE,		asm_exc_divide_error),
	ISTG(X86_TRAP_NMI,		asm_exc_nmi, IST_INDEX_NMI),
	INTG(X86_TRAP_BR,		asm_exc_bounds),
	INTG(X86_TRAP_UD,		asm_exc_invalid_op),
	INTG(X86_TRAP_NM,		asm_exc_device_not_available),
	INTG(X86_TRAP_TS,		asm_exc_invalid_tss),
	INTG(X86_TRAP_NP,		asm_exc_segment_not_present),
	INTG(X86_TRAP_SS,		asm_exc_stack_segment),
	INTG(X86_TRAP_GP,		asm_exc_general_protection),
	INTG(X86_TRAP_SPURIOUS,		asm_exc_spurious_interrupt_bug),
	INTG(X86_TRAP_MF,		asm_exc_coprocessor_error),
	INTG(X86_TRAP_AC,		asm_exc_alignment_check),
	INTG(X86_TRAP_XF,		asm_exc_simd_coprocessor_error),
	ISTG(X86_TRAP_DF,		asm_exc_double_fault, IST_INDEX_DF),
	INTG(X86_TRAP_DB,		asm_exc_debug),
	INTG(X86_TRAP_PF,		asm_exc_page_fault),
	SYSG(X86_TRAP_OF,		asm_exc_overflow),
	SYSG(X86_TRAP_BP,		asm_exc_int3),
};

gate_desc idt_table[IDT_ENTRIES] __aligned(PAGE_SIZE);

static struct desc_ptr idt_descr = {
	.size		= sizeof(idt_table) - 1,
	.address	= (unsigned long)idt_table,
};

static void idt_init_desc(gate_desc *gate, const struct idt_data *d)
{
	unsigned long addr = (unsigned long)d->addr;

	gate->offset_low	= (u16)addr;
	gate->segment		= (u16)d->segment;
	gate->bits		= d->bits;
	gate->offset_middle	= (u16)(addr >> 16);
	gate->offset_high	= (u32)(addr >> 32);
	gate->reserved		= 0;
}

void __init idt_setup_traps(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(def_idts); i++)
		idt_init_desc(&idt_table[def_idts[i].vector], &def_idts[i]);
}

/* Every vector from FIRST_EXTERNAL_VECTOR up goes to its irq_entries_start stub. */
void __init idt_setup_apic_and_irq_gates(void)
{
	for (unsigned int vector = FIRST_EXTERNAL_VECTOR; vector < IDT_ENTRIES; vector++) {
		struct idt_data d = INTG(vector, irq_entries_start +
					 IDT_ALIGN * (vector - FIRST_EXTERNAL_VECTOR));

		idt_init_desc(&idt_table[vector], &d);
	}
}

void load_current_idt(void)
{
	native_load_idt(&idt_descr);
}
