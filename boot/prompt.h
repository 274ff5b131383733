/* SPDX-License-Identifier: MIT */
#ifndef BOOT_PROMPT_H
#define BOOT_PROMPT_H

/*
 * The configuration prompt on the serial console at load ("vireo> "): show,
 * change and save the configuration, then boot with it or abort. Pure code
 * over an I/O interface, so the hosted tests can script it.
 */

#include "boot/config.h"

struct prompt_io {
	/* Waits for a byte and returns it, or -1 when the line is gone. */
	int (*getc)(void *ctx);
	void (*write)(void *ctx, const char *s, size_t len);
	/* Writes vireo.cfg; 0 or negative. */
	int (*save)(void *ctx, const char *text, size_t len);
	void *ctx;
};

enum prompt_result {
	PROMPT_BOOT,		/* virtualize with the (edited) configuration */
	PROMPT_ABORT,		/* do not virtualize; the boot goes on without Vireo */
};

/* Runs commands until "boot" or "abort", or until getc() reports the line gone (PROMPT_BOOT). */
enum prompt_result prompt_run(struct vireo_config *c, const struct prompt_io *io);

#endif
