/* SPDX-License-Identifier: MIT */
/*
 * The reference time (viridian/time.c): TIME_REF_COUNT, the reference TSC
 * page, TSC_INVARIANT_CONTROL, their gates, and the arithmetic over TSC
 * rates from 1 MHz to 10 GHz and across the wrap of 64-bit values.
 */
#include <pthread.h>
#include <stdlib.h>
#include "hv/errno.h"
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

#define TIME_REF_COUNT		0x40000020u
#define REFERENCE_TSC		0x40000021u
#define TSC_INVARIANT_CONTROL	0x40000118u

#define TSC_PAGE		0x5000ULL
#define REF_HZ			10000000ULL

typedef unsigned __int128 u128;

/* What the MSR reads with the TSC at tsc (the fake TSC stands still for the read). */
static uint64_t ref_count_at(struct vcpu *v, uint64_t tsc)
{
	uint64_t val = 0xdead;

	fake_tsc_set(tsc);
	CHECK_EQ(vir_rdmsr(v, TIME_REF_COUNT, &val), MSR_DONE);
	return val;
}

/* The exact count of 100 ns units in ticks TSC ticks at hz. */
static uint64_t exact_units(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)((u128)ticks * REF_HZ / hz);
}

/* The page's fields, as a guest reads them. */
struct tsc_page {
	uint32_t sequence;
	uint64_t scale;
	int64_t offset;
};

static struct tsc_page page_at(uint64_t gpa)
{
	struct tsc_page pg;

	memcpy(&pg.sequence, &fake_ram[gpa], 4);
	memcpy(&pg.scale, &fake_ram[gpa + 8], 8);
	memcpy(&pg.offset, &fake_ram[gpa + 16], 8);
	return pg;
}

/* The guest's computation from the page (TLFS "Partition Reference Time Enlightenment"). */
static uint64_t page_time(const struct tsc_page *pg, uint64_t tsc)
{
	return (uint64_t)(((u128)tsc * pg->scale) >> 64) + (uint64_t)pg->offset;
}

static const uint64_t rates[] = {
	1000000, 1193182, 3579545, 9999999, 10000000, 10000001, 14318180, 25000000, 100000000,
	200000000, 1000000000, 2400000000ULL, 3000000123ULL, 3999999999ULL, 10000000000ULL,
};

/*
 * The scale is 2^64 * 10^7 / tsc_hz to the last bit, whole part and
 * fraction, and the page can carry it (and says so) exactly when the TSC is
 * faster than 10 MHz.
 */
static void scale_over_rates(void)
{
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(rates); i++) {
		uint64_t hz = rates[i];
		u128 want = ((u128)REF_HZ << 64) / hz;

		vf_init(&f, (struct vf_mask)VF_ALL);
		f.part.tsc_hz = hz;
		vir_time_init(&f.part, VF_CREATED_TSC);
		CHECK_EQ(f.part.vir.time.scale_int, (uint64_t)(want >> 64));
		CHECK_EQ(f.part.vir.time.scale_frac, (uint64_t)want);
		CHECK_EQ(f.part.vir.time.page_valid, hz > REF_HZ);
	}
}

/*
 * 100 ns units since creation, for every rate, from the creation to a
 * year later: never more than one unit from the exact count (the scale is
 * cut to 64 fractional bits), and 0 at creation.
 */
static void counts_100ns_over_rates(void)
{
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(rates); i++) {
		uint64_t hz = rates[i];
		const uint64_t ticks[] = { 0, 1, 999, 12345, hz, 3600 * hz, 86400 * 365 * hz };
		uint64_t prev = 0;

		vf_init(&f, (struct vf_mask)VF_TIME);
		f.part.tsc_hz = hz;
		vir_time_init(&f.part, VF_CREATED_TSC);
		for (size_t k = 0; k < ARRAY_SIZE(ticks); k++) {
			uint64_t got = ref_count_at(&f.vcpu, VF_CREATED_TSC + ticks[k]);
			uint64_t want = exact_units(ticks[k], hz);
			int failures = test_case_failures;

			if (!k)
				CHECK_EQ(got, 0);
			else
				CHECK(got > prev);
			/* Reads closer than 100 ns apart still rise: by one each. */
			CHECK(got + 1 >= want && (got <= want + 1 || got == prev + 1));
			if (test_case_failures != failures)
				printf("  at %" PRIu64 " Hz after %" PRIu64 " ticks: %" PRIu64 ", exact %" PRIu64 "\n",
				       hz, ticks[k], got, want);
			prev = got;
		}
	}
}

