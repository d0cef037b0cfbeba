/* SPDX-License-Identifier: GPL-2.0 */
/* pcpu_hot: the per-CPU cache line the entry code reads (current task, top of its stack). */
#ifndef _ASM_X86_CURRENT_H
#define _ASM_X86_CURRENT_H

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <asm/percpu.h>

struct task_struct;

struct pcpu_hot {
	union {
		struct {
			struct task_struct	*current_task;
			int			preempt_count;
			int			cpu_number;
			unsigned long		top_of_stack;
			void			*hardirq_stack_ptr;
			u16			softirq_pending;
			bool			hardirq_stack_inuse;
		};
		u8	pad[64];
	};
};
_Static_assert(sizeof(struct pcpu_hot) == 64, "pcpu_hot is one cache line");

DECLARE_PER_CPU_ALIGNED(struct pcpu_hot, pcpu_hot);

static __always_inline struct task_struct *get_current(void)
{
	return this_cpu_read(pcpu_hot.current_task);
}

#define current get_current()

#endif /* __ASSEMBLY__ */
#endif
