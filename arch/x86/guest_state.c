/* SPDX-License-Identifier: MIT */
/* Guest state that only some handlers need, read from the current VMCS on demand. */
#include "arch/x86/msr.h"
#include "arch/x86/processor.h"
#include "arch/x86/vmx_ops.h"
#include "hv/vcpu.h"

#define AR_DPL_SHIFT	5
#define AR_L		BIT(13)

/* The CPL is SS.DPL (SDM "Checks on Guest Segment Registers"). */
unsigned int vcpu_guest_cpl(const struct vcpu *v)
{
	(void)v;
	return (unsigned int)(vmcs_read(GUEST_SS_AR_BYTES) >> AR_DPL_SHIFT) & 3;
}

enum guest_mode vcpu_guest_mode(const struct vcpu *v)
{
	(void)v;
	if (!(vmcs_read(GUEST_CR0) & X86_CR0_PE))
		return GUEST_MODE_REAL;
	if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (vmcs_read(GUEST_CS_AR_BYTES) & AR_L))
		return GUEST_MODE_LONG;
	return GUEST_MODE_PROTECTED;
}
