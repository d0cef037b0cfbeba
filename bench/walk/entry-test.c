/*
 * /init of the reference side of bench/walk.bench.ts: what a reviewer puts in a tiny initramfs to
 * catch an entry-code regression from user space. It runs raw SYSCALLs and checks that the kernel
 * kept every register the x86-64 syscall ABI says it keeps (all but RAX, RCX and R11, with RCX =
 * the return address), RSP included, then prints one verdict line on the console and reboots
 * (QEMU runs with -no-reboot, so that ends the run).
 *
 * Freestanding (no libc): a kernel that clobbers a callee-saved register on the way back would
 * crash libc before it could report anything. Every syscall goes through eb_syscall, which saves
 * the callee-saved registers itself and reloads RSP from memory, so the program survives a
 * clobber long enough to say which register changed.
 *
 * Build: gcc -static -nostdlib -fno-pie -no-pie -fno-stack-protector -O2 -o init entry-test.c
 */

#define SYS_write 1
#define SYS_sched_yield 24
#define SYS_getpid 39
#define SYS_getppid 110
#define SYS_reboot 169
#define LINUX_REBOOT_MAGIC1 0xfee1deadUL
#define LINUX_REBOOT_MAGIC2 672274793UL
#define LINUX_REBOOT_CMD_RESTART 0x01234567UL

/* Register file around one SYSCALL, in the order eb_syscall stores it. */
struct regs {
	unsigned long rbx, rbp, r12, r13, r14, r15, rdi, rsi, rdx, r10, r8, r9, rsp, rcx;
};

static const char *const names[] = {
	"rbx", "rbp", "r12", "r13", "r14", "r15", "rdi", "rsi", "rdx", "r10", "r8", "r9", "rsp", "rcx",
};

struct regs eb_before, eb_after;

long eb_syscall(long nr, long a1, long a2, long a3);

/*
 * Fill every register the kernel must keep with a pattern (the three arguments stay in RDI, RSI,
 * RDX), record them, SYSCALL, record what came back. Stores are RIP-relative and RSP is reloaded
 * from eb_before.rsp, so nothing here trusts a register the kernel returned.
 */
__asm__(
	".text\n"
	".globl eb_syscall\n"
	"eb_syscall:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	movabs $0x1b1b1b1b1b1b1b1b, %rbx\n"
	"	movabs $0x5b5b5b5b5b5b5b5b, %rbp\n"
	"	movabs $0x1212121212121212, %r12\n"
	"	movabs $0x1313131313131313, %r13\n"
	"	movabs $0x1414141414141414, %r14\n"
	"	movabs $0x1515151515151515, %r15\n"
	"	movabs $0x1010101010101010, %r10\n"
	"	movabs $0x0808080808080808, %r8\n"
	"	movabs $0x0909090909090909, %r9\n"
	"	mov %rbx, eb_before+0(%rip)\n	mov %rbp, eb_before+8(%rip)\n"
	"	mov %r12, eb_before+16(%rip)\n	mov %r13, eb_before+24(%rip)\n"
	"	mov %r14, eb_before+32(%rip)\n	mov %r15, eb_before+40(%rip)\n"
	"	mov %rdi, eb_before+48(%rip)\n	mov %rsi, eb_before+56(%rip)\n"
	"	mov %rdx, eb_before+64(%rip)\n	mov %r10, eb_before+72(%rip)\n"
	"	mov %r8, eb_before+80(%rip)\n	mov %r9, eb_before+88(%rip)\n"
	"	mov %rsp, eb_before+96(%rip)\n"
	"	lea 1f(%rip), %rcx\n	mov %rcx, eb_before+104(%rip)\n"
	"	syscall\n"
	"1:\n"
	"	mov %rbx, eb_after+0(%rip)\n	mov %rbp, eb_after+8(%rip)\n"
	"	mov %r12, eb_after+16(%rip)\n	mov %r13, eb_after+24(%rip)\n"
	"	mov %r14, eb_after+32(%rip)\n	mov %r15, eb_after+40(%rip)\n"
	"	mov %rdi, eb_after+48(%rip)\n	mov %rsi, eb_after+56(%rip)\n"
	"	mov %rdx, eb_after+64(%rip)\n	mov %r10, eb_after+72(%rip)\n"
	"	mov %r8, eb_after+80(%rip)\n	mov %r9, eb_after+88(%rip)\n"
	"	mov %rsp, eb_after+96(%rip)\n	mov %rcx, eb_after+104(%rip)\n"
	"	mov eb_before+96(%rip), %rsp\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n");

static unsigned long length(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	eb_syscall(SYS_write, 1, (long)s, (long)length(s));
}

static char *hex(char *p, unsigned long v)
{
	*p++ = '0';
	*p++ = 'x';
	for (int shift = 60; shift >= 0; shift -= 4)
		*p++ = "0123456789abcdef"[(v >> shift) & 15];
	return p;
}

static char *text(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* The first register that came back changed, as "rbx 0x... -> 0x...", or 0 when all were kept. */
static int changed(const char *what, char *line)
{
	const unsigned long *b = (const unsigned long *)&eb_before;
	const unsigned long *a = (const unsigned long *)&eb_after;
	for (unsigned i = 0; i < sizeof(struct regs) / sizeof(long); i++) {
		if (a[i] == b[i])
			continue;
		char *p = text(line, what);
		p = text(p, ": ");
		p = text(p, names[i]);
		p = text(p, " ");
		p = hex(p, b[i]);
		p = text(p, " -> ");
		p = hex(p, a[i]);
		*p = 0;
		return 1;
	}
	return 0;
}

static void finish(void)
{
	eb_syscall(SYS_reboot, (long)LINUX_REBOOT_MAGIC1, (long)LINUX_REBOOT_MAGIC2, (long)LINUX_REBOOT_CMD_RESTART);
	for (;;)
		eb_syscall(SYS_sched_yield, 0, 0, 0);
}

/* The kernel enters _start with RSP 16-byte aligned; C functions expect a call to have pushed 8 more. */
__asm__(".text\n.globl _start\n_start:\n	xor %ebp, %ebp\n	and $-16, %rsp\n	call entry_test\n	hlt\n");

void entry_test(void)
{
	static const struct { long nr; const char *name; } calls[] = {
		{ SYS_getpid, "getpid" },
		{ SYS_getppid, "getppid" },
		{ SYS_sched_yield, "sched_yield" },
		{ SYS_write, "write(1, \"\", 0)" },
	};
	static char line[160];
	say("EB-ENTRY-TEST: start\n");
	for (int round = 0; round < 100; round++) {
		for (unsigned c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
			eb_syscall(calls[c].nr, calls[c].nr == SYS_write ? 1 : 0, (long)"", 0);
			if (changed(calls[c].name, line)) {
				say("EB-ENTRY-TEST: FAIL ");
				say(line);
				say("\n");
				finish();
			}
		}
	}
	say("EB-ENTRY-TEST: PASS 400 syscalls kept rbx rbp rsp r8-r10 r12-r15 rdi rsi rdx, rcx = return address\n");
	finish();
}
