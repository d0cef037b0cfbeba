// SPDX-License-Identifier: GPL-2.0
/* Page tables for the one user address space, built on early_top_pgt below the kernel map. */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>
#include <asm/processor.h>

extern unsigned long early_top_pgt[PTRS_PER_PGD];

static unsigned long *next_level(unsigned long *table, unsigned int index, bool alloc)
{
	if (!(table[index] & _PAGE_PRESENT)) {
		unsigned long page;

		if (!alloc)
			return NULL;
		page = get_zeroed_page();
		if (!page)
			return NULL;
		/* Intermediate levels allow everything; the last level decides. */
		table[index] = __pa(page) | _PAGE_TABLE;
	}
	return __va(table[index] & PTE_PFN_MASK);
}

static unsigned long *lookup_user_pte(unsigned long addr, bool alloc)
{
	unsigned long *pud, *pmd, *pte;

	if (addr >= TASK_SIZE_MAX)
		return NULL;
	pud = next_level(early_top_pgt, (addr >> 39) & 511, alloc);
	if (!pud)
		return NULL;
	pmd = next_level(pud, (addr >> 30) & 511, alloc);
	if (!pmd)
		return NULL;
	pte = next_level(pmd, (addr >> 21) & 511, alloc);
	if (!pte)
		return NULL;
	return pte + ((addr >> 12) & 511);
}

int map_user_pages(unsigned long start, unsigned long len, bool writable)
{
	unsigned long end = PAGE_ALIGN(start + len);

	for (unsigned long addr = start & PAGE_MASK; addr < end; addr += PAGE_SIZE) {
		unsigned long *pte = lookup_user_pte(addr, true);
		unsigned long page;

		if (!pte)
			return -ENOMEM;
		if (*pte & _PAGE_PRESENT) {
			if (writable)
				*pte |= _PAGE_RW;
			continue;
		}
		page = get_zeroed_page();
		if (!page)
			return -ENOMEM;
		*pte = __pa(page) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY |
		       (writable ? _PAGE_RW : 0);
	}
	flush_tlb_all();
	return 0;
}

void *user_addr_to_kernel(unsigned long uaddr)
{
	unsigned long *pte = lookup_user_pte(uaddr, false);

	if (!pte || !(*pte & _PAGE_PRESENT))
		return NULL;
	return (char *)__va(*pte & PTE_PFN_MASK) + (uaddr & ~PAGE_MASK);
}

void zap_low_mappings(void)
{
	early_top_pgt[0] = 0;
	flush_tlb_all();
}
