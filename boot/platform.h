/* SPDX-License-Identifier: MIT */
#ifndef BOOT_PLATFORM_H
#define BOOT_PLATFORM_H

/*
 * The firmware services arch/ and hv/ may use while Vireo loads, and only
 * then (MiniVisor's Platform.h is the model). No EFI type crosses this line.
 */

#include "hv/compiler.h"

struct partition;

/*
 * Zeroed, page-aligned memory that the OS will not reuse
 * (EfiRuntimeServicesData), recorded as Vireo's own in the partition.
 * NULL when the firmware has none.
 */
void *platform_alloc_pages(size_t pages);

#define EFI_PAGES(bytes)	(((bytes) + 4095) / 4096)

#endif
