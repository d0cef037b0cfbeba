/* SPDX-License-Identifier: GPL-2.0 */
/* Converting between the kernel's virtual addresses and physical ones. */
#ifndef _ASM_X86_PAGE_H
#define _ASM_X86_PAGE_H

#include <asm/page_types.h>

#ifndef __ASSEMBLY__
#define __pa(x)		((unsigned long)(x) - __START_KERNEL_map)
#define __va(x)		((void *)((unsigned long)(x) + __START_KERNEL_map))
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)
#endif

#endif
