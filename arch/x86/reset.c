/* SPDX-License-Identifier: MIT */
#include "arch/x86/processor.h"
#include "arch/x86/reset.h"

#define RESET_CONTROL_PORT	0xcf9	/* PCI reset control register (ICH/PIIX) */
#define  RESET_CPU_HARD		0x06
#define KBC_COMMAND_PORT	0x64
#define  KBC_PULSE_RESET	0xfe

void platform_reset(void)
{
	outb(RESET_CONTROL_PORT, RESET_CPU_HARD);
	outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
	cpu_halt_forever();
}
