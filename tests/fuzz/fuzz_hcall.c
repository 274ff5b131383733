/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the input decoders of the flush and IPI hypercalls:
 * the sparse VP set (viridian/vpset.c) on its own, and the whole calls
 * (0x0002, 0x0003, 0x000b, 0x0013, 0x0014, 0x0015) through vir_hypercall()
 * on a partition of 1 to 8 vCPUs with every group on.
 *
 * Input: a byte for the number of vCPUs and which one calls, a byte for
 * whether kicked vCPUs answer, then operations until the input ends, each a
 * kind byte and its fields (fields past the end read as 0):
 *   VPSET	bank_words u8, then 66 qwords: vir_vpset_decode() against a
 *		model written from the TLFS text
 *   CALL	code index u8, control bits u64 (fast, variable header, reps),
 *		gpa u16 (in 8-byte steps, so also across pages and past RAM),
 *		rdx and r8 u64, then up to 68 qwords of input block
 *
 * Invariants: nothing reads or writes out of bounds (ASan, UBSan); a
 * decoded set matches the model; every call returns a known status and
 * leaves RCX, RDX and R8 as they were; a rep call that succeeded completed
 * all its reps and any other completed none; a memory input that was taken
 * lay aligned in one page of guest RAM; an IPI call that succeeded sent the
 * vector (16-255) to exactly the VPs it named, one IPI each, and any other
 * sent none; a flush that succeeded made every VP it named flush, one that
 * failed before asking made none flush.
 */
#include <string.h>
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/request.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake.h"
#include "viridian/msr.h"
#include "viridian/private.h"

#define MAX_FUZZ_VCPUS	8
#define HC_PAGE		0x5000ULL
#define IN_BASE		(FAKE_RAM_SIZE - 0x40000ULL)	/* the input block: this plus gpa * 8 */
#define BLOCK_QWORDS	68

static struct partition part;
static struct guest_regs regs[MAX_FUZZ_VCPUS];
static struct vcpu vcpus[MAX_FUZZ_VCPUS];
static struct vcpu *caller;
static uint64_t existing;	/* the partition's VP indexes, as a mask */

/* ------------------------------------------------------------ the model */

/* Which bank the k-th bank word stands for: the k-th set bit of valid. */
static unsigned int nth_set_bit(uint64_t valid, unsigned int k)
{
	for (unsigned int bit = 0; bit < 64; bit++)
		if ((valid & BIT(bit)) && k-- == 0)
			return bit;
	return 64;
}

/* TLFS "HV_VP_SET": the status and the set, as the text says. */
static uint16_t model_vpset(const uint64_t *w, unsigned int words, struct vir_vp_set *out)
{
	*out = (struct vir_vp_set){ .all = false, .mask = 0, .beyond = false };
	if ((unsigned int)__builtin_popcountll(w[1]) != words)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (w[0] == 1) {
		out->all = true;
		return HV_STATUS_SUCCESS;
	}
	if (w[0] != 0)
		return HV_STATUS_INVALID_PARAMETER;
	for (unsigned int k = 0; k < words; k++) {
		if (nth_set_bit(w[1], k) == 0)
			out->mask |= w[2 + k];
		else if (w[2 + k])
			out->beyond = true;
	}
	return HV_STATUS_SUCCESS;
}

static void op_vpset(struct fuzz_input *in)
{
	unsigned int words = (unsigned int)fuzz_take(in, 1) % 66;
	uint64_t w[2 + 64] = { 0 };
	struct vir_vp_set got, want;
	uint16_t got_status, want_status;

	for (unsigned int i = 0; i < 2 + 64; i++)
		w[i] = fuzz_take(in, 8);
	w[0] %= 4;	/* mostly formats near the two that exist */
	got_status = vir_vpset_decode(w, words > 64 ? 64 : words, &got);
	want_status = model_vpset(w, words > 64 ? 64 : words, &want);
	INVARIANT(got_status == want_status);
	if (got_status == HV_STATUS_SUCCESS) {
		INVARIANT(got.all == want.all);
		INVARIANT(got.mask == want.mask);
		INVARIANT(got.beyond == want.beyond);
	}
}

