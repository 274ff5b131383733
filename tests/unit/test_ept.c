/* SPDX-License-Identifier: MIT */
/*
 * The EPT builder (arch/x86/ept.c) and MTRR lookup (arch/x86/mtrr.c) on a
 * synthetic machine: checks every 4 KiB page of the first 4 GiB.
 */
#include <stdlib.h>
#include "arch/x86/ept.h"
#include "arch/x86/mtrr.h"
#include "hv/errno.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

#define GIB		(1ULL << 30)
#define MIB		(1ULL << 20)
#define POOL_PAGES	64

static uint8_t pool_pages[POOL_PAGES * 4096] __attribute__((aligned(4096)));
static uint8_t decoy[4096] __attribute__((aligned(4096)));

/*
 * A typical PC: fixed ranges WB but for the legacy VGA window (UC) and the
 * option ROM area (WP), WB by default, the 3-4 GiB MMIO hole UC, a 16 MiB
 * write-through range in RAM, and a write-combining range overlapping the
 * hole (where UC wins).
 */
static void machine_mtrrs(struct mtrr_state *m)
{
	*m = (struct mtrr_state){
		.enabled = true, .fixed_enabled = true, .default_type = MT_WB, .nr_variable = 3,
		.phys_mask = (1ULL << 39) - 1,
	};
	for (int i = 0; i < 88; i++)
		m->fixed[i] = MT_WB;
	for (int i = 16; i < 24; i++)		/* 0xa0000-0xbffff: 16 KiB units of MSR 0x259 */
		m->fixed[i] = MT_UC;
	for (int i = 24; i < 40; i++)		/* 0xc0000-0xcffff: 4 KiB units */
		m->fixed[i] = MT_WP;
	m->variable[0].base = 0xc0000000 | MT_UC;
	m->variable[0].mask = (~(GIB - 1) & m->phys_mask) | BIT(11);
	m->variable[1].base = 0xd0000000 | MT_WC;
	m->variable[1].mask = (~(16 * MIB - 1) & m->phys_mask) | BIT(11);
	m->variable[2].base = 0x20000000 | MT_WT;
	m->variable[2].mask = (~(16 * MIB - 1) & m->phys_mask) | BIT(11);
}

static struct partition part;
static struct mtrr_state mtrr;
static struct ept_pool pool;
static struct ept ept;

static void setup(bool pages_1g)
{
	machine_mtrrs(&mtrr);
	memset(pool_pages, 0, sizeof(pool_pages));
	part = (struct partition){ .nr_hv_mem = 2 };
	part.hv_mem[0] = (struct mem_range){ 0x0e000000, 0x3000 };
	part.hv_mem[1] = (struct mem_range){ 0x0f1ff000, 0x2000 };	/* straddles a 2 MiB boundary */
	pool = (struct ept_pool){ .pages = pool_pages, .nr_pages = POOL_PAGES };
	ept = (struct ept){
		.pages_1g = pages_1g, .pages_2m = true, .mtrr = &mtrr, .part = &part, .pool = &pool,
		.decoy_pa = (uint64_t)(uintptr_t)decoy,
	};
	CHECK_EQ(ept_init(&ept), 0);
}

static bool hidden(uint64_t pa)
{
	for (unsigned int i = 0; i < part.nr_hv_mem; i++)
		if (pa >= part.hv_mem[i].base && pa < part.hv_mem[i].base + part.hv_mem[i].size)
			return true;
	return false;
}

/* Every page: identity, RWX, the MTRR type of that page; Vireo's pages not present. */
static void check_every_page(uint64_t end)
{
	unsigned int bad = 0;

	for (uint64_t pa = 0; pa < end; pa += PAGE_SIZE) {
		uint64_t size, entry = ept_lookup(&ept, pa, &size);
		uint8_t type = 0xff;

		mtrr_range_type(&mtrr, pa, PAGE_SIZE, &type);
		if (hidden(pa)) {
			bad += entry != 0 || size != PAGE_SIZE;
			continue;
		}
		bad += (entry & EPT_RWX) != EPT_RWX;
		bad += ((entry >> EPT_MT_SHIFT) & 7) != type;
		bad += (entry & EPT_ADDR_MASK & ~(size - 1)) != (pa & ~(size - 1));
		bad += !!(entry & EPT_LARGE) != (size > PAGE_SIZE);
		if (bad && bad < 4)
			printf("  page %#llx: entry %#llx size %#llx type %u\n", (unsigned long long)pa,
			       (unsigned long long)entry, (unsigned long long)size, type);
	}
	CHECK_EQ(bad, 0);
}

