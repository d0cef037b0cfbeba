// SPDX-License-Identifier: GPL-2.0
/* panic(), WARN() reports and the taint flags they leave behind. */
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/sched/debug.h>
#include <asm/irqflags.h>
#include <asm/processor.h>
#include <asm/tsc.h>

int panic_timeout;
int oops_in_progress;
unsigned long tainted_mask;

#define TAINT_DIE		7
#define TAINT_FLAGS_COUNT	19

/* Linux's taint letters, in bit order. */
static const char taint_chars[TAINT_FLAGS_COUNT + 1] = "PFSRMBUDAWCIOELKXTN";

void add_taint(unsigned int flag)
{
	tainted_mask |= 1UL << flag;
}

const char *print_tainted(void)
{
	static char buf[TAINT_FLAGS_COUNT + 16];
	int n;

	if (!tainted_mask)
		return "Not tainted";
	n = snprintf(buf, sizeof(buf), "Tainted: ");
	for (int i = 0; i < TAINT_FLAGS_COUNT; i++)
		if (tainted_mask & (1UL << i))
			buf[n++] = taint_chars[i];
	buf[n] = '\0';
	return buf;
}

static void mdelay(unsigned long ms)
{
	u64 end = sched_clock() + ms * 1000000ULL;

	if (!tsc_khz) {
		for (unsigned long i = 0; i < ms * 1000; i++)
			asm volatile("outb %%al, $0x80" : : "a" (0));
		return;
	}
	while (sched_clock() < end)
		cpu_relax();
}

void __warn(const char *file, int line, void *caller, unsigned int taint, struct pt_regs *regs)
{
	if (file)
		pr_warn("WARNING: CPU: %d PID: %d at %s:%d %pS\n", 0, current->pid, file, line, caller);
	else
		pr_warn("WARNING: CPU: %d PID: %d at %pS\n", 0, current->pid, caller);

	pr_warn("Modules linked in:\n");
	if (regs)
		show_regs(regs);
	else
		dump_stack();
	add_taint(taint);
	pr_warn("---[ end trace 0000000000000000 ]---\n");
}

void panic(const char *fmt, ...)
{
	static char buf[1024];
	va_list args;
	int len;

	local_irq_disable();

	va_start(args, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';

	pr_emerg("Kernel panic - not syncing: %s\n", buf);
	/* After an oops the stack was just shown; otherwise show how we got here. */
	if (!(tainted_mask & (1UL << TAINT_DIE)))
		dump_stack();
	pr_emerg("Kernel Offset: disabled\n");

	if (panic_timeout > 0) {
		pr_emerg("Rebooting in %d seconds..\n", panic_timeout);
		mdelay(panic_timeout * 1000UL);
	}
	if (panic_timeout != 0)
		emergency_restart();

	pr_emerg("---[ end Kernel panic - not syncing: %s ]---\n", buf);
	machine_halt_forever();
}
