/* SPDX-License-Identifier: MIT */
/* Partition parameters and Vireo's memory ranges (hv/param.c). */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"
#include "viridian/viridian.h"

TEST_GLOBALS;

static struct partition part;

static void reset_all(void)
{
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE };
	log_threshold = LOG_INFO;
	fake_log_clear();
}

static unsigned int count_lines(void)
{
	unsigned int n = 0;

	for (const char *s = fake_log; (s = strstr(s, "\r\n")); s += 2)
		n++;
	return n;
}

static void expect_unset(void)
{
	CHECK_EQ(part.param_set, 0);
	CHECK_EQ(part.param[PARAM_VIRIDIAN], 0);
}

static void names(void)
{
	CHECK_STR(part_param_name(PARAM_VIRIDIAN), "viridian");
	CHECK(part_param_name(PARAM_COUNT) == NULL);
	CHECK(part_param_name(0xffffffffu) == NULL);
}

static void management_sets_valid_masks(void)
{
	static const struct {
		uint64_t mask;
		const char *log;
	} cases[] = {
		{ VIR_BASE, "vireo: partition: viridian = 0x1\r\n" },
		{ VIR_BASE | VIR_FREQ, "vireo: partition: viridian = 0x3\r\n" },
		{ VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC, "vireo: partition: viridian = 0xf\r\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct cpuid_regs *leaf;
		uint64_t val = 0xdead;

		reset_all();
		CHECK(!vir_cpuid(&part.vir, 0x40000000));
		CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, cases[i].mask), 0);
		/* The leaves are built with the mask. */
		leaf = vir_cpuid(&part.vir, 0x40000000);
		CHECK(leaf && leaf->eax == 0x40000006);
		CHECK_EQ(part.param[PARAM_VIRIDIAN], cases[i].mask);
		CHECK_EQ(part.param_set, BIT(PARAM_VIRIDIAN));
		CHECK_STR(fake_log, cases[i].log);
		CHECK_EQ(part_get_param(&part, PARAM_VIRIDIAN, &val), 0);
		CHECK_EQ(val, cases[i].mask);
	}
}

/* Masks vir_validate_mask refuses: nothing is stored, and the one-time set is not used up. */
static void invalid_masks_are_refused(void)
{
	static const struct {
		uint64_t mask;
		const char *log;
	} cases[] = {
		{ 0, "vireo: warning: partition: viridian cannot be 0x0 (EINVAL)\r\n" },
		{ VIR_FREQ, "vireo: warning: partition: viridian cannot be 0x2 (EINVAL)\r\n" },
		{ VIR_BASE | BIT(62), "vireo: warning: partition: viridian cannot be 0x4000000000000001 (EINVAL)\r\n" },
		{ VIR_BASE | VIR_REFERENCE_TSC, "vireo: warning: partition: viridian cannot be 0x9 (EINVAL)\r\n" },
		{ BIT(63) | VIR_BASE, "vireo: warning: partition: viridian cannot be 0x8000000000000001 (EINVAL)\r\n" },
		{ ~0ULL, "vireo: warning: partition: viridian cannot be 0xffffffffffffffff (EINVAL)\r\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		reset_all();
		CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, cases[i].mask), -HV_EINVAL);
		expect_unset();
		CHECK_STR(fake_log, cases[i].log);
		CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, VIR_BASE), 0);
		CHECK_EQ(part.param[PARAM_VIRIDIAN], VIR_BASE);
	}
}

/*
 * tsc_invariant only where the processor's TSC is invariant (CPUID
 * 0x80000007 EDX bit 8, with 0x80000007 among the extended leaves):
 * elsewhere the mask is refused with the reason, not set without the group.
 */
#define REFUSAL	"vireo: error: viridian: tsc_invariant needs a processor with an invariant TSC (CPUID " \
		"0x80000007 EDX bit 8), which this one lacks; leave it out with \"!tsc_invariant\"\r\n"

static void tsc_invariant_needs_invariant_host(void)
{
	static const struct {
		uint32_t max_ext, edx;
		int want;
	} cases[] = {
		{ 0x80000008, BIT(8), 0 },
		{ 0x80000007, BIT(8), 0 },
		{ 0x80000008, 0, -HV_ENODEV },
		{ 0x80000008, ~(uint32_t)BIT(8), -HV_ENODEV },
		{ 0x80000006, BIT(8), -HV_ENODEV },	/* no leaf 0x80000007 to ask */
		{ 0, 0, -HV_ENODEV },
	};
	const uint64_t mask = VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC | VIR_TSC_INVARIANT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		reset_all();
		fake_cpuid_reset();
		fake_cpuid_set(0x80000000, 0, cases[i].max_ext, 0, 0, 0);
		fake_cpuid_set(0x80000007, 0, 0, 0, 0, cases[i].edx);
		CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, mask), cases[i].want);
		if (cases[i].want) {
			expect_unset();
			CHECK_STR(fake_log, REFUSAL "vireo: warning: partition: viridian cannot be 0x200f (ENODEV)\r\n");
			/* Every group, as "all" sets them, is refused the same way. */
			reset_all();
			CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, VIR_KNOWN), -HV_ENODEV);
			expect_unset();
			CHECK(!strncmp(fake_log, REFUSAL, sizeof(REFUSAL) - 1));
			/* The rest of the mask, and every other group, are fine on this processor. */
			CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, mask & ~VIR_TSC_INVARIANT), 0);
			reset_all();
			CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, VIR_KNOWN & ~VIR_TSC_INVARIANT), 0);
		} else {
			CHECK_EQ(part.param[PARAM_VIRIDIAN], mask);
			CHECK_STR(fake_log, "vireo: partition: viridian = 0x200f\r\n");
		}
	}
	fake_cpuid_reset();
}

