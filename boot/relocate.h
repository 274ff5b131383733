/* SPDX-License-Identifier: MIT */
#ifndef BOOT_RELOCATE_H
#define BOOT_RELOCATE_H

#include <efi.h>
#include "hv/compiler.h"

struct image_copy {
	void *base;
	size_t size;
};

typedef EFI_STATUS (*image_entry_t)(EFI_HANDLE image, const struct image_copy *copy);

/*
 * The UEFI loader put this image in EfiLoaderCode memory, which the OS
 * reclaims after ExitBootServices. The host must outlive that, so Vireo
 * copies itself into EfiRuntimeServicesCode pages, relocates the copy and
 * runs entry there. On failure the copy is freed again.
 */
EFI_STATUS image_run_relocated(EFI_HANDLE image, image_entry_t entry);

#endif
