// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU state the entry code depends on (pcpu_hot, cpu_tss_rw, gdt_page, the entry and
 * exception stacks) and cpu_init(), which loads it: GDT, TSS, IDT and the SYSCALL MSRs.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/sections.h>
#include <asm/segment.h>

/* The boot CPU's area is the load copy: per-CPU offsets are relative to __per_cpu_load. */
unsigned long __per_cpu_offset[NR_CPUS] = { (unsigned long)__per_cpu_load };
DEFINE_PER_CPU(unsigned long, this_cpu_off) = (unsigned long)__per_cpu_load;

DEFINE_PER_CPU_ALIGNED(struct pcpu_hot, pcpu_hot) = {
	.current_task	= &init_task,
	.preempt_count	= 0,
	.top_of_stack	= (unsigned long)init_stack + THREAD_SIZE,
};

DEFINE_PER_CPU_PAGE_ALIGNED(struct tss_struct, cpu_tss_rw) = {
	.x86_tss = {
		/* sp0 (the entry stack) and the IST slots are per-CPU addresses: set in cpu_init(). */
		.io_bitmap_base	= IO_BITMAP_OFFSET_INVALID,
	},
};

DEFINE_PER_CPU_PAGE_ALIGNED(struct entry_stack_page, entry_stack_storage);
DEFINE_PER_CPU_PAGE_ALIGNED(struct exception_stacks, exception_stacks);

/* Linux's GDT layout: SYSCALL and SYSRET derive CS/SS from __KERNEL_CS and __USER32_CS. */
DEFINE_PER_CPU_PAGE_ALIGNED(struct gdt_page, gdt_page) = { .gdt = {
	[GDT_ENTRY_KERNEL32_CS]		= GDT_ENTRY_INIT(DESC_CODE32, 0, 0xfffff),
	[GDT_ENTRY_KERNEL_CS]		= GDT_ENTRY_INIT(DESC_CODE64, 0, 0xfffff),
	[GDT_ENTRY_KERNEL_DS]		= GDT_ENTRY_INIT(DESC_DATA64, 0, 0xfffff),
	[GDT_ENTRY_DEFAULT_USER32_CS]	= GDT_ENTRY_INIT(DESC_CODE32 | DESC_USER, 0, 0xfffff),
	[GDT_ENTRY_DEFAULT_USER_DS]	= GDT_ENTRY_INIT(DESC_DATA64 | DESC_USER, 0, 0xfffff),
	[GDT_ENTRY_DEFAULT_USER_CS]	= GDT_ENTRY_INIT(DESC_CODE64 | DESC_USER, 0, 0xfffff),
} };

extern char entry_SYSCALL_64[], ignore_sysret[];

static void set_tss_desc(struct desc_struct *gdt, struct tss_struct *tss)
{
	unsigned long addr = (unsigned long)&tss->x86_tss;
	tss_desc *desc = (tss_desc *)&gdt[GDT_ENTRY_TSS];

	*desc = (tss_desc) {
		.limit0	= __KERNEL_TSS_LIMIT & 0xffff,
		.base0	= addr & 0xffff,
		.base1	= (addr >> 16) & 0xff,
		.type	= DESC_TSS,
		.p	= 1,
		.limit1	= (__KERNEL_TSS_LIMIT >> 16) & 0xf,
		.base2	= (addr >> 24) & 0xff,
		.base3	= addr >> 32,
	};
}

/* The SYSCALL MSRs: entry point, segment bases for SYSCALL/SYSRET, and the RFLAGS mask. */
void syscall_init(void)
{
	wrmsrl(MSR_STAR, ((u64)__USER32_CS << 48) | ((u64)__KERNEL_CS << 32));
	wrmsrl(MSR_LSTAR, (unsigned long)entry_SYSCALL_64);

	/* No IA32 emulation: 32-bit SYSCALL and SYSENTER just fail. */
	wrmsrl(MSR_CSTAR, (unsigned long)ignore_sysret);
	wrmsrl(MSR_IA32_SYSENTER_CS, (u64)GDT_ENTRY_INVALID_SEG);
	wrmsrl(MSR_IA32_SYSENTER_ESP, 0ULL);
	wrmsrl(MSR_IA32_SYSENTER_EIP, (unsigned long)ignore_sysret);

	/*
	 * Flags to clear on syscall; clear as much as possible to minimize user space-kernel
	 * interference: above all IF (no interrupt before the stack switch), TF, DF and AC.
	 */
	wrmsrl(MSR_SYSCALL_MASK,
	       X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF |
	       X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF |
	       X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_OF |
	       X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF |
	       X86_EFLAGS_AC | X86_EFLAGS_ID);
}

void __init cpu_init(void)
{
	struct tss_struct *tss = this_cpu_ptr(&cpu_tss_rw);
	struct gdt_page *gdt = this_cpu_ptr(&gdt_page);
	struct exception_stacks *estacks = this_cpu_ptr(&exception_stacks);
	struct desc_ptr gdt_descr = {
		.address	= (unsigned long)gdt->gdt,
		.size		= sizeof(gdt->gdt) - 1,
	};

	/* Interrupts from user mode arrive on the entry stack; #DF and NMI on their own. */
	tss->x86_tss.sp0 = (unsigned long)(this_cpu_ptr(&entry_stack_storage) + 1);
	tss->x86_tss.ist[IST_INDEX_DF] = (unsigned long)estacks->stacks[IST_INDEX_DF] + EXCEPTION_STKSZ;
	tss->x86_tss.ist[IST_INDEX_NMI] = (unsigned long)estacks->stacks[IST_INDEX_NMI] + EXCEPTION_STKSZ;
	tss->x86_tss.io_bitmap_base = IO_BITMAP_OFFSET_INVALID;

	set_tss_desc(gdt->gdt, tss);
	native_load_gdt(&gdt_descr);
	load_current_idt();
	native_load_tr_desc();

	syscall_init();

	/* GS base is the per-CPU area (set in head_64.S); the user's GS base starts at 0. */
	wrmsrl(MSR_GS_BASE, this_cpu_read(this_cpu_off));
	wrmsrl(MSR_KERNEL_GS_BASE, 0);

	/* Let user space use SSE: the kernel itself is built with general registers only. */
	native_write_cr0((native_read_cr0() & ~X86_CR0_EM) | X86_CR0_MP | X86_CR0_NE);
	native_write_cr4(native_read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);

	current->thread_info.cpu = 0;
}
