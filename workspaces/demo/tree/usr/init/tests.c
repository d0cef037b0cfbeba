// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall ABI as user space sees it, checked the way tools/testing/selftests/x86 checks it:
 * return values, every register the kernel must preserve, the RCX/R11 rules of SYSCALL, RSP and
 * RFLAGS, error returns, user-pointer faults, the IRET path (rt_sigreturn) and the slow path.
 */
#include <asm/processor-flags.h>
#include <asm/sigcontext.h>
#include <asm-generic/errno.h>
#include <linux/prctl.h>
#include <linux/utsname.h>
#include "init.h"

/* A value nobody computes by accident, with the register's number in it. */
#define PATTERN(n)		(0xe1e1e1e100000000UL | ((unsigned long)(n) << 8) | (n))
#define SIGRETURN_PATTERN(n)	(0x5151515100000000UL | ((unsigned long)(n) << 8) | (n))

/* Every arithmetic flag and DF set, so that lost or stale RFLAGS bits show. */
#define PROBE_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | \
			 X86_EFLAGS_SF | X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_IF | \
			 X86_EFLAGS_FIXED)

/* What rt_sigreturn lets user space change, as the kernel defines it. */
#define FIX_EFLAGS	(X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF | X86_EFLAGS_TF | \
			 X86_EFLAGS_SF | X86_EFLAGS_ZF | X86_EFLAGS_AF | X86_EFLAGS_PF | \
			 X86_EFLAGS_CF | X86_EFLAGS_RF)

#define NR_UNKNOWN	1000

const int abi_test_count = 23;

struct reg_desc {
	const char *name;
	size_t offset;
};

#define REG(r) { #r, __builtin_offsetof(struct abi_regs, r) }

static const struct reg_desc callee_saved[] = { REG(rbx), REG(rbp), REG(r12), REG(r13), REG(r14), REG(r15) };
static const struct reg_desc argument_regs[] = { REG(rdi), REG(rsi), REG(rdx), REG(r10), REG(r8), REG(r9) };

static unsigned long reg(const struct abi_regs *regs, size_t offset)
{
	return *(const unsigned long *)((const char *)regs + offset);
}

struct probe_case {
	const char *what;
	long nr;
	bool has_args;
	long a0, a1, a2;
	long expect;
};

static void probe_run(struct abi_probe *p, const struct probe_case *c)
{
	memset(p, 0, sizeof(*p));
	p->in.rax = c->nr;
	p->in.rbx = PATTERN(3);
	p->in.rcx = PATTERN(1);
	p->in.rdx = c->has_args ? c->a2 : PATTERN(2);
	p->in.rsi = c->has_args ? c->a1 : PATTERN(6);
	p->in.rdi = c->has_args ? c->a0 : PATTERN(7);
	p->in.rbp = PATTERN(5);
	p->in.r8 = PATTERN(8);
	p->in.r9 = PATTERN(9);
	p->in.r10 = PATTERN(10);
	p->in.r11 = PATTERN(11);
	p->in.r12 = PATTERN(12);
	p->in.r13 = PATTERN(13);
	p->in.r14 = PATTERN(14);
	p->in.r15 = PATTERN(15);
	p->in.rflags = PROBE_FLAGS;
	abi_probe_syscall(p);
}

/* Does register r come back as it went in, after every probe? Says which did not. */
static bool same_after_all(const struct abi_probe *p, const struct probe_case *cases, int n,
			   const struct reg_desc *r)
{
	bool ok = true;

	for (int i = 0; i < n; i++) {
		unsigned long in = reg(&p[i].in, r->offset), out = reg(&p[i].out, r->offset);

		if (in != out) {
			tap_diag("%s: expected 0x%016lx, got 0x%016lx after %s", r->name, in, out,
				 cases[i].what);
			ok = false;
		}
	}
	return ok;
}

static bool rcx_r11_rules(const struct abi_probe *p, const struct probe_case *cases, int n,
			  bool want_rcx, bool want_r11)
{
	bool ok = true;

	for (int i = 0; i < n; i++) {
		if (want_rcx && p[i].out.rcx != p[i].return_address) {
			tap_diag("rcx: expected the return address 0x%016lx, got 0x%016lx after %s",
				 p[i].return_address, p[i].out.rcx, cases[i].what);
			ok = false;
		}
		if (want_r11 && p[i].out.r11 != p[i].in.rflags) {
			tap_diag("r11: expected rflags 0x%016lx, got 0x%016lx after %s",
				 p[i].in.rflags, p[i].out.r11, cases[i].what);
			ok = false;
		}
	}
	return ok;
}

static bool all_preserved(const struct abi_probe *p, const struct probe_case *cases, int n)
{
	static const struct reg_desc rsp_rflags[] = { REG(rsp), REG(rflags) };
	bool ok = rcx_r11_rules(p, cases, n, true, true);

	for (unsigned int r = 0; r < 6; r++) {
		ok &= same_after_all(p, cases, n, &callee_saved[r]);
		ok &= same_after_all(p, cases, n, &argument_regs[r]);
	}
	for (unsigned int r = 0; r < 2; r++)
		ok &= same_after_all(p, cases, n, &rsp_rflags[r]);
	return ok;
}

