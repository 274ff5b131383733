/* SPDX-License-Identifier: MIT */
#ifndef BOOT_ACPI_H
#define BOOT_ACPI_H

#include "hv/compiler.h"

/* The FADT's PM1a control port, or 0 when the firmware has no ACPI tables (yet). */
uint16_t acpi_sleep_port(void);

#endif
