// SPDX-License-Identifier: GPL-2.0
/* Physical pages for page tables and user memory: a bump allocator, since nothing is ever freed. */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>

static unsigned long next_free_phys, free_end_phys;

void page_alloc_init(unsigned long start_phys, unsigned long end_phys)
{
	next_free_phys = PAGE_ALIGN(start_phys);
	free_end_phys = end_phys & PAGE_MASK;
}

unsigned long get_zeroed_page(void)
{
	void *page;

	if (next_free_phys + PAGE_SIZE > free_end_phys)
		return 0;
	page = __va(next_free_phys);
	next_free_phys += PAGE_SIZE;
	memset(page, 0, PAGE_SIZE);
	return (unsigned long)page;
}

unsigned long nr_free_pages(void)
{
	return (free_end_phys - next_free_phys) >> PAGE_SHIFT;
}
