/* SPDX-License-Identifier: MIT */
/*
 * CPUID exits (always unconditional in VMX non-root, SDM "Instructions That
 * Cause VM Exits Unconditionally"). Basic and extended leaves pass through
 * with the hypervisor bit set, VMX hidden and the bits that mirror CR4 taken
 * from the guest's; the hypervisor range 0x40000000-0x4fffffff is Vireo's:
 * viridian leaves when the partition's mask has them, Vireo's own leaves,
 * zeros elsewhere.
 */
#include "arch/x86/cr.h"
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

#define CPUID_1_ECX_OSXSAVE		BIT(27)
#define CPUID_7_ECX_OSPKE		BIT(4)

static uint32_t mirror(uint32_t reg, uint32_t bit, bool set)
{
	return set ? reg | bit : reg & ~bit;
}

/*
 * CPUID runs in the host, so the bits that report the running state of the
 * processor report the host's: CPUID.1:ECX.OSXSAVE is CR4.OSXSAVE, set in
 * the host for XSETBV, and CPUID.7.0:ECX.OSPKE is CR4.PKE (SDM "CPUID").
 * Those come from the guest's CR4. The others of the kind follow state the
 * guest and the host share, so they are right as they are: CPUID.1:EDX.APIC
 * follows IA32_APIC_BASE, the sizes in leaf 0xD follow XCR0 and IA32_XSS,
 * and IA32_MISC_ENABLE limits the leaves and clears CPUID.1:ECX.MONITOR;
 * Vireo switches none of these. CPUID.80000007H:EDX's invariant TSC follows
 * TSC_INVARIANT_CONTROL in a partition with tsc_invariant (viridian/time.c).
 */
static void mirror_guest_state(const struct vcpu *v, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	if (leaf == 1) {
		r->ecx = (r->ecx | CPUID_1_ECX_HYPERVISOR) & ~CPUID_1_ECX_VMX;
		r->ecx = mirror(r->ecx, CPUID_1_ECX_OSXSAVE, vcpu_read_cr(v, 4) & X86_CR4_OSXSAVE);
	} else if (leaf == 7 && subleaf == 0) {
		r->ecx = mirror(r->ecx, CPUID_7_ECX_OSPKE, vcpu_read_cr(v, 4) & X86_CR4_PKE);
	} else if (leaf == CPUID_EXT_POWER_MGMT && vir_invariant_tsc_hidden(v->part)) {
		r->edx &= ~CPUID_80000007_EDX_INVARIANT_TSC;
	}
}

static void cpuid_done(struct vcpu *v, const struct cpuid_regs *r)
{
	struct guest_regs *g = v->regs;

	g->rax = r->eax;
	g->rbx = r->ebx;
	g->rcx = r->ecx;
	g->rdx = r->edx;
	vcpu_skip_instruction(v);
}

/* The leaves computed at each exit: the processor's, and Vireo's own. */
static __noinline enum exit_action cpuid_computed(struct vcpu *v, uint32_t leaf)
{
	uint32_t subleaf = (uint32_t)v->regs->rcx;
	struct cpuid_regs r;

	if (leaf >= HV_LEAF_FIRST && leaf <= HV_LEAF_LAST) {
		vireo_cpuid(v, leaf, &r);
	} else {
		cpu_cpuid(leaf, subleaf, &r);
		mirror_guest_state(v, leaf, subleaf, &r);
	}
	cpuid_done(v, &r);
	return EXIT_RESUME;
}

enum exit_action exit_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs->rax;
	const struct cpuid_regs *hv;

	if (leaf < HV_LEAF_FIRST || leaf > HV_LEAF_LAST) {
		stats_count_exit(&v->stats, EXIT_REASON_CPUID);
		return cpuid_computed(v, leaf);
	}
	/* Counted once found, the index is known to need no clamping (vir_partition.nr_leaves). */
	hv = vir_cpuid(&v->part->vir, leaf);
	stats_count_cpuid(&v->stats, leaf);
	if (!hv)
		return cpuid_computed(v, leaf);
	cpuid_done(v, hv);
	return EXIT_RESUME;
}
