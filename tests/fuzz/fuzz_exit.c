/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the exit path: exit_dispatch() on one vCPU of a
 * partition, driven by a sequence of exits the input describes.
 *
 * Input: one byte picks the viridian mask (unset, base, base+freq, the time
 * groups with and without tsc_invariant, all), then
 * operations until the input ends, each a kind byte and its fields (fields
 * past the end read as 0):
 *   CPUID	sel, leaf u32, subleaf u32 (sel bit 0: leaf in 0x40000000-0x400001FF;
 *		bit 1: leaf 0x80000007)
 *   RDMSR	sel, msr u32 (sel bit 0: msr in 0x40000000-0x4000011F)
 *   WRMSR	sel, msr u32, value u64 (the same)
 *   VMCALL	sel (CPL, mode), form, rcx u64, then rax rbx rdx rsi rdi r8 u64
 *		(form 1: management call with op u8; 2: a known call code u8)
 *   EXIT	reason u16, qualification u64, gpa u64, ept_result u8,
 *		unrestricted u8, instr_len u8, rax rcx rdx u64 (any reason)
 *   PAGE_ON	gpa u32: GUEST_OS_ID, then HYPERCALL = page | enable, by WRMSR exits
 *   MGMT_SET	value u64: the management partition tries to set the mask again
 *
 * Invariants, checked after every operation: nothing crashes or reads out
 * of bounds (ASan, UBSan); a synthetic MSR raises #GP exactly when the mask
 * does not expose it for that access or the value is one the TLFS makes
 * fault; once set, the mask never changes (a guest's SET is always -EPERM,
 * a second management SET -EEXIST); Vireo's ranges in guest RAM keep their
 * contents; an exit either moves RIP or injects #GP/#UD, never both; only a
 * triple fault resets; every exit is counted once; TIME_REF_COUNT rises at
 * every read; CPUID 0x80000007 hides the invariant TSC exactly while a
 * partition with tsc_invariant has not set TSC_INVARIANT_CONTROL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/errno.h"
#include "hv/exit.h"
#include "hv/log.h"
#include "hv/mgmt.h"
#include "hv/partition.h"
#include "hv/stats.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake.h"
#include "viridian/viridian.h"


/* Vireo's memory inside the fake guest RAM, which no guest-supplied address may reach. */
static const struct mem_range hv_ranges[] = {
	{ 0x9000, 0x2000 },
	{ 0x80000, 0x1000 },
	{ FAKE_RAM_SIZE - 0x1000, 0x1000 },
};
#define HV_FILL		0xa5
#define HV_RANGE_MAX	0x2000

/* The synthetic MSRs as the TLFS and README describe them: the group that exposes each, and its accesses. */
struct msr_spec {
	uint64_t group;
	uint32_t msr;
	bool read, write;
};

static const struct msr_spec msr_model[] = {
	{ VIR_BASE, 0x40000000, true, true },	/* GUEST_OS_ID */
	{ VIR_BASE, 0x40000001, true, true },	/* HYPERCALL */
	{ VIR_BASE, 0x40000002, true, false },	/* VP_INDEX */
	{ VIR_TIME_REF_COUNT, 0x40000020, true, false },	/* TIME_REF_COUNT */
	{ VIR_REFERENCE_TSC, 0x40000021, true, true },	/* REFERENCE_TSC */
	{ VIR_FREQ, 0x40000022, true, false },	/* TSC_FREQUENCY */
	{ VIR_FREQ, 0x40000023, true, false },	/* APIC_FREQUENCY */
	{ VIR_BASE, 0x40000070, false, true },	/* EOI */
	{ VIR_BASE, 0x40000071, true, true },	/* ICR */
	{ VIR_BASE, 0x40000072, true, true },	/* TPR */
	{ VIR_BASE, 0x40000073, true, true },	/* VP_ASSIST_PAGE */
	{ VIR_CRASH_CTL, 0x40000100, true, true },	/* CRASH_P0 */
	{ VIR_CRASH_CTL, 0x40000101, true, true },
	{ VIR_CRASH_CTL, 0x40000102, true, true },
	{ VIR_CRASH_CTL, 0x40000103, true, true },
	{ VIR_CRASH_CTL, 0x40000104, true, true },	/* CRASH_P4 */
	{ VIR_CRASH_CTL, 0x40000105, true, true },	/* CRASH_CTL */
	{ VIR_TSC_INVARIANT, 0x40000118, true, true },	/* TSC_INVARIANT_CONTROL */
};

