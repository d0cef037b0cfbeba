// SPDX-License-Identifier: GPL-2.0
/* printk: format, prefix each new line with the time since boot, write to the serial console. */
#include <linux/kernel.h>
#include <linux/tty.h>
#include <asm/irqflags.h>
#include <asm/tsc.h>

static bool at_line_start = true;

static void print_time(void)
{
	char stamp[32];
	u64 ns = sched_clock();
	int n = snprintf(stamp, sizeof(stamp), "[%5lu.%06lu] ", (unsigned long)(ns / 1000000000ULL),
			 (unsigned long)(ns % 1000000000ULL) / 1000);

	console_write(stamp, n);
}

int vprintk(const char *fmt, va_list args)
{
	char text[1024];
	unsigned long flags;
	int len, start = 0;

	len = vsnprintf(text, sizeof(text), fmt, args);
	if (len > (int)sizeof(text) - 1)
		len = sizeof(text) - 1;

	local_irq_save(flags);
	for (int i = 0; i < len; i++) {
		if (at_line_start) {
			print_time();
			at_line_start = false;
		}
		if (text[i] == '\n') {
			console_write(text + start, i + 1 - start);
			start = i + 1;
			at_line_start = true;
		}
	}
	if (start < len)
		console_write(text + start, len - start);
	local_irq_restore(flags);
	return len;
}

int printk(const char *fmt, ...)
{
	va_list args;
	int r;

	va_start(args, fmt);
	r = vprintk(fmt, args);
	va_end(args);
	return r;
}
