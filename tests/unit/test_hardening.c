/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest's addresses. The guest chooses every guest-physical address
 * a hypercall or the HYPERCALL MSR hands Vireo; each must be refused with the
 * TLFS status (or #GP) when it leaves guest RAM, reaches Vireo's memory or
 * straddles a page, and Vireo's memory must keep its contents whatever the
 * guest asked. Today's one memory-based call, HvCallNotifyLongSpinWait in its
 * memory form, checks its 8-byte input block and reads nothing; the HYPERCALL
 * MSR is the one guest-directed write (the 4-byte hypercall stub).
 */
#include "hv/errno.h"
#include "hv/exit.h"
#include "hv/gmem.h"
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

#define GUEST_OS_ID	0x40000000u
#define HYPERCALL	0x40000001u
#define HC_PAGE		0x5000ULL
#define NOTIFY		0x0008ULL

#define SUCCESS			0
#define INVALID_ALIGNMENT	4
#define INVALID_PARAMETER	5

#define HV_FILL		0xa5

/* Vireo's ranges: at page 0, in the middle of RAM, one byte long, and the last page of RAM. */
static const struct mem_range hv_ranges[] = {
	{ 0x0000, 0x1000 },
	{ 0x9000, 0x3000 },
	{ 0x20008, 0x1 },
	{ FAKE_RAM_SIZE - 0x1000, 0x1000 },
};

static struct vir_fixture f;

static struct vcpu *setup(void)
{
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE_FREQ);

	for (size_t i = 0; i < ARRAY_SIZE(hv_ranges); i++) {
		CHECK_EQ(part_add_hv_range(&f.part, hv_ranges[i].base, hv_ranges[i].size), 0);
		memset(&fake_ram[hv_ranges[i].base], HV_FILL, hv_ranges[i].size);
	}
	return v;
}

static bool hv_memory_intact(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(hv_ranges); i++)
		for (uint64_t a = hv_ranges[i].base; a < hv_ranges[i].base + hv_ranges[i].size; a++)
			if (fake_ram[a] != HV_FILL)
				return false;
	return true;
}

static void enable_page(struct vcpu *v)
{
	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, 0x8100000000010000ULL), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | 1), MSR_DONE);
}

