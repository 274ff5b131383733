/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

#include "hv/compiler.h"

void serial_init(uint16_t port, uint32_t baud);
void serial_write(const char *s, size_t len);
/* A received byte, or -1 if none is waiting. */
int serial_getc(void);

#endif
