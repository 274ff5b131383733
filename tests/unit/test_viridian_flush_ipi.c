/* SPDX-License-Identifier: MIT */
/*
 * The remote TLB flush and IPI hypercalls and their _Ex forms
 * (viridian/hcall_flush.c, hcall_ipi.c, vpset.c): gates, every status, what
 * reaches the other vCPU, and the reps completed.
 */
#include "hv/log.h"
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

#define GUEST_OS_ID	0x40000000u
#define HYPERCALL	0x40000001u
#define HC_PAGE		0x5000ULL
#define IN_GPA		0x6000ULL

#define FLUSH_SPACE	0x0002ULL
#define FLUSH_LIST	0x0003ULL
#define SEND_IPI	0x000bULL
#define FLUSH_SPACE_EX	0x0013ULL
#define FLUSH_LIST_EX	0x0014ULL
#define SEND_IPI_EX	0x0015ULL
#define FAST		BIT(16)
#define VAR_HDR(n)	((uint64_t)(n) << 17)
#define REP_COUNT(n)	((uint64_t)(n) << 32)
#define REP_START(n)	((uint64_t)(n) << 48)
#define REPS_DONE(n)	((uint64_t)(n) << 32)

#define SUCCESS			0
#define INVALID_HYPERCALL_INPUT	3
#define INVALID_ALIGNMENT	4
#define INVALID_PARAMETER	5
#define ACCESS_DENIED		6
#define TIME_OUT		0x78

#define ALL_PROCESSORS		BIT(0)
#define ALL_SPACES		BIT(1)
#define NON_GLOBAL_ONLY		BIT(2)
#define EXTENDED_RANGES		BIT(3)

#define SPARSE			0
#define SET_ALL			1

/* The fixture's vCPUs: A (VP index 3) calls, B (7) is the other. */
#define VP_A		BIT(VF_VP_INDEX)
#define VP_B		BIT(VF_VP_INDEX_B)
#define APIC_A		0x10
#define APIC_B		0x21

#define VF_FLUSH	{ "base+flush", true, VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH }
#define VF_IPI		{ "base+ipi", true, VIR_BASE | VIR_HCALL_IPI }

static struct vcpu *setup(struct vir_fixture *f, struct vf_mask m)
{
	struct vcpu *v = vf_init(f, m);

	CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, 0x8100000608000000ULL), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | 1), MSR_DONE);
	f->vcpu.apic_id = APIC_A;
	f->vcpu_b.apic_id = APIC_B;
	fake_apic.kick_exits = true;
	memset(fake_tlb_flushes, 0, sizeof(fake_tlb_flushes));
	log_guest_interval = 0;
	fake_log_clear();
	return v;
}

/* Writes the input block at IN_GPA and calls with it. */
static uint64_t call(struct vcpu *v, uint64_t control, const uint64_t *in, size_t qwords)
{
	memcpy(&fake_ram[IN_GPA], in, qwords * sizeof(uint64_t));
	v->regs->rcx = control;
	v->regs->rdx = IN_GPA;
	v->regs->r8 = 0;
	CHECK(vir_hypercall(v));
	CHECK(!v->event.valid);
	return v->regs->rax;
}

static uint64_t call_fast(struct vcpu *v, uint64_t control, uint64_t rdx, uint64_t r8)
{
	v->regs->rcx = control;
	v->regs->rdx = rdx;
	v->regs->r8 = r8;
	CHECK(vir_hypercall(v));
	CHECK(!v->event.valid);
	return v->regs->rax;
}

static unsigned int flushes(uint32_t vp)
{
	return fake_tlb_flushes[vp];
}

/* A valid call of each code that names VP B: its control word and input block; the status it gets. */
static uint64_t valid_call(uint64_t code, uint64_t *control, uint64_t in[5])
{
	uint64_t fixed[5] = { 0 };

	*control = code;
	switch (code) {
	case SEND_IPI:
		fixed[0] = 0x30;
		fixed[1] = VP_B;
		break;
	case SEND_IPI_EX:
		*control |= VAR_HDR(1);
		fixed[0] = 0x30;
		fixed[1] = SPARSE;
		fixed[2] = 1;
		fixed[3] = VP_B;
		break;
	case FLUSH_SPACE_EX:
	case FLUSH_LIST_EX:
		*control |= VAR_HDR(1);
		fixed[2] = SPARSE;
		fixed[3] = 1;
		fixed[4] = VP_B;
		break;
	default:
		fixed[2] = VP_B;
		break;
	}
	memcpy(in, fixed, sizeof(fixed));
	if (code == FLUSH_LIST || code == FLUSH_LIST_EX) {
		*control |= REP_COUNT(1);
		return SUCCESS | REPS_DONE(1);
	}
	return SUCCESS;
}

