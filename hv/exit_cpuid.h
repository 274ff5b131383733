/* SPDX-License-Identifier: MIT */
#ifndef HV_EXIT_CPUID_H
#define HV_EXIT_CPUID_H

/*
 * CPUID exits (always unconditional in VMX non-root, SDM "Instructions That
 * Cause VM Exits Unconditionally"). Basic and extended leaves pass through
 * with the hypervisor bit set, VMX hidden and the bits that mirror CR4 taken
 * from the guest's; the hypervisor range 0x40000000-0x4fffffff is Vireo's:
 * viridian leaves when the partition's mask has them, Vireo's own leaves,
 * zeros elsewhere (hv/exit_cpuid.c). Inline, exit_cpuid_answer() runs in
 * the CPUID exit path itself (vmx_cpuid_exit) without a call. Part of
 * hv/exit.h, which includes it once the exit reasons and actions are defined.
 */

#include "arch/x86/cr.h"
#include "hv/partition.h"

#define CPUID_HV_LEAF_FIRST		0x40000000u
#define CPUID_HV_LEAF_LAST		0x4fffffffu
#define CPUID_1_ECX_OSXSAVE		BIT(27)
#define CPUID_7_ECX_OSPKE		BIT(4)

static __always_inline uint32_t cpuid_mirror(uint32_t reg, uint32_t bit, bool set)
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
static __always_inline void cpuid_mirror_guest_state(const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
						      struct guest_regs *g)
{
	if (leaf == 1) {
		/* CR4.OSXSAVE is bit 18, CPUID.1:ECX.OSXSAVE bit 27. */
		g->rcx = (g->rcx & ~(CPUID_1_ECX_VMX | CPUID_1_ECX_OSXSAVE)) | CPUID_1_ECX_HYPERVISOR |
			 vcpu_read_cr4_bits(v, X86_CR4_OSXSAVE) << 9;
	} else if (leaf == 7 && subleaf == 0) {
		g->rcx = cpuid_mirror((uint32_t)g->rcx, CPUID_7_ECX_OSPKE, vcpu_read_cr4_bits(v, X86_CR4_PKE));
	} else if (leaf == CPUID_EXT_POWER_MGMT && vir_invariant_tsc_hidden(v->part)) {
		g->rdx &= ~CPUID_80000007_EDX_INVARIANT_TSC;
	}
}

static __always_inline void cpuid_set_regs(struct guest_regs *g, const struct cpuid_regs *r)
{
	g->rax = r->eax;
	g->rbx = r->ebx;
	g->rcx = r->ecx;
	g->rdx = r->edx;
}

/*
 * The leaves answered without a call, counted: a leaf of the processor,
 * mirrored, or a viridian leaf from the partition's table (counted once
 * found, the index is known to need no clamping, vir_partition.nr_leaves).
 * False, and nothing done, for the rest of the hypervisor range, Vireo's
 * own leaves (exit_cpuid). The instruction is left to retire.
 */
static __always_inline bool exit_cpuid_answer(struct vcpu *v)
{
	struct guest_regs *g = v->regs;
	uint32_t leaf = (uint32_t)g->rax, subleaf = (uint32_t)g->rcx;
	const struct cpuid_regs *hv;

	/* The processor's leaves, most asked for, first. */
	if (__builtin_expect(leaf < CPUID_HV_LEAF_FIRST || leaf > CPUID_HV_LEAF_LAST, true)) {
		stats_count_exit(&v->stats, EXIT_REASON_CPUID);
		vcpu_cpuid(v, leaf, subleaf);
		cpuid_mirror_guest_state(v, leaf, subleaf, g);
		return true;
	}
	hv = vir_cpuid(&v->part->vir, leaf);
	if (!hv)
		return false;
	stats_count_cpuid(&v->stats, leaf);
	cpuid_set_regs(g, hv);
	return true;
}

/* The whole exit, Vireo's own leaves too, out of line (hv/exit_cpuid.c). */
enum exit_action exit_cpuid(struct vcpu *v);

#endif
