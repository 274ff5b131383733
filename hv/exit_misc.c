/* SPDX-License-Identifier: MIT */
/* Exits VMX forces on Vireo that need little more than a line each. */
#include "arch/x86/cpu.h"
#include "hv/exit.h"
#include "hv/log.h"
#include "hv/stats.h"

/* VMX (and GETSEC) is not offered to the guest: its instructions raise #UD, as on a CPU without it. */
enum exit_action exit_vmx_instruction(struct vcpu *v)
{
	vcpu_inject_ud(v);
	return EXIT_RESUME;
}

/*
 * XSETBV always exits. XCR0 is the processor's own, so load the guest's value
 * there; an invalid one faults in the host, which becomes #GP for the guest.
 * XSETBV at CPL > 0 raises #GP, and that fault has priority over the VM exit
 * (SDM "Relative Priority of Faults and VM Exits"), but some processors
 * (Bochs 2.7) exit first: without the check here, ring 3 could set XCR0.
 */
enum exit_action exit_xsetbv(struct vcpu *v)
{
	struct guest_regs *g = v->regs;
	uint64_t val = (uint64_t)(uint32_t)g->rdx << 32 | (uint32_t)g->rax;

	if (vcpu_guest_cpl(v) != 0 || cpu_xsetbv_safe((uint32_t)g->rcx, val))
		vcpu_inject_gp(v);
	else
		vcpu_skip_instruction(v);
	return EXIT_RESUME;
}

/* INVD always exits; dropping dirty lines would corrupt memory Vireo shares with the guest, so write them back. */
enum exit_action exit_invd(struct vcpu *v)
{
	cpu_wbinvd();
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}

/*
 * A triple fault shuts a bare-metal machine down and the chipset resets it;
 * do the same, after the counters that may tell what led up to it.
 */
enum exit_action exit_triple_fault(struct vcpu *v)
{
	log_err("vcpu%u: triple fault at rip %#llx, resetting the machine", v->vp_index,
		(unsigned long long)v->rip);
	stats_print(v->part);
	return EXIT_RESET_SYSTEM;
}