/* Each call needs its group; the _Ex forms need ex_processor_masks too. */
static void access_by_group(void)
{
	static const struct {
		uint64_t mask;
		uint64_t code;
		bool granted;
	} cases[] = {
		{ VIR_BASE, FLUSH_SPACE, false },
		{ VIR_BASE, FLUSH_LIST, false },
		{ VIR_BASE, SEND_IPI, false },
		{ VIR_BASE | VIR_HCALL_IPI, FLUSH_SPACE, false },
		{ VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH, SEND_IPI, false },
		{ VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH, FLUSH_SPACE, true },
		{ VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH, FLUSH_LIST, true },
		{ VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH, FLUSH_SPACE_EX, false },
		{ VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH, FLUSH_LIST_EX, false },
		{ VIR_BASE | VIR_HCALL_IPI, SEND_IPI, true },
		{ VIR_BASE | VIR_HCALL_IPI, SEND_IPI_EX, false },
		{ VIR_BASE | VIR_HCALL_IPI | VIR_EX_PROCESSOR_MASKS, SEND_IPI_EX, true },
		{ VIR_BASE | VIR_HCALL_IPI | VIR_EX_PROCESSOR_MASKS, FLUSH_SPACE_EX, false },
		{ VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH | VIR_EX_PROCESSOR_MASKS, FLUSH_SPACE_EX, true },
		{ VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH | VIR_EX_PROCESSOR_MASKS, FLUSH_LIST_EX, true },
		{ VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH | VIR_EX_PROCESSOR_MASKS, SEND_IPI_EX, false },
		{ VIR_KNOWN, FLUSH_LIST_EX, true },
		{ VIR_KNOWN, SEND_IPI_EX, true },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f, (struct vf_mask){ "case", true, cases[i].mask });
		int failures = test_case_failures;
		uint64_t control, in[5], want = valid_call(cases[i].code, &control, in);

		CHECK_EQ(call(v, control, in, ARRAY_SIZE(in)), cases[i].granted ? want : ACCESS_DENIED);
		CHECK_EQ(fake_apic.nr_fixed + flushes(VF_VP_INDEX_B), cases[i].granted);
		if (test_case_failures != failures)
			printf("  in case %zu\n", i);
	}
}

/* HvCallFlushVirtualAddressSpace: returns after B flushed; A flushes when it names itself. */
static void flush_space(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_FLUSH);
	uint64_t in[3] = { 0x1234000, 0, VP_B };

	CHECK_EQ(call(v, FLUSH_SPACE, in, 3), SUCCESS);
	CHECK_EQ(flushes(VF_VP_INDEX_B), 1);
	CHECK_EQ(flushes(VF_VP_INDEX), 0);
	CHECK_EQ(fake_apic.kicks, 1);
	CHECK_EQ(fake_apic.last_kick, APIC_B);

	in[2] = VP_A | VP_B;
	in[1] = ALL_SPACES | NON_GLOBAL_ONLY;
	CHECK_EQ(call(v, FLUSH_SPACE, in, 3), SUCCESS);
	CHECK_EQ(flushes(VF_VP_INDEX_B), 2);
	CHECK_EQ(flushes(VF_VP_INDEX), 1);
	CHECK_EQ(fake_apic.kicks, 2);

	/* Nothing named, nothing done. */
	in[2] = 0;
	CHECK_EQ(call(v, FLUSH_SPACE, in, 3), SUCCESS);
	CHECK_EQ(fake_apic.kicks, 2);
	CHECK(fake_log_contains("viridian: VP 3 made the first HvCallFlushVirtualAddressSpace"));
	CHECK_EQ(f.vcpu.stats.hypercall[2], 3);
}