static void map_with_1g_pages(void)
{
	uint64_t size, entry;

	setup(true);
	CHECK_EQ(ept_map_range(&ept, 0, 4 * GIB), 0);
	check_every_page(4 * GIB);
	entry = ept_lookup(&ept, 0x40000000, &size);
	CHECK_EQ(size, GIB);
	CHECK_EQ(entry, 0x40000000 | EPT_RWX | MT_WB << EPT_MT_SHIFT | EPT_LARGE);
	ept_lookup(&ept, 0x80000000, &size);
	CHECK_EQ(size, GIB);
	/* The WC range lies inside the UC hole, so the hole is one UC page. */
	entry = ept_lookup(&ept, 0xd0400000, &size);
	CHECK_EQ(size, GIB);
	CHECK_EQ(entry, 0xc0000000 | EPT_RWX | MT_UC << EPT_MT_SHIFT | EPT_LARGE);
	entry = ept_lookup(&ept, 0x20200000, &size);
	CHECK_EQ(size, 2 * MIB);
	CHECK_EQ((entry >> EPT_MT_SHIFT) & 7, MT_WT);
	ept_lookup(&ept, 0x00200000, &size);
	CHECK_EQ(size, 2 * MIB);
	ept_lookup(&ept, 0x000a0000, &size);
	CHECK_EQ(size, PAGE_SIZE);
	/* PML4, PDPT, the PD of the first GiB, PTs for the first 2 MiB and for Vireo's 3 ranges of 2 MiB */
	CHECK_EQ(pool.used, 7);
	/* Without the UC range the WC one types its own 2 MiB pages. */
	setup(true);
	mtrr.variable[0].mask = 0;
	CHECK_EQ(ept_map_range(&ept, 0, 4 * GIB), 0);
	check_every_page(4 * GIB);
	entry = ept_lookup(&ept, 0xd0400000, &size);
	CHECK_EQ(size, 2 * MIB);
	CHECK_EQ((entry >> EPT_MT_SHIFT) & 7, MT_WC);
}

static void map_with_2m_pages_only(void)
{
	uint64_t size;

	setup(false);
	CHECK_EQ(ept_map_range(&ept, 0, 4 * GIB), 0);
	check_every_page(4 * GIB);
	ept_lookup(&ept, 0x40000000, &size);
	CHECK_EQ(size, 2 * MIB);
}

static void fault_on_hidden_page_shows_decoy(void)
{
	uint64_t size, entry;

	setup(true);
	CHECK_EQ(ept_map_range(&ept, 0, 4 * GIB), 0);
	CHECK_EQ(ept_handle_fault(&ept, 0x0e001234), EPT_FAULT_HIDDEN);
	entry = ept_lookup(&ept, 0x0e001000, &size);
	CHECK_EQ(entry, (uint64_t)(uintptr_t)decoy | EPT_READ | EPT_WRITE | MT_WB << EPT_MT_SHIFT);
	CHECK_EQ(size, PAGE_SIZE);
	/* The neighbours stay hidden until touched. */
	CHECK_EQ(ept_lookup(&ept, 0x0e000000, &size), 0);
	/* A fault on a page that is mapped cannot be resolved. */
	CHECK_EQ(ept_handle_fault(&ept, 0x0e001000), EPT_FAULT_FATAL);
	CHECK_EQ(ept_handle_fault(&ept, 0x1000), EPT_FAULT_FATAL);
}

