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
#include "viridian/viridian.h"

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

enum exit_action exit_rdmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs->rcx;
	uint64_t val = 0;
	enum msr_result res = vir_rdmsr(v, msr, &val);

	if (res == MSR_NOT_VIRIDIAN)
		res = !msr_is_vmx_capability(msr) && !cpu_rdmsr_safe(msr, &val) ? MSR_DONE : MSR_FAULT;
	if (res == MSR_DONE) {
		v->regs->rax = (uint32_t)val;
		v->regs->rdx = val >> 32;
	}
	return msr_done(v, res);
}

enum exit_action exit_wrmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs->rcx;
	uint64_t val = (uint64_t)(uint32_t)v->regs->rdx << 32 | (uint32_t)v->regs->rax;
	enum msr_result res = vir_wrmsr(v, msr, val);

	if (msr == MSR_X2APIC_ICR && apic_x2apic_mode() && ipi_intercept(v, val, true))
		res = MSR_DONE;
	if (res == MSR_NOT_VIRIDIAN)
		res = !msr_is_vmx_capability(msr) && !cpu_wrmsr_safe(msr, val) ? MSR_DONE : MSR_FAULT;
	return msr_done(v, res);
}
