/* SPDX-License-Identifier: GPL-2.0 */
/* The legacy 8259A interrupt controller pair. */
#ifndef _ASM_X86_I8259_H
#define _ASM_X86_I8259_H

#define PIC_MASTER_CMD		0x20
#define PIC_MASTER_IMR		0x21
#define PIC_SLAVE_CMD		0xa0
#define PIC_SLAVE_IMR		0xa1
#define PIC_EOI			0x20
#define PIC_CASCADE_IR		2

void init_8259A(void);
void enable_8259A_irq(unsigned int irq);
void eoi_8259A_irq(unsigned int irq);

#endif
