/* SPDX-License-Identifier: GPL-2.0 */
/* Physical pages and the user address space. */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <linux/types.h>
#include <asm/page.h>

/* A bump allocator over the RAM above the kernel image and the boot modules. */
void page_alloc_init(unsigned long start_phys, unsigned long end_phys);
/* A zeroed page, returned as its kernel virtual address; 0 when memory is exhausted. */
unsigned long get_zeroed_page(void);
unsigned long nr_free_pages(void);

/* Map fresh zeroed user pages over [start, start + len); writable when asked. */
int map_user_pages(unsigned long start, unsigned long len, bool writable);
/* Translate a mapped user address to the kernel address of the same byte (for the ELF loader). */
void *user_addr_to_kernel(unsigned long uaddr);
/* Drop the boot-time identity map of low memory, so user addresses fault unless mapped. */
void zap_low_mappings(void);

#endif
