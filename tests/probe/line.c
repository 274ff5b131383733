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

uint64_t report_rdmsr(const CHAR16 *what, uint32_t msr)
{
	uint64_t val = 0, vector = trap_rdmsr(msr, &val);
	struct line l;

	line_start(&l, what);
	put_hex(&l, L" ", msr, 8);
	if (vector)
		put_fault(&l, vector);
	else
		put_hex(&l, L" = ", val, 16);
	line_end(&l);
	return vector;
}

uint64_t report_wrmsr(const CHAR16 *what, uint32_t msr, uint64_t val)
{
	uint64_t vector = trap_wrmsr(msr, val);
	struct line l;

	line_start(&l, what);
	put_hex(&l, L" ", msr, 8);
	put_hex(&l, L" ", val, 16);
	if (vector)
		put_fault(&l, vector);
	else
		put(&l, L" ok");
	line_end(&l);
	return vector;
}
