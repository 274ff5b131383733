/* SPDX-License-Identifier: MIT */
/* CR0 and CR4 under VMX (arch/x86/cr.c): who owns which bit, what the guest reads, when MOV to CRn faults. */
#include "arch/x86/cr.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

/* The fixed bits of a Haswell (and of Bochs' model of one). */
#define CR0_FIXED0	0x80000021ULL		/* PG, NE, PE */
#define CR0_FIXED1	0xffffffffULL
#define CR4_FIXED0	0x2000ULL		/* VMXE */
#define CR4_FIXED1	0x1727ffULL

static const struct vmx_caps unrestricted = {
	.cr0_fixed0 = CR0_FIXED0, .cr0_fixed1 = CR0_FIXED1, .cr4_fixed0 = CR4_FIXED0, .cr4_fixed1 = CR4_FIXED1,
	.secondary = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST,
};

static const struct vmx_caps restricted = {
	.cr0_fixed0 = CR0_FIXED0, .cr0_fixed1 = CR0_FIXED1, .cr4_fixed0 = CR4_FIXED0, .cr4_fixed1 = CR4_FIXED1,
};

static void owned_bits(void)
{
	/* NE, ET, the reserved bits and those above 31 are Vireo's; PE and PG only without unrestricted guest. */
	CHECK_EQ(cr0_host_owned(&unrestricted), 0xffffffff1ffafff0ULL);
	CHECK_EQ(cr0_host_owned(&restricted), 0xffffffff1ffafff0ULL | X86_CR0_PE | X86_CR0_PG);
	CHECK(!(cr0_host_owned(&unrestricted) & (X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_WP | X86_CR0_AM)));
	/* VMXE and every bit the processor cannot set. */
	CHECK_EQ(cr4_host_owned(&unrestricted), ~CR4_FIXED1 | X86_CR4_VMXE);
	CHECK(!(cr4_host_owned(&unrestricted) & (X86_CR4_OSXSAVE | X86_CR4_PAE | X86_CR4_SMEP)));
}

static void guest_view(void)
{
	uint64_t owned = cr0_host_owned(&unrestricted);

	/* The register runs with NE set; the guest cleared it and reads it clear, its own bits from the register. */
	CHECK_EQ(cr_guest_view(0x80050033, 0x80010013, owned), 0x80050013);
	CHECK_EQ(cr_guest_view(0x80050033, 0x80010033, owned), 0x80050033);
	/* PE is the guest's with unrestricted guest: a stale shadow does not matter. */
	CHECK_EQ(cr_guest_view(0x30, 0x31, owned) & X86_CR0_PE, 0);
	CHECK_EQ(cr_guest_view(0x2668, 0x668, cr4_host_owned(&unrestricted)), 0x668);
}

static void cr0_loads(void)
{
	/* The reserved bits stay clear and ET set: what bare hardware reads back after the write. */
	CHECK_EQ(cr0_loaded(0x80010001), 0x80010011);
	CHECK_EQ(cr0_loaded(0x8001fff3), 0x80010033);
	CHECK_EQ(cr0_loaded(0x9ffffff3), 0x80050033);
	CHECK_EQ(cr0_loaded(0xe005003f), 0xe005003f);
}

#define LONG_MODE	{ .cr0 = 0x80010033, .cr4 = 0x668, .efer = X86_EFER_LME | X86_EFER_LMA, .cs_l = true }
#define COMPAT_MODE	{ .cr0 = 0x80010033, .cr4 = 0x668, .efer = X86_EFER_LME | X86_EFER_LMA }
#define PROT_NOPAGING	{ .cr0 = 0x00000033, .cr4 = 0x020, .efer = X86_EFER_LME }
#define PROT_PAE	{ .cr0 = 0x80000033, .cr4 = 0x020 }

static void cr0_writes(void)
{
	static const struct {
		struct cr_state s;
		uint64_t value;
		bool faults;
	} cases[] = {
		{ LONG_MODE, 0x80010013, false },		/* NE clear */
		{ LONG_MODE, 0x80010001, false },		/* PG, WP, PE alone */
		{ LONG_MODE, 0x80010023, false },		/* ET clear: ignored */
		{ LONG_MODE, 0x8001fff3, false },		/* reserved bits 15:6: ignored */
		{ LONG_MODE, 0xe0010033, false },		/* CD and NW */
		{ LONG_MODE, 0x40010033 | X86_CR0_PG, false },	/* CD alone */
		{ LONG_MODE, 0xa0010033, true },		/* NW without CD */
		{ LONG_MODE, 0x180010033ULL, true },		/* bit 32 */
		{ LONG_MODE, 0x8000000080010033ULL, true },	/* bit 63 */
		{ LONG_MODE, 0x80010032, true },		/* PG without PE */
		{ LONG_MODE, 0x00010033, true },		/* paging off in 64-bit mode */
		{ COMPAT_MODE, 0x00010033, false },		/* ... allowed from compatibility mode */
		{ { .cr0 = 0x80010033, .cr4 = 0x20668, .efer = X86_EFER_LME | X86_EFER_LMA }, 0x00010033, true },
		{ PROT_NOPAGING, 0x80000033, false },		/* IA-32e mode on */
		{ { .cr0 = 0x33, .efer = X86_EFER_LME }, 0x80000033, true },		/* ... without PAE */
		{ { .cr0 = 0x33, .cr4 = 0x20, .efer = X86_EFER_LME, .cs_l = true }, 0x80000033, true },
		{ { .cr0 = 0x33 }, 0x80000033, false },		/* 32-bit paging */
		{ { .cr0 = 0x33 }, 0x00000000, false },		/* real mode, everything clear */
		{ PROT_PAE, 0x80000013, false },
		{ { .cr0 = 0x80010033, .cr4 = X86_CR4_CET | 0x20 }, 0x80000033, true },	/* WP clear with CET */
		{ { .cr0 = 0x80010033, .cr4 = X86_CR4_CET | 0x20 }, 0x80010013, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cr0_write_faults(&cases[i].s, cases[i].value) != cases[i].faults)
			printf("  case %zu: cr0 %#llx -> %#llx\n", i, (unsigned long long)cases[i].s.cr0,
			       (unsigned long long)cases[i].value);
		CHECK_EQ(cr0_write_faults(&cases[i].s, cases[i].value), cases[i].faults);
	}
}