/* HV_FLUSH_ALL_PROCESSORS ignores the mask, even one that names VPs the partition lacks. */
static void flush_all_processors(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_FLUSH);
	uint64_t in[3] = { 0, ALL_PROCESSORS, ~0ULL };

	CHECK_EQ(call(v, FLUSH_SPACE, in, 3), SUCCESS);
	CHECK_EQ(flushes(VF_VP_INDEX), 1);
	CHECK_EQ(flushes(VF_VP_INDEX_B), 1);
}

/* Refused inputs: no vCPU is asked anything. */
static void flush_refused(void)
{
	static const struct {
		const char *what;
		uint64_t control;
		uint64_t flags, mask;
		uint64_t status;
	} cases[] = {
		{ "a VP the partition lacks", FLUSH_SPACE, 0, VP_B | BIT(4), INVALID_PARAMETER },
		{ "VP 63", FLUSH_SPACE, 0, BIT(63), INVALID_PARAMETER },
		{ "extended range format", FLUSH_SPACE, EXTENDED_RANGES, VP_B, INVALID_PARAMETER },
		{ "reserved flag", FLUSH_SPACE, BIT(4), VP_B, INVALID_PARAMETER },
		{ "top flag", FLUSH_SPACE, BIT(63), VP_B, INVALID_PARAMETER },
		{ "non-global only on a list", FLUSH_LIST | REP_COUNT(1), NON_GLOBAL_ONLY, VP_B, INVALID_PARAMETER },
		{ "fast", FLUSH_SPACE | FAST, 0, VP_B, INVALID_HYPERCALL_INPUT },
		{ "variable header", FLUSH_SPACE | VAR_HDR(1), 0, VP_B, INVALID_HYPERCALL_INPUT },
		{ "rep count on a simple call", FLUSH_SPACE | REP_COUNT(1), 0, VP_B, INVALID_HYPERCALL_INPUT },
		{ "rep call without reps", FLUSH_LIST, 0, VP_B, INVALID_HYPERCALL_INPUT },
		{ "rep start = rep count", FLUSH_LIST | REP_COUNT(2) | REP_START(2), 0, VP_B,
		  INVALID_HYPERCALL_INPUT },
		{ "list past the page", FLUSH_LIST | REP_COUNT(510), 0, VP_B, INVALID_ALIGNMENT },
		{ "list of 4095", FLUSH_LIST | REP_COUNT(4095), 0, VP_B, INVALID_ALIGNMENT },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f, (struct vf_mask)VF_FLUSH);
		uint64_t in[4] = { 0, cases[i].flags, cases[i].mask, 0x7000 };
		int failures = test_case_failures;

		CHECK_EQ(call(v, cases[i].control, in, 4), cases[i].status);
		CHECK_EQ(fake_apic.kicks, 0);
		CHECK_EQ(flushes(VF_VP_INDEX) + flushes(VF_VP_INDEX_B), 0);
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

/* The GVA list: as many as fit beside the header in the page; reps completed count from the first. */
static void flush_list_reps(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_FLUSH);
	uint64_t in[3] = { 0, 0, VP_B };

	CHECK_EQ(call(v, FLUSH_LIST | REP_COUNT(509), in, 3), SUCCESS | REPS_DONE(509));
	CHECK_EQ(flushes(VF_VP_INDEX_B), 1);
	CHECK_EQ(call(v, FLUSH_LIST | REP_COUNT(10) | REP_START(5), in, 3), SUCCESS | REPS_DONE(10));
	CHECK_EQ(flushes(VF_VP_INDEX_B), 2);

	/* The list must be guest RAM like the header. */
	v->regs->rcx = FLUSH_LIST | REP_COUNT(2);
	v->regs->rdx = FAKE_RAM_SIZE - 24;
	CHECK(vir_hypercall(v));
	CHECK_EQ(v->regs->rax, INVALID_ALIGNMENT);
	v->regs->rdx = FAKE_RAM_SIZE - 0x1000;
	CHECK(vir_hypercall(v));
	CHECK_EQ(v->regs->rax, SUCCESS | REPS_DONE(2));
	v->regs->rdx = FAKE_RAM_SIZE;
	CHECK(vir_hypercall(v));
	CHECK_EQ(v->regs->rax, INVALID_PARAMETER);
}

