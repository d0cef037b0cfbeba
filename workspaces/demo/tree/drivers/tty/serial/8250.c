// SPDX-License-Identifier: GPL-2.0
/*
 * The two PC serial ports (16550A). COM1 is the console: polled output, interrupt-driven input.
 * COM2 exists when QEMU is given a second -serial; init writes its TAP there too.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/tty.h>
#include <asm/io.h>

#define UART_RX		0	/* In:  Receive buffer */
#define UART_TX		0	/* Out: Transmit buffer */
#define UART_DLL	0	/* Out: Divisor Latch Low (DLAB=1) */
#define UART_DLM	1	/* Out: Divisor Latch High (DLAB=1) */
#define UART_IER	1	/* Out: Interrupt Enable Register */
#define UART_FCR	2	/* Out: FIFO Control Register */
#define UART_LCR	3	/* Out: Line Control Register */
#define UART_MCR	4	/* Out: Modem Control Register */
#define UART_LSR	5	/* In:  Line Status Register */
#define UART_SCR	7	/* I/O: Scratch Register */

#define UART_IER_RDI	0x01	/* Enable receiver data interrupt */
#define UART_LCR_DLAB	0x80
#define UART_LCR_WLEN8	0x03
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT2	0x08	/* gates the interrupt line to the PIC */
#define UART_LSR_DR	0x01	/* Receiver data ready */
#define UART_LSR_THRE	0x20	/* Transmit-hold-register empty */

/* Polls of LSR: a few milliseconds for a UART never seen ready, much longer for one that was. */
#define NEVER_READY_TIMEOUT	100000
#define BUSY_TIMEOUT		10000000

struct uart_port serial8250_ports[2] = {
	{ .iobase = 0x3f8, .irq = 4, .name = "ttyS0" },
	{ .iobase = 0x2f8, .irq = 3, .name = "ttyS1" },
};

static u8 serial_in(struct uart_port *port, int offset)
{
	return inb(port->iobase + offset);
}

static void serial_out(struct uart_port *port, int offset, u8 value)
{
	outb(value, port->iobase + offset);
}

/* A UART is there if its scratch register keeps what we write. */
static bool serial8250_probe(struct uart_port *port)
{
	serial_out(port, UART_SCR, 0xa5);
	if (serial_in(port, UART_SCR) != 0xa5)
		return false;
	serial_out(port, UART_SCR, 0x5a);
	return serial_in(port, UART_SCR) == 0x5a;
}

static void serial8250_setup(struct uart_port *port)
{
	serial_out(port, UART_IER, 0);
	serial_out(port, UART_LCR, UART_LCR_DLAB);
	serial_out(port, UART_DLL, 1);		/* 115200 baud */
	serial_out(port, UART_DLM, 0);
	serial_out(port, UART_LCR, UART_LCR_WLEN8);	/* 8n1 */
	serial_out(port, UART_FCR, 0xc7);	/* FIFO on, cleared, 14-byte threshold */
	serial_out(port, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
}

void __init serial8250_init(void)
{
	for (int i = 0; i < 2; i++) {
		struct uart_port *port = &serial8250_ports[i];

		port->present = serial8250_probe(port);
		if (port->present)
			serial8250_setup(port);
	}
}

/* What serial8250_init() found, reported once the banner is out. */
void __init serial8250_report(void)
{
	pr_info("Serial: 8250/16550 driver, 2 ports, IRQ sharing disabled\n");
	for (int i = 0; i < 2; i++)
		if (serial8250_ports[i].present)
			pr_info("serial8250: %s at I/O 0x%x (irq = %d, base_baud = 115200) is a 16550A\n",
				serial8250_ports[i].name, serial8250_ports[i].iobase,
				serial8250_ports[i].irq);
	pr_info("printk: legacy console [ttyS0] enabled\n");
}

void serial8250_enable_rx_irq(struct uart_port *port)
{
	if (port->present)
		serial_out(port, UART_IER, UART_IER_RDI);
}

/*
 * Wait for room, but not forever: a missing or wedged UART must not hang the kernel. A UART that has
 * never once reported room (an emulator that does not model it) is waited for only once; one that
 * has is waited for patiently, because QEMU holds THRE while the host end of the line is slow, and
 * writing anyway would lose the byte.
 */
void serial8250_putc(struct uart_port *port, char c)
{
	if (!port->stuck) {
		int tmout;

		for (tmout = port->ever_ready ? BUSY_TIMEOUT : NEVER_READY_TIMEOUT; tmout; tmout--)
			if (serial_in(port, UART_LSR) & UART_LSR_THRE)
				break;
		if (tmout)
			port->ever_ready = true;
		else if (!port->ever_ready)
			port->stuck = true;
	}
	serial_out(port, UART_TX, c);
}

/* Output post-processing as a tty with ONLCR: "\n" goes out as "\r\n". */
void serial8250_write(struct uart_port *port, const char *s, size_t count)
{
	if (!port->present)
		return;
	for (size_t i = 0; i < count; i++) {
		if (s[i] == '\n')
			serial8250_putc(port, '\r');
		serial8250_putc(port, s[i]);
	}
}

void serial8250_handle_irq(struct uart_port *port)
{
	while (serial_in(port, UART_LSR) & UART_LSR_DR)
		n_tty_receive_char(serial_in(port, UART_RX));
}

void console_write(const char *s, size_t count)
{
	serial8250_write(&serial8250_ports[0], s, count);
}
