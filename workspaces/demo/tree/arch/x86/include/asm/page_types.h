/* SPDX-License-Identifier: GPL-2.0 */
/* Page sizes and the kernel's place in the address space (Linux's x86-64 values). */
#ifndef _ASM_X86_PAGE_TYPES_H
#define _ASM_X86_PAGE_TYPES_H

#include <linux/const.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PMD_SHIFT		21
#define PMD_SIZE		(_AC(1, UL) << PMD_SHIFT)

#define THREAD_SIZE_ORDER	2
#define THREAD_SIZE		(PAGE_SIZE << THREAD_SIZE_ORDER)

/* Exception stacks for #DF and NMI, switched to by the IST mechanism. */
#define EXCEPTION_STACK_ORDER	1
#define EXCEPTION_STKSZ		(PAGE_SIZE << EXCEPTION_STACK_ORDER)

/*
 * The kernel image is linked at __START_KERNEL and loaded at __PHYSICAL_START; the first 1 GiB of
 * physical memory is mapped at __START_KERNEL_map, which also serves as this kernel's direct map.
 */
#define __START_KERNEL_map	_AC(0xffffffff80000000, UL)
#define __PHYSICAL_START	_AC(0x1000000, UL)
#define __START_KERNEL		(__START_KERNEL_map + __PHYSICAL_START)
#define KERNEL_IMAGE_SIZE	(_AC(1, UL) << 30)

#define __VIRTUAL_MASK_SHIFT	47
/* The highest user address plus one; the last page below the canonical hole is left unmapped. */
#define TASK_SIZE_MAX		((_AC(1, UL) << __VIRTUAL_MASK_SHIFT) - PAGE_SIZE)
#define STACK_TOP		TASK_SIZE_MAX

#endif