static void fault_above_the_map_maps_lazily(void)
{
	uint64_t size, entry;

	setup(true);
	CHECK_EQ(ept_map_range(&ept, 0, 4 * GIB), 0);
	CHECK_EQ(ept_lookup(&ept, 0x800000000ULL, &size), 0);
	CHECK_EQ(ept_handle_fault(&ept, 0x800001000ULL), EPT_FAULT_MAPPED);
	entry = ept_lookup(&ept, 0x800001000ULL, &size);
	CHECK_EQ(size, GIB);
	CHECK_EQ(entry, 0x800000000ULL | EPT_RWX | MT_WB << EPT_MT_SHIFT | EPT_LARGE);
}

/*
 * The count that sizes the pool is what mapping takes, for every machine here:
 * 1 GiB pages or not, the MTRRs with and without the UC hole, Vireo's ranges
 * or none, a map that ends inside a GiB.
 */
static void table_count_matches_the_map(void)
{
	static const struct {
		bool pages_1g, hole;
		unsigned int hv_ranges;
		uint64_t end;
	} cases[] = {
		{ true, true, 2, 4 * GIB },
		{ true, false, 2, 4 * GIB },
		{ false, true, 2, 4 * GIB },
		{ true, true, 0, 4 * GIB },
		{ false, false, 0, 4 * GIB },
		{ true, true, 2, 3 * GIB + 5 * MIB },
		{ true, true, 1, 8 * GIB },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int want;

		setup(cases[i].pages_1g);
		if (!cases[i].hole)
			mtrr.variable[0].mask = 0;
		part.nr_hv_mem = cases[i].hv_ranges;
		want = ept_tables_for(&ept, 0, cases[i].end);
		CHECK_EQ(ept_map_range(&ept, 0, cases[i].end), 0);
		CHECK_EQ(pool.used, want);
	}
}

static void pool_exhaustion_fails_cleanly(void)
{
	setup(false);
	pool.nr_pages = 3;
	CHECK_EQ(ept_map_range(&ept, 0, 4 * GIB), -HV_ENOMEM);
	CHECK_EQ(pool.used, 3);
}

static void mtrr_types(void)
{
	static const struct {
		uint64_t base, size;
		bool uniform;
		uint8_t type;
	} cases[] = {
		{ 0x00000, 0x1000, true, MT_WB },
		{ 0xa0000, 0x4000, true, MT_UC },
		{ 0x80000, 0x40000, false, 0 },		/* WB then UC */
		{ 0xc0000, 0x1000, true, MT_WP },
		{ 0x0, 2 * MIB, false, 0 },		/* crosses 1 MiB with fixed ranges on */
		{ 0x100000, 0x100000, true, MT_WB },
		{ 0xc0000000, GIB, true, MT_UC },	/* a WC range inside a UC one changes nothing */
		{ 0x1000000, 16 * MIB, true, MT_WB },
		{ 0x20000000, 32 * MIB, false, 0 },	/* half WT, half WB */
		{ 0xc0000000, 256 * MIB, true, MT_UC },
		{ 0xd0000000, 16 * MIB, true, MT_UC },	/* UC and WC overlap: UC wins */
		{ 0x20000000, 2 * MIB, true, MT_WT },
		{ 0x00000000, GIB, false, 0 },
		{ 0x100000000ULL, GIB, true, MT_WB },
	};

	machine_mtrrs(&mtrr);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t type = 0xff;
		bool uniform = mtrr_range_type(&mtrr, cases[i].base, cases[i].size, &type);

		CHECK_EQ(uniform, cases[i].uniform);
		if (uniform)
			CHECK_EQ(type, cases[i].type);
	}
	mtrr.enabled = false;
	{
		uint8_t type = 0xff;

		CHECK(mtrr_range_type(&mtrr, 0, GIB, &type));
		CHECK_EQ(type, MT_UC);
	}
}

int main(void)
{
	RUN("ept", map_with_1g_pages);
	RUN("ept", map_with_2m_pages_only);
	RUN("ept", fault_on_hidden_page_shows_decoy);
	RUN("ept", fault_above_the_map_maps_lazily);
	RUN("ept", table_count_matches_the_map);
	RUN("ept", pool_exhaustion_fails_cleanly);
	RUN("ept", mtrr_types);
	return test_suite_failures != 0;
}
