/* SPDX-License-Identifier: MIT */
/* Guest linear-to-physical translation (hv/guest_walk.c) over page tables in the fake guest RAM. */
#include "hv/errno.h"
#include "hv/guest_walk.h"
#include "hv/partition.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

#define RAM_TOP		0x80000ULL
#define HV_BASE		0x40000ULL	/* Vireo's memory inside guest RAM */
#define HV_SIZE		0x2000ULL
#define OUTSIDE		0x90000ULL	/* in the fake RAM array, above ram_top */

#define CR0_PE		BIT(0)
#define CR0_PG		BIT(31)
#define CR4_PSE		BIT(4)
#define CR4_PAE		BIT(5)
#define CR4_LA57	BIT(12)
#define CR4_PCIDE	BIT(17)
#define EFER_LME	BIT(8)
#define EFER_LMA	BIT(10)

#define P		BIT(0)
#define RW		BIT(1)
#define US		BIT(2)
#define A		BIT(5)
#define D		BIT(6)
#define PS		BIT(7)
#define G		BIT(8)
#define PAT_LARGE	BIT(12)
#define NX		BIT(63)
#define HIGH_IGNORED	0x7ff0000000000000ULL	/* bits 62:52: available, protection key */
#define FLAGS		(P | RW | US | A | D)

/* Linear addresses from table indices; bit 47 (56 with five levels) is copied upwards. */
#define LA4(i4, i3, i2, i1, off)					\
	(((i4) >= 256 ? 0xffff000000000000ULL : 0) | (uint64_t)(i4) << 39 | (uint64_t)(i3) << 30 | \
	 (uint64_t)(i2) << 21 | (uint64_t)(i1) << 12 | (off))
#define LA5(i5, i4, i3, i2, i1, off)					\
	(((i5) >= 256 ? 0xfe00000000000000ULL : 0) | (uint64_t)(i5) << 48 | (uint64_t)(i4) << 39 | \
	 (uint64_t)(i3) << 30 | (uint64_t)(i2) << 21 | (uint64_t)(i1) << 12 | (off))

#define NO_GPA		0x5a5a5a5a5a5a5a5aULL

static struct partition part;

static void reset_all(void)
{
	part = (struct partition){ .ram_top = RAM_TOP };
	CHECK_EQ(part_add_hv_range(&part, HV_BASE, HV_SIZE), 0);
	memset(fake_ram, 0, sizeof(fake_ram));
}

/* Entries past the end of the fake RAM (where a walk must not look anyway) are dropped. */
static void put64(uint64_t gpa, uint64_t val)
{
	if (gpa <= FAKE_RAM_SIZE - sizeof(val))
		memcpy(&fake_ram[gpa], &val, sizeof(val));
}

static void put32(uint64_t gpa, uint32_t val)
{
	if (gpa <= FAKE_RAM_SIZE - sizeof(val))
		memcpy(&fake_ram[gpa], &val, sizeof(val));
}

static void clear_present(uint64_t gpa)
{
	fake_ram[gpa] &= (uint8_t)~P;
}

static const struct guest_paging long4 = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 | 5, .cr4 = CR4_PAE | CR4_PCIDE, .efer = EFER_LME | EFER_LMA,
};
static const struct guest_paging long5 = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = 0x10000, .cr4 = CR4_PAE | CR4_LA57, .efer = EFER_LME | EFER_LMA,
};
static const struct guest_paging pae = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = 0x6020, .cr4 = CR4_PAE,
};
static const struct guest_paging legacy = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = 0x9000 | 0x18, .cr4 = 0,	/* PWT and PCD set in CR3 */
};
static const struct guest_paging legacy_pse = {
	.cr0 = CR0_PE | CR0_PG, .cr3 = 0x9000, .cr4 = CR4_PSE,
};

static void expect_gpa(const struct guest_paging *g, uint64_t linear, uint64_t want)
{
	uint64_t gpa = NO_GPA;

	CHECK_EQ(guest_linear_to_phys(&part, g, linear, &gpa), 0);
	if (gpa != want)
		printf("  linear %#" PRIx64 "\n", linear);
	CHECK_EQ(gpa, want);
}

static void expect_fault(const struct guest_paging *g, uint64_t linear)
{
	uint64_t gpa = NO_GPA;
	int rc = guest_linear_to_phys(&part, g, linear, &gpa);

	if (rc != -HV_EFAULT)
		printf("  linear %#" PRIx64 ": got %d\n", linear, rc);
	CHECK_EQ(rc, -HV_EFAULT);
	CHECK_EQ(gpa, NO_GPA);
}