/* Writable ICR bits: vector, delivery mode, destination mode, level, trigger, shorthand, destination. */
#define ICR_WRITABLE	0xff000000000ccfffULL

static const uint16_t hcall_codes[] = { 0x0000, 0x0002, 0x0003, 0x0008, 0x000b, 0x0013, 0x0015, 0x0099, 0x8001 };

enum { OP_CPUID, OP_RDMSR, OP_WRMSR, OP_VMCALL, OP_EXIT, OP_PAGE_ON, OP_MGMT_SET, OP_KINDS };

static struct partition part;
static struct guest_regs regs;
static struct vcpu vcpu;
static uint64_t dispatched;
static bool mask_set;
static uint64_t mask;
static uint64_t last_ref_count;		/* the last TIME_REF_COUNT read, 0 before one */

static void setup(struct fuzz_input *in)
{
	static const uint64_t masks[] = {
		0, VIR_BASE, VIR_BASE | VIR_FREQ, VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC,
		VIR_BASE | VIR_TIME_REF_COUNT | VIR_TSC_INVARIANT, VIR_KNOWN,
	};
	uint64_t out;

	/* A processor with an invariant TSC, which tsc_invariant needs. */
	fake_cpuid_reset();
	fake_cpuid_set(0x80000000, 0, 0x80000008, 0, 0, 0);
	fake_cpuid_set(0x80000007, 0, 0, 0, 0, BIT(8));
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE, .tsc_hz = 2400000000ULL, .apic_hz = 100000000ULL };
	vir_time_init(&part, cpu_rdtsc());
	last_ref_count = 0;
	regs = (struct guest_regs){ 0 };
	vcpu = (struct vcpu){ .regs = &regs, .part = &part };
	part.vcpu[0] = &vcpu;
	part.nr_vcpus = 1;
	for (size_t i = 0; i < ARRAY_SIZE(hv_ranges); i++) {
		INVARIANT(!part_add_hv_range(&part, hv_ranges[i].base, hv_ranges[i].size));
		memset(&fake_ram[hv_ranges[i].base], HV_FILL, hv_ranges[i].size);
	}
	mask = masks[fuzz_take(in, 1) % ARRAY_SIZE(masks)];
	mask_set = mask != 0;
	if (mask_set)
		INVARIANT(mgmt_call(&part, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, mask, &out) == 0);
	dispatched = 0;
	memset(&fake_apic, 0, sizeof(fake_apic));
	memset(&fake_guest, 0, sizeof(fake_guest));
	fake_guest_cpl = 0;
	fake_guest_mode = GUEST_MODE_LONG;
	fake_msr_reset();
	fake_msr_set(0x1b, 0xfee00900);
	fake_log_clear();
}

static enum exit_action dispatch(uint32_t reason, uint32_t instr_len)
{
	enum exit_action action;

	vcpu.exit_reason = reason;
	vcpu.instr_len = instr_len;
	vcpu.rip = 0x100000;
	vcpu.rip_changed = false;
	vcpu.event.valid = false;
	action = exit_dispatch(&vcpu);
	dispatched++;

	INVARIANT(!(vcpu.event.valid && vcpu.rip_changed));
	if (vcpu.rip_changed)
		INVARIANT(vcpu.rip == 0x100000 + instr_len);
	if (vcpu.event.valid) {
		INVARIANT(vcpu.event.type == EVENT_HW_EXCEPTION);
		INVARIANT(vcpu.event.vector == VEC_GP || vcpu.event.vector == VEC_UD);
		INVARIANT(vcpu.event.has_error_code == (vcpu.event.vector == VEC_GP));
	}
	INVARIANT((action == EXIT_RESET_SYSTEM) == (reason == EXIT_REASON_TRIPLE_FAULT));
	return action;
}

static bool gp(void)
{
	return vcpu.event.valid && vcpu.event.vector == VEC_GP;
}

static bool mask_has(uint64_t group)
{
	return mask_set && (mask & group) == group;
}

/* The model's entry for msr if the mask exposes it, else NULL. */
static const struct msr_spec *msr_exposed(uint32_t msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(msr_model); i++)
		if (msr_model[i].msr == msr)
			return mask_has(msr_model[i].group) ? &msr_model[i] : NULL;
	return NULL;
}

static bool is_synthetic(uint32_t msr)
{
	return msr >= 0x40000000 && msr <= 0x4000ffff;
}

