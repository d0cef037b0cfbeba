// SPDX-License-Identifier: GPL-2.0
/* start_kernel(): bring up the CPU, interrupts and the console, then run /init as PID 1. */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/panic.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/utsname.h>
#include <asm/desc.h>
#include <asm/irq.h>
#include <asm/irqflags.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#define MAX_INIT_ARGS 16
#define MAX_INIT_ENVS 16

static const char *argv_init[MAX_INIT_ARGS + 2] = { "init", NULL, };
static const char *envp_init[MAX_INIT_ENVS + 2] = { "HOME=/", "TERM=linux", NULL, };

/* Command-line parameters: the kernel's own (panic=), then "--" and arguments for init, as Linux. */
static void __init parse_args(char *cmdline)
{
	int argc = 1, envc = 2;
	bool for_init = false;
	char *p = cmdline;

	while (*p) {
		char *word;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';

		if (for_init) {
			if (argc < MAX_INIT_ARGS)
				argv_init[argc++] = word;
		} else if (!strcmp(word, "--")) {
			for_init = true;
		} else if (!strncmp(word, "panic=", 6)) {
			long v = 0, sign = 1;
			const char *d = word + 6;

			if (*d == '-') {
				sign = -1;
				d++;
			}
			while (*d >= '0' && *d <= '9')
				v = v * 10 + (*d++ - '0');
			panic_timeout = sign * v;
		} else if (strchr(word, '=') && !strncmp(word, "init.", 5)) {
			if (envc < MAX_INIT_ENVS)
				envp_init[envc++] = word + 5;
		}
		/* console=, earlyprintk= and the rest: the console is always ttyS0 here. */
	}
	argv_init[argc] = NULL;
	envp_init[envc] = NULL;
}

static int kernel_init(void)
{
	int ret;

	/* Like console_on_rootfs(): fds 0, 1 and 2 are /dev/console. */
	fd_install_stdio();

	pr_info("Run %s as init process\n", "/init");
	ret = kernel_execve("/init", argv_init, envp_init);
	if (!ret)
		return 0;
	panic("Requested init /init failed (error %d).", ret);
}

static void __init rest_init(void)
{
	struct task_struct *tsk = copy_process(&init_task, "init");

	if (!tsk)
		panic("Failed to create the init task");
	/* PID 0 never runs again: it has nothing to do without a scheduler. */
	switch_to_task(tsk, kernel_init);
}

void __init start_kernel(void)
{
	char *command_line;

	pr_notice("%s", linux_banner);
	pr_notice("Command line: %s\n", boot_command_line);

	setup_arch(&command_line);

	idt_setup_traps();
	cpu_init();
	init_IRQ();
	tsc_init();

	pr_notice("Kernel command line: %s\n", command_line);
	parse_args(command_line);

	serial8250_report();
	serial_irq_init();
	local_irq_enable();

	rest_init();
}
