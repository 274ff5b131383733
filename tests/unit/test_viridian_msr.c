/* SPDX-License-Identifier: MIT */
/* The synthetic MSRs: range, gates by group, access modes, reserved bits, the hypercall page and the APIC MSRs. */
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

#define GUEST_OS_ID	0x40000000u
#define HYPERCALL	0x40000001u
#define VP_INDEX	0x40000002u
#define TSC_FREQUENCY	0x40000022u
#define APIC_FREQUENCY	0x40000023u
#define EOI		0x40000070u
#define ICR		0x40000071u
#define TPR		0x40000072u
#define VP_ASSIST	0x40000073u

/* What Linux 6.8 writes: vendor 0x8100 in bits 63:48, its version code 0x060800 from bit 16. */
#define LINUX_OS_ID	0x8100000608000000ULL
#define HC_PAGE		0x5000ULL
#define HC_ENABLE	0x1ULL
#define HC_LOCKED	0x2ULL

static const struct vf_mask masks[] = { VF_OFF, VF_BASE, VF_BASE_FREQ };

static void outside_range(void)
{
	static const uint32_t msrs[] = { 0x10, 0x1B, 0xC0000080, 0x3FFFFFFF, 0x40010000, 0x4FFFFFFF };
	struct vir_fixture f;

	for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
		struct vcpu *v = vf_init(&f, masks[m]);

		for (size_t i = 0; i < ARRAY_SIZE(msrs); i++) {
			uint64_t val = 0x1234;

			CHECK_EQ(vir_rdmsr(v, msrs[i], &val), MSR_NOT_VIRIDIAN);
			CHECK_EQ(val, 0x1234);
			CHECK_EQ(vir_wrmsr(v, msrs[i], 0), MSR_NOT_VIRIDIAN);
		}
	}
}

/*
 * Every access a guest can try, for every mask: which ones are carried out.
 * The values read are those of a fresh partition (see vf_init); writes use
 * a value that is valid for the MSR, so only the gate and the access mode
 * decide.
 */
enum { RD, WR };

static void access_matrix(void)
{
	static const struct {
		uint32_t msr;
		int op;
		uint64_t wval;
		/* result and value read with masks off, base, base+freq */
		enum msr_result res[3];
		uint64_t rval;
	} cases[] = {
		{ GUEST_OS_ID, RD, 0, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ GUEST_OS_ID, WR, LINUX_OS_ID, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ HYPERCALL, RD, 0, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ HYPERCALL, WR, HC_PAGE, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ VP_INDEX, RD, 0, { MSR_FAULT, MSR_DONE, MSR_DONE }, VF_VP_INDEX },
		{ VP_INDEX, WR, VF_VP_INDEX, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ TSC_FREQUENCY, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_DONE }, VF_TSC_HZ },
		{ TSC_FREQUENCY, WR, VF_TSC_HZ, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ APIC_FREQUENCY, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_DONE }, VF_APIC_HZ },
		{ APIC_FREQUENCY, WR, VF_APIC_HZ, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ EOI, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ EOI, WR, 0, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ ICR, RD, 0, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ ICR, WR, 0x4041, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ TPR, RD, 0, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ TPR, WR, 0x20, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ VP_ASSIST, RD, 0, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		{ VP_ASSIST, WR, 0x1001, { MSR_FAULT, MSR_DONE, MSR_DONE }, 0 },
		/*
		 * Not in these masks (TIME_REF_COUNT, REFERENCE_TSC, TSC_INVARIANT_CONTROL:
		 * test_viridian_time.c) or not implemented: RESET, VP_RUNTIME, SCONTROL,
		 * CRASH_CTL, the last one.
		 */
		{ 0x40000003, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000003, WR, 1, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000010, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000020, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000021, WR, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000118, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000118, WR, 1, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000080, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000080, WR, 1, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x40000105, RD, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
		{ 0x4000FFFF, WR, 0, { MSR_FAULT, MSR_FAULT, MSR_FAULT }, 0 },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
			struct vcpu *v = vf_init(&f, masks[m]);
			int failures = test_case_failures;
			uint64_t val = 0xdead;

			if (cases[i].op == RD) {
				CHECK_EQ(vir_rdmsr(v, cases[i].msr, &val), cases[i].res[m]);
				CHECK_EQ(val, cases[i].res[m] == MSR_DONE ? cases[i].rval : 0xdead);
			} else {
				CHECK_EQ(vir_wrmsr(v, cases[i].msr, cases[i].wval), cases[i].res[m]);
			}
			/* A refused access reaches neither the partition state nor the APIC. */
			if (cases[i].res[m] == MSR_FAULT) {
				CHECK_EQ(f.part.vir.guest_os_id, 0);
				CHECK_EQ(f.part.vir.hypercall, 0);
				CHECK_EQ(fake_apic.eoi_count, 0);
				CHECK_EQ(fake_apic.icr, 0);
				CHECK_EQ(fake_apic.tpr, 0);
			}
			if (test_case_failures != failures)
				printf("  in case %s of MSR 0x%" PRIx32 ", mask %s\n", cases[i].op == RD ? "read" : "write",
				       cases[i].msr, masks[m].name);
		}
	}
}

