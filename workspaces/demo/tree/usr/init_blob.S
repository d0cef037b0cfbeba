/* SPDX-License-Identifier: GPL-2.0 */
/* The user-space /init (usr/init/, a static ELF) built into the image, as Linux builds in initramfs. */
	.section .init.elf, "a"
	.balign 16
	.globl __init_elf_start
__init_elf_start:
	.incbin INIT_ELF_PATH
	.globl __init_elf_end
__init_elf_end:
