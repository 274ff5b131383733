/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for boot/config.c: the input is parsed as vireo.cfg and as
 * one command-line word. Whatever the bytes, the parser must not crash, a
 * success must survive cfg_format() -> cfg_parse_file() unchanged and hold
 * a viridian mask the partition would take, and a failure must leave the
 * configuration as it was with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "boot/config.h"
#include "hv/errno.h"
#include "tests/fuzz/fuzz.h"
#include "viridian/viridian.h"

#define ARG_MAX	1024


/* Start from something other than the defaults, so that "unchanged" is a real check. */
static void config_start(struct vireo_config *c)
{
	cfg_init(c);
	c->viridian = 1;
	c->serial_port = 0x2f8;
	c->serial_baud = 9600;
	c->console_timeout = 11;
	strcpy(c->next, "\\EFI\\BOOT\\BOOTX64.EFI");
	c->log_level = LOG_DEBUG;
}

static void check_error(const struct vireo_config *c, const struct vireo_config *before,
			const struct cfg_error *err)
{
	INVARIANT(cfg_equal(c, before));
	INVARIANT(memchr(err->text, '\0', sizeof(err->text)) != NULL);
	INVARIANT(err->text[0] != '\0');
}

static void check_round_trip(const struct vireo_config *c)
{
	static char text[CFG_TEXT_MAX];
	struct vireo_config again;
	struct cfg_error err;
	size_t n = cfg_format(c, text, sizeof(text));

	INVARIANT(n < sizeof(text));
	INVARIANT(strlen(text) == n);
	/* A mask the parser accepts is one the partition accepts: known groups, base, what each needs. */
	INVARIANT(!c->viridian || vir_validate_mask(c->viridian) == 0);
	cfg_init(&again);
	INVARIANT(cfg_parse_file(&again, "vireo.cfg", text, n, &err) == 0);
	INVARIANT(cfg_equal(&again, c));
}

static void check(int rc, const struct vireo_config *c, const struct vireo_config *before,
		  const struct cfg_error *err)
{
	INVARIANT(rc == 0 || rc == -HV_EINVAL);
	if (rc)
		check_error(c, before, err);
	else
		check_round_trip(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char arg[ARG_MAX + 1];
	struct vireo_config c, before;
	struct cfg_error err;
	size_t len = size < ARG_MAX ? size : ARG_MAX;

	config_start(&c);
	memcpy(&before, &c, sizeof(c));
	check(cfg_parse_file(&c, "fuzz.cfg", (const char *)data, size, &err), &c, &before, &err);

	/* A command-line word ends at its first NUL. */
	memcpy(arg, data, len);
	arg[len] = '\0';
	config_start(&c);
	check(cfg_parse_arg(&c, arg, &err), &c, &before, &err);
	return 0;
}
