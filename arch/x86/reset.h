/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_RESET_H
#define ARCH_X86_RESET_H

#include "hv/compiler.h"

/* Resets the whole machine, as a triple fault does on bare metal. */
void __noreturn platform_reset(void);

#endif
