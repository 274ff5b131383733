/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch: one table indexed by the basic exit reason.
 *
 * A handler returns EXIT_RESUME after it has emulated the instruction (and
 * advanced RIP with vcpu_skip_instruction) or queued an event for the guest
 * (which leaves RIP alone); EXIT_STOP_VCPU when the vCPU cannot go on;
 * EXIT_RESET_SYSTEM when the machine must reset. Reasons without a handler
 * are unexpected: reported, then the vCPU stops (and its state, the
 * qualification with it, is dumped).
 */
#include "hv/exit.h"
#include "hv/log.h"

static const exit_handler_t exit_handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI]	= exit_exception_nmi,
	[EXIT_REASON_TRIPLE_FAULT]	= exit_triple_fault,
	[EXIT_REASON_INIT_SIGNAL]	= exit_init_signal,
	[EXIT_REASON_SIPI]		= exit_sipi,
	[EXIT_REASON_NMI_WINDOW]	= exit_nmi_window,
	[EXIT_REASON_CPUID]		= exit_cpuid,
	[EXIT_REASON_GETSEC]		= exit_vmx_instruction,
	[EXIT_REASON_INVD]		= exit_invd,
	[EXIT_REASON_VMCALL]		= exit_vmcall,
	[EXIT_REASON_VMCLEAR]		= exit_vmx_instruction,
	[EXIT_REASON_VMLAUNCH]		= exit_vmx_instruction,
	[EXIT_REASON_VMPTRLD]		= exit_vmx_instruction,
	[EXIT_REASON_VMPTRST]		= exit_vmx_instruction,
	[EXIT_REASON_VMREAD]		= exit_vmx_instruction,
	[EXIT_REASON_VMRESUME]		= exit_vmx_instruction,
	[EXIT_REASON_VMWRITE]		= exit_vmx_instruction,
	[EXIT_REASON_VMXOFF]		= exit_vmx_instruction,
	[EXIT_REASON_VMXON]		= exit_vmx_instruction,
	[EXIT_REASON_CR_ACCESS]		= exit_cr_access,
	[EXIT_REASON_IO_INSTRUCTION]	= exit_io,
	[EXIT_REASON_MSR_READ]		= exit_rdmsr,
	[EXIT_REASON_MSR_WRITE]		= exit_wrmsr,
	[EXIT_REASON_EPT_VIOLATION]	= exit_ept_violation,
	[EXIT_REASON_INVEPT]		= exit_vmx_instruction,
	[EXIT_REASON_INVVPID]		= exit_vmx_instruction,
	[EXIT_REASON_XSETBV]		= exit_xsetbv,
};

#define EXIT_REASON_STRING(name, nr) [nr] = #name,
static const char *const exit_reason_names[EXIT_REASON_MAX] = {
	EXIT_REASONS(EXIT_REASON_STRING)
};
#undef EXIT_REASON_STRING

const char *exit_reason_name(uint32_t reason)
{
	if (reason < EXIT_REASON_MAX && exit_reason_names[reason])
		return exit_reason_names[reason];
	return "UNKNOWN";
}

bool exit_has_handler(uint32_t reason)
{
	return reason < EXIT_REASON_MAX && exit_handlers[reason];
}

/*
 * The hot exits by name (exit_dispatch_hot), the rest through the table,
 * counted here by reason. Any exit but INIT and SIPI means the vCPU ran
 * since its SIPI: an INIT exit then is a new INIT (hv/exit_cpu_state.c).
 */
enum exit_action exit_dispatch(struct vcpu *v)
{
	uint32_t reason = v->exit_reason;
	enum exit_action action;

	if (exit_dispatch_hot(v, &action))
		return action;
	stats_count_exit(&v->stats, reason);
	if (!exit_has_handler(reason)) {
		log_err("vcpu%u: unexpected VM exit %u (%s) at rip %#llx", v->vp_index, reason,
			exit_reason_name(reason), (unsigned long long)v->rip);
		return EXIT_STOP_VCPU;
	}
	if (v->sipi_fresh && reason != EXIT_REASON_SIPI && reason != EXIT_REASON_INIT_SIGNAL)
		v->sipi_fresh = false;
	return exit_handlers[reason](v);
}
