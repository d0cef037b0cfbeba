/* SPDX-License-Identifier: GPL-2.0 */
/* The serial ports as ttys: the console (ttyS0) with a line discipline, and ttyS1 for output. */
#ifndef _LINUX_TTY_H
#define _LINUX_TTY_H

#include <linux/types.h>

struct uart_port {
	u16		iobase;
	u8		irq;
	bool		present;
	bool		ever_ready;	/* has reported room to transmit at least once */
	bool		stuck;		/* never ready and timed out: do not wait again */
	const char	*name;
};

extern struct uart_port serial8250_ports[2];

void serial8250_init(void);
void serial8250_report(void);
void serial8250_enable_rx_irq(struct uart_port *port);
void serial8250_putc(struct uart_port *port, char c);
void serial8250_write(struct uart_port *port, const char *s, size_t count);
/* Drain received bytes into the line discipline; called from the COM1 interrupt. */
void serial8250_handle_irq(struct uart_port *port);

/* n_tty: canonical input with echo, as a shell on a serial console expects. */
void n_tty_receive_char(char c);
ssize_t n_tty_read(char *buf, size_t count);
void console_write(const char *s, size_t count);

#endif
