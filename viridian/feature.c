/* SPDX-License-Identifier: MIT */
/*
 * The partition's viridian feature mask: which groups exist, which masks are
 * valid, and the predicate the rest of viridian/ asks.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "viridian/private.h"

/* Xen and QEMU move their own leaves up by 0x100 when they show Hyper-V's at 0x40000000. */
#define VIREO_LEAF_BASE_ALONE		0x40000000u
#define VIREO_LEAF_BASE_BEHIND_HV	0x40000100u

const struct vir_group_name vir_group_names[] = {
	{ "base", VIR_BASE },
	{ "freq", VIR_FREQ },
	{ "time_ref_count", VIR_TIME_REF_COUNT },
	{ "reference_tsc", VIR_REFERENCE_TSC },
	{ "hcall_remote_tlb_flush", VIR_HCALL_REMOTE_TLB_FLUSH },
	{ "apic_assist", VIR_APIC_ASSIST },
	{ "crash_ctl", VIR_CRASH_CTL },
	{ "hcall_ipi", VIR_HCALL_IPI },
	{ "ex_processor_masks", VIR_EX_PROCESSOR_MASKS },
	{ "no_vp_limit", VIR_NO_VP_LIMIT },
	{ "cpu_hotplug", VIR_CPU_HOTPLUG },
	{ "tsc_invariant", VIR_TSC_INVARIANT },
};
const size_t vir_group_count = ARRAY_SIZE(vir_group_names);

/*
 * What a group needs besides base: at least one of needs_any. A guest
 * reading the reference TSC page falls back to TIME_REF_COUNT whenever the
 * page says so, without looking for its privilege (Linux does). Sparse VP
 * sets are the input of the _Ex forms of the flush and IPI calls (TLFS
 * "HV_VP_SET"): with neither call group there is nothing to pass them to.
 */
static const struct {
	uint64_t group;
	uint64_t needs_any;
} group_needs[] = {
	{ VIR_REFERENCE_TSC, VIR_TIME_REF_COUNT },
	{ VIR_EX_PROCESSOR_MASKS, VIR_HCALL_REMOTE_TLB_FLUSH | VIR_HCALL_IPI },
};

uint64_t vir_unmet_need(uint64_t mask, uint64_t *needs_any)
{
	for (size_t i = 0; i < ARRAY_SIZE(group_needs); i++) {
		if ((mask & group_needs[i].group) && !(mask & group_needs[i].needs_any)) {
			*needs_any = group_needs[i].needs_any;
			return group_needs[i].group;
		}
	}
	return 0;
}

/*
 * Every group hangs off base: without the "Microsoft Hv" leaves and the
 * hypercall MSRs a guest never looks for the others. So a mask needs base,
 * and 0 is not a valid mask (leaving the parameter unset means "off").
 */
int vir_validate_mask(uint64_t mask)
{
	uint64_t needs;

	if (mask & ~VIR_KNOWN)
		return -HV_EINVAL;
	if (!(mask & VIR_BASE))
		return -HV_EINVAL;
	if (vir_unmet_need(mask, &needs))
		return -HV_EINVAL;
	return 0;
}

bool vir_host_tsc_invariant(void)
{
	struct cpuid_regs r;

	cpu_cpuid(CPUID_EXT_MAX_LEAF, 0, &r);
	if (r.eax < CPUID_EXT_POWER_MGMT)
		return false;
	cpu_cpuid(CPUID_EXT_POWER_MGMT, 0, &r);
	return r.edx & CPUID_80000007_EDX_INVARIANT_TSC;
}

/*
 * A guest told its TSC is invariant relies on it for its clock; a processor
 * whose TSC is not cannot keep that promise, so the group is refused rather
 * than left out, whether it was named or came with "all": a mask means the
 * same on every machine that takes it.
 */
int vir_check_mask(uint64_t mask)
{
	int rc = vir_validate_mask(mask);

	if (rc)
		return rc;
	if ((mask & VIR_TSC_INVARIANT) && !vir_host_tsc_invariant()) {
		log_err("viridian: tsc_invariant needs a processor with an invariant TSC "
			"(CPUID 0x80000007 EDX bit 8), which this one lacks; leave it out with \"!tsc_invariant\"");
		return -HV_ENODEV;
	}
	return 0;
}

uint64_t vir_mask(const struct partition *p)
{
	if (!(p->param_set & BIT(PARAM_VIRIDIAN)))
		return 0;
	return p->param[PARAM_VIRIDIAN];
}

bool vir_has(const struct partition *p, uint64_t group)
{
	return (vir_mask(p) & group) == group;
}

void vir_apply_mask(struct partition *p)
{
	vir_build_leaves(p);
	vir_build_msr_map(p);
	vir_build_hcalls(p);
}

uint32_t vir_vireo_leaf_base(const struct partition *p)
{
	return vir_has(p, VIR_BASE) ? VIREO_LEAF_BASE_BEHIND_HV : VIREO_LEAF_BASE_ALONE;
}