/* [gpa, gpa + len) in guest RAM and clear of Vireo's ranges, by the partition's own record. */
static bool guest_range(uint64_t gpa, uint64_t len)
{
	if (gpa >= FAKE_RAM_SIZE || len > FAKE_RAM_SIZE - gpa)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(hv_ranges); i++)
		if (gpa < hv_ranges[i].base + hv_ranges[i].size && hv_ranges[i].base < gpa + len)
			return false;
	return true;
}

/* Whether a write of val to an exposed, writable msr must succeed (the TLFS's reserved bits and rules). */
static bool write_valid(uint32_t msr, uint64_t val)
{
	switch (msr) {
	case 0x40000001:
		if ((val & 0xffc) || (part.vir.hypercall & 2))
			return false;
		if (!part.vir.guest_os_id || !(val & 1))
			return true;
		return guest_range(val & PAGE_MASK, 4);
	case 0x40000021:
		return !(val & 1) || guest_range(val & PAGE_MASK, PAGE_SIZE);
	case 0x40000073:
		return !(val & 1) || guest_range(val & PAGE_MASK, 4);
	case 0x40000118:
		return val == 1 || (val == 0 && !part.vir.time.invariant_control);
	case 0x40000070:
		return !(val >> 32);
	case 0x40000071:
		return !(val & ~ICR_WRITABLE);
	case 0x40000072:
		return val <= 0xff;
	case 0x40000105:
		return !(val & (BIT(58) - 1));
	}
	return true;
}

static uint32_t pick_msr(struct fuzz_input *in)
{
	uint8_t sel = (uint8_t)fuzz_take(in, 1);
	uint32_t raw = (uint32_t)fuzz_take(in, 4);

	return sel & 1 ? 0x40000000 + raw % 0x120 : raw;
}

static void op_cpuid(struct fuzz_input *in)
{
	uint8_t sel = (uint8_t)fuzz_take(in, 1);
	uint32_t leaf = (uint32_t)fuzz_take(in, 4), subleaf = (uint32_t)fuzz_take(in, 4);

	regs.rax = sel & 2 ? 0x80000007 : sel & 1 ? 0x40000000 | (leaf & 0x1ff) : leaf;
	regs.rcx = sel & 2 ? 0 : subleaf;
	INVARIANT(dispatch(EXIT_REASON_CPUID, 2) == EXIT_RESUME);
	INVARIANT(vcpu.rip_changed);
	if (sel & 2)
		INVARIANT(!!(regs.rdx & BIT(8)) ==
			  !(mask_has(VIR_TSC_INVARIANT) && !(part.vir.time.invariant_control & 1)));
}

static void op_rdmsr(struct fuzz_input *in)
{
	uint32_t msr = pick_msr(in);
	const struct msr_spec *m = msr_exposed(msr);

	regs.rcx = msr;
	INVARIANT(dispatch(EXIT_REASON_MSR_READ, 2) == EXIT_RESUME);
	if (is_synthetic(msr))
		INVARIANT(gp() == !(m && m->read));
	if (msr == 0x40000020 && !gp()) {
		uint64_t val = (uint32_t)regs.rax | regs.rdx << 32;

		INVARIANT(!last_ref_count || val > last_ref_count);
		last_ref_count = val;
	}
}

static void op_wrmsr(uint32_t msr, uint64_t val)
{
	const struct msr_spec *m = msr_exposed(msr);
	bool valid = m && m->write && write_valid(msr, val);

	regs.rcx = msr;
	regs.rax = (uint32_t)val;
	regs.rdx = val >> 32;
	INVARIANT(dispatch(EXIT_REASON_MSR_WRITE, 2) == EXIT_RESUME);
	if (is_synthetic(msr))
		INVARIANT(gp() == !valid);
}

