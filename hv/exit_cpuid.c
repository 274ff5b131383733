/* SPDX-License-Identifier: MIT */
/*
 * Vireo's own CPUID leaves (hv/exit_cpuid.h has the CPUID exit): its
 * signature and version at the base of its range, zeros in the rest of the
 * hypervisor range.
 */
#include "hv/exit.h"
#include "hv/partition.h"
#include "hv/version.h"
#include "viridian/viridian.h"

static void vireo_cpuid(const struct vcpu *v, uint32_t leaf, struct cpuid_regs *r)
{
	uint32_t base = vir_vireo_leaf_base(v->part);

	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (leaf == base)
		*r = (struct cpuid_regs){ base + 1, VIREO_SIGNATURE_EBX, VIREO_SIGNATURE_ECX,
					  VIREO_SIGNATURE_EDX };
	else if (leaf == base + 1)
		*r = (struct cpuid_regs){ VIREO_VERSION_MAJOR << 16 | VIREO_VERSION_MINOR, v->vp_index, 0, 0 };
}

/* Vireo's own leaves and the rest of the hypervisor range computed, counted. */
enum exit_action exit_cpuid(struct vcpu *v)
{
	if (!exit_cpuid_answer(v)) {
		uint32_t leaf = (uint32_t)v->regs->rax;
		struct cpuid_regs r;

		stats_count_cpuid(&v->stats, leaf);
		vireo_cpuid(v, leaf, &r);
		cpuid_set_regs(v->regs, &r);
	}
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}
