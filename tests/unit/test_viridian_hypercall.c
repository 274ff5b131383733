/* SPDX-License-Identifier: MIT */
/* Hyper-V hypercalls: when they #UD, how the control word and the operands are decoded, and every status. */
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

#define GUEST_OS_ID	0x40000000u
#define HYPERCALL	0x40000001u
#define HC_PAGE		0x5000ULL

#define FLUSH_SPACE		0x0002ULL
#define NOTIFY_LONG_SPIN_WAIT	0x0008ULL
#define SEND_IPI		0x000bULL
#define FAST			BIT(16)
#define VAR_HDR(n)		((uint64_t)(n) << 17)
#define REP_COUNT(n)		((uint64_t)(n) << 32)
#define REP_START(n)		((uint64_t)(n) << 48)

#define SUCCESS			0
#define INVALID_HYPERCALL_CODE	2
#define INVALID_HYPERCALL_INPUT	3
#define INVALID_ALIGNMENT	4
#define INVALID_PARAMETER	5
#define ACCESS_DENIED		6

/* Vireo's own memory, which no hypercall operand may touch. */
#define HV_RANGE_BASE		0x9000ULL

#define SENTINEL		0x5A5A5A5A5A5A5A5AULL

#define VF_IPI			{ "base+hcall_ipi", true, VIR_BASE | VIR_HCALL_IPI }

/* A partition whose guest has set its identity and enabled the hypercall page, as Linux does. */
static struct vcpu *setup(struct vir_fixture *f, struct vf_mask m)
{
	struct vcpu *v = vf_init(f, m);

	f->part.hv_mem[0] = (struct mem_range){ HV_RANGE_BASE, 0x1000 };
	f->part.nr_hv_mem = 1;
	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, 0x8100000608000000ULL), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | 1), MSR_DONE);
	f->regs.rax = SENTINEL;
	return v;
}

static void set_regs64(struct vcpu *v, uint64_t control, uint64_t in, uint64_t out)
{
	v->regs->rcx = control;
	v->regs->rdx = in;
	v->regs->r8 = out;
}

/* #UD, and no register written. */
static void check_ud(struct vcpu *v)
{
	struct guest_regs before = *v->regs;

	CHECK(!vir_hypercall(v));
	CHECK(v->event.valid);
	CHECK_EQ(v->event.vector, VEC_UD);
	CHECK_EQ(v->event.type, EVENT_HW_EXCEPTION);
	CHECK(!v->event.has_error_code);
	CHECK(!memcmp(v->regs, &before, sizeof(before)));
}

static void ud_without_page(void)
{
	struct vir_fixture f;
	struct vcpu *v;

	/* Viridian off: even a page enabled behind its back does not count. */
	v = vf_init(&f, (struct vf_mask)VF_OFF);
	f.part.vir.guest_os_id = 1;
	f.part.vir.hypercall = HC_PAGE | 1;
	f.regs.rax = SENTINEL;
	set_regs64(v, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0);
	check_ud(v);

	/* Base on, page never enabled. */
	v = vf_init(&f, (struct vf_mask)VF_BASE);
	f.regs.rax = SENTINEL;
	set_regs64(v, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0);
	check_ud(v);

	/* Enable written before the identity: still disabled. */
	v = vf_init(&f, (struct vf_mask)VF_BASE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | 1), MSR_DONE);
	f.regs.rax = SENTINEL;
	set_regs64(v, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0);
	check_ud(v);

	/* Enabled, then the identity cleared. */
	v = setup(&f, (struct vf_mask)VF_BASE);
	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, 0), MSR_DONE);
	set_regs64(v, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0);
	check_ud(v);
}