static void guest_os_id_partition_wide(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);
	uint64_t val = 0;

	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	CHECK_EQ(vir_rdmsr(v, GUEST_OS_ID, &val), MSR_DONE);
	CHECK_EQ(val, LINUX_OS_ID);
	CHECK_EQ(vir_rdmsr(&f.vcpu_b, GUEST_OS_ID, &val), MSR_DONE);
	CHECK_EQ(val, LINUX_OS_ID);
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, GUEST_OS_ID, 0x1234), MSR_DONE);
	CHECK_EQ(vir_rdmsr(v, GUEST_OS_ID, &val), MSR_DONE);
	CHECK_EQ(val, 0x1234);
}

static void vp_index_per_vp(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);
	uint64_t val = 0;

	CHECK_EQ(vir_rdmsr(v, VP_INDEX, &val), MSR_DONE);
	CHECK_EQ(val, VF_VP_INDEX);
	CHECK_EQ(vir_rdmsr(&f.vcpu_b, VP_INDEX, &val), MSR_DONE);
	CHECK_EQ(val, VF_VP_INDEX_B);
	CHECK_EQ(vir_wrmsr(v, VP_INDEX, 5), MSR_FAULT);
	CHECK_EQ(vir_rdmsr(v, VP_INDEX, &val), MSR_DONE);
	CHECK_EQ(val, VF_VP_INDEX);
}

static const uint8_t stub[] = { 0x0f, 0x01, 0xc1, 0xc3 };

static uint64_t read_hypercall(struct vcpu *v)
{
	uint64_t val = 0xdead;

	CHECK_EQ(vir_rdmsr(v, HYPERCALL, &val), MSR_DONE);
	return val;
}

static bool stub_at(uint64_t gpa)
{
	return !memcmp(&fake_ram[gpa], stub, sizeof(stub));
}

static bool page_untouched(uint64_t gpa)
{
	for (uint64_t i = 0; i < 4096; i++)
		if (fake_ram[gpa + i])
			return false;
	return true;
}

static void hypercall_needs_guest_os_id(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);

	/* No identity yet: enable stays 0, the GPFN is kept, no stub. */
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_ENABLE), MSR_DONE);
	CHECK_EQ(read_hypercall(v), HC_PAGE);
	CHECK(page_untouched(HC_PAGE));

	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	CHECK_EQ(read_hypercall(v), HC_PAGE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_ENABLE), MSR_DONE);
	CHECK_EQ(read_hypercall(v), HC_PAGE | HC_ENABLE);
	CHECK(stub_at(HC_PAGE));
	CHECK_EQ(fake_ram[HC_PAGE + 4], 0);
	CHECK_EQ(fake_ram[HC_PAGE - 1], 0);

	/* Partition-wide: the other VP sees the same value. */
	CHECK_EQ(read_hypercall(&f.vcpu_b), HC_PAGE | HC_ENABLE);

	/* Clearing the identity disables the page and keeps the rest. */
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, GUEST_OS_ID, 0), MSR_DONE);
	CHECK_EQ(read_hypercall(v), HC_PAGE);
	/* A non-zero identity does not re-enable it. */
	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	CHECK_EQ(read_hypercall(v), HC_PAGE);
}

static void hypercall_move_and_disable(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE_FREQ);

	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_ENABLE), MSR_DONE);
	CHECK(stub_at(HC_PAGE));
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, 0xFF000 | HC_ENABLE), MSR_DONE);
	CHECK_EQ(read_hypercall(v), 0xFF000 | HC_ENABLE);
	CHECK(stub_at(0xFF000));

	/* Disabling writes nothing. */
	memset(fake_ram, 0, sizeof(fake_ram));
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, 0x7000), MSR_DONE);
	CHECK_EQ(read_hypercall(v), 0x7000);
	CHECK(page_untouched(0x7000));
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, 0), MSR_DONE);
	CHECK_EQ(read_hypercall(v), 0);
}

