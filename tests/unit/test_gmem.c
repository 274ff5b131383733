/* SPDX-License-Identifier: MIT */
/* Guest-physical memory accesses (hv/gmem.c) against the fake guest RAM. */
#include "hv/errno.h"
#include "hv/gmem.h"
#include "hv/partition.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

/* Guest RAM ends below the top of the fake RAM, so past-the-end reads stay in the array. */
#define RAM_TOP		0x80000ULL
#define HV_A_BASE	0x9100ULL	/* deliberately not page-aligned */
#define HV_A_SIZE	0x100ULL
#define HV_B_BASE	0x20000ULL
#define HV_B_SIZE	0x1000ULL

static struct partition part;

static void reset_all(void)
{
	part = (struct partition){ .ram_top = RAM_TOP };
	CHECK_EQ(part_add_hv_range(&part, HV_A_BASE, HV_A_SIZE), 0);
	CHECK_EQ(part_add_hv_range(&part, HV_B_BASE, HV_B_SIZE), 0);
	memset(fake_ram, 0xcc, sizeof(fake_ram));
}

static const struct {
	uint64_t gpa;
	size_t len;
	bool ok;
} ranges[] = {
	{ 0x1000, 8, true },
	{ 0, 1, true },				/* gpa 0 is guest RAM */
	{ 0xff8, 8, true },			/* ends on the page boundary */
	{ 0xff9, 8, false },			/* crosses it by one byte */
	{ 0x1fff, 2, false },
	{ 0x1000, 0x1000, true },		/* a whole page */
	{ 0x1000, 0x1001, false },
	{ 0x1001, 0x1000, false },
	{ RAM_TOP - 8, 8, true },		/* the last bytes of RAM */
	{ RAM_TOP - 4, 8, false },		/* runs past ram_top */
	{ RAM_TOP, 1, false },
	{ RAM_TOP + 0x1000, 8, false },
	{ HV_A_BASE - 8, 8, true },		/* ends just below Vireo's range */
	{ HV_A_BASE - 4, 8, false },		/* its last 4 bytes are Vireo's */
	{ HV_A_BASE - 7, 8, false },		/* only its last byte is */
	{ HV_A_BASE, 1, false },
	{ HV_A_BASE + HV_A_SIZE - 1, 1, false },
	{ HV_A_BASE + HV_A_SIZE, 8, true },	/* starts just past it */
	{ 0x9000, 0x1000, false },		/* covers it */
	{ HV_B_BASE - 1, 1, true },
	{ HV_B_BASE, 8, false },		/* the second range counts too */
	{ HV_B_BASE + 0xff8, 8, false },
	{ HV_B_BASE + HV_B_SIZE, 8, true },
	{ UINT64_MAX - 3, 8, false },		/* gpa + len wraps */
	{ UINT64_MAX, 1, false },
	{ 0x2000, SIZE_MAX, false },
	{ 0x1000, 0, true },			/* empty: touches nothing */
	{ HV_A_BASE, 0, true },
	{ UINT64_MAX, 0, true },
};

static void range_checks(void)
{
	reset_all();
	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		bool ok = gmem_range_ok(&part, ranges[i].gpa, ranges[i].len);

		if (ok != ranges[i].ok)
			printf("  gpa %#" PRIx64 " len %#zx: got %d\n", ranges[i].gpa, ranges[i].len, ok);
		CHECK_EQ(ok, ranges[i].ok);
	}
}

/* Refused accesses copy nothing in either direction; allowed ones copy exactly len bytes. */
static void reads_and_writes_follow_the_checks(void)
{
	uint8_t src[0x1001], dst[0x1001];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);

	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		size_t len = ranges[i].len;
		int want = ranges[i].ok ? 0 : -HV_EINVAL;
		uint64_t gpa = ranges[i].gpa;

		/* Lengths past the buffers are only worth the range check. */
		if (len > sizeof(src))
			continue;
		reset_all();
		CHECK_EQ(gmem_write(&part, gpa, src, len), want);
		for (uint64_t a = gpa < 16 ? 0 : gpa - 16; a < gpa + len + 16 && a < FAKE_RAM_SIZE; a++) {
			uint8_t expect = ranges[i].ok && a >= gpa && a < gpa + len ? src[a - gpa] : 0xcc;

			CHECK_EQ(fake_ram[a], expect);
		}

		memset(dst, 0x55, sizeof(dst));
		CHECK_EQ(gmem_read(&part, gpa, dst, len), want);
		for (size_t j = 0; j < sizeof(dst); j++)
			CHECK_EQ(dst[j], ranges[i].ok && j < len ? src[j] : 0x55);
	}
}

static void read_sees_guest_data(void)
{
	static const uint8_t bytes[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint64_t val = 0;

	reset_all();
	memcpy(&fake_ram[0x3ff8], bytes, sizeof(bytes));
	CHECK_EQ(gmem_read(&part, 0x3ff8, &val, sizeof(val)), 0);
	CHECK_EQ(val, 0x0807060504030201ULL);
}

/* ram_top below a page's end: the page's tail is not guest RAM. */
static void ram_top_mid_page(void)
{
	reset_all();
	part.ram_top = 0x4800;
	CHECK(gmem_range_ok(&part, 0x47f0, 0x10));
	CHECK(!gmem_range_ok(&part, 0x47f0, 0x11));
	CHECK(!gmem_range_ok(&part, 0x4800, 1));
	part.ram_top = 0;
	CHECK(!gmem_range_ok(&part, 0, 1));
	CHECK(gmem_range_ok(&part, 0, 0));
}

int main(void)
{
	RUN("gmem", range_checks);
	RUN("gmem", reads_and_writes_follow_the_checks);
	RUN("gmem", read_sees_guest_data);
	RUN("gmem", ram_top_mid_page);
	return test_suite_failures != 0;
}
