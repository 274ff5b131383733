/* SPDX-License-Identifier: MIT */
/* The feature mask and the Hyper-V CPUID leaves 0x40000000-0x40000006 for each mask. */
#include "hv/errno.h"
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

static void validate_mask(void)
{
	static const struct {
		uint64_t mask;
		int want;
	} cases[] = {
		{ 0, -HV_EINVAL },
		{ VIR_BASE, 0 },
		{ VIR_BASE | VIR_FREQ, 0 },
		{ VIR_FREQ, -HV_EINVAL },
		{ VIR_TIME_REF_COUNT, -HV_EINVAL },
		{ VIR_BASE | VIR_TIME_REF_COUNT, 0 },
		{ VIR_BASE | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC, 0 },
		{ VIR_BASE | VIR_REFERENCE_TSC, -HV_EINVAL },
		{ VIR_BASE | VIR_FREQ | VIR_REFERENCE_TSC | VIR_TSC_INVARIANT, -HV_EINVAL },
		{ VIR_BASE | VIR_TSC_INVARIANT, 0 },
		{ VIR_KNOWN, 0 },
		{ VIR_KNOWN & ~VIR_BASE, -HV_EINVAL },
		{ VIR_BASE | BIT(62), -HV_EINVAL },
		{ VIR_BASE | VIR_FREQ | BIT(63), -HV_EINVAL },
		{ ~0ULL, -HV_EINVAL },
		/* The _Ex calls need a call group to belong to. */
		{ VIR_BASE | VIR_EX_PROCESSOR_MASKS, -HV_EINVAL },
		{ VIR_BASE | VIR_FREQ | VIR_CRASH_CTL | VIR_EX_PROCESSOR_MASKS, -HV_EINVAL },
		{ VIR_BASE | VIR_EX_PROCESSOR_MASKS | VIR_HCALL_REMOTE_TLB_FLUSH, 0 },
		{ VIR_BASE | VIR_EX_PROCESSOR_MASKS | VIR_HCALL_IPI, 0 },
		{ VIR_KNOWN & ~(VIR_HCALL_REMOTE_TLB_FLUSH | VIR_HCALL_IPI), -HV_EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_EQ(vir_validate_mask(cases[i].mask), cases[i].want);
}

/* reference_tsc needs time_ref_count, the _Ex calls a call group: the group and what it lacks are named. */
static void unmet_needs(void)
{
	uint64_t needs = 0xdead;

	CHECK_EQ(vir_unmet_need(VIR_BASE | VIR_REFERENCE_TSC, &needs), VIR_REFERENCE_TSC);
	CHECK_EQ(needs, VIR_TIME_REF_COUNT);
	needs = 0xdead;
	CHECK_EQ(vir_unmet_need(VIR_BASE | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC, &needs), 0);
	CHECK_EQ(vir_unmet_need(VIR_KNOWN, &needs), 0);
	CHECK_EQ(vir_unmet_need(VIR_KNOWN & ~VIR_TIME_REF_COUNT, &needs), VIR_REFERENCE_TSC);
	CHECK_EQ(vir_unmet_need(0, &needs), 0);
	CHECK_EQ(vir_unmet_need(VIR_BASE | VIR_EX_PROCESSOR_MASKS, &needs), VIR_EX_PROCESSOR_MASKS);
	CHECK_EQ(needs, VIR_HCALL_REMOTE_TLB_FLUSH | VIR_HCALL_IPI);
}

/*
 * Xen's names and bit numbers (xl.cfg "viridian", HVMPV_* in params.h), in bit order;
 * tsc_invariant is Vireo's own, on a bit Xen leaves unused.
 */
static void group_names(void)
{
	static const struct {
		const char *name;
		uint64_t bit;
	} xen[] = {
		{ "base", BIT(0) },
		{ "freq", BIT(1) },
		{ "time_ref_count", BIT(2) },
		{ "reference_tsc", BIT(3) },
		{ "hcall_remote_tlb_flush", BIT(4) },
		{ "apic_assist", BIT(5) },
		{ "crash_ctl", BIT(6) },
		{ "hcall_ipi", BIT(9) },
		{ "ex_processor_masks", BIT(10) },
		{ "no_vp_limit", BIT(11) },
		{ "cpu_hotplug", BIT(12) },
		{ "tsc_invariant", BIT(13) },
	};
	uint64_t known = 0;

	CHECK_EQ(vir_group_count, ARRAY_SIZE(xen));
	for (size_t i = 0; i < ARRAY_SIZE(xen) && i < vir_group_count; i++) {
		CHECK_STR(vir_group_names[i].name, xen[i].name);
		CHECK_EQ(vir_group_names[i].bit, xen[i].bit);
		known |= xen[i].bit;
	}
	CHECK_EQ(VIR_KNOWN, known);
}

static void has_and_leaf_base(void)
{
	static const struct {
		struct vf_mask m;
		bool base, freq;
		uint32_t leaf_base;
	} cases[] = {
		{ VF_OFF, false, false, 0x40000000 },
		{ { "set to 0", true, 0 }, false, false, 0x40000000 },
		{ { "unset with stale value", false, VIR_BASE | VIR_FREQ }, false, false, 0x40000000 },
		{ VF_BASE, true, false, 0x40000100 },
		{ VF_BASE_FREQ, true, true, 0x40000100 },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		vf_init(&f, cases[i].m);
		CHECK_EQ(vir_has(&f.part, VIR_BASE), cases[i].base);
		CHECK_EQ(vir_has(&f.part, VIR_FREQ), cases[i].freq);
		CHECK_EQ(vir_has(&f.part, VIR_BASE | VIR_FREQ), cases[i].base && cases[i].freq);
		CHECK_EQ(vir_vireo_leaf_base(&f.part), cases[i].leaf_base);
	}
}

static void leaves_absent_when_off(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_OFF);

	for (uint32_t leaf = 0x40000000; leaf <= 0x40000007; leaf++)
		CHECK(!vir_cpuid(&v->part->vir, leaf));
}

static void leaves_outside_range(void)
{
	static const uint32_t leaves[] = { 0, 1, 0x3FFFFFFF, 0x40000007, 0x40000100, 0x4FFFFFFF, 0x80000000 };
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE_FREQ);

	for (size_t i = 0; i < ARRAY_SIZE(leaves); i++)
		CHECK(!vir_cpuid(&v->part->vir, leaves[i]));
}