static void hypercall_reserved_bits(void)
{
	static const uint64_t bad[] = { BIT(2), BIT(3), BIT(10), BIT(11), 0xFFC };
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);

	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(fake_ram, 0, sizeof(fake_ram));
		CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_ENABLE | bad[i]), MSR_FAULT);
		CHECK_EQ(read_hypercall(v), 0);
		CHECK(page_untouched(HC_PAGE));
	}
}

/* A page gmem refuses (beyond guest RAM, or on Vireo's memory) faults and leaves the MSR as it was. */
static void hypercall_bad_page(void)
{
	static const uint64_t bad[] = {
		FAKE_RAM_SIZE,
		FAKE_RAM_SIZE + 0x1000,
		0xFFFFFFFFFFFFF000ULL,
		0x9000,		/* Vireo's memory, below */
	};
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);

	f.part.hv_mem[0] = (struct mem_range){ 0x9000, 0x1000 };
	f.part.nr_hv_mem = 1;
	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_ENABLE), MSR_DONE);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(vir_wrmsr(v, HYPERCALL, bad[i] | HC_ENABLE), MSR_FAULT);
		CHECK_EQ(read_hypercall(v), HC_PAGE | HC_ENABLE);
		/* Disabled, the same GPFN is only stored. */
		CHECK_EQ(vir_wrmsr(v, HYPERCALL, bad[i]), MSR_DONE);
		CHECK_EQ(read_hypercall(v), bad[i]);
		CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_ENABLE), MSR_DONE);
	}
	CHECK(page_untouched(0x9000));
	/* The last page of guest RAM is fine. */
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, (FAKE_RAM_SIZE - 0x1000) | HC_ENABLE), MSR_DONE);
	CHECK(stub_at(FAKE_RAM_SIZE - 0x1000));
}

static void hypercall_locked(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);

	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_LOCKED | HC_ENABLE), MSR_DONE);
	CHECK_EQ(read_hypercall(v), HC_PAGE | HC_LOCKED | HC_ENABLE);
	CHECK(stub_at(HC_PAGE));

	CHECK_EQ(vir_wrmsr(v, HYPERCALL, 0x6000 | HC_LOCKED | HC_ENABLE), MSR_FAULT);
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, HYPERCALL, HC_PAGE | HC_LOCKED | HC_ENABLE), MSR_FAULT);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, 0), MSR_FAULT);
	CHECK_EQ(read_hypercall(v), HC_PAGE | HC_LOCKED | HC_ENABLE);
	CHECK(page_untouched(0x6000));

	/* Clearing the identity still disables a locked page; the lock stays. */
	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, 0), MSR_DONE);
	CHECK_EQ(read_hypercall(v), HC_PAGE | HC_LOCKED);
	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_LOCKED | HC_ENABLE), MSR_FAULT);
	CHECK_EQ(read_hypercall(v), HC_PAGE | HC_LOCKED);
}

/* Locked without an identity: the page stays disabled for good. */
static void hypercall_locked_disabled(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);

	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_LOCKED | HC_ENABLE), MSR_DONE);
	CHECK_EQ(read_hypercall(v), HC_PAGE | HC_LOCKED);
	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, LINUX_OS_ID), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | HC_ENABLE), MSR_FAULT);
	CHECK_EQ(read_hypercall(v), HC_PAGE | HC_LOCKED);
	CHECK(page_untouched(HC_PAGE));
}

static void frequencies(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE_FREQ);
	uint64_t val = 0;

	f.part.tsc_hz = 3000000123ULL;
	f.part.apic_hz = 25000000;
	CHECK_EQ(vir_rdmsr(v, TSC_FREQUENCY, &val), MSR_DONE);
	CHECK_EQ(val, 3000000123ULL);
	CHECK_EQ(vir_rdmsr(&f.vcpu_b, APIC_FREQUENCY, &val), MSR_DONE);
	CHECK_EQ(val, 25000000);
	CHECK_EQ(vir_wrmsr(v, TSC_FREQUENCY, 1), MSR_FAULT);
	CHECK_EQ(vir_wrmsr(v, APIC_FREQUENCY, 1), MSR_FAULT);
	CHECK_EQ(f.part.tsc_hz, 3000000123ULL);
	CHECK_EQ(f.part.apic_hz, 25000000);
}