static void ud_by_privilege_and_mode(void)
{
	static const struct {
		unsigned int cpl;
		enum guest_mode mode;
		bool ud;
	} cases[] = {
		{ 0, GUEST_MODE_LONG, false },
		{ 0, GUEST_MODE_PROTECTED, false },
		{ 0, GUEST_MODE_REAL, true },
		{ 1, GUEST_MODE_LONG, true },
		{ 2, GUEST_MODE_PROTECTED, true },
		{ 3, GUEST_MODE_LONG, true },
		{ 3, GUEST_MODE_PROTECTED, true },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f, (struct vf_mask)VF_BASE);

		fake_guest_cpl = cases[i].cpl;
		fake_guest_mode = cases[i].mode;
		/* A valid fast call in either convention: RCX for 64-bit callers, EDX:EAX for 32-bit ones. */
		f.regs = (struct guest_regs){ .rax = NOTIFY_LONG_SPIN_WAIT | FAST, .rcx = NOTIFY_LONG_SPIN_WAIT | FAST };
		if (cases[i].ud) {
			check_ud(v);
		} else {
			CHECK(vir_hypercall(v));
			CHECK(!v->event.valid);
			CHECK_EQ(f.regs.rax, SUCCESS);
		}
	}
}

/* 64-bit callers: RCX control, RDX input, R8 output, RAX result. */
static void status_long_mode(void)
{
	static const struct {
		const char *what;
		uint64_t control, in, out;
		uint64_t rax;
	} cases[] = {
		{ "fast", NOTIFY_LONG_SPIN_WAIT | FAST, 4096, 0, SUCCESS },
		{ "fast, odd inputs are not addresses", NOTIFY_LONG_SPIN_WAIT | FAST, 0x6003, 0xFFFFFFFFFFFFFFFFULL, SUCCESS },
		{ "memory input", NOTIFY_LONG_SPIN_WAIT, 0x6000, 0, SUCCESS },
		{ "memory input, last qword of RAM", NOTIFY_LONG_SPIN_WAIT, FAKE_RAM_SIZE - 8, 0, SUCCESS },
		{ "memory input, last qword of a page", NOTIFY_LONG_SPIN_WAIT, 0x6FF8, 0, SUCCESS },
		{ "no output block: its GPA is ignored", NOTIFY_LONG_SPIN_WAIT, 0x6000, 0x6003, SUCCESS },
		{ "is-nested bit 31 is not reserved", NOTIFY_LONG_SPIN_WAIT | FAST | BIT(31), 0, 0, SUCCESS },
		{ "unknown code", 0x0009, 0, 0, INVALID_HYPERCALL_CODE },
		{ "code 0", 0x0000 | FAST, 0, 0, INVALID_HYPERCALL_CODE },
		{ "code 0xFFFF", 0xFFFF, 0x6000, 0, INVALID_HYPERCALL_CODE },
		{ "extended code 0x8001", 0x8001 | FAST, 0, 0, INVALID_HYPERCALL_CODE },
		{ "unknown code before rep check", 0x0009 | REP_COUNT(1), 0, 0, INVALID_HYPERCALL_CODE },
		{ "reserved bit 27", NOTIFY_LONG_SPIN_WAIT | FAST | BIT(27), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "reserved bit 30", NOTIFY_LONG_SPIN_WAIT | FAST | BIT(30), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "reserved bit 44", NOTIFY_LONG_SPIN_WAIT | FAST | BIT(44), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "reserved bit 47", NOTIFY_LONG_SPIN_WAIT | FAST | BIT(47), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "reserved bit 60", NOTIFY_LONG_SPIN_WAIT | FAST | BIT(60), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "reserved bit 63", NOTIFY_LONG_SPIN_WAIT | FAST | BIT(63), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "reserved bit on an unknown code", 0x0009 | BIT(63), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "rep start beyond count", NOTIFY_LONG_SPIN_WAIT | FAST | REP_START(1), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "rep start beyond count, unknown code", 0x0009 | REP_COUNT(2) | REP_START(3), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "rep count on a simple call", NOTIFY_LONG_SPIN_WAIT | FAST | REP_COUNT(1), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "rep count and start on a simple call", NOTIFY_LONG_SPIN_WAIT | REP_COUNT(0xFFF) | REP_START(0xFFF), 0x6000, 0, INVALID_HYPERCALL_INPUT },
		{ "variable header", NOTIFY_LONG_SPIN_WAIT | FAST | VAR_HDR(1), 0, 0, INVALID_HYPERCALL_INPUT },
		{ "largest variable header", NOTIFY_LONG_SPIN_WAIT | VAR_HDR(0x3FF), 0x6000, 0, INVALID_HYPERCALL_INPUT },
		{ "input not 8-byte aligned", NOTIFY_LONG_SPIN_WAIT, 0x6004, 0, INVALID_ALIGNMENT },
		{ "input off by one", NOTIFY_LONG_SPIN_WAIT, 0x6001, 0, INVALID_ALIGNMENT },
		{ "input crosses a page and is unaligned", NOTIFY_LONG_SPIN_WAIT, 0x6FFC, 0, INVALID_ALIGNMENT },
		{ "unaligned beyond RAM", NOTIFY_LONG_SPIN_WAIT, FAKE_RAM_SIZE + 4, 0, INVALID_ALIGNMENT },
		{ "input beyond RAM", NOTIFY_LONG_SPIN_WAIT, FAKE_RAM_SIZE, 0, INVALID_PARAMETER },
		{ "input at the top of the address space", NOTIFY_LONG_SPIN_WAIT, 0xFFFFFFFFFFFFFFF8ULL, 0, INVALID_PARAMETER },
		{ "input on Vireo's memory", NOTIFY_LONG_SPIN_WAIT, HV_RANGE_BASE + 0x100, 0, INVALID_PARAMETER },
		{ "fast call on Vireo's memory: not an address", NOTIFY_LONG_SPIN_WAIT | FAST, HV_RANGE_BASE, 0, SUCCESS },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f, (struct vf_mask)VF_BASE_FREQ);
		int failures = test_case_failures;

		set_regs64(v, cases[i].control, cases[i].in, cases[i].out);
		CHECK(vir_hypercall(v));
		CHECK(!v->event.valid);
		CHECK_EQ(f.regs.rax, cases[i].rax);
		/* Inputs stay as they were (TLFS "Volatile Registers"). */
		CHECK_EQ(f.regs.rcx, cases[i].control);
		CHECK_EQ(f.regs.rdx, cases[i].in);
		CHECK_EQ(f.regs.r8, cases[i].out);
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

/* 32-bit callers: EDX:EAX control, EBX:ECX input, EDI:ESI output, EDX:EAX result. */
static void status_protected_mode(void)
{
	static const struct {
		const char *what;
		uint64_t rdx, rax, rbx, rcx, rdi, rsi;
		uint32_t status;
	} cases[] = {
		{ "fast", 0, 0x00010008, 0, 1000, 0, 0, SUCCESS },
		{ "upper register halves are ignored", 0xFFFFFFFF00000000ULL, 0xFFFFFFFF00010008ULL, 0, 0, 0, 0, SUCCESS },
		{ "memory input in EBX:ECX", 0, 0x0008, 0, 0x6000, 0, 0, SUCCESS },
		{ "upper halves of EBX and ECX are ignored", 0, 0x0008, 0xFFFFFFFF00000000ULL, 0x6000, 0, 0, SUCCESS },
		{ "output in EDI:ESI is ignored", 0, 0x0008, 0, 0x6000, 0x12345678, 0x9ABCDEF1, SUCCESS },
		{ "unknown code", 0, 0x0009, 0, 0, 0, 0, INVALID_HYPERCALL_CODE },
		{ "reserved bit 60 in EDX", 0x10000000, 0x00010008, 0, 0, 0, 0, INVALID_HYPERCALL_INPUT },
		{ "reserved bit 27 in EAX", 0, 0x08010008, 0, 0, 0, 0, INVALID_HYPERCALL_INPUT },
		{ "rep count in EDX", 0x00000001, 0x00010008, 0, 0, 0, 0, INVALID_HYPERCALL_INPUT },
		{ "rep start in EDX", 0x00010000, 0x00010008, 0, 0, 0, 0, INVALID_HYPERCALL_INPUT },
		{ "input not aligned", 0, 0x0008, 0, 0x6002, 0, 0, INVALID_ALIGNMENT },
		{ "input above 4 GiB, EBX = 1", 0, 0x0008, 1, 0x6000, 0, 0, INVALID_PARAMETER },
		{ "input on Vireo's memory", 0, 0x0008, 0, HV_RANGE_BASE, 0, 0, INVALID_PARAMETER },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f, (struct vf_mask)VF_BASE);
		int failures = test_case_failures;

		fake_guest_mode = GUEST_MODE_PROTECTED;
		f.regs = (struct guest_regs){
			.rax = cases[i].rax, .rdx = cases[i].rdx, .rbx = cases[i].rbx,
			.rcx = cases[i].rcx, .rdi = cases[i].rdi, .rsi = cases[i].rsi, .r8 = SENTINEL,
		};
		CHECK(vir_hypercall(v));
		CHECK(!v->event.valid);
		CHECK_EQ(f.regs.rax, cases[i].status);
		CHECK_EQ(f.regs.rdx, 0);
		CHECK_EQ(f.regs.rbx, cases[i].rbx);
		CHECK_EQ(f.regs.rcx, cases[i].rcx);
		CHECK_EQ(f.regs.rdi, cases[i].rdi);
		CHECK_EQ(f.regs.rsi, cases[i].rsi);
		CHECK_EQ(f.regs.r8, SENTINEL);
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

/* Any virtual processor may call once the partition's page is on. */
static void other_vp(void)
{
	struct vir_fixture f;

	setup(&f, (struct vf_mask)VF_BASE);
	f.regs_b.rax = SENTINEL;
	set_regs64(&f.vcpu_b, NOTIFY_LONG_SPIN_WAIT | FAST, 1, 0);
	CHECK(vir_hypercall(&f.vcpu_b));
	CHECK(!f.vcpu_b.event.valid);
	CHECK_EQ(f.regs_b.rax, SUCCESS);
}

/* The first successful call of each kind is logged once per partition. */
static void first_use_logged(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_BASE);

	fake_log_clear();
	set_regs64(v, NOTIFY_LONG_SPIN_WAIT, 0x6004, 0);
	CHECK(vir_hypercall(v));
	CHECK_EQ(f.regs.rax, INVALID_ALIGNMENT);
	CHECK(!fake_log_contains("HvCallNotifyLongSpinWait"));

	set_regs64(v, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0);
	CHECK(vir_hypercall(v));
	CHECK_EQ(f.regs.rax, SUCCESS);
	CHECK(fake_log_contains("viridian: VP 3 made the first HvCallNotifyLongSpinWait"));

	fake_log_clear();
	set_regs64(&f.vcpu_b, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0);
	CHECK(vir_hypercall(&f.vcpu_b));
	CHECK(vir_hypercall(v));
	CHECK(!fake_log_contains("HvCallNotifyLongSpinWait"));

	/* A new partition logs again. */
	v = setup(&f, (struct vf_mask)VF_BASE);
	set_regs64(v, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0);
	CHECK(vir_hypercall(v));
	CHECK(fake_log_contains("HvCallNotifyLongSpinWait"));
}

/*
 * vir_hypercall_quick either makes a call exactly as vir_hypercall would
 * (result, registers, counters, IPIs sent, first-use and failure lines) or declines having changed
 * nothing; it makes the fast calls of 64-bit code at CPL 0 that need no
 * check of their input, once the partition has made them.
 */
static void quick_matches_checked(void)
{
	static const struct {
		const char *what;
		struct vf_mask mask;
		uint64_t control, in, out;
		uint64_t made;			/* a control word called before, or 0 */
		unsigned int cpl;
		enum guest_mode mode;
		bool page_off;
		bool quick;
	} cases[] = {
		{ "spin wait", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST, 7, 9, NOTIFY_LONG_SPIN_WAIT | FAST, 0,
		  GUEST_MODE_LONG, false, true },
		{ "spin wait with is-nested", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST | BIT(31), 0, 0,
		  NOTIFY_LONG_SPIN_WAIT | FAST, 0, GUEST_MODE_LONG, false, true },
		{ "spin wait made before in memory", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0,
		  NOTIFY_LONG_SPIN_WAIT, 0, GUEST_MODE_LONG, false, true },
		{ "spin wait, first use: logged", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0, 0, 0,
		  GUEST_MODE_LONG, false, false },
		{ "spin wait in memory", VF_BASE, NOTIFY_LONG_SPIN_WAIT, 0x6000, 0, NOTIFY_LONG_SPIN_WAIT | FAST, 0,
		  GUEST_MODE_LONG, false, false },
		{ "reserved bit 27", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST | BIT(27), 0, 0,
		  NOTIFY_LONG_SPIN_WAIT | FAST, 0, GUEST_MODE_LONG, false, false },
		{ "reserved bit 63", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST | BIT(63), 0, 0,
		  NOTIFY_LONG_SPIN_WAIT | FAST, 0, GUEST_MODE_LONG, false, false },
		{ "rep count", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST | REP_COUNT(1), 0, 0,
		  NOTIFY_LONG_SPIN_WAIT | FAST, 0, GUEST_MODE_LONG, false, false },
		{ "variable header", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST | VAR_HDR(1), 0, 0,
		  NOTIFY_LONG_SPIN_WAIT | FAST, 0, GUEST_MODE_LONG, false, false },
		{ "code 0x28: bit 5 above the quick codes", VF_BASE, 0x0028 | FAST, 0, 0,
		  NOTIFY_LONG_SPIN_WAIT | FAST, 0, GUEST_MODE_LONG, false, false },
		{ "unknown code", VF_BASE, 0x0009 | FAST, 0, 0, NOTIFY_LONG_SPIN_WAIT | FAST, 0,
		  GUEST_MODE_LONG, false, false },
		{ "management tag", VF_BASE, 0x5649000000000000ULL | NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0,
		  NOTIFY_LONG_SPIN_WAIT | FAST, 0, GUEST_MODE_LONG, false, false },
		{ "CPL 3: #UD", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0, NOTIFY_LONG_SPIN_WAIT | FAST, 3,
		  GUEST_MODE_LONG, false, false },
		{ "32-bit caller: EDX:EAX", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0,
		  NOTIFY_LONG_SPIN_WAIT | FAST, 0, GUEST_MODE_PROTECTED, false, false },
		{ "real mode: #UD", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0, NOTIFY_LONG_SPIN_WAIT | FAST, 0,
		  GUEST_MODE_REAL, false, false },
		{ "page disabled: #UD", VF_BASE, NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0, NOTIFY_LONG_SPIN_WAIT | FAST, 0,
		  GUEST_MODE_LONG, true, false },
		{ "IPI", VF_IPI, SEND_IPI | FAST, 0x30, BIT(VF_VP_INDEX_B), SEND_IPI | FAST, 0,
		  GUEST_MODE_LONG, false, true },
		{ "IPI failing in its handler", VF_IPI, SEND_IPI | FAST, 0x0f, BIT(VF_VP_INDEX), SEND_IPI | FAST, 0,
		  GUEST_MODE_LONG, false, true },
		{ "IPI not granted", VF_BASE, SEND_IPI | FAST, 0x30, BIT(VF_VP_INDEX), NOTIFY_LONG_SPIN_WAIT | FAST, 0,
		  GUEST_MODE_LONG, false, false },
		{ "flush: its input does not fit the registers", VF_ALL, FLUSH_SPACE | FAST, 0, 0, FLUSH_SPACE, 0,
		  GUEST_MODE_LONG, false, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct guest_regs regs[2];
		struct pending_event event[2];
		struct vcpu_stats stats[2];
		struct fake_apic apic[2];
		bool logged_first[2], logged_failed[2];
		int failures = test_case_failures;

		/* Once by vir_hypercall_quick, then by vir_hypercall alone, on a partition made the same way. */
		for (int run = 0; run < 2; run++) {
			struct vir_fixture f;
			struct vcpu *v = setup(&f, cases[i].mask);

			if (cases[i].made) {
				/* At 0x6000 a spin count and a processor mask, for the memory forms. */
				memcpy(&fake_ram[0x6000], (uint64_t[]){ 0x30, 0, 0 }, 3 * sizeof(uint64_t));
				set_regs64(v, cases[i].made, cases[i].made & FAST ? 0x30 : 0x6000, BIT(VF_VP_INDEX));
				CHECK(vir_hypercall(v));
				CHECK_EQ(f.regs.rax, SUCCESS);
			}
			if (cases[i].page_off)
				CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE), MSR_DONE);
			fake_guest_cpl = cases[i].cpl;
			fake_guest_mode = cases[i].mode;
			memset(&v->stats, 0, sizeof(v->stats));
			memset(&fake_apic, 0, sizeof(fake_apic));
			fake_log_clear();
			f.regs = (struct guest_regs){ .rax = SENTINEL, .rcx = cases[i].control, .rdx = cases[i].in,
						      .r8 = cases[i].out, .rbx = 0x5555 };
			if (run == 0) {
				struct guest_regs before = f.regs;
				struct vcpu_stats none = { 0 };
				bool quick = vir_hypercall_quick(v);

				CHECK_EQ(quick, cases[i].quick);
				if (!quick) {
					CHECK(!memcmp(&f.regs, &before, sizeof(before)));
					CHECK(!memcmp(&v->stats, &none, sizeof(none)));
					CHECK(!v->event.valid);
					CHECK_EQ(fake_apic.nr_fixed, 0);
					CHECK(!fake_log[0]);
					vir_hypercall(v);
				}
			} else {
				vir_hypercall(v);
			}
			regs[run] = f.regs;
			event[run] = v->event;
			stats[run] = v->stats;
			apic[run] = fake_apic;
			logged_first[run] = fake_log_contains("made the first");
			logged_failed[run] = fake_log_contains("failed, status");
		}
		CHECK(!memcmp(&regs[0], &regs[1], sizeof(regs[0])));
		CHECK(!memcmp(&event[0], &event[1], sizeof(event[0])));
		CHECK(!memcmp(&stats[0], &stats[1], sizeof(stats[0])));
		CHECK_EQ(apic[0].nr_fixed, apic[1].nr_fixed);
		for (unsigned int n = 0; n < apic[0].nr_fixed && n < FAKE_APIC_FIXED_MAX; n++) {
			CHECK_EQ(apic[0].fixed[n].apic_id, apic[1].fixed[n].apic_id);
			CHECK_EQ(apic[0].fixed[n].vector, apic[1].fixed[n].vector);
		}
		CHECK_EQ(logged_first[0], logged_first[1]);
		CHECK_EQ(logged_failed[0], logged_failed[1]);
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

int main(void)
{
	RUN("viridian_hypercall", ud_without_page);
	RUN("viridian_hypercall", ud_by_privilege_and_mode);
	RUN("viridian_hypercall", status_long_mode);
	RUN("viridian_hypercall", status_protected_mode);
	RUN("viridian_hypercall", other_vp);
	RUN("viridian_hypercall", first_use_logged);
	RUN("viridian_hypercall", quick_matches_checked);
	return test_suite_failures != 0;
}
