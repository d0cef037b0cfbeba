/* SPDX-License-Identifier: GPL-2.0 */
/* Shared declarations of the user program: I/O helpers, the ABI probes, TAP output, the shell. */
#ifndef _INIT_H
#define _INIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include "syscall.h"

/* lib/string.c and lib/vsprintf.c, shared with the kernel */
void *memcpy(void *dest, const void *src, size_t count);
void *memset(void *s, int c, size_t count);
int memcmp(const void *cs, const void *ct, size_t count);
size_t strlen(const char *s);
int strcmp(const char *cs, const char *ct);
int strncmp(const char *cs, const char *ct, size_t count);
char *strchr(const char *s, int c);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline long sys_write(int fd, const void *buf, size_t count)
{
	return syscall3(__NR_write, fd, (long)buf, count);
}

static inline long sys_read(int fd, void *buf, size_t count)
{
	return syscall3(__NR_read, fd, (long)buf, count);
}

int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define printf(...) dprintf(1, __VA_ARGS__)

/*
 * One SYSCALL with every register chosen by the caller, and every register as it came back. The
 * layout is shared with abi_probe.S.
 */
struct abi_regs {
	unsigned long rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	unsigned long r8, r9, r10, r11, r12, r13, r14, r15;
	unsigned long rflags;
};

struct abi_probe {
	struct abi_regs in;	/* in.rsp and in.rflags are filled in with what SYSCALL saw */
	struct abi_regs out;
	unsigned long return_address;	/* the instruction after SYSCALL */
};

void abi_probe_syscall(struct abi_probe *probe);
/* rt_sigreturn with the frame at frame (RSP = frame + 8); lands in abi_sigreturn_landing. */
void abi_probe_sigreturn(struct abi_probe *probe, void *frame);
extern char abi_sigreturn_landing[];

/* TAP, kselftest style, on the console and (when it exists) on ttyS1 */
void tap_begin(int extra_fd, int planned);
void tap_result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_end(int *passed, int *failed, int *skipped);

/* Runs the syscall ABI checks; returns the number that failed. */
int run_abi_tests(int tap_fd);
extern const int abi_test_count;

void shell(int tap_fd);
void power_off(void);
void restart(void);

#endif
