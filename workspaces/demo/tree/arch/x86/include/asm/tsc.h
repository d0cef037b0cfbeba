/* SPDX-License-Identifier: GPL-2.0 */
/* TSC calibration and the clock printk timestamps use. */
#ifndef _ASM_X86_TSC_H
#define _ASM_X86_TSC_H

#include <linux/types.h>

extern unsigned long tsc_khz;
void tsc_init(void);
/* Nanoseconds since boot, from the TSC; 0 until tsc_init() calibrated it. */
u64 sched_clock(void);

#endif
