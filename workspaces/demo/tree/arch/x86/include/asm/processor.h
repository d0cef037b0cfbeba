/* SPDX-License-Identifier: GPL-2.0 */
/* The hardware TSS, the entry stack, per-task thread state and a few CPU helpers. */
#ifndef _ASM_X86_PROCESSOR_H
#define _ASM_X86_PROCESSOR_H

#include <asm/page_types.h>
#include <asm/segment.h>

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <asm/percpu.h>
#include <asm/ptrace.h>

/* The 64-bit hardware task state segment. */
struct x86_hw_tss {
	u32			reserved1;
	u64			sp0;
	/* Scratch on 64-bit: entry_SYSCALL_64 parks the user RSP in sp2 while it has no stack. */
	u64			sp1;
	u64			sp2;
	u64			reserved2;
	u64			ist[7];
	u32			reserved3;
	u32			reserved4;
	u16			reserved5;
	u16			io_bitmap_base;
} __packed;

/* An I/O bitmap offset past the TSS limit: every port access from CPL 3 faults. */
#define IO_BITMAP_OFFSET_INVALID	(sizeof(struct x86_hw_tss) + 1)
#define __KERNEL_TSS_LIMIT		(sizeof(struct x86_hw_tss) - 1)

struct tss_struct {
	struct x86_hw_tss	x86_tss;
} __aligned(PAGE_SIZE);

DECLARE_PER_CPU_PAGE_ALIGNED(struct tss_struct, cpu_tss_rw);

/*
 * The entry (trampoline) stack: TSS.sp0 points at its top, so hardware interrupts from user mode
 * land here and the entry code moves to the task stack; the SYSRET path leaves through it.
 */
struct entry_stack {
	char	stack[PAGE_SIZE];
};

struct entry_stack_page {
	struct entry_stack stack;
} __aligned(PAGE_SIZE);

DECLARE_PER_CPU_PAGE_ALIGNED(struct entry_stack_page, entry_stack_storage);

/* The IST stacks, one per vector that must not trust the interrupted stack. */
struct exception_stacks {
	char	stacks[N_EXCEPTION_STACKS][EXCEPTION_STKSZ];
};
DECLARE_PER_CPU_PAGE_ALIGNED(struct exception_stacks, exception_stacks);

struct thread_struct {
	unsigned long	sp;		/* kernel stack pointer when switched out */
	unsigned long	fsbase;
	unsigned long	gsbase;
	unsigned long	cr2;		/* fault address of the last signal-raising fault */
	unsigned long	trap_nr;
	unsigned long	error_code;
};

static __always_inline void native_halt(void)
{
	asm volatile("hlt" : : : "memory");
}

static __always_inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static __always_inline unsigned long native_read_cr0(void)
{
	unsigned long val;

	asm volatile("mov %%cr0, %0" : "=r" (val));
	return val;
}

static __always_inline unsigned long native_read_cr2(void)
{
	unsigned long val;

	asm volatile("mov %%cr2, %0" : "=r" (val));
	return val;
}

static __always_inline unsigned long native_read_cr3(void)
{
	unsigned long val;

	asm volatile("mov %%cr3, %0" : "=r" (val));
	return val;
}

static __always_inline void native_write_cr3(unsigned long val)
{
	asm volatile("mov %0, %%cr3" : : "r" (val) : "memory");
}

static __always_inline unsigned long native_read_cr4(void)
{
	unsigned long val;

	asm volatile("mov %%cr4, %0" : "=r" (val));
	return val;
}

static __always_inline void native_write_cr4(unsigned long val)
{
	asm volatile("mov %0, %%cr4" : : "r" (val) : "memory");
}

static __always_inline void native_write_cr0(unsigned long val)
{
	asm volatile("mov %0, %%cr0" : : "r" (val) : "memory");
}

static __always_inline u64 rdtsc(void)
{
	u32 low, high;

	asm volatile("rdtsc" : "=a" (low), "=d" (high));
	return ((u64)high << 32) | low;
}

static __always_inline void flush_tlb_all(void)
{
	native_write_cr3(native_read_cr3());
}

#define current_top_of_stack()	this_cpu_read(pcpu_hot.top_of_stack)

void cpu_init(void);
void syscall_init(void);
__noreturn void machine_halt_forever(void);

#endif /* !__ASSEMBLY__ */
#endif
