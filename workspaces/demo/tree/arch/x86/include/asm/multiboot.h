/* SPDX-License-Identifier: GPL-2.0 */
/* The Multiboot (v1) header and information structure: how QEMU's -kernel hands over. */
#ifndef _ASM_X86_MULTIBOOT_H
#define _ASM_X86_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC		0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC	0x2BADB002

#define MULTIBOOT_PAGE_ALIGN		(1 << 0)	/* modules on page boundaries */
#define MULTIBOOT_MEMORY_INFO		(1 << 1)	/* mem_* and mmap_* wanted */
#define MULTIBOOT_AOUT_KLUDGE		(1 << 16)	/* load addresses are in the header */

#define MULTIBOOT_INFO_MEMORY		(1 << 0)
#define MULTIBOOT_INFO_CMDLINE		(1 << 2)
#define MULTIBOOT_INFO_MODS		(1 << 3)
#define MULTIBOOT_INFO_MEM_MAP		(1 << 6)

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct multiboot_info {
	u32 flags;
	u32 mem_lower;
	u32 mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
} __packed;

struct multiboot_mmap_entry {
	u32 size;	/* of the rest of the entry */
	u64 addr;
	u64 len;
	u32 type;	/* 1: available RAM */
} __packed;

struct multiboot_mod_list {
	u32 mod_start;
	u32 mod_end;
	u32 cmdline;
	u32 pad;
} __packed;
#endif

#endif
