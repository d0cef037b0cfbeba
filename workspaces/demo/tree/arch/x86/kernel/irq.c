// SPDX-License-Identifier: GPL-2.0
/* External interrupts: the vector from the irq_entries_start stub, dispatched to its handler. */
#include <linux/entry-common.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/tty.h>
#include <asm/desc.h>
#include <asm/i8259.h>
#include <asm/idtentry.h>
#include <asm/traps.h>

#define COM1_IRQ	4

/* Vectors already reported as unhandled: report each once, not on every interrupt. */
static unsigned long unhandled_reported[NR_VECTORS / 64];

static void irq_enter(void)
{
	this_cpu_write(pcpu_hot.preempt_count, this_cpu_read(pcpu_hot.preempt_count) + HARDIRQ_OFFSET);
}

static void irq_exit(void)
{
	this_cpu_write(pcpu_hot.preempt_count, this_cpu_read(pcpu_hot.preempt_count) - HARDIRQ_OFFSET);
}

static void handle_unhandled(unsigned int vector)
{
	unsigned long bit = 1UL << (vector % 64);

	if (unhandled_reported[vector / 64] & bit)
		return;
	unhandled_reported[vector / 64] |= bit;
	pr_emerg("%s: %d.%u No irq handler for vector\n", __func__, 0, vector);
}

__visible void common_interrupt(struct pt_regs *regs, unsigned long error_code)
{
	/* The stub pushed the vector as a sign-extended byte. */
	unsigned int vector = (u8)error_code;
	irqentry_state_t state = irqentry_enter(regs);

	irq_enter();
	if (vector >= ISA_IRQ_VECTOR(0) && vector < ISA_IRQ_VECTOR(16)) {
		unsigned int irq = vector - ISA_IRQ_VECTOR(0);

		if (irq == COM1_IRQ)
			serial8250_handle_irq(&serial8250_ports[0]);
		else
			handle_unhandled(vector);
		eoi_8259A_irq(irq);
	} else {
		handle_unhandled(vector);
	}
	irq_exit();

	irqentry_exit(regs, state);
}

void __init init_IRQ(void)
{
	init_8259A();
	idt_setup_apic_and_irq_gates();
}

/* Console input: the UART raises IRQ 4 for each received byte. */
void __init serial_irq_init(void)
{
	serial8250_enable_rx_irq(&serial8250_ports[0]);
	enable_8259A_irq(COM1_IRQ);
}