static void paging_off(void)
{
	static const struct guest_paging real = { .cr0 = 0 };
	static const struct guest_paging prot = { .cr0 = CR0_PE, .cr4 = CR4_PAE | CR4_LA57, .efer = EFER_LME };

	reset_all();
	expect_gpa(&real, 0xb8000, 0xb8000);
	expect_gpa(&prot, 0xfee00300, 0xfee00300);
	expect_gpa(&prot, 0x123456789abcULL, 0x56789abc);
}

/* The 4-level tables: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000, with 4 KiB, 2 MiB and 1 GiB leaves. */
#define L4_4K		LA4(0x1f3, 0x0a5, 0x17c, 0x0d2, 0xabc)
#define L4_2M		LA4(0x1f3, 0x0a5, 0x17d, 0x1ff, 0x321)
#define L4_1G		LA4(0x1f3, 0x0a6, 0x0f0, 0x003, 0x987)
#define L4_LOW		LA4(0x000, 0x000, 0x000, 0x0fe, 0x004)

static void build_long4(void)
{
	put64(0x1000 + 8 * 0x1f3, 0x2000 | FLAGS | HIGH_IGNORED);
	put64(0x2000 + 8 * 0x0a5, 0x3000 | FLAGS | NX);
	put64(0x3000 + 8 * 0x17c, 0x4000 | FLAGS | G);
	put64(0x4000 + 8 * 0x0d2, 0x000fedcba9876000ULL | FLAGS | NX | HIGH_IGNORED);
	put64(0x3000 + 8 * 0x17d, 0x0000000123400000ULL | FLAGS | PS | PAT_LARGE | NX);
	put64(0x2000 + 8 * 0x0a6, 0x00000040c0000000ULL | FLAGS | PS | PAT_LARGE);

	put64(0x1000, 0x5000 | P);
	put64(0x5000, 0x7000 | P);
	put64(0x7000, 0x8000 | P);
	put64(0x8000 + 8 * 0x0fe, 0xfee00000 | P);
}

static void long_mode_4_level(void)
{
	reset_all();
	build_long4();
	expect_gpa(&long4, L4_4K, 0x000fedcba9876abcULL);
	expect_gpa(&long4, L4_2M, 0x0000000123400000ULL | 0x1ff321);
	expect_gpa(&long4, L4_1G, 0x00000040c0000000ULL | 0x1e003987);
	expect_gpa(&long4, L4_LOW, 0xfee00004);
	/* Without LA57, bits 63:48 are not an index. */
	expect_gpa(&long4, L4_LOW | 0x0001000000000000ULL, 0xfee00004);
}

static void long_mode_4_level_not_present(void)
{
	static const uint64_t entries[] = {
		0x1000 + 8 * 0x1f3, 0x2000 + 8 * 0x0a5, 0x3000 + 8 * 0x17c, 0x4000 + 8 * 0x0d2,
	};

	for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
		reset_all();
		build_long4();
		clear_present(entries[i]);
		expect_fault(&long4, L4_4K);
	}
	reset_all();
	build_long4();
	clear_present(0x3000 + 8 * 0x17d);
	expect_fault(&long4, L4_2M);
	clear_present(0x2000 + 8 * 0x0a6);
	expect_fault(&long4, L4_1G);
	/* Neighbouring entries that were never written. */
	expect_fault(&long4, L4_4K + 0x1000);
	expect_fault(&long4, L4_4K + 0x40000000);
	expect_fault(&long4, LA4(0x1f2, 0x0a5, 0x17c, 0x0d2, 0));
}

/* PML5 0x10000, PML4 0x11000, PDPT 0x12000, PD 0x13000, PT 0x14000. */
#define L5_4K		LA5(0x1c2, 0x00f, 0x1e0, 0x101, 0x033, 0x5f8)
#define L5_2M		LA5(0x1c2, 0x00f, 0x1e0, 0x102, 0x1aa, 0x000)

static void build_long5(void)
{
	put64(0x10000 + 8 * 0x1c2, 0x11000 | FLAGS);
	put64(0x11000 + 8 * 0x00f, 0x12000 | FLAGS);
	put64(0x12000 + 8 * 0x1e0, 0x13000 | FLAGS);
	put64(0x13000 + 8 * 0x101, 0x14000 | FLAGS);
	put64(0x14000 + 8 * 0x033, 0x0000000abcdef000ULL | FLAGS | NX);
	put64(0x13000 + 8 * 0x102, 0x0000000000e00000ULL | FLAGS | PS);
}

