// SPDX-License-Identifier: GPL-2.0
/*
 * Oops output in Linux's format: the "Oops:" header, the CPU line, registers, the code bytes
 * around RIP and a call trace from the frame-pointer chain, ending at the user-mode registers
 * of the syscall or exception that entered the kernel.
 */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/sched/debug.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/signal.h>
#include <linux/utsname.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/sections.h>
#include <asm/traps.h>

static int die_counter;

#define PROLOGUE_SIZE 42
#define EPILOGUE_SIZE 21
#define OPCODE_BUFSIZE (PROLOGUE_SIZE + 1 + EPILOGUE_SIZE)

static bool kernel_text_readable(unsigned long addr, unsigned long len)
{
	return addr >= (unsigned long)_text && addr + len <= (unsigned long)_etext;
}

/* "Code: 48 89 e5 ... <0f> 0b ...": the bytes around RIP, RIP's own byte in angle brackets. */
static void show_opcodes(struct pt_regs *regs)
{
	unsigned long start = regs->ip - PROLOGUE_SIZE;
	const u8 *p;
	char line[4 * OPCODE_BUFSIZE + 16];
	int n = 0;

	u8 user_bytes[OPCODE_BUFSIZE];

	if (user_mode(regs)) {
		/* User code may be unmapped: copy it the way a syscall would, fault-safe. */
		if (copy_from_user(user_bytes, (const void __user *)start, OPCODE_BUFSIZE)) {
			printk("Code: Unable to access opcode bytes at 0x%lx.\n", start);
			return;
		}
		p = user_bytes;
	} else if (kernel_text_readable(start, OPCODE_BUFSIZE)) {
		p = (const u8 *)start;
	} else {
		printk("Code: Unable to access opcode bytes at 0x%lx.\n", start);
		return;
	}
	for (int i = 0; i < OPCODE_BUFSIZE; i++)
		n += snprintf(line + n, sizeof(line) - n, i == PROLOGUE_SIZE ? " <%02x>" : " %02x", p[i]);
	printk("Code:%s\n", line);
}

static void show_iret_regs(struct pt_regs *regs)
{
	if (user_mode(regs))
		printk("RIP: %04x:0x%lx\n", (int)regs->cs, regs->ip);
	else
		printk("RIP: %04x:%pS\n", (int)regs->cs, (void *)regs->ip);
	show_opcodes(regs);
	printk("RSP: %04x:%016lx EFLAGS: %08lx", (int)regs->ss, regs->sp, regs->flags);
}

static void show_gprs(struct pt_regs *regs)
{
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", regs->ax, regs->bx, regs->cx);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", regs->dx, regs->si, regs->di);
	printk("RBP: %016lx R08: %016lx R09: %016lx\n", regs->bp, regs->r8, regs->r9);
	printk("R10: %016lx R11: %016lx R12: %016lx\n", regs->r10, regs->r11, regs->r12);
	printk("R13: %016lx R14: %016lx R15: %016lx\n", regs->r13, regs->r14, regs->r15);
}

/* The registers of kernel mode, with segment bases and control registers. */
static void __show_regs(struct pt_regs *regs)
{
	unsigned long gs = native_read_msr(MSR_GS_BASE), shadowgs = native_read_msr(MSR_KERNEL_GS_BASE);
	unsigned long fs = native_read_msr(MSR_FS_BASE);

	show_iret_regs(regs);
	pr_cont("\n");
	show_gprs(regs);
	printk("FS:  %016lx(0000) GS:%016lx(0000) knlGS:%016lx\n", fs, gs, shadowgs);
	printk("CS:  %04x DS: 0000 ES: 0000 CR0: %016lx\n", (int)regs->cs, native_read_cr0());
	printk("CR2: %016lx CR3: %016lx CR4: %016lx\n", native_read_cr2(), native_read_cr3(),
	       native_read_cr4());
}

/* The user-mode registers at the bottom of a trace: what the task was doing when it entered. */
static void show_user_regs(struct pt_regs *regs)
{
	show_iret_regs(regs);
	pr_cont(" ORIG_RAX: %016lx\n", regs->orig_ax);
	show_gprs(regs);
}

static bool on_task_stack(struct task_struct *task, unsigned long addr, unsigned long len)
{
	unsigned long begin = (unsigned long)task->stack, end = begin + THREAD_SIZE;

	return addr >= begin && addr + len <= end;
}

