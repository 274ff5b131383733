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
	{ "crash_ctl", VIR_CRASH_CTL },
};
const size_t vir_group_count = ARRAY_SIZE(vir_group_names);

/*
 * Every group hangs off base: without the "Microsoft Hv" leaves and the
 * hypercall MSRs a guest never looks for the others. So a mask needs base,
 * and 0 is not a valid mask (leaving the parameter unset means "off").
 */
int vir_validate_mask(uint64_t mask)
{
	if (mask & ~VIR_KNOWN)
		return -HV_EINVAL;
	if (!(mask & VIR_BASE))
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

uint32_t vir_vireo_leaf_base(const struct partition *p)
{
	return vir_has(p, VIR_BASE) ? VIREO_LEAF_BASE_BEHIND_HV : VIREO_LEAF_BASE_ALONE;
}