static void long_mode_5_level(void)
{
	static const uint64_t entries[] = {
		0x10000 + 8 * 0x1c2, 0x11000 + 8 * 0x00f, 0x12000 + 8 * 0x1e0, 0x13000 + 8 * 0x101,
		0x14000 + 8 * 0x033,
	};

	reset_all();
	build_long5();
	expect_gpa(&long5, L5_4K, 0x0000000abcdef5f8ULL);
	expect_gpa(&long5, L5_2M, 0x0000000000e00000ULL | 0x1aa000);
	/* The same address with four levels starts at another PML4 entry. */
	expect_fault(&long4, L5_4K);

	for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
		reset_all();
		build_long5();
		clear_present(entries[i]);
		expect_fault(&long5, L5_4K);
	}
}

/* PAE: PDPT at 0x6020 (CR3 bits 31:5), PD 0x7000, PT 0x8000. */
#define PAE_4K		(3u << 30 | 0x0a4u << 21 | 0x1c7u << 12 | 0x0dcu)
#define PAE_2M		(3u << 30 | 0x0a5u << 21 | 0x12345u)

static void build_pae(void)
{
	put64(0x6020 + 8 * 3, 0x7000 | P);
	put64(0x7000 + 8 * 0x0a4, 0x8000 | FLAGS | NX);
	put64(0x8000 + 8 * 0x1c7, 0x0000000f12345000ULL | FLAGS | G | NX);
	put64(0x7000 + 8 * 0x0a5, 0x0000000200600000ULL | FLAGS | PS | PAT_LARGE);
}

static void pae_paging(void)
{
	static const uint64_t entries[] = { 0x6020 + 8 * 3, 0x7000 + 8 * 0x0a4, 0x8000 + 8 * 0x1c7 };

	reset_all();
	build_pae();
	expect_gpa(&pae, PAE_4K, 0x0000000f123450dcULL);
	expect_gpa(&pae, PAE_2M, 0x0000000200612345ULL);
	/* Bits 63:32 of the linear address are not used. */
	expect_gpa(&pae, 0xffffffff00000000ULL | PAE_4K, 0x0000000f123450dcULL);
	/* The first PDPTE is the one at CR3 bits 31:5, not at the page start. */
	expect_fault(&pae, 0x1000);

	for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
		reset_all();
		build_pae();
		clear_present(entries[i]);
		expect_fault(&pae, PAE_4K);
	}
	reset_all();
	build_pae();
	clear_present(0x7000 + 8 * 0x0a5);
	expect_fault(&pae, PAE_2M);
}

/* 32-bit paging: PD 0x9000, PT 0xa000 (and 0xb000 behind a PDE with PS but CR4.PSE clear). */
#define LEG_4K		0xfee00abcu		/* PDE 0x3fb, PTE 0x200 */
#define LEG_4M		0x8034567fu		/* PDE 0x200 */
#define LEG_PS		0x40005123u		/* PDE 0x100, PTE 0x005 */

static void build_legacy(void)
{
	put32(0x9000 + 4 * 0x3fb, 0xa000 | FLAGS);
	put32(0xa000 + 4 * 0x200, 0xfee00000 | FLAGS | 0x18);
	put32(0x9000 + 4 * 0x200, 0x12c00000 | 0x5a << 13 | FLAGS | PS | PAT_LARGE);
	put32(0x9000 + 4 * 0x100, 0xb000 | FLAGS | PS);
	put32(0xb000 + 4 * 0x005, 0x00777000 | FLAGS);
}