static void cr4_writes(void)
{
	uint64_t allowed = CR4_FIXED1 & ~(uint64_t)X86_CR4_VMXE;
	static const struct {
		struct cr_state s;
		uint64_t value;
		bool faults;
	} cases[] = {
		{ LONG_MODE, 0x668 | X86_CR4_OSXSAVE, false },
		{ LONG_MODE, 0x668 | X86_CR4_SMEP, false },
		{ LONG_MODE, 0x668 | X86_CR4_VMXE, true },	/* VMX is hidden */
		{ LONG_MODE, 0xffffffff, true },		/* reserved bits */
		{ LONG_MODE, 0x668 | BIT(63), true },
		{ LONG_MODE, 0x648, true },			/* PAE clear in IA-32e mode */
		{ LONG_MODE, 0x668 | X86_CR4_LA57, true },	/* LA57 changed in IA-32e mode */
		{ LONG_MODE, 0x668 | X86_CR4_PCIDE, false },
		{ { .cr0 = 0x80010033, .cr3 = 0x1008, .cr4 = 0x668, .efer = X86_EFER_LME | X86_EFER_LMA, .cs_l = true },
		  0x668 | X86_CR4_PCIDE, true },		/* CR3[11:0] not 0 */
		{ PROT_PAE, 0x20 | X86_CR4_PCIDE, true },	/* PCIDE outside IA-32e mode */
		{ PROT_PAE, 0x00, false },			/* PAE off outside IA-32e mode */
		{ { .cr0 = 0x80000033, .cr4 = 0x20 }, 0x20 | X86_CR4_CET, true },		/* CET needs WP */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cr4_write_faults(&cases[i].s, cases[i].value, allowed | X86_CR4_CET) != cases[i].faults)
			printf("  case %zu: cr4 %#llx -> %#llx\n", i, (unsigned long long)cases[i].s.cr4,
			       (unsigned long long)cases[i].value);
		CHECK_EQ(cr4_write_faults(&cases[i].s, cases[i].value, allowed | X86_CR4_CET), cases[i].faults);
	}
}

static void pdpte_loads(void)
{
	/* Entering PAE paging, or changing CD/NW/PG/PAE/PGE/PSE/SMEP under it, loads the PDPTEs. */
	CHECK(cr_write_loads_pdptes(0x33, 0x80000033, 0x20, 0x20, 0));
	CHECK(cr_write_loads_pdptes(0x80000033, 0xc0000033, 0x20, 0x20, 0));
	CHECK(cr_write_loads_pdptes(0x80000033, 0x80000033, 0x20, 0xa0, 0));
	CHECK(cr_write_loads_pdptes(0x80000033, 0x80000033, 0x00, 0x20, 0));
	/* NE or WP alone does not; nor does anything outside PAE paging. */
	CHECK(!cr_write_loads_pdptes(0x80000033, 0x80000013, 0x20, 0x20, 0));
	CHECK(!cr_write_loads_pdptes(0x80000033, 0x80010033, 0x20, 0x20, 0));
	CHECK(!cr_write_loads_pdptes(0x33, 0x80000033, 0x20, 0x20, X86_EFER_LME | X86_EFER_LMA));
	CHECK(!cr_write_loads_pdptes(0x33, 0x80000033, 0x00, 0x00, 0));
	CHECK(!cr_write_loads_pdptes(0x80000033, 0x33, 0x20, 0x20, 0));

	CHECK(cr_pdpte_valid(0, 36));
	CHECK(cr_pdpte_valid(0xffffffffffffffeULL, 36));	/* not present: anything goes */
	CHECK(cr_pdpte_valid(0x12345001, 36));
	CHECK(cr_pdpte_valid(0x0000000fff000001ULL, 36));
	CHECK(!cr_pdpte_valid(0x0000001000000001ULL, 36));	/* beyond MAXPHYADDR */
	CHECK(cr_pdpte_valid(0x0000001000000001ULL, 40));
	CHECK(!cr_pdpte_valid(0x12345003, 36));			/* bit 1 */
	CHECK(!cr_pdpte_valid(0x12345021, 36));			/* bit 5 */
	CHECK(!cr_pdpte_valid(0x12345101, 36));			/* bit 8 */
	CHECK(cr_pdpte_valid(0x12345019, 36));			/* PWT, PCD */
	CHECK(!cr_pdpte_valid(0x8000000012345001ULL, 52));	/* XD is reserved in a PDPTE */
}

int main(void)
{
	RUN("cr", owned_bits);
	RUN("cr", cr0_loads);
	RUN("cr", guest_view);
	RUN("cr", cr0_writes);
	RUN("cr", cr4_writes);
	RUN("cr", pdpte_loads);
	return test_suite_failures != 0;
}
