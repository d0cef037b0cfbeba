/* SPDX-License-Identifier: GPL-2.0 */
/* GDT layout and segment selectors: the same slots and values as Linux on x86-64. */
#ifndef _ASM_X86_SEGMENT_H
#define _ASM_X86_SEGMENT_H

#define GDT_ENTRY_INVALID_SEG		0
#define GDT_ENTRY_KERNEL32_CS		1
#define GDT_ENTRY_KERNEL_CS		2
#define GDT_ENTRY_KERNEL_DS		3
/* SYSRET loads CS from STAR[63:48] + 16 and SS from STAR[63:48] + 8: keep these three in order. */
#define GDT_ENTRY_DEFAULT_USER32_CS	4
#define GDT_ENTRY_DEFAULT_USER_DS	5
#define GDT_ENTRY_DEFAULT_USER_CS	6
/* Needs two entries */
#define GDT_ENTRY_TSS			8
#define GDT_ENTRIES			16

#define __KERNEL32_CS			(GDT_ENTRY_KERNEL32_CS * 8)
#define __KERNEL_CS			(GDT_ENTRY_KERNEL_CS * 8)
#define __KERNEL_DS			(GDT_ENTRY_KERNEL_DS * 8)
#define __USER32_CS			(GDT_ENTRY_DEFAULT_USER32_CS * 8 + 3)
#define __USER_DS			(GDT_ENTRY_DEFAULT_USER_DS * 8 + 3)
#define __USER32_DS			__USER_DS
#define __USER_CS			(GDT_ENTRY_DEFAULT_USER_CS * 8 + 3)

/* IST slots (1-based in the IDT, 0-based in tss.ist[]). */
#define IST_INDEX_DF			0
#define IST_INDEX_NMI			1
#define N_EXCEPTION_STACKS		2

#endif
