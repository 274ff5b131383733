/* SPDX-License-Identifier: MIT */
#ifndef BOOT_CFGLOAD_H
#define BOOT_CFGLOAD_H

#include <efi.h>
#include "boot/config.h"

/* Defaults, then vireo.cfg, then the command line. 0, or -1 after printing why. */
int cfgload(EFI_HANDLE image, struct vireo_config *cfg);
/* Replaces vireo.cfg with text (the prompt's "save"). */
int cfgload_write_file(EFI_HANDLE image, const char *text, size_t len);

#endif