/* A target that never leaves the guest: HV_STATUS_TIME_OUT, so the guest can flush by IPIs itself. */
static void flush_target_silent(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_FLUSH);
	uint64_t in[3] = { 0, 0, VP_B };

	fake_apic.kick_exits = false;
	CHECK_EQ(call(v, FLUSH_SPACE, in, 3), TIME_OUT);
	CHECK(fake_log_contains("not answered by vcpu7"));
	CHECK(fake_log_contains("HvCallFlushVirtualAddressSpace failed, status 0x78"));

	/* A target waiting for its SIPI holds no translations: no wait. */
	f.vcpu_b.startup.state = STARTUP_WAIT_SIPI;
	CHECK_EQ(call(v, FLUSH_SPACE, in, 3), SUCCESS);
}

/* The 32-bit convention: EDX:EAX control, EBX:ECX input GPA, result in EDX:EAX. */
static void flush_from_32_bit(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_FLUSH);
	uint64_t in[3] = { 0, 0, VP_B };

	memcpy(&fake_ram[IN_GPA], in, sizeof(in));
	fake_guest_mode = GUEST_MODE_PROTECTED;
	f.regs = (struct guest_regs){ .rax = FLUSH_LIST, .rdx = 3, .rcx = IN_GPA };
	CHECK(vir_hypercall(v));
	CHECK_EQ(f.regs.rax, SUCCESS);
	CHECK_EQ(f.regs.rdx, 3);
	CHECK_EQ(flushes(VF_VP_INDEX_B), 1);
}

