// SPDX-License-Identifier: GPL-2.0
/* The first C code: clear .bss, keep the multiboot command line, start the console, start_kernel(). */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <asm/multiboot.h>
#include <asm/page.h>
#include <asm/sections.h>
#include <asm/setup.h>

#define COMMAND_LINE_SIZE 2048

char boot_command_line[COMMAND_LINE_SIZE];
/* Physical address of the multiboot information block, read by setup_arch(). */
unsigned long boot_params_phys;

static void __init copy_bootdata(const struct multiboot_info *mbi)
{
	const char *cmdline;

	if (!(mbi->flags & MULTIBOOT_INFO_CMDLINE))
		return;
	/* The loader puts the image's own file name first; Linux's command line starts after it. */
	cmdline = __va(mbi->cmdline);
	while (*cmdline && *cmdline != ' ')
		cmdline++;
	while (*cmdline == ' ')
		cmdline++;
	strscpy(boot_command_line, cmdline, COMMAND_LINE_SIZE);
}

asmlinkage __visible void __init x86_64_start_kernel(unsigned long mbi_phys)
{
	/* The loader zeroed .bss already; clear it anyway, nothing may depend on the loader. */
	memset(__bss_start, 0, __bss_stop - __bss_start);

	boot_params_phys = mbi_phys;
	copy_bootdata(__va(mbi_phys));

	/* The 8250 console from the first message on, like earlyprintk=serial. */
	serial8250_init();

	start_kernel();
}