/*
 * VP_ASSIST_PAGE, under base: per VP, enable and GPFN, bits 11:1 kept as
 * written. Enabling clears the EOI-assist word at offset 0 and nothing else;
 * a page outside guest RAM or on Vireo's memory faults, logged, and leaves
 * the MSR as it was.
 */
#define ASSIST_PAGE	0x6000ULL

static uint64_t read_vp_assist(struct vcpu *v)
{
	uint64_t val = 0xdead;

	CHECK_EQ(vir_rdmsr(v, VP_ASSIST, &val), MSR_DONE);
	return val;
}

static void vp_assist_page(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);

	memset(&fake_ram[ASSIST_PAGE], 0xff, 4096);
	CHECK_EQ(read_vp_assist(v), 0);
	CHECK_EQ(vir_wrmsr(v, VP_ASSIST, ASSIST_PAGE | 1), MSR_DONE);
	CHECK_EQ(read_vp_assist(v), ASSIST_PAGE | 1);
	for (uint64_t i = 0; i < 4096; i++)
		CHECK_EQ(fake_ram[ASSIST_PAGE + i], i < 4 ? 0 : 0xff);
	CHECK_EQ(fake_ram[ASSIST_PAGE - 1], 0);

	/* Per VP: the other one has its own, still 0. */
	CHECK_EQ(read_vp_assist(&f.vcpu_b), 0);
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, VP_ASSIST, 0x7000 | 0xffe | 1), MSR_DONE);
	CHECK_EQ(read_vp_assist(&f.vcpu_b), 0x7000 | 0xffe | 1);
	CHECK_EQ(read_vp_assist(v), ASSIST_PAGE | 1);

	/* Disabled, the GPFN is only stored; what the guest wrote in the page stays. */
	fake_ram[ASSIST_PAGE] = 1;
	CHECK_EQ(vir_wrmsr(v, VP_ASSIST, ASSIST_PAGE), MSR_DONE);
	CHECK_EQ(read_vp_assist(v), ASSIST_PAGE);
	CHECK_EQ(fake_ram[ASSIST_PAGE], 1);
	CHECK_EQ(vir_wrmsr(v, VP_ASSIST, 0), MSR_DONE);
	CHECK_EQ(read_vp_assist(v), 0);
}

static void vp_assist_bad_page(void)
{
	struct vir_fixture f;

	vf_init(&f, (struct vf_mask)VF_BASE_FREQ);
	vf_page_msr_refused(&f, &f.vcpu, VP_ASSIST, "VP_ASSIST_PAGE", ASSIST_PAGE);
}

static void eoi(void)
{
	static const struct {
		uint64_t val;
		enum msr_result res;
	} cases[] = {
		{ 0, MSR_DONE },
		{ 0x1234, MSR_DONE },
		{ 0xFFFFFFFF, MSR_DONE },
		{ BIT(32), MSR_FAULT },
		{ BIT(63) | 0x10, MSR_FAULT },
		{ 0xFFFFFFFF00000000ULL, MSR_FAULT },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);

		fake_apic.last_eoi = 0xAAAA;
		CHECK_EQ(vir_wrmsr(v, EOI, cases[i].val), cases[i].res);
		CHECK_EQ(fake_apic.eoi_count, cases[i].res == MSR_DONE);
		CHECK_EQ(fake_apic.last_eoi, cases[i].res == MSR_DONE ? cases[i].val : 0xAAAA);
	}
}

/* The xAPIC ICR pair: writable fields pass through, every other bit faults. */
static void icr(void)
{
	static const struct {
		uint64_t val;
		enum msr_result res;
	} cases[] = {
		{ 0x00000000000000FFULL, MSR_DONE },	/* vector */
		{ 0x0000000000000700ULL, MSR_DONE },	/* delivery mode */
		{ 0x0000000000000800ULL, MSR_DONE },	/* destination mode */
		{ 0x0000000000004000ULL, MSR_DONE },	/* level */
		{ 0x0000000000008000ULL, MSR_DONE },	/* trigger mode */
		{ 0x00000000000C0000ULL, MSR_DONE },	/* shorthand */
		{ 0xFF00000000000000ULL, MSR_DONE },	/* destination */
		{ 0xFF000000000CCFFFULL, MSR_DONE },	/* all of them */
		{ 0x0300000000004041ULL, MSR_DONE },	/* fixed IPI, vector 0x41, to APIC 3 */
		{ BIT(12), MSR_FAULT },			/* delivery status is read-only */
		{ BIT(13), MSR_FAULT },
		{ BIT(16), MSR_FAULT },
		{ BIT(17), MSR_FAULT },
		{ BIT(20), MSR_FAULT },
		{ BIT(31), MSR_FAULT },
		{ BIT(32), MSR_FAULT },
		{ BIT(55), MSR_FAULT },
		{ 0xFF000000000CCFFFULL | BIT(40), MSR_FAULT },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);
		uint64_t val = 0;

		fake_apic.icr = 0x5555;
		CHECK_EQ(vir_wrmsr(v, ICR, cases[i].val), cases[i].res);
		CHECK_EQ(fake_apic.icr, cases[i].res == MSR_DONE ? cases[i].val : 0x5555);
		CHECK_EQ(vir_rdmsr(v, ICR, &val), MSR_DONE);
		CHECK_EQ(val, fake_apic.icr);
	}
}

