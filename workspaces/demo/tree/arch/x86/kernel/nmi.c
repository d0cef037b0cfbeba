// SPDX-License-Identifier: GPL-2.0
/* NMIs: nothing here raises one, so any NMI is reported as Linux reports an unknown NMI. */
#include <linux/kernel.h>
#include <asm/idtentry.h>
#include <asm/io.h>

#define NMI_REASON_PORT	0x61

unsigned long nmi_count;

__visible void exc_nmi(struct pt_regs *regs)
{
	unsigned char reason = inb(NMI_REASON_PORT);

	nmi_count++;
	pr_emerg("Uhhuh. NMI received for unknown reason %02x on CPU %d.\n", reason, 0);
	pr_emerg("Dazed and confused, but trying to continue\n");
}
