/* SPDX-License-Identifier: GPL-2.0 */
/* panic(), the taint mask and the oops bookkeeping. */
#ifndef _LINUX_PANIC_H
#define _LINUX_PANIC_H

#include <linux/compiler.h>

struct pt_regs;

__printf(1, 2) __noreturn __cold void panic(const char *fmt, ...);

/* panic=N on the command line: <0 reboot at once, 0 wait forever, >0 reboot after N seconds. */
extern int panic_timeout;
extern int oops_in_progress;
extern unsigned long tainted_mask;

void add_taint(unsigned int flag);
const char *print_tainted(void);
void __warn(const char *file, int line, void *caller, unsigned int taint, struct pt_regs *regs);

#endif
