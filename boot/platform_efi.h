/* SPDX-License-Identifier: MIT */
#ifndef BOOT_PLATFORM_EFI_H
#define BOOT_PLATFORM_EFI_H

/* The rest of the platform interface, used by boot/ only. */

#include "boot/footprint.h"
#include "boot/relocate.h"
#include "hv/compiler.h"

struct partition;

/*
 * Records the image copy and every allocation so far as Vireo's memory,
 * which no guest-supplied address may reach (hv/gmem.c) and the EPT hides.
 */
int platform_protect(struct partition *p, const struct image_copy *image);
/* Gives back everything platform_alloc_pages() handed out: a refused load leaves no trace. */
void platform_free_all(void);
/* End of the highest RAM-like range of the firmware's memory map. */
uint64_t platform_ram_top(void);
void platform_stall_us(uint64_t us);
/* Free conventional memory now, from the firmware's memory map. */
struct free_memory platform_free_memory(void);

#endif
