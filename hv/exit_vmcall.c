/* SPDX-License-Identifier: MIT */
/*
 * VMCALL: Vireo's management interface (hv/mgmt.h) when RCX carries its tag,
 * otherwise a Hyper-V hypercall (viridian/hypercall.c), which raises #UD
 * when the partition has no hypercall page, as on hardware without one.
 * The commonest hypercall, which can never carry the tag, is tried first.
 */
#include "hv/exit.h"
#include "hv/mgmt.h"
#include "viridian/viridian.h"

/* A hypercall is counted by its call code; a VMCALL that is none, as the exit. */
static __noinline enum exit_action exit_vmcall_other(struct vcpu *v)
{
	struct guest_regs *g = v->regs;
	uint64_t out = g->rdx;

	if (!mgmt_is_call(g->rcx)) {
		if (vir_hypercall(v))
			vcpu_skip_instruction(v);
		else
			stats_count_exit(&v->stats, EXIT_REASON_VMCALL);
		return EXIT_RESUME;
	}
	stats_count_exit(&v->stats, EXIT_REASON_VMCALL);
	if (vcpu_guest_cpl(v) != 0) {
		vcpu_inject_ud(v);
		return EXIT_RESUME;
	}
	g->rax = (uint64_t)mgmt_call(v->part, CALLER_GUEST, g->rcx & ~MGMT_TAG_MASK, g->rdx, g->r8, &out);
	g->rdx = out;
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}

enum exit_action exit_vmcall(struct vcpu *v)
{
	if (!vir_hypercall_quick(v))
		return exit_vmcall_other(v);
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}
