/* SPDX-License-Identifier: MIT */
/*
 * The partition's viridian feature mask: which groups exist, which masks are
 * valid, and the predicate the rest of viridian/ asks.
 */
#include "hv/errno.h"
#include "hv/partition.h"
#include "viridian/private.h"

/* Xen and QEMU move their own leaves up by 0x100 when they show Hyper-V's at 0x40000000. */
#define VIREO_LEAF_BASE_ALONE		0x40000000u
#define VIREO_LEAF_BASE_BEHIND_HV	0x40000100u

const struct vir_group_name vir_group_names[] = {
	{ "base", VIR_BASE },
	{ "freq", VIR_FREQ },
	{ "hcall_remote_tlb_flush", VIR_HCALL_REMOTE_TLB_FLUSH },
	{ "apic_assist", VIR_APIC_ASSIST },
	{ "crash_ctl", VIR_CRASH_CTL },
	{ "hcall_ipi", VIR_HCALL_IPI },
	{ "ex_processor_masks", VIR_EX_PROCESSOR_MASKS },
	{ "no_vp_limit", VIR_NO_VP_LIMIT },
	{ "cpu_hotplug", VIR_CPU_HOTPLUG },
};
const size_t vir_group_count = ARRAY_SIZE(vir_group_names);

/*
 * What a group needs besides base: at least one of needs_any. Sparse VP
 * sets are the input of the _Ex forms of the flush and IPI calls (TLFS
 * "HV_VP_SET"): with neither call group there is nothing to pass them to.
 */
static const struct {
	uint64_t group;
	uint64_t needs_any;
} group_needs[] = {
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
}

uint32_t vir_vireo_leaf_base(const struct partition *p)
{
	return vir_has(p, VIR_BASE) ? VIREO_LEAF_BASE_BEHIND_HV : VIREO_LEAF_BASE_ALONE;
}