static void unknown_parameter_is_refused(void)
{
	static const unsigned int ids[] = { PARAM_COUNT, PARAM_COUNT + 1, 64, 0xffffffffu };

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		char want[96];
		uint64_t val = 0x5a5a;

		reset_all();
		CHECK_EQ(part_set_param(&part, CALLER_MGMT, ids[i], VIR_BASE), -HV_EINVAL);
		expect_unset();
		snprintf(want, sizeof(want), "vireo: warning: partition: no parameter %u (EINVAL)\r\n", ids[i]);
		CHECK_STR(fake_log, want);
		CHECK_EQ(part_get_param(&part, ids[i], &val), -HV_EINVAL);
		CHECK_EQ(val, 0x5a5a);
	}
}

/* Set once only, as Xen's HVM_PARAM_VIRIDIAN: a second set fails even with the same value. */
static void second_set_is_refused(void)
{
	static const struct {
		uint64_t second;
		const char *log;
	} cases[] = {
		{ VIR_BASE | VIR_FREQ, "vireo: warning: partition: viridian is already 0x3, cannot set 0x3 (EEXIST)\r\n" },
		{ VIR_BASE, "vireo: warning: partition: viridian is already 0x3, cannot set 0x1 (EEXIST)\r\n" },
		/* An invalid value is refused as a second set first. */
		{ VIR_FREQ, "vireo: warning: partition: viridian is already 0x3, cannot set 0x2 (EEXIST)\r\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		reset_all();
		CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, VIR_BASE | VIR_FREQ), 0);
		fake_log_clear();
		CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, cases[i].second), -HV_EEXIST);
		CHECK_EQ(part.param[PARAM_VIRIDIAN], VIR_BASE | VIR_FREQ);
		CHECK_EQ(part.param_set, BIT(PARAM_VIRIDIAN));
		CHECK_STR(fake_log, cases[i].log);
	}
}

/* The guest may never set a parameter; that check comes before every other. */
static void guest_may_not_set(void)
{
	static const struct {
		bool already_set;
		unsigned int id;
		uint64_t val;
		const char *log;
	} cases[] = {
		{ false, PARAM_VIRIDIAN, VIR_BASE, "vireo: partition: guest may not set viridian (EPERM)\r\n" },
		{ false, PARAM_VIRIDIAN, 0, "vireo: partition: guest may not set viridian (EPERM)\r\n" },
		{ true, PARAM_VIRIDIAN, VIR_BASE, "vireo: partition: guest may not set viridian (EPERM)\r\n" },
		{ false, PARAM_COUNT, VIR_BASE, "vireo: partition: guest may not set parameter 1 (EPERM)\r\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t before;

		reset_all();
		if (cases[i].already_set)
			CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, VIR_BASE | VIR_FREQ), 0);
		before = part.param[PARAM_VIRIDIAN];
		fake_log_clear();
		CHECK_EQ(part_set_param(&part, CALLER_GUEST, cases[i].id, cases[i].val), -HV_EPERM);
		CHECK_EQ(part.param[PARAM_VIRIDIAN], before);
		CHECK_EQ(part.param_set, cases[i].already_set ? BIT(PARAM_VIRIDIAN) : 0);
		CHECK_STR(fake_log, cases[i].log);
	}
}

/* A guest's refusals are at info, so a warning threshold keeps a busy guest out of the log. */
static void refusal_levels(void)
{
	reset_all();
	log_threshold = LOG_WARN;
	CHECK_EQ(part_set_param(&part, CALLER_GUEST, PARAM_VIRIDIAN, VIR_BASE), -HV_EPERM);
	CHECK_STR(fake_log, "");
	CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, 0), -HV_EINVAL);
	CHECK_EQ(count_lines(), 1);
	CHECK(fake_log_contains("vireo: warning: partition: viridian cannot be 0x0 (EINVAL)"));
	/* Success is at info. */
	CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, VIR_BASE), 0);
	CHECK_EQ(count_lines(), 1);
}

/* Never set reads as 0, whatever the array holds. */
static void get_unset_reads_zero(void)
{
	uint64_t val = 0x5a5a;

	reset_all();
	part.param[PARAM_VIRIDIAN] = 0x77;
	CHECK_EQ(part_get_param(&part, PARAM_VIRIDIAN, &val), 0);
	CHECK_EQ(val, 0);
	CHECK_STR(fake_log, "");
}

