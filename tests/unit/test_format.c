/* SPDX-License-Identifier: MIT */
/* hv_snprintf / hv_vsnprintf (hv/format.c): the printf subset of hv/log.h. */
#include <limits.h>
#include <stdarg.h>
#include "hv/log.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

/* Formats into a fresh buffer and checks the text and the returned length. */
static void expect_at(int line, const char *want, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	memset(buf, 'Z', sizeof(buf));
	va_start(ap, fmt);
	n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, want) != 0 || n != (int)strlen(want)) {
		printf("  line %d: \"%s\" gave \"%s\" (%d), want \"%s\" (%zu)\n", line, fmt, buf, n,
		       want, strlen(want));
		test_case_failures++;
	}
}

#define EXPECT(want, ...)	expect_at(__LINE__, want, __VA_ARGS__)

static void signed_decimal(void)
{
	EXPECT("0", "%d", 0);
	EXPECT("-1", "%d", -1);
	EXPECT("7", "%i", 7);
	EXPECT("2147483647", "%d", INT_MAX);
	EXPECT("-2147483648", "%d", INT_MIN);
	EXPECT("-9223372036854775808", "%ld", LONG_MIN);
	EXPECT("-9223372036854775808", "%lld", LLONG_MIN);
	EXPECT("9223372036854775807", "%lli", LLONG_MAX);
	EXPECT("-5", "%zd", (ptrdiff_t)-5);
}

static void unsigned_decimal(void)
{
	EXPECT("0", "%u", 0u);
	EXPECT("4294967295", "%u", UINT_MAX);
	EXPECT("18446744073709551615", "%lu", ULONG_MAX);
	EXPECT("18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT("18446744073709551615", "%zu", SIZE_MAX);
	EXPECT("4096", "%zu", (size_t)4096);
}

static void hexadecimal(void)
{
	EXPECT("deadbeef", "%x", 0xdeadbeefu);
	EXPECT("DEADBEEF", "%X", 0xdeadbeefu);
	EXPECT("0", "%x", 0u);
	EXPECT("ffffffffffffffff", "%lx", ULONG_MAX);
	EXPECT("123456789abcdef0", "%llx", 0x123456789abcdef0ULL);
	EXPECT("ABC", "%zX", (size_t)0xabc);
}

static void alternate_form(void)
{
	EXPECT("0xff", "%#x", 0xffu);
	EXPECT("0XFF", "%#X", 0xffu);
	EXPECT("0", "%#x", 0u);
	EXPECT("0x1000", "%#llx", 0x1000ULL);
	EXPECT("0x0000beef", "%#010x", 0xbeefu);
	EXPECT("    0xbeef", "%#10x", 0xbeefu);
	EXPECT("0xbeef    |", "%#-10x|", 0xbeefu);
}

static void width_and_flags(void)
{
	EXPECT("0000beef", "%08x", 0xbeefu);
	EXPECT("    beef", "%8x", 0xbeefu);
	EXPECT("beef    |", "%-8x|", 0xbeefu);
	EXPECT("-0042", "%05d", -42);
	EXPECT("  -42", "%5d", -42);
	EXPECT("-42  |", "%-05d|", -42);
	EXPECT("12345", "%3d", 12345);
	EXPECT("007", "%03u", 7u);
	EXPECT("   ab", "%5s", "ab");
	EXPECT("ab   |", "%-5s|", "ab");
	EXPECT("abcdef", "%2s", "abcdef");
	EXPECT("  x", "%3c", 'x');
	EXPECT("x  |", "%-3c|", 'x');
}

static void strings_chars_pointers(void)
{
	EXPECT("abc", "%s", "abc");
	EXPECT("", "%s", "");
	EXPECT("(null)", "%s", (const char *)NULL);
	EXPECT("A", "%c", 'A');
	EXPECT("0x1234", "%p", (void *)0x1234);
	EXPECT("0x0", "%p", (void *)NULL);
	EXPECT("%", "%%");
	EXPECT("100% sure", "100%% %s", "sure");
	EXPECT("vcpu3: rip 0x1000 cs 0x8 name CPUID",
	       "vcpu%u: rip %#llx cs %#x name %s", 3u, 0x1000ULL, 8u, "CPUID");
}

/* No format checking here: these are formats the compiler would rightly reject. */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void unknown_conversions_are_copied(void)
{
	static const struct {
		const char *fmt, *want;
	} cases[] = {
		{ "%q", "%q" },
		{ "a%", "a%" },
		{ "%5.2f!", "%5.2f!" },
		{ "%hd", "%hd" },
		{ "%-08", "%-08" },
	};
	char buf[32];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int n = format_unchecked(buf, sizeof(buf), cases[i].fmt, 1);

		CHECK_STR(buf, cases[i].want);
		CHECK_EQ(n, strlen(cases[i].want));
	}
	CHECK_EQ(format_unchecked(buf, sizeof(buf), "%q %d", 5), 4);
	CHECK_STR(buf, "%q 5");
}

static void truncation_terminates_and_counts(void)
{
	static const struct {
		size_t size;
		const char *want;
	} cases[] = {
		{ 1, "" },
		{ 2, "a" },
		{ 5, "abcd" },
		{ 8, "abcdefg" },
		{ 9, "abcdefgh" },
		{ 10, "abcdefgh" },
	};
	char buf[16];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, 'Z', sizeof(buf));
		CHECK_EQ(hv_snprintf(buf, cases[i].size, "%s", "abcdefgh"), 8);
		CHECK_STR(buf, cases[i].want);
		/* Nothing past the buffer the caller described. */
		for (size_t j = cases[i].size; j < sizeof(buf); j++)
			CHECK_EQ(buf[j], 'Z');
	}

	CHECK_EQ(hv_snprintf(NULL, 0, "%08x%s", 0x12u, "tail"), 12);
	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(hv_snprintf(buf, 4, "%08x", 0x12u), 8);
	CHECK_STR(buf, "000");
	CHECK_EQ(buf[4], 'Z');
	CHECK_EQ(hv_snprintf(buf, 4, "%-6d|", -7), 7);
	CHECK_STR(buf, "-7 ");
}

int main(void)
{
	RUN("format", signed_decimal);
	RUN("format", unsigned_decimal);
	RUN("format", hexadecimal);
	RUN("format", alternate_form);
	RUN("format", width_and_flags);
	RUN("format", strings_chars_pointers);
	RUN("format", unknown_conversions_are_copied);
	RUN("format", truncation_terminates_and_counts);
	return test_suite_failures != 0;
}