static void tpr(void)
{
	static const struct {
		uint64_t val;
		enum msr_result res;
	} cases[] = {
		{ 0, MSR_DONE },
		{ 0x20, MSR_DONE },
		{ 0xFF, MSR_DONE },
		{ 0x100, MSR_FAULT },
		{ 0x1FF, MSR_FAULT },
		{ BIT(63), MSR_FAULT },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);
		uint64_t val = 0;

		fake_apic.tpr = 0x30;
		CHECK_EQ(vir_wrmsr(v, TPR, cases[i].val), cases[i].res);
		CHECK_EQ(fake_apic.tpr, cases[i].res == MSR_DONE ? cases[i].val : 0x30);
		CHECK_EQ(vir_rdmsr(v, TPR, &val), MSR_DONE);
		CHECK_EQ(val, fake_apic.tpr);
	}
}

/* What 0x40000003 advertises is exactly what the MSRs allow (TLFS "Partition Privilege Flags"). */
static void msrs_follow_privileges(void)
{
	static const struct {
		uint32_t privilege;	/* 0x40000003 EAX bit */
		uint32_t msr;		/* a readable MSR it grants */
	} grants[] = {
		{ 5, GUEST_OS_ID },
		{ 5, HYPERCALL },
		{ 6, VP_INDEX },
		{ 4, ICR },
		{ 4, TPR },
		{ 4, VP_ASSIST },
		{ 11, TSC_FREQUENCY },
		{ 11, APIC_FREQUENCY },
		{ 1, 0x40000020 },	/* TIME_REF_COUNT */
		{ 9, 0x40000021 },	/* REFERENCE_TSC */
		{ 15, 0x40000118 },	/* TSC_INVARIANT_CONTROL */
	};
	static const struct vf_mask all_masks[] = { VF_BASE, VF_BASE_FREQ, VF_TIME, VF_TSC_PAGE, VF_INVARIANT, VF_ALL };
	struct vir_fixture f;

	for (size_t m = 0; m < ARRAY_SIZE(all_masks); m++) {
		struct vcpu *v = vf_init(&f, all_masks[m]);
		const struct cpuid_regs *r = vir_cpuid(&v->part->vir, 0x40000003);

		CHECK(r);
		for (size_t i = 0; i < ARRAY_SIZE(grants); i++) {
			uint64_t val;
			bool granted = r && (r->eax & BIT(grants[i].privilege));

			CHECK_EQ(vir_rdmsr(v, grants[i].msr, &val), granted ? MSR_DONE : MSR_FAULT);
		}
	}
}

int main(void)
{
	RUN("viridian_msr", outside_range);
	RUN("viridian_msr", access_matrix);
	RUN("viridian_msr", guest_os_id_partition_wide);
	RUN("viridian_msr", vp_index_per_vp);
	RUN("viridian_msr", hypercall_needs_guest_os_id);
	RUN("viridian_msr", hypercall_move_and_disable);
	RUN("viridian_msr", hypercall_reserved_bits);
	RUN("viridian_msr", hypercall_bad_page);
	RUN("viridian_msr", hypercall_locked);
	RUN("viridian_msr", hypercall_locked_disabled);
	RUN("viridian_msr", frequencies);
	RUN("viridian_msr", vp_assist_page);
	RUN("viridian_msr", vp_assist_bad_page);
	RUN("viridian_msr", eoi);
	RUN("viridian_msr", icr);
	RUN("viridian_msr", tpr);
	RUN("viridian_msr", msrs_follow_privileges);
	return test_suite_failures != 0;
}