/*
 * Where the caller of the function at regs->ip returns to, when that function has not set up its
 * frame: GCC leaves the frame out of leaf functions that use no stack, and every function is
 * frameless on its first instruction. Then the return address is on top of the stack.
 */
static unsigned long frameless_return_address(struct task_struct *task, struct pt_regs *regs)
{
	static const u8 frame_setup[] = { 0x55, 0x48, 0x89, 0xe5 };	/* push %rbp; mov %rsp,%rbp */
	unsigned long size, offset, start, ret_slot;

	if (!kallsyms_lookup(regs->ip, &size, &offset))
		return 0;
	start = regs->ip - offset;
	if (!kernel_text_readable(start, sizeof(frame_setup)))
		return 0;
	if (!memcmp((const void *)start, frame_setup, sizeof(frame_setup)) && offset >= sizeof(frame_setup))
		return 0;				/* the frame is there: bp is ours */
	/* Just after "push %rbp" the return address is one word up. */
	ret_slot = regs->sp + (offset == 1 && *(const u8 *)start == 0x55 ? 8 : 0);
	if (!on_task_stack(task, ret_slot, 8))
		return 0;
	return *(unsigned long *)ret_slot;
}

/*
 * Walk the frame-pointer chain from bp. Each frame is [saved rbp][return address]; the chain ends
 * where the entry code cleared rbp (CLEAR_REGS), just below the task's pt_regs.
 */
static void show_trace_log_lvl(struct task_struct *task, struct pt_regs *regs, unsigned long bp)
{
	struct pt_regs *user_regs = task_pt_regs(task);
	unsigned long first = 0;

	printk("Call Trace:\n");
	printk(" <TASK>\n");
	if (regs && !user_mode(regs))
		first = frameless_return_address(task, regs);
	if (first && is_kernel_text(first))
		printk(" %pB\n", (void *)first);
	for (int depth = 0; depth < 32 && bp && on_task_stack(task, bp, 16); depth++) {
		unsigned long *frame = (unsigned long *)bp;
		unsigned long ret = frame[1];

		if (!is_kernel_text(ret))
			break;
		printk(" %pB\n", (void *)ret);
		bp = frame[0];
	}
	if (task->pid != 0 && user_mode(user_regs) && (!regs || regs != user_regs))
		show_user_regs(user_regs);
	printk(" </TASK>\n");
}

static void show_cpu_line(void)
{
	struct task_struct *tsk = current;

	const char *version = init_uts_ns.version;
	int version_len = strchr(version, ' ') ? strchr(version, ' ') - version : (int)strlen(version);

	printk("CPU: %d UID: 0 PID: %d Comm: %s %s %s %.*s\n", tsk->thread_info.cpu, tsk->pid,
	       tsk->comm, print_tainted(), init_uts_ns.release, version_len, version);
	printk("Hardware name: QEMU Standard PC, Entrybench demo kernel\n");
}

void show_regs(struct pt_regs *regs)
{
	show_cpu_line();
	__show_regs(regs);
	if (!user_mode(regs))
		show_trace_log_lvl(current, regs, regs->bp);
}

void dump_stack(void)
{
	show_cpu_line();
	show_trace_log_lvl(current, NULL, (unsigned long)__builtin_frame_address(0));
}

void show_stack(struct task_struct *task, unsigned long *sp)
{
	show_trace_log_lvl(task, NULL, (unsigned long)__builtin_frame_address(0));
}

static void oops_end(struct pt_regs *regs, int signr)
{
	printk("---[ end trace 0000000000000000 ]---\n");
	/* Executive summary in case the oops scrolled away, as Linux prints it. */
	__show_regs(regs);
	if (in_interrupt())
		panic("Fatal exception in interrupt");
	/* Kill the task that oopsed; for init this ends in "Attempted to kill init!". */
	make_task_dead(signr);
}

void die(const char *str, struct pt_regs *regs, long err)
{
	oops_in_progress = 1;
	printk("Oops: %s: %04lx [#%d] SMP NOPTI\n", str, err & 0xffff, ++die_counter);
	show_regs(regs);
	printk("Modules linked in:\n");
	add_taint(7); /* TAINT_DIE */
	oops_end(regs, SIGSEGV);
}
