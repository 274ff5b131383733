/* SPDX-License-Identifier: MIT */
/*
 * A 16550 UART, polled: Vireo's log sink. It needs nothing from the firmware,
 * so the log keeps working after ExitBootServices and inside VM exits.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/processor.h"
#include "arch/x86/serial.h"

#define UART_THR	0	/* transmit holding register */
#define UART_DLL	0	/* divisor latch, low byte (DLAB=1) */
#define UART_IER	1
#define UART_DLM	1	/* divisor latch, high byte (DLAB=1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define  UART_LSR_THRE	0x20
#define UART_LCR_DLAB	0x80
#define UART_LCR_8N1	0x03
#define UART_CLOCK	115200

static uint16_t serial_port;

static uint32_t serial_baud;

void serial_init(uint16_t port, uint32_t baud)
{
	uint16_t divisor = (uint16_t)(UART_CLOCK / (baud ? baud : UART_CLOCK));

	if (port == serial_port && baud == serial_baud)
		return;			/* reprogramming a UART in use can emit a stray byte */
	serial_port = port;
	serial_baud = baud;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, (uint8_t)divisor);
	outb(port + UART_DLM, (uint8_t)(divisor >> 8));
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, 0x07);		/* enable and clear the FIFOs */
	outb(port + UART_MCR, 0x03);		/* DTR, RTS */
}

static void serial_putc(char c)
{
	unsigned int spins = 100000;

	/* Bounded: a missing or stuck UART must not hang a VM exit. */
	while (!(inb(serial_port + UART_LSR) & UART_LSR_THRE) && --spins)
		cpu_relax();
	outb(serial_port + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	if (!serial_port)
		return;
	while (len--)
		serial_putc(*s++);
}

int serial_getc(void)
{
	if (!serial_port || !(inb(serial_port + UART_LSR) & 1))
		return -1;
	return inb(serial_port + UART_THR);
}
