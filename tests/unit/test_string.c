/* SPDX-License-Identifier: MIT */
/* hv/string.c, held to the C library's results for the same arguments. */
#include "hv/string.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

/* Only the sign of a comparison is specified. */
static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void memcpy_copies_exactly_n(void)
{
	uint8_t dst[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	static const uint8_t src[5] = { 1, 2, 3, 4, 5 };
	static const uint8_t want[8] = { 1, 2, 3, 4, 5, 9, 9, 9 };

	CHECK(hv_memcpy(dst, src, sizeof(src)) == dst);
	CHECK(!memcmp(dst, want, sizeof(want)));
	CHECK(hv_memcpy(dst, src, 0) == dst);
	CHECK(!memcmp(dst, want, sizeof(want)));
}

static void memset_fills_exactly_n(void)
{
	uint8_t buf[8] = { 0 };
	static const uint8_t want[8] = { 0xab, 0xab, 0xab, 0, 0, 0, 0, 0 };

	CHECK(hv_memset(buf, 0x1ab, 3) == buf);
	CHECK(!memcmp(buf, want, sizeof(want)));
	hv_memset(buf + 4, -1, 2);
	CHECK_EQ(buf[4], 0xff);
	CHECK_EQ(buf[5], 0xff);
	CHECK_EQ(buf[6], 0);
}

static void memcmp_orders_unsigned(void)
{
	static const struct {
		const char *a, *b;
		size_t n;
		int want;
	} cases[] = {
		{ "abc", "abc", 3, 0 },
		{ "abc", "abd", 3, -1 },
		{ "abd", "abc", 3, 1 },
		{ "abc", "abd", 2, 0 },
		{ "\x80", "\x7f", 1, 1 },
		{ "a\0b", "a\0c", 3, -1 },
		{ "x", "y", 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK_EQ(sign(hv_memcmp(cases[i].a, cases[i].b, cases[i].n)), cases[i].want);
		CHECK_EQ(sign(memcmp(cases[i].a, cases[i].b, cases[i].n)), cases[i].want);
	}
}

static void strlen_counts_to_nul(void)
{
	CHECK_EQ(hv_strlen(""), 0);
	CHECK_EQ(hv_strlen("a"), 1);
	CHECK_EQ(hv_strlen("viridian"), 8);
	CHECK_EQ(hv_strlen("ab\0cd"), 2);
}

static void strcmp_and_strncmp(void)
{
	static const struct {
		const char *a, *b;
		size_t n;
		int want_cmp, want_ncmp;
	} cases[] = {
		{ "info", "info", 4, 0, 0 },
		{ "info", "info", 100, 0, 0 },
		{ "warn", "warning", 4, -1, 0 },
		{ "warning", "warn", 5, 1, 1 },
		{ "", "", 1, 0, 0 },
		{ "", "a", 1, -1, -1 },
		{ "b", "a", 0, 1, 0 },
		{ "\xff", "a", 1, 1, 1 },
		{ "abc", "abd", 2, -1, 0 },
		{ "abc", "abd", 3, -1, -1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK_EQ(sign(hv_strcmp(cases[i].a, cases[i].b)), cases[i].want_cmp);
		CHECK_EQ(sign(strcmp(cases[i].a, cases[i].b)), cases[i].want_cmp);
		CHECK_EQ(sign(hv_strncmp(cases[i].a, cases[i].b, cases[i].n)), cases[i].want_ncmp);
		CHECK_EQ(sign(strncmp(cases[i].a, cases[i].b, cases[i].n)), cases[i].want_ncmp);
	}
}

int main(void)
{
	RUN("string", memcpy_copies_exactly_n);
	RUN("string", memset_fills_exactly_n);
	RUN("string", memcmp_orders_unsigned);
	RUN("string", strlen_counts_to_nul);
	RUN("string", strcmp_and_strncmp);
	return test_suite_failures != 0;
}
