/* SPDX-License-Identifier: MIT */
/*
 * Undoing a load: a processor already running as the guest leaves VMX
 * operation and goes on running, natively, what the guest was running
 * (SDM "Leaving VMX Operation"). Only while Vireo loads, when another
 * processor failed to launch: a machine is virtualized everywhere or
 * nowhere. The boot processor asks (vmx_request_leave); the processor
 * leaves at its next VM exit, which the request's NMI causes.
 */
#include "arch/x86/msr.h"
#include "arch/x86/processor.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "hv/ipi.h"
#include "hv/log.h"

/* What vmx_resume_native loads (arch/x86/vmx_entry.asm knows the offsets). */
struct native_frame {
	struct guest_regs regs;			/* 0 */
	uint64_t rip, rsp, rflags;		/* 128, 136, 144 */
	uint64_t fs_base, gs_base;		/* 152, 160 */
	uint16_t cs, ss, ds, es, fs, gs;	/* 168 ... 178 */
};

_Static_assert(offsetof(struct native_frame, rip) == 128 && offsetof(struct native_frame, cs) == 168 &&
	       offsetof(struct native_frame, gs) == 178, "vmx_resume_native reads these offsets");

void __noreturn vmx_resume_native(const struct native_frame *f);

/* A control register as the guest sees it: its own bits, the shadow where Vireo owns them. */
static uint64_t guest_cr(enum vmcs_field value, enum vmcs_field mask, enum vmcs_field shadow)
{
	uint64_t m = vmcs_read(mask);

	return (vmcs_read(value) & ~m) | (vmcs_read(shadow) & m);
}

void __noreturn vmx_leave(struct vmx_vcpu *vv)
{
	struct native_frame f = {
		.regs = *vv->vcpu.regs,
		.rip = vmcs_read(GUEST_RIP), .rsp = vmcs_read(GUEST_RSP), .rflags = vmcs_read(GUEST_RFLAGS),
		.fs_base = vmcs_read(GUEST_FS_BASE), .gs_base = vmcs_read(GUEST_GS_BASE),
		.cs = (uint16_t)vmcs_read(GUEST_CS_SELECTOR), .ss = (uint16_t)vmcs_read(GUEST_SS_SELECTOR),
		.ds = (uint16_t)vmcs_read(GUEST_DS_SELECTOR), .es = (uint16_t)vmcs_read(GUEST_ES_SELECTOR),
		.fs = (uint16_t)vmcs_read(GUEST_FS_SELECTOR), .gs = (uint16_t)vmcs_read(GUEST_GS_SELECTOR),
	};
	struct desc_ptr gdt = { (uint16_t)vmcs_read(GUEST_GDTR_LIMIT), vmcs_read(GUEST_GDTR_BASE) };
	struct desc_ptr idt = { (uint16_t)vmcs_read(GUEST_IDTR_LIMIT), vmcs_read(GUEST_IDTR_BASE) };
	uint64_t cr0 = guest_cr(GUEST_CR0, CR0_GUEST_HOST_MASK, CR0_READ_SHADOW);
	uint64_t cr4 = guest_cr(GUEST_CR4, CR4_GUEST_HOST_MASK, CR4_READ_SHADOW);
	uint64_t cr3 = vmcs_read(GUEST_CR3);

	/* VM exit loaded the host's MSRs (SDM "Loading MSRs"); the guest's go back. */
	wrmsr(MSR_EFER, vmcs_read(GUEST_IA32_EFER));
	wrmsr(MSR_IA32_PAT, vmcs_read(GUEST_IA32_PAT));
	wrmsr(MSR_IA32_SYSENTER_CS, vmcs_read(GUEST_SYSENTER_CS));
	wrmsr(MSR_IA32_SYSENTER_ESP, vmcs_read(GUEST_SYSENTER_ESP));
	wrmsr(MSR_IA32_SYSENTER_EIP, vmcs_read(GUEST_SYSENTER_EIP));
	wrmsr(MSR_IA32_DEBUGCTL, vmcs_read(GUEST_IA32_DEBUGCTL));
	vmclear((uint64_t)(uintptr_t)vv->vmcs);
	vmxoff();
	write_cr4(cr4 & ~X86_CR4_VMXE);
	write_cr0(cr0);
	write_cr3(cr3);
	write_gdt(&gdt);
	write_idt(&idt);
	/*
	 * The task register keeps Vireo's TSS (the firmware may have had none
	 * to load back), which is why the boot processor keeps Vireo's memory
	 * reserved after an undo.
	 */
	log_info("vcpu%u: left VMX operation, running natively", vv->vcpu.vp_index);
	__atomic_store_n(&vv->left, true, __ATOMIC_RELEASE);
	vmx_resume_native(&f);
}

void vmx_request_leave(struct vmx_vcpu *vv)
{
	__atomic_store_n(&vv->leave_requested, true, __ATOMIC_RELEASE);
	ipi_kick(&vv->vcpu);
}

bool vmx_has_left(const struct vmx_vcpu *vv)
{
	return __atomic_load_n(&vv->left, __ATOMIC_ACQUIRE);
}
