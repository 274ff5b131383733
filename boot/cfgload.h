/* SPDX-License-Identifier: MIT */
#ifndef BOOT_CFGLOAD_H
#define BOOT_CFGLOAD_H

#include <efi.h>
#include "boot/config.h"

enum cfgload_result {
	CFGLOAD_OK,
	CFGLOAD_ERROR,		/* printed why */
	CFGLOAD_DONE,		/* --help or --version answered: nothing else to do */
};

/* Defaults, then vireo.cfg, then the command line. */
enum cfgload_result cfgload(EFI_HANDLE image, struct vireo_config *cfg);
/* Replaces vireo.cfg with text (the prompt's "save"). */
int cfgload_write_file(EFI_HANDLE image, const char *text, size_t len);

#endif