/* The _Ex forms: a sparse VP set whose bank words are the variable header. */
static void flush_ex(void)
{
	static const struct {
		const char *what;
		uint64_t control;
		uint64_t format, valid;
		uint64_t banks[3];
		uint64_t flags;
		uint64_t status;
		uint64_t flushed;	/* VPs that must have flushed */
	} cases[] = {
		{ "bank 0", FLUSH_SPACE_EX | VAR_HDR(1), SPARSE, 1, { VP_B }, 0, SUCCESS, VP_B },
		{ "both", FLUSH_SPACE_EX | VAR_HDR(1), SPARSE, 1, { VP_A | VP_B }, 0, SUCCESS, VP_A | VP_B },
		{ "empty bank 1 beside bank 0", FLUSH_SPACE_EX | VAR_HDR(2), SPARSE, 3, { VP_B, 0 }, 0, SUCCESS, VP_B },
		{ "no banks", FLUSH_SPACE_EX, SPARSE, 0, { 0 }, 0, SUCCESS, 0 },
		{ "all", FLUSH_SPACE_EX, SET_ALL, 0, { 0 }, 0, SUCCESS, VP_A | VP_B },
		{ "all processors flag", FLUSH_SPACE_EX | VAR_HDR(1), SPARSE, 1, { 0 }, ALL_PROCESSORS, SUCCESS,
		  VP_A | VP_B },
		{ "list", FLUSH_LIST_EX | VAR_HDR(1) | REP_COUNT(3), SPARSE, 1, { VP_B }, 0, SUCCESS | REPS_DONE(3),
		  VP_B },
		{ "a VP in bank 1", FLUSH_SPACE_EX | VAR_HDR(1), SPARSE, 2, { 1 }, 0, INVALID_PARAMETER, 0 },
		{ "a VP in bank 63", FLUSH_SPACE_EX | VAR_HDR(2), SPARSE, BIT(63) | 1, { VP_B, 1 }, 0,
		  INVALID_PARAMETER, 0 },
		{ "a VP the partition lacks", FLUSH_SPACE_EX | VAR_HDR(1), SPARSE, 1, { BIT(0) }, 0,
		  INVALID_PARAMETER, 0 },
		{ "unknown format", FLUSH_SPACE_EX | VAR_HDR(1), 2, 1, { VP_B }, 0, INVALID_PARAMETER, 0 },
		{ "header shorter than the banks", FLUSH_SPACE_EX, SPARSE, 1, { VP_B }, 0, INVALID_HYPERCALL_INPUT, 0 },
		{ "header longer than the banks", FLUSH_SPACE_EX | VAR_HDR(2), SPARSE, 1, { VP_B }, 0,
		  INVALID_HYPERCALL_INPUT, 0 },
		{ "all with a bank", FLUSH_SPACE_EX, SET_ALL, 1, { 0 }, 0, INVALID_HYPERCALL_INPUT, 0 },
		{ "header of 65", FLUSH_SPACE_EX | VAR_HDR(65), SPARSE, ~0ULL, { 0 }, 0, INVALID_HYPERCALL_INPUT, 0 },
		{ "largest header", FLUSH_SPACE_EX | VAR_HDR(0x3ff), SPARSE, 1, { 0 }, 0, INVALID_HYPERCALL_INPUT, 0 },
		{ "list that fills the page", FLUSH_LIST_EX | VAR_HDR(1) | REP_COUNT(507), SPARSE, 1, { VP_B }, 0,
		  SUCCESS | REPS_DONE(507), VP_B },
		{ "list past the page", FLUSH_LIST_EX | VAR_HDR(1) | REP_COUNT(508), SPARSE, 1, { VP_B }, 0,
		  INVALID_ALIGNMENT, 0 },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f, (struct vf_mask)VF_ALL);
		uint64_t in[7] = { 0, cases[i].flags, cases[i].format, cases[i].valid, cases[i].banks[0],
				   cases[i].banks[1], cases[i].banks[2] };
		int failures = test_case_failures;

		CHECK_EQ(call(v, cases[i].control, in, ARRAY_SIZE(in)), cases[i].status);
		CHECK_EQ(flushes(VF_VP_INDEX), !!(cases[i].flushed & VP_A));
		CHECK_EQ(flushes(VF_VP_INDEX_B), !!(cases[i].flushed & VP_B));
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

/* HvCallSendSyntheticClusterIpi, fast as Linux makes it: the vector to each target's local APIC. */
static void send_ipi(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_IPI);

	CHECK_EQ(call_fast(v, SEND_IPI | FAST, 0xec, VP_B), SUCCESS);
	CHECK_EQ(fake_apic.nr_fixed, 1);
	CHECK_EQ(fake_apic.fixed[0].apic_id, APIC_B);
	CHECK_EQ(fake_apic.fixed[0].vector, 0xec);
	/* Inputs stay as they were. */
	CHECK_EQ(f.regs.rdx, 0xec);
	CHECK_EQ(f.regs.r8, VP_B);

	CHECK_EQ(call_fast(v, SEND_IPI | FAST, 0x10, VP_A | VP_B), SUCCESS);
	CHECK_EQ(fake_apic.nr_fixed, 3);
	CHECK_EQ(fake_apic.fixed[1].apic_id, APIC_A);
	CHECK_EQ(fake_apic.fixed[1].vector, 0x10);
	CHECK_EQ(fake_apic.fixed[2].apic_id, APIC_B);

	/* The memory form. */
	CHECK_EQ(call(v, SEND_IPI, (uint64_t[]){ 0xff, VP_A }, 2), SUCCESS);
	CHECK_EQ(fake_apic.nr_fixed, 4);
	CHECK_EQ(fake_apic.fixed[3].apic_id, APIC_A);
	CHECK_EQ(fake_apic.fixed[3].vector, 0xff);

	CHECK_EQ(call_fast(v, SEND_IPI | FAST, 0x30, 0), SUCCESS);
	CHECK_EQ(fake_apic.nr_fixed, 4);
	CHECK_EQ(fake_apic.kicks, 0);
	CHECK(fake_log_contains("viridian: VP 3 made the first HvCallSendSyntheticClusterIpi"));
}