/*
 * EAX bits 4, 5, 6: AccessApicMsrs, AccessHypercallMsrs, AccessVpIndex; 11: AccessFrequencyRegs;
 * 1: AccessPartitionReferenceCounter; 9: AccessPartitionReferenceTsc; 15: TSC invariant controls.
 */
#define PRIV_BASE	0x70u
#define PRIV_FREQ	0x800u
#define PRIV_TIME	0x2u
#define PRIV_TSC_PAGE	0x200u
#define PRIV_INVARIANT	0x8000u
/* EDX bit 8: frequency MSRs available; bit 10: guest crash MSRs available. */
#define MISC_FREQ	0x100u
#define MISC_CRASH	0x400u

static void leaves_exact(void)
{
	static const struct {
		struct vf_mask m;
		uint32_t leaf;
		struct cpuid_regs want;
	} cases[] = {
		{ VF_BASE, 0x40000000, { 0x40000006, 0x7263694D, 0x666F736F, 0x76482074 } },
		{ VF_BASE, 0x40000001, { 0x31237648, 0, 0, 0 } },
		{ VF_BASE, 0x40000002, { 0x1772, 0x00060000, 0, 0 } },
		{ VF_BASE, 0x40000003, { PRIV_BASE, 0, 0, 0 } },
		{ VF_BASE, 0x40000004, { 0, 0xFFFFFFFF, 0, 0 } },
		{ VF_BASE, 0x40000005, { 64, 0, 0, 0 } },
		{ VF_BASE, 0x40000006, { 0x2, 0, 0, 0 } },
		{ VF_BASE_FREQ, 0x40000000, { 0x40000006, 0x7263694D, 0x666F736F, 0x76482074 } },
		{ VF_BASE_FREQ, 0x40000001, { 0x31237648, 0, 0, 0 } },
		{ VF_BASE_FREQ, 0x40000002, { 0x1772, 0x00060000, 0, 0 } },
		{ VF_BASE_FREQ, 0x40000003, { PRIV_BASE | PRIV_FREQ, 0, 0, MISC_FREQ } },
		{ VF_BASE_FREQ, 0x40000004, { 0, 0xFFFFFFFF, 0, 0 } },
		{ VF_BASE_FREQ, 0x40000005, { 64, 0, 0, 0 } },
		{ VF_BASE_FREQ, 0x40000006, { 0x2, 0, 0, 0 } },
		/* Each time group adds its privilege, and only that. */
		{ VF_TIME, 0x40000003, { PRIV_BASE | PRIV_TIME, 0, 0, 0 } },
		{ VF_TSC_PAGE, 0x40000003, { PRIV_BASE | PRIV_FREQ | PRIV_TIME | PRIV_TSC_PAGE, 0, 0, MISC_FREQ } },
		{ VF_INVARIANT, 0x40000003, { PRIV_BASE | PRIV_INVARIANT, 0, 0, 0 } },
		{ { "base+crash_ctl", true, VIR_BASE | VIR_CRASH_CTL }, 0x40000003, { PRIV_BASE, 0, 0, MISC_CRASH } },
		{ { "base+crash_ctl", true, VIR_BASE | VIR_CRASH_CTL }, 0x40000004, { 0, 0xFFFFFFFF, 0, 0 } },
		/* 0x40000004 EAX: bit 2 remote TLB flush, 10 cluster IPI, 11 _Ex calls; never bit 3. */
		{ { "base+flush", true, VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH }, 0x40000004, { 0x4, 0xFFFFFFFF, 0, 0 } },
		{ { "base+flush", true, VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH }, 0x40000003, { PRIV_BASE, 0, 0, 0 } },
		{ { "base+ipi", true, VIR_BASE | VIR_HCALL_IPI }, 0x40000004, { 0x400, 0xFFFFFFFF, 0, 0 } },
		{ { "base+ipi+ex", true, VIR_BASE | VIR_HCALL_IPI | VIR_EX_PROCESSOR_MASKS }, 0x40000004,
		  { 0xC00, 0xFFFFFFFF, 0, 0 } },
		{ { "base+flush+ipi+ex", true,
		    VIR_BASE | VIR_HCALL_REMOTE_TLB_FLUSH | VIR_HCALL_IPI | VIR_EX_PROCESSOR_MASKS },
		  0x40000004, { 0xC04, 0xFFFFFFFF, 0, 0 } },
		{ { "base+no_vp_limit", true, VIR_BASE | VIR_NO_VP_LIMIT }, 0x40000005, { 0xFFFFFFFF, 0, 0, 0 } },
		/* EDX bit 3: processor dynamic partitioning events. */
		{ { "base+cpu_hotplug", true, VIR_BASE | VIR_CPU_HOTPLUG }, 0x40000003, { PRIV_BASE, 0, 0, 0x8 } },
		{ VF_ALL, 0x40000000, { 0x40000006, 0x7263694D, 0x666F736F, 0x76482074 } },
		{ VF_ALL, 0x40000003,
		  { PRIV_BASE | PRIV_FREQ | PRIV_TIME | PRIV_TSC_PAGE | PRIV_INVARIANT, 0, 0, MISC_FREQ | MISC_CRASH | 0x8 } },
		{ VF_ALL, 0x40000004, { 0xC04, 0xFFFFFFFF, 0, 0 } },
		{ VF_ALL, 0x40000005, { 0xFFFFFFFF, 0, 0, 0 } },
		{ VF_ALL, 0x40000006, { 0x2, 0, 0, 0 } },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = vf_init(&f, cases[i].m);
		const struct cpuid_regs *r = vir_cpuid(&v->part->vir, cases[i].leaf);
		int failures = test_case_failures;

		CHECK(r);
		if (!r)
			continue;
		CHECK_EQ(r->eax, cases[i].want.eax);
		CHECK_EQ(r->ebx, cases[i].want.ebx);
		CHECK_EQ(r->ecx, cases[i].want.ecx);
		CHECK_EQ(r->edx, cases[i].want.edx);
		if (test_case_failures != failures)
			printf("  in case %s, leaf 0x%" PRIx32 "\n", cases[i].m.name, cases[i].leaf);
	}
}