/*
 * Created with the TSC just below 2^64, read as it passes 2^64 and goes
 * on: the count goes on rising at its rate. Products and sums that pass
 * 2^64 on the way (a 1 MHz TSC multiplies by 10) change nothing.
 */
static void across_tsc_wrap(void)
{
	static const uint64_t wrap_rates[] = { 1000000, 10000000, 200000000, 2400000000ULL, 10000000000ULL };
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(wrap_rates); i++) {
		uint64_t hz = wrap_rates[i], created = 0 - 5 * hz - 12345, prev = 0;

		vf_init(&f, (struct vf_mask)VF_TIME);
		f.part.tsc_hz = hz;
		vir_time_init(&f.part, created);
		for (uint64_t s = 0; s <= 10; s++) {
			uint64_t got = ref_count_at(&f.vcpu, created + s * hz);

			CHECK(got + 1 >= s * REF_HZ && got <= s * REF_HZ + 1);
			if (s)
				CHECK(got > prev);
			prev = got;
		}
	}
}

/*
 * Strictly monotonic across VPs: a VP whose TSC is behind, or a guest that
 * moved its TSC back (even before the creation), reads one more than the
 * last value read anywhere, until the TSC catches up.
 */
static void monotonic_across_vps(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_TIME);
	uint64_t a, b, c;

	a = ref_count_at(v, VF_CREATED_TSC + VF_TSC_HZ);
	CHECK_EQ(a, REF_HZ);
	b = ref_count_at(&f.vcpu_b, VF_CREATED_TSC + VF_TSC_HZ - 24000);
	CHECK_EQ(b, a + 1);
	CHECK_EQ(ref_count_at(&f.vcpu_b, VF_CREATED_TSC + VF_TSC_HZ - 24000), a + 2);
	CHECK_EQ(ref_count_at(v, VF_CREATED_TSC - 1000), a + 3);
	CHECK_EQ(ref_count_at(v, 0), a + 4);
	/* The TSC catches up: back to the count it gives. */
	c = ref_count_at(&f.vcpu_b, VF_CREATED_TSC + 2 * VF_TSC_HZ);
	CHECK_EQ(c, 2 * REF_HZ);
	/* Two reads at the same TSC value differ. */
	CHECK_EQ(ref_count_at(v, VF_CREATED_TSC + 2 * VF_TSC_HZ), c + 1);
}

/*
 * Two processors reading at once, with a TSC that does not move: every
 * value read is new (the update of the last value is atomic) and each
 * processor's reads rise.
 */
#define THREAD_READS	50000

struct reader {
	struct vcpu *v;
	uint64_t vals[THREAD_READS];
	bool rising;
};

static pthread_barrier_t readers_start;

