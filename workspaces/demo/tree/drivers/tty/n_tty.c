// SPDX-License-Identifier: GPL-2.0
/*
 * The console's line discipline, canonical mode: characters are echoed and edited (backspace,
 * ^U) as they arrive from the interrupt, and read() gets whole lines. ^C discards the line.
 * Terminal escape sequences (arrow keys) are swallowed rather than echoed.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <asm/irqflags.h>
#include <asm/processor.h>

#define N_TTY_BUF_SIZE	4096
#define LINE_MAX	255

/* Completed lines, waiting for read(). */
static char read_buf[N_TTY_BUF_SIZE];
static unsigned int read_head, read_tail;
/* The line being edited. */
static char line_buf[LINE_MAX + 1];
static unsigned int line_len;
static bool eof_pending;
static enum { ESC_NONE, ESC_SEEN, ESC_CSI } esc_state;

static void echo(const char *s)
{
	console_write(s, strlen(s));
}

static void queue_line(const char *s, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		if (read_head - read_tail == N_TTY_BUF_SIZE)
			return;		/* reader too slow: drop, like a full tty buffer */
		read_buf[read_head++ % N_TTY_BUF_SIZE] = s[i];
	}
}

void n_tty_receive_char(char c)
{
	if (esc_state == ESC_SEEN) {
		esc_state = (c == '[') ? ESC_CSI : ESC_NONE;
		return;
	}
	if (esc_state == ESC_CSI) {
		if (c >= 0x40 && c <= 0x7e)
			esc_state = ESC_NONE;
		return;
	}

	switch (c) {
	case 0x1b:			/* ESC */
		esc_state = ESC_SEEN;
		return;
	case '\r':			/* ICRNL */
	case '\n':
		line_buf[line_len++] = '\n';
		echo("\n");
		queue_line(line_buf, line_len);
		line_len = 0;
		return;
	case 0x7f:			/* VERASE */
	case '\b':
		if (line_len) {
			line_len--;
			echo("\b \b");
		}
		return;
	case 0x15:			/* VKILL (^U) */
		while (line_len) {
			line_len--;
			echo("\b \b");
		}
		return;
	case 0x03:			/* VINTR (^C): no job control here, just drop the line */
		echo("^C\n");
		line_len = 0;
		queue_line("\n", 1);
		return;
	case 0x04:			/* VEOF (^D) */
		if (line_len) {
			queue_line(line_buf, line_len);
			line_len = 0;
		} else {
			eof_pending = true;
		}
		return;
	}

	if ((unsigned char)c < 0x20 && c != '\t')
		return;
	if (line_len < LINE_MAX) {
		char s[2] = { c, '\0' };

		line_buf[line_len++] = c;
		echo(s);
	}
}

/* Sleep until a line (or EOF) is there, then return at most one line. */
ssize_t n_tty_read(char *buf, size_t count)
{
	size_t n = 0;

	local_irq_disable();
	while (read_head == read_tail && !eof_pending) {
		native_safe_halt();	/* sti; hlt: woken by the UART interrupt */
		local_irq_disable();
	}
	if (read_head == read_tail) {
		eof_pending = false;
		local_irq_enable();
		return 0;
	}
	while (n < count && read_tail != read_head) {
		char c = read_buf[read_tail++ % N_TTY_BUF_SIZE];

		buf[n++] = c;
		if (c == '\n')
			break;
	}
	local_irq_enable();
	return n;
}
