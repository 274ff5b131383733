/* SPDX-License-Identifier: MIT */
/* The probe's output lines: "probe: " and what was seen, lowercase hex (tests/probe/probe.h). */
#include <efi.h>
#include <efilib.h>

#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

void put(struct line *l, const CHAR16 *s)
{
	while (*s && l->len < LINE_MAX)
		l->text[l->len++] = *s++;
	l->text[l->len] = 0;
}

/* gnu-efi's Print() writes hex in upper case, so the digits are made here. */
void put_hex(struct line *l, const CHAR16 *prefix, uint64_t v, unsigned int digits)
{
	CHAR16 hex[17];

	hex[digits] = 0;
	while (digits--) {
		hex[digits] = L"0123456789abcdef"[v & 0xf];
		v >>= 4;
	}
	put(l, prefix);
	put(l, hex);
}

void put_fault(struct line *l, uint64_t vector)
{
	put(l, L" ");
	put(l, trap_name(vector));
}

void line_start(struct line *l, const CHAR16 *what)
{
	l->len = 0;
	put(l, L"probe: ");
	put(l, what);
}

void line_end(const struct line *l)
{
	Print(L"%s\n", l->text);
}
