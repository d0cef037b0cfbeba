/* SPDX-License-Identifier: GPL-2.0 */
/* Symbols the linker script defines around the image's sections. */
#ifndef _ASM_X86_SECTIONS_H
#define _ASM_X86_SECTIONS_H

extern char _text[], _stext[], _etext[];
extern char _sdata[], _edata[];
extern char __bss_start[], __bss_stop[], _end[];
extern char __entry_text_start[], __entry_text_end[];
extern char __noinstr_text_start[], __noinstr_text_end[];
extern char __per_cpu_load[], __per_cpu_start[], __per_cpu_end[];
extern char __init_elf_start[], __init_elf_end[];

#include <asm/extable.h>
#include <linux/bug.h>

extern const struct exception_table_entry __start___ex_table[], __stop___ex_table[];
#ifdef CONFIG_GENERIC_BUG
extern struct bug_entry __start___bug_table[], __stop___bug_table[];
#endif

static inline int is_kernel_text(unsigned long addr)
{
	return addr >= (unsigned long)_stext && addr < (unsigned long)_etext;
}

#endif
