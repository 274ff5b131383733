/* SPDX-License-Identifier: MIT */
#ifndef BOOT_CONSOLE_H
#define BOOT_CONSOLE_H

#include <efi.h>
#include "hv/compiler.h"

/*
 * Messages while Vireo loads go to the firmware console (ConOut) and to the
 * serial port, once: when the firmware already mirrors ConOut on a UART, the
 * serial copy comes from the firmware. Once the host runs (VM exits, after
 * ExitBootServices) only the serial port is safe: console_detach().
 */
void console_init(EFI_SYSTEM_TABLE *st);
void console_printf(const char *fmt, ...) __printf(1, 2);
void console_write(const char *s, size_t len);
void console_detach(void);
void console_attach(void);

#endif
