// SPDX-License-Identifier: GPL-2.0
/* printf for the user program, and TAP output in kselftest's format on the console and ttyS1. */
#include "init.h"

static int tap_extra_fd = -1;
static int tap_number, tap_passed, tap_failed, tap_skipped;

static int vdprintf(int fd, const char *fmt, va_list args)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, args);

	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	sys_write(fd, buf, n);
	return n;
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vdprintf(fd, fmt, args);
	va_end(args);
	return n;
}

/* One TAP line to the console and to the TAP-only port. */
static void tap_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tap_line(const char *fmt, ...)
{
	char buf[512];
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	sys_write(1, buf, n);
	if (tap_extra_fd >= 0)
		sys_write(tap_extra_fd, buf, n);
}

void tap_begin(int extra_fd, int planned)
{
	tap_extra_fd = extra_fd;
	tap_number = tap_passed = tap_failed = tap_skipped = 0;
	tap_line("TAP version 13\n");
	tap_line("1..%d\n", planned);
}

/* One numbered result line: "ok N - name", "not ok N - name" or "ok N - name # SKIP why". */
static void tap_numbered(bool ok, const char *skip_reason, const char *fmt, va_list args)
{
	char name[256];

	vsnprintf(name, sizeof(name), fmt, args);
	tap_number++;
	if (skip_reason)
		tap_skipped++;
	else if (ok)
		tap_passed++;
	else
		tap_failed++;
	tap_line("%sok %d - %s%s%s\n", ok ? "" : "not ", tap_number, name,
		 skip_reason ? " # SKIP " : "", skip_reason ? skip_reason : "");
}

void tap_result(bool ok, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	tap_numbered(ok, NULL, fmt, args);
	va_end(args);
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	tap_numbered(true, reason, fmt, args);
	va_end(args);
}

void tap_diag(const char *fmt, ...)
{
	char text[256];
	va_list args;

	va_start(args, fmt);
	vsnprintf(text, sizeof(text), fmt, args);
	va_end(args);
	tap_line("# %s\n", text);
}

void tap_end(int *passed, int *failed, int *skipped)
{
	tap_line("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", tap_passed,
		 tap_failed, tap_skipped);
	*passed = tap_passed;
	*failed = tap_failed;
	*skipped = tap_skipped;
}
