// SPDX-License-Identifier: GPL-2.0
/* The 8259A pair: remapped to vectors 0x20-0x2f, every line masked until a driver asks. */
#include <linux/init.h>
#include <asm/i8259.h>
#include <asm/io.h>
#include <asm/trapnr.h>

static unsigned int cached_irq_mask = 0xffff;

static void outb_pic(unsigned char value, unsigned int port)
{
	outb(value, port);
	io_delay();
}

void __init init_8259A(void)
{
	outb(0xff, PIC_MASTER_IMR);	/* mask all of 8259A-1 */
	outb(0xff, PIC_SLAVE_IMR);	/* mask all of 8259A-2 */

	outb_pic(0x11, PIC_MASTER_CMD);	/* ICW1: select 8259A-1 init */
	outb_pic(ISA_IRQ_VECTOR(0), PIC_MASTER_IMR);	/* ICW2: IR0-7 mapped to 0x20-0x27 */
	outb_pic(1U << PIC_CASCADE_IR, PIC_MASTER_IMR);	/* ICW3: slave on IR2 */
	outb_pic(0x01, PIC_MASTER_IMR);	/* ICW4: 8086 mode, normal EOI */

	outb_pic(0x11, PIC_SLAVE_CMD);	/* ICW1: select 8259A-2 init */
	outb_pic(ISA_IRQ_VECTOR(8), PIC_SLAVE_IMR);	/* ICW2: IR0-7 mapped to 0x28-0x2f */
	outb_pic(PIC_CASCADE_IR, PIC_SLAVE_IMR);	/* ICW3: slave's cascade identity */
	outb_pic(0x01, PIC_SLAVE_IMR);	/* ICW4 */

	outb(cached_irq_mask & 0xff, PIC_MASTER_IMR);
	outb(cached_irq_mask >> 8, PIC_SLAVE_IMR);
}

void enable_8259A_irq(unsigned int irq)
{
	cached_irq_mask &= ~(1U << irq);
	if (irq >= 8)
		cached_irq_mask &= ~(1U << PIC_CASCADE_IR);
	outb(cached_irq_mask & 0xff, PIC_MASTER_IMR);
	outb(cached_irq_mask >> 8, PIC_SLAVE_IMR);
}

void eoi_8259A_irq(unsigned int irq)
{
	if (irq >= 8)
		outb(PIC_EOI, PIC_SLAVE_CMD);
	outb(PIC_EOI, PIC_MASTER_CMD);
}