static void op_vmcall(struct fuzz_input *in)
{
	uint8_t sel = (uint8_t)fuzz_take(in, 1), form = (uint8_t)fuzz_take(in, 1);
	uint64_t rcx = fuzz_take(in, 8);
	bool page_on = mask_has(VIR_BASE) && (part.vir.hypercall & 1);

	fake_guest_cpl = (sel & 3) == 3 ? 3 : 0;
	fake_guest_mode = (enum guest_mode)((sel >> 2) % 3);
	if (form % 3 == 1)
		rcx = MGMT_TAG | (rcx & 0xff) % 5;
	else if (form % 3 == 2)
		rcx = (rcx & ~0xffffULL & ~MGMT_TAG_MASK) | hcall_codes[(rcx & 0xff) % ARRAY_SIZE(hcall_codes)];
	regs.rcx = rcx;
	regs.rax = fuzz_take(in, 8);
	regs.rbx = fuzz_take(in, 8);
	regs.rdx = fuzz_take(in, 8);
	regs.rsi = fuzz_take(in, 8);
	regs.rdi = fuzz_take(in, 8);
	regs.r8 = fuzz_take(in, 8);

	INVARIANT(dispatch(EXIT_REASON_VMCALL, 3) == EXIT_RESUME);
	if (mgmt_is_call(rcx)) {
		uint64_t op = rcx & ~MGMT_TAG_MASK;

		INVARIANT(vcpu.event.valid == (fake_guest_cpl != 0));
		if (!vcpu.event.valid && op == MGMT_OP_SET_PARAM)
			INVARIANT(regs.rax == (uint64_t)-HV_EPERM);
	} else if (page_on && fake_guest_cpl == 0 && fake_guest_mode != GUEST_MODE_REAL) {
		uint16_t status = (uint16_t)regs.rax;

		INVARIANT(!vcpu.event.valid);
		INVARIANT(status == 0 || (status >= 2 && status <= 6));
	} else {
		INVARIANT(vcpu.event.valid && vcpu.event.vector == VEC_UD);
	}
	fake_guest_cpl = 0;
	fake_guest_mode = GUEST_MODE_LONG;
}

static void op_exit(struct fuzz_input *in)
{
	uint32_t reason = (uint32_t)fuzz_take(in, 2);
	uint32_t len;

	vcpu.exit_qual = fuzz_take(in, 8);
	vcpu.exit_gpa = fuzz_take(in, 8);
	fake_guest.ept_result = (enum vcpu_ept_fault)(fuzz_take(in, 1) % 3);
	fake_guest.unrestricted = fuzz_take(in, 1) & 1;
	len = (uint32_t)fuzz_take(in, 1) % 16;
	regs.rax = fuzz_take(in, 8);
	regs.rcx = fuzz_take(in, 8);
	regs.rdx = fuzz_take(in, 8);
	if (reason & 0x8000)
		reason &= 0x7f;		/* mostly reasons in and near the table */
	dispatch(reason, len);
}

static void op_page_on(struct fuzz_input *in)
{
	uint64_t gpa = fuzz_take(in, 4) & 0x1ff000;	/* up to 2 MiB: beyond the fake RAM too */

	op_wrmsr(0x40000000, 0x8100000000010000ULL);
	op_wrmsr(0x40000001, gpa | 1);
}

static void op_mgmt_set(struct fuzz_input *in)
{
	uint64_t out = 0, val = fuzz_take(in, 8);
	int64_t rc = mgmt_call(&part, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, val, &out);

	if (mask_set)
		INVARIANT(rc == -HV_EEXIST);
	else if (!rc) {
		mask_set = true;
		mask = val;
	}
}

static void check_state(void)
{
	static uint8_t fill[HV_RANGE_MAX];

	if (!fill[0])
		memset(fill, HV_FILL, sizeof(fill));
	INVARIANT(!!(part.param_set & BIT(PARAM_VIRIDIAN)) == mask_set);
	if (mask_set)
		INVARIANT(part.param[PARAM_VIRIDIAN] == mask);
	for (size_t i = 0; i < ARRAY_SIZE(hv_ranges); i++)
		INVARIANT(!memcmp(&fake_ram[hv_ranges[i].base], fill, hv_ranges[i].size));
	INVARIANT(stats_total_exits(&vcpu.stats) == dispatched);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	log_threshold = LOG_WARN;
	setup(&in);
	while (in.n) {
		unsigned int kind = (unsigned int)(fuzz_take(&in, 1) % OP_KINDS);
		uint32_t msr;

		switch (kind) {
		case OP_CPUID:
			op_cpuid(&in);
			break;
		case OP_RDMSR:
			op_rdmsr(&in);
			break;
		case OP_WRMSR:
			msr = pick_msr(&in);
			op_wrmsr(msr, fuzz_take(&in, 8));
			break;
		case OP_VMCALL:
			op_vmcall(&in);
			break;
		case OP_EXIT:
			op_exit(&in);
			break;
		case OP_PAGE_ON:
			op_page_on(&in);
			break;
		default:
			op_mgmt_set(&in);
			break;
		}
		check_state();
	}
	return 0;
}