static void hv_ranges_are_recorded(void)
{
	reset_all();
	CHECK_EQ(part_add_hv_range(&part, 0x9000, 0x2000), 0);
	CHECK_EQ(part_add_hv_range(&part, 0xfffffffffffff000ULL, 0xfff), 0);
	CHECK_EQ(part_add_hv_range(&part, 0, 1), 0);
	CHECK_EQ(part.nr_hv_mem, 3);
	CHECK_EQ(part.hv_mem[0].base, 0x9000);
	CHECK_EQ(part.hv_mem[0].size, 0x2000);
	CHECK_EQ(part.hv_mem[1].base, 0xfffffffffffff000ULL);
	CHECK_EQ(part.hv_mem[1].size, 0xfff);
	CHECK_EQ(part.hv_mem[2].base, 0);
	CHECK_EQ(part.hv_mem[2].size, 1);
}

static void bad_hv_ranges_are_refused(void)
{
	static const struct {
		uint64_t base, size;
	} cases[] = {
		{ 0x9000, 0 },
		{ 0xfffffffffffff000ULL, 0x1000 },	/* would end at 2^64 */
		{ 0xffffffffffffffffULL, 2 },
		{ 0x1000, ~0ULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		reset_all();
		CHECK_EQ(part_add_hv_range(&part, cases[i].base, cases[i].size), -HV_EINVAL);
		CHECK_EQ(part.nr_hv_mem, 0);
	}
}

/* Ranges that touch or overlap become one; others stay apart. */
static void touching_hv_ranges_merge(void)
{
	reset_all();
	CHECK_EQ(part_add_hv_range(&part, 0x10000, 0x1000), 0);
	CHECK_EQ(part_add_hv_range(&part, 0x11000, 0x2000), 0);	/* after it */
	CHECK_EQ(part_add_hv_range(&part, 0xe000, 0x2000), 0);		/* before it */
	CHECK_EQ(part_add_hv_range(&part, 0x12000, 0x800), 0);		/* inside */
	CHECK_EQ(part_add_hv_range(&part, 0x20000, 0x1000), 0);	/* apart */
	CHECK_EQ(part.nr_hv_mem, 2);
	CHECK_EQ(part.hv_mem[0].base, 0xe000);
	CHECK_EQ(part.hv_mem[0].size, 0x5000);
	CHECK_EQ(part.hv_mem[1].base, 0x20000);
	CHECK_EQ(part.hv_mem[1].size, 0x1000);
	/* Overlapping both ends, near the top of the address space. */
	CHECK_EQ(part_add_hv_range(&part, 0xfffffffffffff000ULL, 0xfff), 0);
	CHECK_EQ(part_add_hv_range(&part, 0xffffffffffffe000ULL, 0x1800), 0);
	CHECK_EQ(part.nr_hv_mem, 3);
	CHECK_EQ(part.hv_mem[2].base, 0xffffffffffffe000ULL);
	CHECK_EQ(part.hv_mem[2].size, 0x1fff);
}

/* Enough slots for a vCPU's memory each on the largest machine, apart from the rest. */
static void hv_ranges_fill_up(void)
{
	_Static_assert(MAX_HV_RANGES >= MAX_VCPUS + 8, "a range per vCPU and the fixed allocations");
	reset_all();
	for (unsigned int i = 0; i < MAX_HV_RANGES; i++)
		CHECK_EQ(part_add_hv_range(&part, 0x100000 + i * 0x2000ULL, 0x1000), 0);
	CHECK_EQ(part_add_hv_range(&part, 0x900000, 0x1000), -HV_ENOSPC);
	CHECK_EQ(part.nr_hv_mem, MAX_HV_RANGES);
	CHECK_EQ(part.hv_mem[MAX_HV_RANGES - 1].base, 0x100000 + (MAX_HV_RANGES - 1) * 0x2000ULL);
	/* One that touches a recorded range still fits. */
	CHECK_EQ(part_add_hv_range(&part, 0x101000, 0x1000), 0);
	CHECK_EQ(part.hv_mem[0].size, 0x2000);
	/* A bad range is EINVAL even when full. */
	CHECK_EQ(part_add_hv_range(&part, 0x900000, 0), -HV_EINVAL);
}

int main(void)
{
	RUN("param", names);
	RUN("param", management_sets_valid_masks);
	RUN("param", invalid_masks_are_refused);
	RUN("param", tsc_invariant_needs_invariant_host);
	RUN("param", unknown_parameter_is_refused);
	RUN("param", second_set_is_refused);
	RUN("param", guest_may_not_set);
	RUN("param", refusal_levels);
	RUN("param", get_unset_reads_zero);
	RUN("param", hv_ranges_are_recorded);
	RUN("param", bad_hv_ranges_are_refused);
	RUN("param", touching_hv_ranges_merge);
	RUN("param", hv_ranges_fill_up);
	return test_suite_failures != 0;
}
