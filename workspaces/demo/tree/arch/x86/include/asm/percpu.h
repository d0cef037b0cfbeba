/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU variables: zero-based offsets in .data..percpu, reached through %gs whose base is this
 * CPU's copy of the area, as on x86-64 SMP Linux.
 */
#ifndef _ASM_X86_PERCPU_H
#define _ASM_X86_PERCPU_H

#ifdef __ASSEMBLY__

/* %gs:var(%rip): the displacement is var's (zero-based) offset once the CPU adds RIP back. */
#define PER_CPU_VAR(var)	%gs:(var)(%rip)

#else /* !__ASSEMBLY__ */

#include <linux/types.h>
#include <asm/page_types.h>

#define NR_CPUS			1

#define __PCPU_ATTRS(sec)	__section(".data..percpu" sec)

#define DECLARE_PER_CPU(type, name)			extern __PCPU_ATTRS("") __typeof__(type) name
#define DEFINE_PER_CPU(type, name)			__PCPU_ATTRS("") __typeof__(type) name
#define DECLARE_PER_CPU_ALIGNED(type, name)		extern __PCPU_ATTRS("..shared_aligned") __typeof__(type) name
#define DEFINE_PER_CPU_ALIGNED(type, name)		__PCPU_ATTRS("..shared_aligned") __aligned(64) __typeof__(type) name
#define DECLARE_PER_CPU_PAGE_ALIGNED(type, name)	extern __PCPU_ATTRS("..page_aligned") __typeof__(type) name
#define DEFINE_PER_CPU_PAGE_ALIGNED(type, name)		__PCPU_ATTRS("..page_aligned") __aligned(PAGE_SIZE) __typeof__(type) name

/* The offset of CPU n's area; the boot CPU uses the load copy at __per_cpu_load. */
extern unsigned long __per_cpu_offset[NR_CPUS];
DECLARE_PER_CPU(unsigned long, this_cpu_off);

/* Accesses through the compiler's %gs address space, as CONFIG_USE_X86_SEG_SUPPORT does. */
#define __my_cpu_ptr(ptr)	((__typeof__(*(ptr)) volatile __seg_gs *)(uintptr_t)(ptr))
#define this_cpu_read(var)	(*__my_cpu_ptr(&(var)))
#define this_cpu_write(var, val) (*__my_cpu_ptr(&(var)) = (val))

#define per_cpu_ptr(ptr, cpu)	((__typeof__(ptr))((unsigned long)(ptr) + __per_cpu_offset[cpu]))
#define this_cpu_ptr(ptr)	((__typeof__(ptr))((unsigned long)(ptr) + this_cpu_read(this_cpu_off)))
#define per_cpu(var, cpu)	(*per_cpu_ptr(&(var), cpu))

#endif /* !__ASSEMBLY__ */
#endif