/* ------------------------------------------------------------ whole calls */

static const uint16_t codes[] = {
	HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, HVCALL_SEND_IPI,
	HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, HVCALL_SEND_IPI_EX,
};

static bool is_ipi(uint16_t code)
{
	return code == HVCALL_SEND_IPI || code == HVCALL_SEND_IPI_EX;
}

static bool is_ex(uint16_t code)
{
	return code >= HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX;
}

static bool is_rep(uint16_t code)
{
	return code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST || code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
}

/* The VPs the call names by the model, or false if the model refuses the input. */
static bool model_targets(uint16_t code, const uint64_t *in, unsigned int var_hdr, uint64_t *targets,
			  uint64_t *vector)
{
	unsigned int at = is_ipi(code) ? 1 : 2;
	struct vir_vp_set set = vir_vp_mask(in[at]);

	if (is_ex(code) && model_vpset(&in[at], var_hdr, &set) != HV_STATUS_SUCCESS)
		return false;
	if (is_ipi(code)) {
		*vector = in[0];
		if (*vector < 16 || *vector > 255)
			return false;
	} else if (in[1] & BIT(0)) {
		set.all = true;
	}
	if (set.all) {
		*targets = existing;
		return true;
	}
	if (set.beyond || (set.mask & ~existing))
		return false;
	*targets = set.mask;
	return true;
}

static void op_call(struct fuzz_input *in)
{
	uint16_t code = codes[fuzz_take(in, 1) % ARRAY_SIZE(codes)];
	uint64_t bits = fuzz_take(in, 8), gpa = IN_BASE + fuzz_take(in, 2) * 8, rdx = fuzz_take(in, 8), r8 = fuzz_take(in, 8);
	uint64_t control = code | (bits & (BIT(16) | 0x7FE0000ULL | 0x0FFF0FFF00000000ULL));
	bool fast = control & BIT(16);
	unsigned int var_hdr = (unsigned int)(control >> 17 & 0x3FF);
	unsigned int reps = (unsigned int)(control >> 32 & 0xFFF);
	uint64_t block[BLOCK_QWORDS], flushes_before[MAX_FUZZ_VCPUS], targets = 0, vector = 0, result;
	unsigned int fixed_qwords = is_ipi(code) ? (is_ex(code) ? 3 : 2) : (is_ex(code) ? 4 : 3);
	uint64_t size = (fixed_qwords + var_hdr + (is_rep(code) ? reps : 0)) * 8;
	const uint64_t *taken;
	bool named;
	uint16_t status;

	/* Mostly one page, small variable headers and rep counts, so that calls get through. */
	if (!(bits & 2))
		gpa = IN_BASE + (gpa & 0xff8);
	for (unsigned int i = 0; i < BLOCK_QWORDS; i++) {
		block[i] = fuzz_take(in, 8);
		if (gpa + (i + 1) * 8 <= FAKE_RAM_SIZE)
			memcpy(&fake_ram[gpa + i * 8], &block[i], 8);
	}
	if (!(bits & 1)) {
		var_hdr %= 4;
		reps %= 8;
		control = (control & ~(0x3FFULL << 17) & ~(0xFFFULL << 32) & ~(0xFFFULL << 48)) |
			  (uint64_t)var_hdr << 17 | (uint64_t)reps << 32;
		size = (fixed_qwords + var_hdr + (is_rep(code) ? reps : 0)) * 8;
	}
	for (unsigned int i = 0; i < part.nr_vcpus; i++)
		flushes_before[i] = fake_tlb_flushes[i];
	fake_apic.nr_fixed = 0;

	caller->regs->rcx = control;
	caller->regs->rdx = fast ? rdx : gpa;
	caller->regs->r8 = r8;
	INVARIANT(vir_hypercall(caller));
	INVARIANT(!caller->event.valid);
	result = caller->regs->rax;
	status = (uint16_t)result;
	INVARIANT(caller->regs->rcx == control);
	INVARIANT(caller->regs->rdx == (fast ? rdx : gpa));
	INVARIANT(caller->regs->r8 == r8);

	INVARIANT(status == HV_STATUS_SUCCESS || status == HV_STATUS_INVALID_HYPERCALL_INPUT ||
		  status == HV_STATUS_INVALID_ALIGNMENT || status == HV_STATUS_INVALID_PARAMETER ||
		  status == HV_STATUS_TIME_OUT);
	INVARIANT((result >> 32 & 0xFFF) == (status == HV_STATUS_SUCCESS && is_rep(code) ? reps : 0));
	INVARIANT((result & ~0xFFF0000FFFFULL) == 0);

	if (status == HV_STATUS_SUCCESS && !fast) {
		INVARIANT(!(gpa & 7));
		INVARIANT((gpa & 0xFFF) + size <= 0x1000);
		INVARIANT(gpa + size <= FAKE_RAM_SIZE);
	}
	/* What the call named, by the model, from what the guest handed in. */
	taken = fast ? (const uint64_t[]){ rdx, r8 } : block;
	named = (status == HV_STATUS_SUCCESS || status == HV_STATUS_TIME_OUT) &&
		model_targets(code, taken, var_hdr, &targets, &vector);
	if (status == HV_STATUS_SUCCESS || status == HV_STATUS_TIME_OUT)
		INVARIANT(named);

	if (is_ipi(code)) {
		unsigned int sent = 0;

		INVARIANT(status != HV_STATUS_TIME_OUT);
		if (status != HV_STATUS_SUCCESS) {
			INVARIANT(fake_apic.nr_fixed == 0);
			return;
		}
		for (unsigned int i = 0; i < part.nr_vcpus; i++) {
			if (!(targets & BIT(i)))
				continue;
			INVARIANT(sent < fake_apic.nr_fixed);
			INVARIANT(fake_apic.fixed[sent].apic_id == vcpus[i].apic_id);
			INVARIANT(fake_apic.fixed[sent].vector == vector);
			sent++;
		}
		INVARIANT(fake_apic.nr_fixed == sent);
		return;
	}
	INVARIANT(fake_apic.nr_fixed == 0);
	for (unsigned int i = 0; i < part.nr_vcpus; i++) {
		uint64_t flushed = fake_tlb_flushes[i] - flushes_before[i];

		if (status == HV_STATUS_SUCCESS)
			INVARIANT(flushed == !!(targets & BIT(i)));
		else if (status != HV_STATUS_TIME_OUT)
			INVARIANT(flushed == 0);
	}
}

