// SPDX-License-Identifier: GPL-2.0
/* setup_arch(): the memory map from the boot loader, the page allocator, and this CPU's tables. */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/multiboot.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/sections.h>
#include <asm/setup.h>

/* The page allocator only hands out memory the kernel map (the first 1 GiB) can reach. */
#define DIRECT_MAP_LIMIT	KERNEL_IMAGE_SIZE

static unsigned long __init highest_module_end(const struct multiboot_info *mbi)
{
	const struct multiboot_mod_list *mods;
	unsigned long end = 0;

	if (!(mbi->flags & MULTIBOOT_INFO_MODS))
		return 0;
	mods = __va(mbi->mods_addr);
	for (unsigned int i = 0; i < mbi->mods_count; i++)
		end = max(end, (unsigned long)mods[i].mod_end);
	return end;
}

static void __init e820__memory_setup(const struct multiboot_info *mbi, unsigned long *ram_end)
{
	unsigned long offset = 0;

	*ram_end = 0;
	if (!(mbi->flags & MULTIBOOT_INFO_MEM_MAP)) {
		/* mem_upper: KiB above 1 MiB */
		*ram_end = 0x100000UL + mbi->mem_upper * 1024UL;
		return;
	}

	pr_info("BIOS-provided physical RAM map:\n");
	while (offset < mbi->mmap_length) {
		const struct multiboot_mmap_entry *e = __va(mbi->mmap_addr + offset);
		unsigned long end = e->addr + e->len;

		pr_info("BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n", (unsigned long long)e->addr,
			(unsigned long long)(end - 1), e->type == 1 ? "usable" : "reserved");
		/* The RAM the kernel was loaded into decides how much we may use. */
		if (e->type == 1 && e->addr <= __PHYSICAL_START && end > *ram_end)
			*ram_end = end;
		offset += e->size + sizeof(e->size);
	}
}

void __init setup_arch(char **cmdline_p)
{
	const struct multiboot_info *mbi = __va(boot_params_phys);
	unsigned long ram_end, free_start;

	e820__memory_setup(mbi, &ram_end);

	/* Free memory starts above the image and anything the loader put after it (-initrd). */
	free_start = max(__pa(_end), highest_module_end(mbi));
	free_start = ALIGN(free_start, PMD_SIZE);
	ram_end = min(ram_end, DIRECT_MAP_LIMIT);
	page_alloc_init(free_start, ram_end);

	pr_info("Memory: %luK/%luK available (%luK kernel code, %luK rwdata, %luK bss)\n",
		nr_free_pages() << (PAGE_SHIFT - 10), ram_end >> 10,
		(unsigned long)(_etext - _text) >> 10, (unsigned long)(_edata - _sdata) >> 10,
		(unsigned long)(__bss_stop - __bss_start) >> 10);

	/* The boot identity map has served its purpose; user space starts out empty. */
	zap_low_mappings();

	*cmdline_p = boot_command_line;
}
