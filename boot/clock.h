/* SPDX-License-Identifier: MIT */
#ifndef BOOT_CLOCK_H
#define BOOT_CLOCK_H

#include "hv/compiler.h"

void clock_measure(uint64_t *tsc_hz, uint64_t *apic_hz);

#endif