static void setup(struct fuzz_input *in)
{
	uint8_t sel = (uint8_t)fuzz_take(in, 1);
	unsigned int n = 1 + sel % MAX_FUZZ_VCPUS;

	/* A short request timeout: a silent vCPU costs a hundred TSC reads. */
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE, .tsc_hz = 1000000, .apic_hz = 100000000ULL };
	part.param[PARAM_VIRIDIAN] = VIR_KNOWN;
	part.param_set = (uint32_t)BIT(PARAM_VIRIDIAN);
	vir_apply_mask(&part);
	existing = 0;
	for (unsigned int i = 0; i < n; i++) {
		regs[i] = (struct guest_regs){ 0 };
		vcpus[i] = (struct vcpu){ .regs = &regs[i], .part = &part, .vp_index = i, .apic_id = 0x10 + 3 * i };
		part.vcpu[i] = &vcpus[i];
		existing |= BIT(i);
	}
	part.nr_vcpus = n;
	caller = &vcpus[(sel >> 3) % n];
	memset(&fake_apic, 0, sizeof(fake_apic));
	fake_apic.kick_exits = !(fuzz_take(in, 1) & 1);
	memset(fake_tlb_flushes, 0, sizeof(fake_tlb_flushes));
	fake_guest_cpl = 0;
	fake_guest_mode = GUEST_MODE_LONG;
	INVARIANT(vir_wrmsr(caller, 0x40000000, 0x8100000000010000ULL) == MSR_DONE);
	INVARIANT(vir_wrmsr(caller, 0x40000001, HC_PAGE | 1) == MSR_DONE);
	fake_log_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	log_threshold = LOG_ERR;
	setup(&in);
	while (in.n) {
		if (fuzz_take(&in, 1) & 1)
			op_call(&in);
		else
			op_vpset(&in);
	}
	return 0;
}
