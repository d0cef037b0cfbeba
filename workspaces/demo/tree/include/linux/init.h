/* SPDX-License-Identifier: GPL-2.0 */
/* Section markers for code and data used only while booting. */
#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H

#include <linux/compiler.h>

#define __init		__section(".init.text") __cold
#define __initdata	__section(".init.data")
#define __initconst	__section(".init.rodata")

#ifndef __ASSEMBLY__
extern char boot_command_line[];
void start_kernel(void);
void setup_arch(char **cmdline_p);
#endif

#endif