static void legacy_paging(void)
{
	reset_all();
	build_legacy();
	expect_gpa(&legacy, LEG_4K, 0xfee00abc);
	expect_gpa(&legacy, 0xffffffff00000000ULL | LEG_4K, 0xfee00abc);
	/* With CR4.PSE clear, PDE.PS is ignored: the PDE points to a page table. */
	expect_gpa(&legacy, LEG_PS, 0x00777123);
	/* 4 MiB page: PDE bits 31:22, and bits 20:13 as address bits 39:32 (PSE-36). */
	expect_gpa(&legacy_pse, LEG_4M, 0x0000005a12c00000ULL | 0x34567f);
	expect_gpa(&legacy_pse, LEG_4K, 0xfee00abc);
	/* With CR4.PSE set the same PDE maps a 4 MiB page: 0xb000 has bits 20:13 = 5. */
	expect_gpa(&legacy_pse, LEG_PS, 0x0000000500000000ULL | (LEG_PS & 0x3fffff));

	clear_present(0x9000 + 4 * 0x3fb);
	expect_fault(&legacy, LEG_4K);
	reset_all();
	build_legacy();
	clear_present(0xa000 + 4 * 0x200);
	expect_fault(&legacy, LEG_4K);
	clear_present(0x9000 + 4 * 0x200);
	expect_fault(&legacy_pse, LEG_4M);
	expect_fault(&legacy, 0x00400000);
}

/* A table outside guest RAM or in Vireo's memory ends the walk, even when it holds valid entries. */
static void tables_out_of_reach(void)
{
	static const uint64_t bad[] = { OUTSIDE, RAM_TOP, HV_BASE, HV_BASE + 0x1000, 0x100000000ULL,
					0x000ffffffffff000ULL };
	struct guest_paging g;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t t = bad[i];

		/* 4-level: the PD moved to t. */
		reset_all();
		build_long4();
		put64(t + 8 * 0x17c, 0x4000 | FLAGS);
		put64(t + 8 * 0x17d, 0x0000000123400000ULL | FLAGS | PS);
		put64(0x2000 + 8 * 0x0a5, t | FLAGS);
		expect_fault(&long4, L4_4K);
		expect_fault(&long4, L4_2M);
		expect_gpa(&long4, L4_1G, 0x00000040c0000000ULL | 0x1e003987);

		/* ... or the PML4 itself. */
		g = long4;
		g.cr3 = t;
		put64(t + 8 * 0x1f3, 0x2000 | FLAGS);
		expect_fault(&g, L4_1G);

		/* 5-level: the PML4. */
		reset_all();
		build_long5();
		put64(t + 8 * 0x00f, 0x12000 | FLAGS);
		put64(0x10000 + 8 * 0x1c2, t | FLAGS);
		expect_fault(&long5, L5_4K);

		/* PAE: the page table. */
		reset_all();
		build_pae();
		put64(t + 8 * 0x1c7, 0x12345000 | FLAGS);
		put64(0x7000 + 8 * 0x0a4, t | FLAGS);
		expect_fault(&pae, PAE_4K);

		/* CR3 of PAE and 32-bit paging has 32 bits. */
		if (t > 0xffffffffULL)
			continue;

		/* PAE: the PDPT. */
		g = pae;
		g.cr3 = t | 0x20;
		put64(t + 0x20 + 8 * 3, 0x7000 | P);
		expect_fault(&g, PAE_4K);

		/* 32-bit: the page directory, then the page table. */
		reset_all();
		build_legacy();
		g = legacy;
		g.cr3 = t;
		put32(t + 4 * 0x3fb, 0xa000 | FLAGS);
		expect_fault(&g, LEG_4K);
		put32(t + 4 * 0x200, 0xfee00000 | FLAGS);
		put32(0x9000 + 4 * 0x3fb, (uint32_t)t | FLAGS);
		expect_fault(&legacy, LEG_4K);
	}
}

/* The entry just below Vireo's range is read; the first one in it is not. */
static void table_next_to_hv_range(void)
{
	reset_all();
	put64(0x1000, (HV_BASE - 0x1000) | P);
	put64(HV_BASE - 8, 0x2000 | P);
	put64(0x2000, 0x3000 | P);
	put64(0x3000, 0x1234000 | P);
	put64(0x1000 + 8, HV_BASE | P);
	put64(HV_BASE, 0x2000 | P);
	expect_gpa(&long4, LA4(0x000, 0x1ff, 0, 0, 0x10), 0x1234010);
	expect_fault(&long4, LA4(0x001, 0x000, 0, 0, 0x10));
}

int main(void)
{
	RUN("guest_walk", paging_off);
	RUN("guest_walk", long_mode_4_level);
	RUN("guest_walk", long_mode_4_level_not_present);
	RUN("guest_walk", long_mode_5_level);
	RUN("guest_walk", pae_paging);
	RUN("guest_walk", legacy_paging);
	RUN("guest_walk", tables_out_of_reach);
	RUN("guest_walk", table_next_to_hv_range);
	return test_suite_failures != 0;
}
