// SPDX-License-Identifier: GPL-2.0
/* TSC calibration against the PIT, and sched_clock() for printk timestamps. */
#include <linux/init.h>
#include <linux/kernel.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#define PIT_TICK_RATE	1193182UL
#define CAL_MS		10
#define CAL_LATCH	(PIT_TICK_RATE / (1000 / CAL_MS))
/* Enough for 10 ms on any real or emulated machine; an emulator without a PIT gives up here. */
#define CAL_MAX_LOOPS	5000000UL

unsigned long tsc_khz;
static u64 tsc_boot;

/* PIT channel 2 in mode 0 counts down CAL_LATCH ticks; count TSC cycles meanwhile. */
static unsigned long __init pit_calibrate_tsc(void)
{
	u64 t1, t2;
	unsigned long loops = 0;

	/* Set the Gate high, disable speaker */
	outb((inb(0x61) & ~0x02) | 0x01, 0x61);

	/* Channel 2, mode 0 (interrupt on terminal count), binary count */
	outb(0xb0, 0x43);
	outb(CAL_LATCH & 0xff, 0x42);
	outb(CAL_LATCH >> 8, 0x42);

	t1 = rdtsc();
	while ((inb(0x61) & 0x20) == 0) {
		if (++loops > CAL_MAX_LOOPS)
			return 0;
	}
	t2 = rdtsc();

	return (t2 - t1) / CAL_MS;
}

void __init tsc_init(void)
{
	tsc_boot = rdtsc();
	tsc_khz = pit_calibrate_tsc();
	if (!tsc_khz) {
		pr_warn("tsc: Fast TSC calibration failed\n");
		return;
	}
	pr_info("tsc: Detected %lu.%03lu MHz processor\n", tsc_khz / 1000, tsc_khz % 1000);
}

u64 sched_clock(void)
{
	u64 cycles;

	if (!tsc_khz)
		return 0;
	cycles = rdtsc() - tsc_boot;
	/* cycles * 10^6 / khz without overflowing for long uptimes */
	return (cycles / tsc_khz) * 1000000ULL + (cycles % tsc_khz) * 1000000ULL / tsc_khz;
}
