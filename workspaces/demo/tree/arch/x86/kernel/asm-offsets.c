// SPDX-License-Identifier: GPL-2.0
/*
 * Structure offsets for the assembly code, generated the way Kbuild generates them: this file is
 * compiled to assembly only and the "->" markers become include/generated/asm-offsets.h. The
 * names and meanings are Linux's, so tools read either kernel's header the same way.
 */
#define COMPILE_OFFSETS

#include <linux/stddef.h>
#include <linux/kbuild.h>
#include <linux/sched.h>
#include <asm/current.h>
#include <asm/processor.h>
#include <asm/ptrace.h>

static void __used common(void);

int main(void)
{
#define ENTRY(entry) OFFSET(pt_regs_ ## entry, pt_regs, entry)
	ENTRY(bx);
	ENTRY(cx);
	ENTRY(dx);
	ENTRY(sp);
	ENTRY(bp);
	ENTRY(si);
	ENTRY(di);
	ENTRY(r8);
	ENTRY(r9);
	ENTRY(r10);
	ENTRY(r11);
	ENTRY(r12);
	ENTRY(r13);
	ENTRY(r14);
	ENTRY(r15);
	ENTRY(flags);
	BLANK();
#undef ENTRY

	common();
	return 0;
}

static void __used common(void)
{
	BLANK();
	OFFSET(TASK_threadsp, task_struct, thread.sp);

	BLANK();
	DEFINE(PTREGS_SIZE, sizeof(struct pt_regs));

	/* Layout info for the entry stack */
	DEFINE(SIZEOF_entry_stack, sizeof(struct entry_stack));
	DEFINE(MASK_entry_stack, (~(sizeof(struct entry_stack) - 1)));

	/* Offset for fields in tss_struct */
	OFFSET(TSS_sp0, tss_struct, x86_tss.sp0);
	OFFSET(TSS_sp1, tss_struct, x86_tss.sp1);
	OFFSET(TSS_sp2, tss_struct, x86_tss.sp2);
	OFFSET(X86_top_of_stack, pcpu_hot, top_of_stack);
	OFFSET(X86_current_task, pcpu_hot, current_task);
}
