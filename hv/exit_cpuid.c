/* SPDX-License-Identifier: MIT */
/*
 * CPUID exits (always unconditional in VMX non-root, SDM "Instructions That
 * Cause VM Exits Unconditionally"). Basic and extended leaves pass through
 * with the hypervisor bit set and VMX hidden; the hypervisor range
 * 0x40000000-0x4fffffff is Vireo's: viridian leaves when the partition's
 * mask has them, Vireo's own leaves, zeros elsewhere.
 */
#include "hv/exit.h"
#include "hv/partition.h"
#include "hv/version.h"
#include "viridian/viridian.h"

#define HV_LEAF_FIRST			0x40000000u
#define HV_LEAF_LAST			0x4fffffffu

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

enum exit_action exit_cpuid(struct vcpu *v)
{
	struct guest_regs *g = v->regs;
	uint32_t leaf = (uint32_t)g->rax, subleaf = (uint32_t)g->rcx;
	struct cpuid_regs r;

	if (leaf >= HV_LEAF_FIRST && leaf <= HV_LEAF_LAST) {
		stats_count_cpuid(&v->stats, leaf);
		if (!vir_cpuid(v, leaf, &r))
			vireo_cpuid(v, leaf, &r);
	} else {
		cpu_cpuid(leaf, subleaf, &r);
		if (leaf == 1)
			r.ecx = (r.ecx | CPUID_1_ECX_HYPERVISOR) & ~CPUID_1_ECX_VMX;
	}
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}