static bool returns(const struct abi_probe *p, const struct probe_case *c)
{
	if ((long)p->out.rax == c->expect)
		return true;
	tap_diag("%s returned %ld, expected %ld", c->what, (long)p->out.rax, c->expect);
	return false;
}

static bool check_value(const char *what, long got, long expect)
{
	if (got == expect)
		return true;
	tap_diag("%s returned %ld, expected %ld", what, got, expect);
	return false;
}

static void test_fast_path(void)
{
	static const char empty[] = "";
	const struct probe_case cases[] = {
		{ "getpid", __NR_getpid, false, 0, 0, 0, 1 },
		{ "an unknown syscall", NR_UNKNOWN, false, 0, 0, 0, -ENOSYS },
		{ "write(1, \"\", 0)", __NR_write, true, 1, (long)empty, 0, 0 },
	};
	struct abi_probe p[3];
	bool ok;

	for (int i = 0; i < 3; i++)
		probe_run(&p[i], &cases[i]);

	tap_result(returns(&p[0], &cases[0]), "getpid returns the pid of init (1)");
	tap_result(check_value("getppid", syscall0(__NR_getppid), 0), "getppid returns 0 for init");

	for (int r = 0; r < 6; r++)
		tap_result(same_after_all(p, cases, 3, &callee_saved[r]), "%s preserved across syscall",
			   callee_saved[r].name);

	ok = true;
	for (int r = 0; r < 6; r++)
		ok &= same_after_all(p, cases, 3, &argument_regs[r]);
	tap_result(ok, "argument registers (rdi rsi rdx r10 r8 r9) preserved across syscall");

	tap_result(rcx_r11_rules(p, cases, 3, true, false), "rcx holds the return address after syscall");
	tap_result(rcx_r11_rules(p, cases, 3, false, true), "r11 holds rflags after syscall");
	{
		static const struct reg_desc rsp = REG(rsp), rflags = REG(rflags);

		tap_result(same_after_all(p, cases, 3, &rsp), "rsp preserved across syscall");
		tap_result(same_after_all(p, cases, 3, &rflags), "rflags preserved across syscall");
	}

	tap_result(returns(&p[1], &cases[1]), "unknown syscall number returns -ENOSYS");
	tap_result(check_value("syscall(-1)", syscall0(-1), -ENOSYS), "syscall number -1 returns -ENOSYS");
}

static void test_errors(void)
{
	struct new_utsname uts;

	tap_result(check_value("write(5, ...)", sys_write(5, "x", 1), -EBADF),
		   "write to a file descriptor that is not open returns -EBADF");
	tap_result(check_value("close(42)", syscall1(__NR_close, 42), -EBADF),
		   "close of a bad file descriptor returns -EBADF");
	tap_result(check_value("write(1, 0x10, 4)", sys_write(1, (void *)0x10, 4), -EFAULT),
		   "write from an unmapped user address returns -EFAULT");
	tap_result(check_value("write(1, 0xffffffff81000000, 4)",
			       sys_write(1, (void *)0xffffffff81000000UL, 4), -EFAULT),
		   "write from a kernel address returns -EFAULT");

	memset(&uts, 0, sizeof(uts));
	tap_result(check_value("uname", syscall1(__NR_uname, (long)&uts), 0) &&
		   !strcmp(uts.sysname, "Linux") && !strcmp(uts.machine, "x86_64"),
		   "uname reports Linux on x86_64");
}