static void *reader_run(void *arg)
{
	struct reader *r = arg;

	r->rising = true;
	pthread_barrier_wait(&readers_start);
	for (unsigned int i = 0; i < THREAD_READS; i++) {
		if (vir_rdmsr(r->v, TIME_REF_COUNT, &r->vals[i]) != MSR_DONE)
			r->rising = false;
		if (i && r->vals[i] <= r->vals[i - 1])
			r->rising = false;
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void monotonic_under_contention(void)
{
	static struct reader readers[2];
	static uint64_t all[2 * THREAD_READS];
	struct vir_fixture f;
	pthread_t threads[2];
	size_t dups = 0;

	vf_init(&f, (struct vf_mask)VF_ALL);
	fake_tsc_step = 0;
	fake_tsc_set(VF_CREATED_TSC + VF_TSC_HZ);
	readers[0].v = &f.vcpu;
	readers[1].v = &f.vcpu_b;
	pthread_barrier_init(&readers_start, NULL, 2);
	for (int t = 0; t < 2; t++)
		CHECK_EQ(pthread_create(&threads[t], NULL, reader_run, &readers[t]), 0);
	for (int t = 0; t < 2; t++)
		pthread_join(threads[t], NULL);
	pthread_barrier_destroy(&readers_start);
	fake_tsc_step = 1000;
	CHECK(readers[0].rising);
	CHECK(readers[1].rising);
	memcpy(all, readers[0].vals, sizeof(readers[0].vals));
	memcpy(all + THREAD_READS, readers[1].vals, sizeof(readers[1].vals));
	qsort(all, ARRAY_SIZE(all), sizeof(all[0]), cmp_u64);
	for (size_t i = 1; i < ARRAY_SIZE(all); i++)
		dups += all[i] == all[i - 1];
	CHECK_EQ(dups, 0);
	CHECK_EQ(all[0], REF_HZ);
	CHECK_EQ(all[ARRAY_SIZE(all) - 1], REF_HZ + ARRAY_SIZE(all) - 1);
}

static void ref_count_is_read_only(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_ALL);
	uint64_t before = ref_count_at(v, VF_CREATED_TSC + 1000000);

	CHECK_EQ(vir_wrmsr(v, TIME_REF_COUNT, 0), MSR_FAULT);
	CHECK_EQ(vir_wrmsr(v, TIME_REF_COUNT, before + 1000), MSR_FAULT);
	CHECK_EQ(ref_count_at(v, VF_CREATED_TSC + 1000000), before + 1);
}

/* Every time MSR and access, for masks with and without each group. */
static void gates(void)
{
	static const struct vf_mask gate_masks[] = { VF_OFF, VF_BASE_FREQ, VF_TIME, VF_TSC_PAGE, VF_INVARIANT, VF_ALL };
	static const struct {
		uint32_t msr;
		bool write;
		uint64_t val;
		enum msr_result res[ARRAY_SIZE(gate_masks)];
	} cases[] = {
		{ TIME_REF_COUNT, false, 0,
		  { MSR_FAULT, MSR_FAULT, MSR_DONE, MSR_DONE, MSR_FAULT, MSR_DONE } },
		{ TIME_REF_COUNT, true, 0,
		  { MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_FAULT } },
		{ REFERENCE_TSC, false, 0,
		  { MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_DONE, MSR_FAULT, MSR_DONE } },
		{ REFERENCE_TSC, true, TSC_PAGE | 1,
		  { MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_DONE, MSR_FAULT, MSR_DONE } },
		{ TSC_INVARIANT_CONTROL, false, 0,
		  { MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_DONE, MSR_DONE } },
		{ TSC_INVARIANT_CONTROL, true, 1,
		  { MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_FAULT, MSR_DONE, MSR_DONE } },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		for (size_t m = 0; m < ARRAY_SIZE(gate_masks); m++) {
			struct vcpu *v = vf_init(&f, gate_masks[m]);
			int failures = test_case_failures;
			uint64_t val = 0;

			if (cases[i].write)
				CHECK_EQ(vir_wrmsr(v, cases[i].msr, cases[i].val), cases[i].res[m]);
			else
				CHECK_EQ(vir_rdmsr(v, cases[i].msr, &val), cases[i].res[m]);
			/* A refused write leaves the page and the state alone. */
			if (cases[i].res[m] == MSR_FAULT) {
				CHECK_EQ(page_at(TSC_PAGE).sequence, 0);
				CHECK_EQ(f.part.vir.time.reference_tsc, 0);
				CHECK_EQ(f.part.vir.time.invariant_control, 0);
			}
			if (test_case_failures != failures)
				printf("  in case %s of MSR 0x%" PRIx32 ", mask %s\n", cases[i].write ? "write" : "read",
				       cases[i].msr, gate_masks[m].name);
		}
	}
}

/*
 * Enabling the page writes the sequence, scale and offset at the GPFN, and
 * the time a guest computes from them is what the MSR reads at the same
 * TSC value, to the unit, over every rate the page can carry.
 */
static void page_agrees_with_msr(void)
{
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(rates); i++) {
		uint64_t hz = rates[i];
		/* At least 100 ns apart: denser reads of the MSR rise by one each, the page's need not. */
		const uint64_t ticks[] = { 0, 7777, hz, 1000 * hz + 3, 86400 * 365 * hz };
		struct tsc_page pg;
		uint64_t msr = 0;

		if (hz <= REF_HZ)
			continue;
		vf_init(&f, (struct vf_mask)VF_TSC_PAGE);
		f.part.tsc_hz = hz;
		vir_time_init(&f.part, VF_CREATED_TSC);
		CHECK_EQ(vir_wrmsr(&f.vcpu, REFERENCE_TSC, TSC_PAGE | 1), MSR_DONE);
		CHECK_EQ(vir_rdmsr(&f.vcpu_b, REFERENCE_TSC, &msr), MSR_DONE);
		CHECK_EQ(msr, TSC_PAGE | 1);
		pg = page_at(TSC_PAGE);
		CHECK_EQ(pg.sequence, 1);
		CHECK_EQ(pg.scale, (uint64_t)(((u128)REF_HZ << 64) / hz));
		for (size_t k = 0; k < ARRAY_SIZE(ticks); k++) {
			uint64_t tsc = VF_CREATED_TSC + ticks[k];

			CHECK_EQ(page_time(&pg, tsc), ref_count_at(&f.vcpu_b, tsc));
		}
		CHECK_EQ(page_time(&pg, VF_CREATED_TSC), 0);
	}
}

