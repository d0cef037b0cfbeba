/* Differential runner: executes instruction forms natively on this CPU.
 * Reads records {u32 form; u32 pad; struct state} from stdin, runs form_N(&st) for each, writes
 * {u32 status; u32 signal; struct state} to stdout. status 0 = completed, 1 = the CPU raised a signal
 * (the state is then the input state). The forms live in forms.S (generated), in .text.forms. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct state {
	uint64_t regs[16]; /* rax rcx rdx rbx rsp(ignored) rbp rsi rdi r8..r15 */
	uint64_t flags;
	uint64_t pad;
	uint8_t mem[256];
};

struct state st __attribute__((aligned(4096)));
extern void (*const form_table[])(struct state *);
extern const unsigned form_count;
extern const unsigned char forms_start[], forms_end[];

static sigjmp_buf env;
static volatile int last_signal;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)si; (void)uc;
	last_signal = sig;
	siglongjmp(env, 1);
}

static int read_all(void *p, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = read(0, (char *)p + done, n - done);
		if (r <= 0) return done == 0 ? 0 : -1;
		done += (size_t)r;
	}
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--text")) {
		fwrite(forms_start, 1, (size_t)(forms_end - forms_start), stdout);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--layout")) {
		printf("state %p\nforms %u\n", (void *)&st, form_count);
		for (unsigned i = 0; i < form_count; i++) printf("%p\n", (void *)form_table[i]);
		return 0;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGFPE, &sa, 0);
	sigaction(SIGSEGV, &sa, 0);
	sigaction(SIGILL, &sa, 0);
	sigaction(SIGBUS, &sa, 0);
	sigaction(SIGTRAP, &sa, 0);
	static char outbuf[1 << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	for (;;) {
		struct { uint32_t form, pad; struct state s; } in;
		int r = read_all(&in, sizeof in);
		if (r == 0) break;
		if (r < 0 || in.form >= form_count) return 2;
		struct { uint32_t status, sig; struct state s; } out;
		st = in.s;
		last_signal = 0;
		if (sigsetjmp(env, 1) == 0) {
			form_table[in.form](&st);
			out.status = 0;
			out.s = st;
		} else {
			out.status = 1;
			out.s = in.s;
		}
		out.sig = (uint32_t)last_signal;
		fwrite(&out, sizeof out, 1, stdout);
	}
	fflush(stdout);
	return 0;
}
