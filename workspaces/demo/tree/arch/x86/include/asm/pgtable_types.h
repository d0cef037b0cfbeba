/* SPDX-License-Identifier: GPL-2.0 */
/* Page-table entry bits. */
#ifndef _ASM_X86_PGTABLE_TYPES_H
#define _ASM_X86_PGTABLE_TYPES_H

#include <linux/const.h>

#define _PAGE_PRESENT	_AT(unsigned long, 0x001)
#define _PAGE_RW	_AT(unsigned long, 0x002)
#define _PAGE_USER	_AT(unsigned long, 0x004)
#define _PAGE_PWT	_AT(unsigned long, 0x008)
#define _PAGE_PCD	_AT(unsigned long, 0x010)
#define _PAGE_ACCESSED	_AT(unsigned long, 0x020)
#define _PAGE_DIRTY	_AT(unsigned long, 0x040)
#define _PAGE_PSE	_AT(unsigned long, 0x080)
#define _PAGE_GLOBAL	_AT(unsigned long, 0x100)

#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define __PAGE_KERNEL_LARGE_EXEC (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PSE | _PAGE_GLOBAL)

#define PTRS_PER_PGD	512
#define PTE_PFN_MASK	_AC(0x000ffffffffff000, UL)

/* Page-fault error code bits. */
#define X86_PF_PROT	(1 << 0)
#define X86_PF_WRITE	(1 << 1)
#define X86_PF_USER	(1 << 2)
#define X86_PF_RSVD	(1 << 3)
#define X86_PF_INSTR	(1 << 4)

#endif
