/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR exits: the synthetic range goes to viridian/, the VMX
 * capability MSRs fault (VMX is hidden), INIT, SIPI and NMI written to the
 * x2APIC ICR go to hv/ipi.c where Vireo intercepts IPIs, everything else
 * that exits is carried out on the processor and faults in the guest if it
 * faulted here.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "hv/exit.h"
#include "hv/ipi.h"
#include "viridian/msr.h"

#define MSR_VMX_FIRST	0x480u
#define MSR_VMX_LAST	0x491u

static bool msr_is_vmx_capability(uint32_t msr)
{
	return msr >= MSR_VMX_FIRST && msr <= MSR_VMX_LAST;
}

static enum exit_action msr_done(struct vcpu *v, enum msr_result res)
{
	if (res == MSR_FAULT)
		vcpu_inject_gp(v);
	else
		vcpu_skip_instruction(v);
	return EXIT_RESUME;
}

static enum exit_action rdmsr_done(struct vcpu *v, uint64_t val)
{
	struct guest_regs *g = v->regs;

	g->rax = (uint32_t)val;
	g->rdx = val >> 32;
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}

/* An MSR outside the synthetic range: the processor's. */
static __noinline enum exit_action rdmsr_native(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs->rcx;
	uint64_t val;

	stats_count_exit(&v->stats, EXIT_REASON_MSR_READ);
	if (msr_is_vmx_capability(msr) || cpu_rdmsr_safe(msr, &val))
		return msr_done(v, MSR_FAULT);
	return rdmsr_done(v, val);
}

enum exit_action exit_rdmsr(struct vcpu *v)
{
	uint64_t val;

	switch (vir_rdmsr(v, (uint32_t)v->regs->rcx, &val)) {
	case MSR_DONE:
		return rdmsr_done(v, val);
	case MSR_FAULT:
		return msr_done(v, MSR_FAULT);
	case MSR_NOT_VIRIDIAN:
		break;
	}
	return rdmsr_native(v);
}

static __noinline enum exit_action wrmsr_native(struct vcpu *v, uint64_t val)
{
	uint32_t msr = (uint32_t)v->regs->rcx;

	stats_count_exit(&v->stats, EXIT_REASON_MSR_WRITE);
	if (msr == MSR_X2APIC_ICR && apic_x2apic_mode() && ipi_intercept(v, val, true))
		return msr_done(v, MSR_DONE);
	if (msr_is_vmx_capability(msr) || cpu_wrmsr_safe(msr, val))
		return msr_done(v, MSR_FAULT);
	return msr_done(v, MSR_DONE);
}

enum exit_action exit_wrmsr(struct vcpu *v)
{
	const struct guest_regs *g = v->regs;
	uint64_t val = (uint64_t)(uint32_t)g->rdx << 32 | (uint32_t)g->rax;
	enum msr_result res = vir_wrmsr(v, (uint32_t)g->rcx, val);

	if (res == MSR_NOT_VIRIDIAN)
		return wrmsr_native(v, val);
	return msr_done(v, res);
}