static void test_sigreturn(void)
{
	static struct rt_sigframe frame __attribute__((aligned(16)));
	static unsigned long landing_stack[64] __attribute__((aligned(16)));
	struct sigcontext_64 *sc = &frame.uc.uc_mcontext;
	struct abi_probe p;
	unsigned short cs, ss;
	unsigned long want_flags;
	bool ok = true;

	asm("mov %%cs, %0" : "=r" (cs));
	asm("mov %%ss, %0" : "=r" (ss));

	memset(&frame, 0, sizeof(frame));
	memset(&p, 0, sizeof(p));
	sc->ax = SIGRETURN_PATTERN(0);
	sc->cx = SIGRETURN_PATTERN(1);		/* != RIP: SYSRET cannot do this */
	sc->dx = SIGRETURN_PATTERN(2);
	sc->bx = SIGRETURN_PATTERN(3);
	sc->bp = SIGRETURN_PATTERN(5);
	sc->si = SIGRETURN_PATTERN(6);
	sc->di = SIGRETURN_PATTERN(7);
	sc->r8 = SIGRETURN_PATTERN(8);
	sc->r9 = SIGRETURN_PATTERN(9);
	sc->r10 = SIGRETURN_PATTERN(10);
	sc->r11 = SIGRETURN_PATTERN(11);	/* != RFLAGS: nor this */
	sc->r12 = SIGRETURN_PATTERN(12);
	sc->r13 = SIGRETURN_PATTERN(13);
	sc->r14 = SIGRETURN_PATTERN(14);
	sc->r15 = SIGRETURN_PATTERN(15);
	sc->sp = (unsigned long)&landing_stack[48];
	sc->ip = (unsigned long)abi_sigreturn_landing;
	sc->flags = X86_EFLAGS_CF | X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF;
	sc->cs = cs;
	sc->ss = ss;

	abi_probe_sigreturn(&p, &frame);

	/* Only the FIX_EFLAGS bits come from the frame; IF and the fixed bit stay as they were. */
	want_flags = X86_EFLAGS_IF | X86_EFLAGS_FIXED | (sc->flags & FIX_EFLAGS);
#define EXPECT(field, value)								\
	do {										\
		if (p.out.field != (unsigned long)(value)) {				\
			tap_diag(#field ": expected 0x%016lx, got 0x%016lx after rt_sigreturn", \
				 (unsigned long)(value), p.out.field);			\
			ok = false;							\
		}									\
	} while (0)
	EXPECT(rax, sc->ax);
	EXPECT(rbx, sc->bx);
	EXPECT(rcx, sc->cx);
	EXPECT(rdx, sc->dx);
	EXPECT(rsi, sc->si);
	EXPECT(rdi, sc->di);
	EXPECT(rbp, sc->bp);
	EXPECT(rsp, sc->sp);
	EXPECT(r8, sc->r8);
	EXPECT(r9, sc->r9);
	EXPECT(r10, sc->r10);
	EXPECT(r11, sc->r11);
	EXPECT(r12, sc->r12);
	EXPECT(r13, sc->r13);
	EXPECT(r14, sc->r14);
	EXPECT(r15, sc->r15);
	EXPECT(rflags, want_flags);
#undef EXPECT
	tap_result(ok, "rt_sigreturn restores every register (IRET path)");
}

static long get_counts(struct demo_syscall_counts *c)
{
	return syscall2(__NR_prctl, PR_DEMO_GET_SYSCALL_COUNTS, (long)c);
}

static void test_slow_path(void)
{
	const unsigned long all = DEMO_SYSCALL_WORK_SYSCALL_TRACE | DEMO_SYSCALL_WORK_SYSCALL_AUDIT;
	const struct probe_case cases[] = {
		{ "getpid (slow path)", __NR_getpid, false, 0, 0, 0, 1 },
		{ "getppid (slow path)", __NR_getppid, false, 0, 0, 0, 0 },
		{ "an unknown syscall (slow path)", NR_UNKNOWN, false, 0, 0, 0, -ENOSYS },
	};
	const long expected = 3 + 1;	/* the probes, and the prctl() that reads the counts */
	struct demo_syscall_counts before, after;
	struct abi_probe p[3];
	unsigned long work = all;
	bool ok;
	long r;

	r = syscall3(__NR_prctl, PR_DEMO_SET_SYSCALL_WORK, work, 0);
	if (r == -EINVAL) {
		/* Built without CONFIG_AUDITSYSCALL: trace alone still takes the slow path. */
		work = DEMO_SYSCALL_WORK_SYSCALL_TRACE;
		r = syscall3(__NR_prctl, PR_DEMO_SET_SYSCALL_WORK, work, 0);
	}
	if (r) {
		tap_skip("prctl(PR_DEMO_SET_SYSCALL_WORK) failed", "slow path: registers preserved with syscall trace and audit on");
		tap_skip("prctl(PR_DEMO_SET_SYSCALL_WORK) failed", "slow path: trace and audit hooks run once per syscall");
		return;
	}

	get_counts(&before);
	for (int i = 0; i < 3; i++)
		probe_run(&p[i], &cases[i]);
	get_counts(&after);
	syscall3(__NR_prctl, PR_DEMO_SET_SYSCALL_WORK, 0, all);

	ok = all_preserved(p, cases, 3);
	for (int i = 0; i < 3; i++)
		ok &= returns(&p[i], &cases[i]);
	tap_result(ok, "slow path: registers preserved with syscall trace and audit on");

	ok = true;
#define DELTA(field)									\
	do {										\
		long d = (long)(after.field - before.field);				\
		if (d != expected) {							\
			tap_diag(#field ": %ld calls for %ld syscalls", d, expected);	\
			ok = false;							\
		}									\
	} while (0)
	DELTA(trace_entries);
	DELTA(trace_exits);
	if (work & DEMO_SYSCALL_WORK_SYSCALL_AUDIT) {
		DELTA(audit_entries);
		DELTA(audit_exits);
	}
#undef DELTA
	tap_result(ok, "slow path: trace and audit hooks run once per syscall");
}

int run_abi_tests(int tap_fd)
{
	int passed, failed, skipped;

	tap_begin(tap_fd, abi_test_count);
	tap_diag("syscall ABI checks from user space: fast path, IRET path, slow path");
	test_fast_path();
	test_errors();
	test_sigreturn();
	test_slow_path();
	tap_end(&passed, &failed, &skipped);
	return failed;
}
