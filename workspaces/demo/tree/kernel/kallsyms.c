// SPDX-License-Identifier: GPL-2.0
/* Symbol lookup for oopses, over the sorted table scripts/kallsyms.sh links into the image. */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <asm/sections.h>

extern const unsigned long kallsyms_addresses[];
extern const unsigned long kallsyms_num_syms;
extern const unsigned int kallsyms_name_offsets[];
extern const char kallsyms_names[];

const char *kallsyms_lookup(unsigned long addr, unsigned long *symbolsize, unsigned long *offset)
{
	unsigned long low = 0, high = kallsyms_num_syms, pos, next;

	if (!kallsyms_num_syms || addr < kallsyms_addresses[0] || addr >= (unsigned long)_end)
		return NULL;

	/* The last symbol at or below addr ... */
	while (high - low > 1) {
		unsigned long mid = low + (high - low) / 2;

		if (kallsyms_addresses[mid] <= addr)
			low = mid;
		else
			high = mid;
	}
	pos = low;
	/* ... and among aliases at that address, the first one. */
	while (pos && kallsyms_addresses[pos - 1] == kallsyms_addresses[pos])
		pos--;

	/* Its size runs to the next symbol at a higher address. */
	next = low + 1;
	while (next < kallsyms_num_syms && kallsyms_addresses[next] == kallsyms_addresses[pos])
		next++;
	if (symbolsize)
		*symbolsize = (next < kallsyms_num_syms ? kallsyms_addresses[next] : (unsigned long)_end) -
			      kallsyms_addresses[pos];
	if (offset)
		*offset = addr - kallsyms_addresses[pos];
	return kallsyms_names + kallsyms_name_offsets[pos];
}

static int __sprint_symbol(char *buffer, unsigned long address, int symbol_offset)
{
	unsigned long size, offset;
	const char *name = kallsyms_lookup(address + symbol_offset, &size, &offset);

	if (!name)
		return snprintf(buffer, KSYM_SYMBOL_LEN, "0x%lx", address);
	return snprintf(buffer, KSYM_SYMBOL_LEN, "%s+%#lx/%#lx", name, offset - symbol_offset, size);
}

int sprint_symbol(char *buffer, unsigned long address)
{
	return __sprint_symbol(buffer, address, 0);
}

int sprint_backtrace(char *buffer, unsigned long address)
{
	return __sprint_symbol(buffer, address, -1);
}
