/* SPDX-License-Identifier: GPL-2.0 */
/* Boot-time handover between head64.c and setup_arch(). */
#ifndef _ASM_X86_SETUP_H
#define _ASM_X86_SETUP_H

#ifndef __ASSEMBLY__
extern unsigned long boot_params_phys;
asmlinkage void x86_64_start_kernel(unsigned long mbi_phys);
#endif

#endif