static void send_ipi_refused(void)
{
	static const struct {
		const char *what;
		uint64_t control, rdx, r8;
		uint64_t status;
	} cases[] = {
		{ "vector 0", SEND_IPI | FAST, 0, VP_B, INVALID_PARAMETER },
		{ "vector 15", SEND_IPI | FAST, 0xf, VP_B, INVALID_PARAMETER },
		{ "vector 256", SEND_IPI | FAST, 0x100, VP_B, INVALID_PARAMETER },
		{ "vector 0xffffffff", SEND_IPI | FAST, 0xffffffff, VP_B, INVALID_PARAMETER },
		{ "target VTL 1", SEND_IPI | FAST, 0x130, VP_B, INVALID_PARAMETER },
		{ "padding", SEND_IPI | FAST, 0x0100000000000030ULL, VP_B, INVALID_PARAMETER },
		{ "a VP the partition lacks", SEND_IPI | FAST, 0x30, VP_B | 1, INVALID_PARAMETER },
		{ "rep count", SEND_IPI | FAST | REP_COUNT(1), 0x30, VP_B, INVALID_HYPERCALL_INPUT },
		{ "variable header", SEND_IPI | FAST | VAR_HDR(1), 0x30, VP_B, INVALID_HYPERCALL_INPUT },
		{ "fast _Ex", SEND_IPI_EX | FAST, 0x30, SPARSE, INVALID_HYPERCALL_INPUT },
		{ "memory input misaligned", SEND_IPI, IN_GPA + 4, 0, INVALID_ALIGNMENT },
		{ "memory input beyond RAM", SEND_IPI, FAKE_RAM_SIZE, 0, INVALID_PARAMETER },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f, (struct vf_mask)VF_ALL);
		int failures = test_case_failures;

		CHECK_EQ(call_fast(v, cases[i].control, cases[i].rdx, cases[i].r8), cases[i].status);
		CHECK_EQ(fake_apic.nr_fixed, 0);
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

static void send_ipi_ex(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_ALL);

	CHECK_EQ(call(v, SEND_IPI_EX | VAR_HDR(1), (uint64_t[]){ 0x40, SPARSE, 1, VP_B }, 4), SUCCESS);
	CHECK_EQ(fake_apic.nr_fixed, 1);
	CHECK_EQ(fake_apic.fixed[0].apic_id, APIC_B);
	CHECK_EQ(fake_apic.fixed[0].vector, 0x40);
	CHECK_EQ(call(v, SEND_IPI_EX, (uint64_t[]){ 0x41, SET_ALL, 0 }, 3), SUCCESS);
	CHECK_EQ(fake_apic.nr_fixed, 3);
	CHECK_EQ(call(v, SEND_IPI_EX | VAR_HDR(1), (uint64_t[]){ 0x40, SPARSE, 2, 1 }, 4), INVALID_PARAMETER);
	CHECK_EQ(call(v, SEND_IPI_EX | VAR_HDR(2), (uint64_t[]){ 0x40, SPARSE, 1, VP_B, 0 }, 5),
		 INVALID_HYPERCALL_INPUT);
	CHECK_EQ(call(v, SEND_IPI_EX | VAR_HDR(1), (uint64_t[]){ 0x0f, SPARSE, 1, VP_B }, 4), INVALID_PARAMETER);
	CHECK_EQ(fake_apic.nr_fixed, 3);
}

/* Refused calls are logged, at most LOG_GUEST_BURST lines an interval, and the rest counted. */
static void refusals_rate_limited(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f, (struct vf_mask)VF_IPI);
	uint64_t dropped;
	const char *p = fake_log;
	unsigned int lines = 0;

	/* An interval shorter than a TSC step starts a new one at the first call; then a long one. */
	log_guest_interval = 1;
	CHECK_EQ(call_fast(v, SEND_IPI | FAST, 0x1, VP_B), INVALID_PARAMETER);
	log_guest_interval = 1ULL << 40;
	dropped = log_guest_dropped;
	for (int i = 1; i < 100; i++)
		CHECK_EQ(call_fast(v, SEND_IPI | FAST, 0x1, VP_B), INVALID_PARAMETER);
	while ((p = strstr(p, "HvCallSendSyntheticClusterIpi failed, status 0x5")) != NULL) {
		lines++;
		p++;
	}
	CHECK_EQ(lines, LOG_GUEST_BURST);
	CHECK_EQ(log_guest_dropped - dropped, 100 - LOG_GUEST_BURST);
	log_guest_interval = 0;
}

int main(void)
{
	RUN("viridian_flush_ipi", access_by_group);
	RUN("viridian_flush_ipi", flush_space);
	RUN("viridian_flush_ipi", flush_all_processors);
	RUN("viridian_flush_ipi", flush_refused);
	RUN("viridian_flush_ipi", flush_list_reps);
	RUN("viridian_flush_ipi", flush_target_silent);
	RUN("viridian_flush_ipi", flush_from_32_bit);
	RUN("viridian_flush_ipi", flush_ex);
	RUN("viridian_flush_ipi", send_ipi);
	RUN("viridian_flush_ipi", send_ipi_refused);
	RUN("viridian_flush_ipi", send_ipi_ex);
	RUN("viridian_flush_ipi", refusals_rate_limited);
	return test_suite_failures != 0;
}
