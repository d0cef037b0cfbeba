/* SPDX-License-Identifier: GPL-2.0 */
/* Interrupt setup called from start_kernel(). */
#ifndef _ASM_X86_IRQ_H
#define _ASM_X86_IRQ_H

void init_IRQ(void);
void serial_irq_init(void);

#endif