/*
 * The page for a partition created with the TSC near 2^64: the offset
 * passes below zero and the page still agrees with the MSR.
 */
static void page_offset_wraps(void)
{
	struct vir_fixture f;
	uint64_t created = 0 - 1000 * VF_TSC_HZ;
	struct tsc_page pg;

	vf_init(&f, (struct vf_mask)VF_TSC_PAGE);
	vir_time_init(&f.part, created);
	CHECK_EQ(vir_wrmsr(&f.vcpu, REFERENCE_TSC, TSC_PAGE | 1), MSR_DONE);
	pg = page_at(TSC_PAGE);
	CHECK(pg.offset < 0);
	for (uint64_t s = 0; s < 1000; s += 333)
		CHECK_EQ(page_time(&pg, created + s * VF_TSC_HZ + 17), ref_count_at(&f.vcpu, created + s * VF_TSC_HZ + 17));
}

/*
 * A page the guest cannot rely on says so with sequence 0 ("read
 * TIME_REF_COUNT"): a TSC too slow for the page's scale (10 MHz or less),
 * or a processor whose TSC is not invariant. The MSR still counts.
 */
static void page_invalid_where_it_cannot_hold(void)
{
	static const struct {
		uint64_t hz;
		bool invariant;
	} cases[] = {
		{ 1000000, true },
		{ 10000000, true },
		{ 2400000000ULL, false },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		vf_init(&f, (struct vf_mask)VF_TSC_PAGE);
		vf_host_tsc_invariant(cases[i].invariant);
		f.part.tsc_hz = cases[i].hz;
		vir_time_init(&f.part, VF_CREATED_TSC);
		memset(&fake_ram[TSC_PAGE], 0xff, 4096);
		CHECK_EQ(vir_wrmsr(&f.vcpu, REFERENCE_TSC, TSC_PAGE | 1), MSR_DONE);
		CHECK_EQ(page_at(TSC_PAGE).sequence, 0);
		CHECK_EQ(ref_count_at(&f.vcpu, VF_CREATED_TSC + cases[i].hz), REF_HZ);
	}
}

/*
 * Each publication changes the sequence, never to 0 nor to all ones;
 * disabling writes nothing; bits 11:1 are kept as written; only the first
 * 24 bytes of the page are Vireo's to write.
 */
static void page_sequence_and_msr_bits(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_TSC_PAGE);
	uint64_t msr = 0;

	memset(&fake_ram[TSC_PAGE], 0xee, 4096);
	CHECK_EQ(vir_wrmsr(v, REFERENCE_TSC, TSC_PAGE | 0xffe | 1), MSR_DONE);
	CHECK_EQ(vir_rdmsr(v, REFERENCE_TSC, &msr), MSR_DONE);
	CHECK_EQ(msr, TSC_PAGE | 0xffe | 1);
	CHECK_EQ(page_at(TSC_PAGE).sequence, 1);
	CHECK_EQ(fake_ram[TSC_PAGE + 4], 0xee);
	CHECK_EQ(fake_ram[TSC_PAGE + 24], 0xee);
	CHECK_EQ(fake_ram[TSC_PAGE + 4095], 0xee);

	CHECK_EQ(vir_wrmsr(&f.vcpu_b, REFERENCE_TSC, TSC_PAGE | 1), MSR_DONE);
	CHECK_EQ(page_at(TSC_PAGE).sequence, 2);

	f.part.vir.time.sequence = 0xfffffffe;
	CHECK_EQ(vir_wrmsr(v, REFERENCE_TSC, TSC_PAGE | 1), MSR_DONE);
	CHECK_EQ(page_at(TSC_PAGE).sequence, 1);

	/* Disabled: stored, the page left as the guest has it. */
	fake_ram[TSC_PAGE] = 0x42;
	CHECK_EQ(vir_wrmsr(v, REFERENCE_TSC, TSC_PAGE | 0x10), MSR_DONE);
	CHECK_EQ(vir_rdmsr(&f.vcpu_b, REFERENCE_TSC, &msr), MSR_DONE);
	CHECK_EQ(msr, TSC_PAGE | 0x10);
	CHECK_EQ(fake_ram[TSC_PAGE], 0x42);

	/* Moved: the new page is published, the old one left alone. */
	CHECK_EQ(vir_wrmsr(v, REFERENCE_TSC, 0x8000 | 1), MSR_DONE);
	CHECK_EQ(page_at(0x8000).sequence, 2);
	CHECK_EQ(fake_ram[TSC_PAGE], 0x42);
}