/*
 * apic_assist shows the guest nothing (viridian/viridian.h): every leaf as
 * without it, and never the APIC-MSR recommendation (0x40000004 EAX bit 3).
 */
static void apic_assist_invisible(void)
{
	static const uint64_t masks[] = { VIR_BASE, VIR_BASE | VIR_FREQ, VIR_KNOWN & ~VIR_APIC_ASSIST };
	struct vir_fixture f;

	for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
		for (uint32_t leaf = 0x40000000; leaf <= 0x40000006; leaf++) {
			struct cpuid_regs without = { 0xdead, 0xdead, 0xdead, 0xdead }, with = without;
			const struct cpuid_regs *r;

			vf_init(&f, (struct vf_mask){ "without", true, masks[m] });
			r = vir_cpuid(&f.part.vir, leaf);
			CHECK(r);
			if (r)
				without = *r;
			vf_init(&f, (struct vf_mask){ "with", true, masks[m] | VIR_APIC_ASSIST });
			r = vir_cpuid(&f.part.vir, leaf);
			CHECK(r);
			if (r)
				with = *r;
			CHECK(!memcmp(&with, &without, sizeof(with)));
			if (leaf == 0x40000004)
				CHECK(!(with.eax & BIT(3)));
		}
	}
}

/* The signature spells "Microsoft Hv" and the interface "Hv#1" in memory order. */
static void signature_text(void)
{
	struct vir_fixture f;
	struct vcpu *v = vf_init(&f, (struct vf_mask)VF_BASE);
	const struct cpuid_regs *r = vir_cpuid(&v->part->vir, 0x40000000);
	char sig[13] = { 0 }, iface[5] = { 0 };

	CHECK(r);
	if (r) {
		memcpy(sig, &r->ebx, 4);
		memcpy(sig + 4, &r->ecx, 4);
		memcpy(sig + 8, &r->edx, 4);
	}
	CHECK_STR(sig, "Microsoft Hv");
	r = vir_cpuid(&v->part->vir, 0x40000001);
	CHECK(r);
	if (r)
		memcpy(iface, &r->eax, 4);
	CHECK_STR(iface, "Hv#1");
}

int main(void)
{
	RUN("viridian_cpuid", validate_mask);
	RUN("viridian_cpuid", unmet_needs);
	RUN("viridian_cpuid", group_names);
	RUN("viridian_cpuid", has_and_leaf_base);
	RUN("viridian_cpuid", leaves_absent_when_off);
	RUN("viridian_cpuid", leaves_outside_range);
	RUN("viridian_cpuid", leaves_exact);
	RUN("viridian_cpuid", apic_assist_invisible);
	RUN("viridian_cpuid", signature_text);
	return test_suite_failures != 0;
}