/* The memory form of HvCallNotifyLongSpinWait from a 64-bit caller: RDX is the input block's GPA. */
static void input_block_64(void)
{
	static const struct {
		const char *what;
		uint64_t gpa;
		uint64_t status;
	} cases[] = {
		{ "page 0, Vireo's", 0x0000, INVALID_PARAMETER },
		{ "first qword after Vireo's page 0", 0x1000, SUCCESS },
		{ "last qword before a range", 0x8ff8, SUCCESS },
		{ "first qword of a range", 0x9000, INVALID_PARAMETER },
		{ "inside a range, second page", 0xa800, INVALID_PARAMETER },
		{ "last qword of a range", 0xbff8, INVALID_PARAMETER },
		{ "first qword after a range", 0xc000, SUCCESS },
		{ "qword holding a one-byte range", 0x20008, INVALID_PARAMETER },
		{ "qword ending just before a one-byte range", 0x20000, SUCCESS },
		{ "qword starting just after a one-byte range", 0x20010, SUCCESS },
		{ "last qword before Vireo's last page", FAKE_RAM_SIZE - 0x1008, SUCCESS },
		{ "last qword of RAM, Vireo's", FAKE_RAM_SIZE - 8, INVALID_PARAMETER },
		{ "just beyond RAM", FAKE_RAM_SIZE, INVALID_PARAMETER },
		{ "beyond RAM, 4 GiB", 0x100000000ULL, INVALID_PARAMETER },
		{ "bit 63", 0x8000000000000000ULL, INVALID_PARAMETER },
		{ "would wrap around", 0xfffffffffffffff8ULL, INVALID_PARAMETER },
		{ "straddles two pages", 0x6ffc, INVALID_ALIGNMENT },
		{ "straddles into a range", 0x8ffc, INVALID_ALIGNMENT },
		{ "straddles out of RAM", FAKE_RAM_SIZE - 4, INVALID_ALIGNMENT },
		{ "unaligned in a range", 0x9001, INVALID_ALIGNMENT },
		{ "unaligned at the top", 0xffffffffffffffffULL, INVALID_ALIGNMENT },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup();
		int failures = test_case_failures;

		enable_page(v);
		f.regs.rcx = NOTIFY;
		f.regs.rdx = cases[i].gpa;
		f.regs.r8 = 0x9000;	/* no output block: its GPA is never looked at */
		CHECK(vir_hypercall(v));
		CHECK(!v->event.valid);
		CHECK_EQ(f.regs.rax, cases[i].status);
		CHECK(hv_memory_intact());
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

/* A 32-bit caller: EBX:ECX is the input GPA, so the high half can reach past 4 GiB too. */
static void input_block_32(void)
{
	static const struct {
		uint32_t ebx, ecx;
		uint64_t status;
	} cases[] = {
		{ 0, 0x6000, SUCCESS },
		{ 0, 0x9000, INVALID_PARAMETER },
		{ 0, 0x20008, INVALID_PARAMETER },
		{ 1, 0x6000, INVALID_PARAMETER },
		{ 0xffffffff, 0xfffffff8, INVALID_PARAMETER },
		{ 0, 0x6ffc, INVALID_ALIGNMENT },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup();

		enable_page(v);
		fake_guest_mode = GUEST_MODE_PROTECTED;
		f.regs = (struct guest_regs){ .rax = NOTIFY, .rbx = cases[i].ebx, .rcx = cases[i].ecx };
		CHECK(vir_hypercall(v));
		CHECK_EQ(f.regs.rax, cases[i].status);
		CHECK_EQ(f.regs.rdx, 0);
		CHECK(hv_memory_intact());
	}
}

/* With every one of the MAX_HV_RANGES slots in use, the last still protects its memory. */
static void every_range_checked(void)
{
	struct vcpu *v = setup();
	uint64_t last = 0;

	for (unsigned int i = ARRAY_SIZE(hv_ranges); i < MAX_HV_RANGES; i++) {
		last = 0x40000 + i * 0x2000ULL;
		CHECK_EQ(part_add_hv_range(&f.part, last, 0x1000), 0);
	}
	CHECK_EQ(f.part.nr_hv_mem, MAX_HV_RANGES);
	CHECK_EQ(part_add_hv_range(&f.part, last + 0x2000, 0x1000), -HV_ENOSPC);
	enable_page(v);
	f.regs.rcx = NOTIFY;
	f.regs.rdx = last + 0xff8;
	CHECK(vir_hypercall(v));
	CHECK_EQ(f.regs.rax, INVALID_PARAMETER);
	f.regs.rdx = last + 0x1000;
	CHECK(vir_hypercall(v));
	CHECK_EQ(f.regs.rax, SUCCESS);
}

/*
 * HYPERCALL = GPFN | enable makes Vireo write its 4-byte stub at the page:
 * a page outside RAM or on Vireo's memory is refused with #GP (through the
 * WRMSR exit), the MSR keeps its old value and nothing is written.
 */
static void hypercall_page_placement(void)
{
	static const struct {
		const char *what;
		uint64_t gpa;
		bool ok;
	} cases[] = {
		{ "guest page", 0x6000, true },
		{ "page 0, Vireo's", 0x0000, false },
		{ "a range's first page", 0x9000, false },
		{ "a range's last page", 0xb000, false },
		{ "the page after a range", 0xc000, true },
		{ "page holding a one-byte range at offset 8", 0x20000, true },
		{ "last page of RAM, Vireo's", FAKE_RAM_SIZE - 0x1000, false },
		{ "first page beyond RAM", FAKE_RAM_SIZE, false },
		{ "4 GiB", 0x100000000ULL, false },
		{ "top page of the address space", 0xfffffffffffff000ULL, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup();
		int failures = test_case_failures;
		uint64_t val = cases[i].gpa | 1;

		CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, 0x8100000000010000ULL), MSR_DONE);
		CHECK_EQ(vir_wrmsr(v, HYPERCALL, 0x3000), MSR_DONE);	/* an earlier, disabled value */
		v->exit_reason = EXIT_REASON_MSR_WRITE;
		v->instr_len = 2;
		v->rip = 0x1000;
		f.regs.rcx = HYPERCALL;
		f.regs.rax = (uint32_t)val;
		f.regs.rdx = val >> 32;
		CHECK_EQ(exit_dispatch(v), EXIT_RESUME);
		CHECK_EQ(v->event.valid, !cases[i].ok);
		CHECK_EQ(f.part.vir.hypercall, cases[i].ok ? val : 0x3000);
		if (cases[i].ok)
			CHECK(!memcmp(&fake_ram[cases[i].gpa], "\x0f\x01\xc1\xc3", 4));
		CHECK(hv_memory_intact());
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

int main(void)
{
	RUN("hardening", input_block_64);
	RUN("hardening", input_block_32);
	RUN("hardening", every_range_checked);
	RUN("hardening", hypercall_page_placement);
	return test_suite_failures != 0;
}
