/* SPDX-License-Identifier: GPL-2.0 */
/* Exception vector numbers. */
#ifndef _ASM_X86_TRAPNR_H
#define _ASM_X86_TRAPNR_H

#define X86_TRAP_DE		 0	/* Divide-by-zero */
#define X86_TRAP_DB		 1	/* Debug */
#define X86_TRAP_NMI		 2	/* Non-maskable Interrupt */
#define X86_TRAP_BP		 3	/* Breakpoint */
#define X86_TRAP_OF		 4	/* Overflow */
#define X86_TRAP_BR		 5	/* Bound Range Exceeded */
#define X86_TRAP_UD		 6	/* Invalid Opcode */
#define X86_TRAP_NM		 7	/* Device Not Available */
#define X86_TRAP_DF		 8	/* Double Fault */
#define X86_TRAP_OLD_MF		 9	/* Coprocessor Segment Overrun */
#define X86_TRAP_TS		10	/* Invalid TSS */
#define X86_TRAP_NP		11	/* Segment Not Present */
#define X86_TRAP_SS		12	/* Stack Segment Fault */
#define X86_TRAP_GP		13	/* General Protection Fault */
#define X86_TRAP_PF		14	/* Page Fault */
#define X86_TRAP_SPURIOUS	15	/* Spurious Interrupt */
#define X86_TRAP_MF		16	/* x87 Floating-Point Exception */
#define X86_TRAP_AC		17	/* Alignment Check */
#define X86_TRAP_MC		18	/* Machine Check */
#define X86_TRAP_XF		19	/* SIMD Floating-Point Exception */

#define FIRST_EXTERNAL_VECTOR	0x20
#define NR_VECTORS		256
#define NR_EXTERNAL_VECTORS	(NR_VECTORS - FIRST_EXTERNAL_VECTOR)
/* The legacy PIC's IRQ 0-15 are remapped to these vectors. */
#define ISA_IRQ_VECTOR(irq)	(FIRST_EXTERNAL_VECTOR + (irq))

/* Each irq_entries_start stub is this long, so stub n is at irq_entries_start + n * IDT_ALIGN. */
#define IDT_ALIGN		8

#endif
