/* SPDX-License-Identifier: GPL-2.0 */
/* Address to "symbol+offset/size", from the table scripts/kallsyms.sh builds into the image. */
#ifndef _LINUX_KALLSYMS_H
#define _LINUX_KALLSYMS_H

#include <linux/types.h>
#include <linux/printk.h>

#define KSYM_NAME_LEN 128
#define KSYM_SYMBOL_LEN (KSYM_NAME_LEN + 64)

#ifdef CONFIG_KALLSYMS
const char *kallsyms_lookup(unsigned long addr, unsigned long *symbolsize, unsigned long *offset);
/* "sym+0x1c/0x40", or the bare address when the symbol is unknown. */
int sprint_symbol(char *buffer, unsigned long address);
/*
 * The same for a return address: a call at the very end of a function (to a noreturn function)
 * returns past it, so look up the byte before.
 */
int sprint_backtrace(char *buffer, unsigned long address);
#else
static inline const char *kallsyms_lookup(unsigned long addr, unsigned long *symbolsize,
					  unsigned long *offset)
{
	return NULL;
}

static inline int sprint_symbol(char *buffer, unsigned long address)
{
	return snprintf(buffer, KSYM_SYMBOL_LEN, "0x%lx", address);
}

static inline int sprint_backtrace(char *buffer, unsigned long address)
{
	return sprint_symbol(buffer, address);
}
#endif

#endif