/* A page outside guest RAM or on Vireo's memory: #GP, a log line, the MSR and Vireo's memory unchanged. */
static void page_refused(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_ALL);

	vf_page_msr_refused(&f, &f.vcpu_b, REFERENCE_TSC, "REFERENCE_TSC", TSC_PAGE);
	/* Disabled, a bad GPFN is only stored: nothing is written. */
	CHECK_EQ(vir_wrmsr(v, REFERENCE_TSC, 0x9000), MSR_DONE);
	CHECK_EQ(fake_ram[0x9000], 0xa5);
}

/*
 * TSC_INVARIANT_CONTROL: partition-wide, bit 0 only, and once set it
 * stays set. Until then CPUID 0x80000007 shows no invariant TSC to a
 * partition with the group.
 */
static void invariant_control(void)
{
	static const uint64_t bad[] = { 2, BIT(63), 3, ~0ULL };
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_INVARIANT);
	uint64_t val = 0xdead;

	CHECK(vir_invariant_tsc_hidden(&f.part));
	CHECK_EQ(vir_rdmsr(v, TSC_INVARIANT_CONTROL, &val), MSR_DONE);
	CHECK_EQ(val, 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(vir_wrmsr(v, TSC_INVARIANT_CONTROL, bad[i]), MSR_FAULT);
	CHECK_EQ(vir_wrmsr(v, TSC_INVARIANT_CONTROL, 0), MSR_DONE);
	CHECK(vir_invariant_tsc_hidden(&f.part));

	CHECK_EQ(vir_wrmsr(v, TSC_INVARIANT_CONTROL, 1), MSR_DONE);
	CHECK(!vir_invariant_tsc_hidden(&f.part));
	CHECK_EQ(vir_rdmsr(&f.vcpu_b, TSC_INVARIANT_CONTROL, &val), MSR_DONE);
	CHECK_EQ(val, 1);
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, TSC_INVARIANT_CONTROL, 1), MSR_DONE);
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, TSC_INVARIANT_CONTROL, 0), MSR_FAULT);
	CHECK_EQ(vir_wrmsr(v, TSC_INVARIANT_CONTROL, 3), MSR_FAULT);
	CHECK_EQ(vir_rdmsr(v, TSC_INVARIANT_CONTROL, &val), MSR_DONE);
	CHECK_EQ(val, 1);
	CHECK(!vir_invariant_tsc_hidden(&f.part));

	/* Without the group nothing is hidden, whatever the state says. */
	static const struct vf_mask others[] = { VF_OFF, VF_BASE, VF_TSC_PAGE };
	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		vf_init(&f, others[i]);
		CHECK(!vir_invariant_tsc_hidden(&f.part));
	}
}

int main(void)
{
	RUN("viridian_time", scale_over_rates);
	RUN("viridian_time", counts_100ns_over_rates);
	RUN("viridian_time", across_tsc_wrap);
	RUN("viridian_time", monotonic_across_vps);
	RUN("viridian_time", monotonic_under_contention);
	RUN("viridian_time", ref_count_is_read_only);
	RUN("viridian_time", gates);
	RUN("viridian_time", page_agrees_with_msr);
	RUN("viridian_time", page_offset_wraps);
	RUN("viridian_time", page_invalid_where_it_cannot_hold);
	RUN("viridian_time", page_sequence_and_msr_bits);
	RUN("viridian_time", page_refused);
	RUN("viridian_time", invariant_control);
	return test_suite_failures != 0;
}
