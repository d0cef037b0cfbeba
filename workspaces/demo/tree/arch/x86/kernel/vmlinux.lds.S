/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel image's layout, modelled on Linux's: linked at __START_KERNEL, loaded at
 * __PHYSICAL_START, with a zero-based per-CPU section in its own program header.
 */
#include <asm/page_types.h>

#define LOAD_OFFSET __START_KERNEL_map

OUTPUT_FORMAT("elf64-x86-64", "elf64-x86-64", "elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(phys_startup_32)

PHDRS {
	text PT_LOAD FLAGS(5);		/* R_E */
	data PT_LOAD FLAGS(6);		/* RW_ */
	percpu PT_LOAD FLAGS(6);	/* RW_ */
	init PT_LOAD FLAGS(7);		/* RWE */
}

SECTIONS
{
	. = __START_KERNEL;
	phys_startup_32 = ABSOLUTE(startup_32 - LOAD_OFFSET);

	.text : AT(ADDR(.text) - LOAD_OFFSET) {
		_text = .;
		_stext = .;
		/* The multiboot header must be within the first 8 KiB of bzImage. */
		KEEP(*(.head.text))
		. = ALIGN(64);
		__entry_text_start = .;
		*(.entry.text)
		__entry_text_end = .;
		. = ALIGN(16);
		__noinstr_text_start = .;
		*(.noinstr.text)
		__noinstr_text_end = .;
		*(.text .text.[0-9a-zA-Z_]*)
		_etext = .;
	} :text = 0xcccccccc

	. = ALIGN(PAGE_SIZE);
	.rodata : AT(ADDR(.rodata) - LOAD_OFFSET) {
		__start_rodata = .;
		*(.rodata .rodata.[0-9a-zA-Z_]*)
		__end_rodata = .;
	} :text

	. = ALIGN(16);
	__ex_table : AT(ADDR(__ex_table) - LOAD_OFFSET) {
		__start___ex_table = .;
		*(__ex_table)
		__stop___ex_table = .;
	} :text

	. = ALIGN(PAGE_SIZE);
	.data : AT(ADDR(.data) - LOAD_OFFSET) {
		_sdata = .;
		*(.data..page_aligned)
		. = ALIGN(64);
		*(.data..init_task)
		*(.data .data.[0-9a-zA-Z_]*)
	} :data

	__bug_table : AT(ADDR(__bug_table) - LOAD_OFFSET) {
		__start___bug_table = .;
		*(__bug_table)
		__stop___bug_table = .;
	} :data
	_edata = .;

	/*
	 * Per-CPU data: addresses are offsets from 0 (used as %gs:offset), the bytes are stored at
	 * __per_cpu_load, which is also the boot CPU's area.
	 */
	. = ALIGN(PAGE_SIZE);
	__per_cpu_load = .;
	.data..percpu 0 : AT(__per_cpu_load - LOAD_OFFSET) {
		__per_cpu_start = .;
		*(.data..percpu..first)
		. = ALIGN(PAGE_SIZE);
		*(.data..percpu..page_aligned)
		. = ALIGN(64);
		*(.data..percpu..shared_aligned)
		*(.data..percpu)
		__per_cpu_end = .;
	} :percpu
	. = __per_cpu_load + SIZEOF(.data..percpu);
	ASSERT(SIZEOF(.data..percpu) < __PHYSICAL_START, "per-CPU data too large")

	. = ALIGN(PAGE_SIZE);
	.init.text : AT(ADDR(.init.text) - LOAD_OFFSET) {
		__init_begin = .;
		*(.init.text)
	} :init

	.init.data : AT(ADDR(.init.data) - LOAD_OFFSET) {
		*(.init.data)
		*(.init.rodata)
		/* The built-in /init program (usr/init_blob.S). */
		. = ALIGN(16);
		*(.init.elf)
		__init_end = .;
	} :init

	/* Last before .bss: its size changes between the kallsyms links, nothing else moves. */
	.kallsyms : AT(ADDR(.kallsyms) - LOAD_OFFSET) {
		*(.kallsyms)
	} :init

	. = ALIGN(PAGE_SIZE);
	.bss : AT(ADDR(.bss) - LOAD_OFFSET) {
		__bss_start = .;
		*(.bss..page_aligned)
		*(.bss .bss.[0-9a-zA-Z_]*)
		*(COMMON)
		. = ALIGN(PAGE_SIZE);
		__bss_stop = .;
	} :init
	_end = .;

	/DISCARD/ : {
		*(.eh_frame)
		*(.note.GNU-stack)
		*(.note.gnu.property)
		*(.comment)
	}
}

ASSERT(_end - _text <= KERNEL_IMAGE_SIZE, "kernel image bigger than KERNEL_IMAGE_SIZE")
