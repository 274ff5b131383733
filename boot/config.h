/* SPDX-License-Identifier: MIT */
#ifndef BOOT_CONFIG_H
#define BOOT_CONFIG_H

/*
 * Vireo's configuration: vireo.cfg in xl.cfg syntax, then command-line words
 * ("key=value") that override it key by key. Pure code, no firmware types:
 * it is compiled into vireo.efi and into the hosted tests.
 */

#include "hv/compiler.h"
#include "hv/log.h"

#define CFG_NEXT_MAX	256
#define CFG_TEXT_MAX	1024	/* room for cfg_format() of any valid configuration */

struct vireo_config {
	uint64_t viridian;		/* group mask (viridian/viridian.h VIR_*), 0 = off */
	uint16_t serial_port;		/* default 0x3f8 */
	uint32_t serial_baud;		/* default 115200 */
	unsigned int console_timeout;	/* seconds to wait for a key at load, default 3 */
	char next[CFG_NEXT_MAX];	/* loader to start after virtualizing, "" = return to the caller */
	enum log_level log_level;	/* hv/log.h, default LOG_INFO */
};

/* "vireo.cfg:3:14: unknown viridian group \"fre\" (expected base, freq, defaults, all)" */
struct cfg_error {
	char text[384];
};

/* The defaults: viridian off, COM1 at 115200, 3 s prompt wait, no next loader, info. */
void cfg_init(struct vireo_config *c);

/*
 * Applies the file text (len bytes, need not be NUL-terminated); filename
 * only names it in messages. 0, or -HV_EINVAL with err filled in and *c as
 * it was.
 */
int cfg_parse_file(struct vireo_config *c, const char *filename, const char *text, size_t len,
		   struct cfg_error *err);

/* Applies one "key=value" word; 0, or -HV_EINVAL with err filled in and *c as it was. */
int cfg_parse_arg(struct vireo_config *c, const char *arg, struct cfg_error *err);

/*
 * Writes c in the file syntax, one key per line, so that cfg_parse_file
 * gives c back. Always NUL-terminates (when size > 0) and returns the length
 * of the whole text, as snprintf does.
 */
size_t cfg_format(const struct vireo_config *c, char *buf, size_t size);

/* Whether two configurations say the same thing. */
bool cfg_equal(const struct vireo_config *a, const struct vireo_config *b);

#endif
