/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H

#include "arch/x86/guest_resume.h"
#include "arch/x86/host.h"
#include "arch/x86/vmx_caps.h"
#include "hv/init_rule.h"
#include "hv/vcpu.h"

#define HOST_STACK_SIZE	(16 * 1024)

/* Everything one virtual processor owns; page-aligned, in Vireo's memory. */
struct vmx_vcpu {
	uint8_t vmxon_region[4096];
	uint8_t vmcs[4096];
	uint8_t msr_bitmap[4096];
	uint8_t io_bitmap[2][4096];	/* A: ports 0-0x7fff, B: 0x8000-0xffff */
	uint8_t stack[HOST_STACK_SIZE];
	struct host_cpu host;
	struct vcpu vcpu;
	const struct vmx_caps *caps;
	int launch_status;		/* an AP's result, for the boot processor to read */
	bool nmi_window;		/* NMI-window exiting is on (arch/x86/vmx_exit.c) */
	uint32_t redeliver;		/* IDT-vectoring information of the exit: an event to deliver again */
	bool leave_requested;		/* undo the load: leave VMX operation at the next exit */
	bool left;			/* ... done: running natively again */
};

/* A vCPU's VPID: 0 is the host's (SDM "VPID"), so VP index + 1. */
static inline uint16_t vmx_vpid(const struct vmx_vcpu *vv)
{
	return (uint16_t)(vv->vcpu.vp_index + 1);
}

/* Checks, and where the firmware left it unlocked, enables VT-x on this processor. */
enum vmx_support vmx_check_and_enable(void);

/*
 * VMXON, VMCS set-up from this processor's state, VMLAUNCH. Does not return
 * on success: the processor resumes as the guest at resume. On failure the
 * processor is left as it was and an error is returned.
 */
int vmx_virtualize_this_cpu(struct vmx_vcpu *vv, const struct guest_resume *resume);

/*
 * What is left of a VM exit when vmx_cpuid_exit or vmx_handle_exit returns
 * to vmx_exit_entry (arch/x86/vmx_entry.asm): nothing, and the guest
 * resumes; or the rest, which vmx_finish_exit does with every guest
 * register saved.
 */
enum vmx_exit_rest {
	VMX_EXIT_DONE,
	VMX_EXIT_DELIVER,		/* handled; events to deliver, calls for attention to answer */
	VMX_EXIT_DELIVER_AFTER_STEP,	/* the same, with the emulated instruction's single-step trap due */
	VMX_EXIT_DISPATCH,		/* the whole exit: its handler may use any register */
};

/*
 * C entries of a VM exit (arch/x86/vmx_entry.asm): CPUID's own, the
 * others' with the exit reason the stub read, and the rest of either.
 */
enum vmx_exit_rest vmx_cpuid_exit(struct vmx_vcpu *vv);
enum vmx_exit_rest vmx_handle_exit(struct vmx_vcpu *vv, uint32_t reason);
void vmx_finish_exit(struct vmx_vcpu *vv, enum vmx_exit_rest rest);
void __noreturn vmx_resume_failed(int cf, int zf, struct vmx_vcpu *vv);
void vmx_dump_state(struct vmx_vcpu *vv);

/* The vCPU of the processor running host code (HOST_GS_BASE), for the NMI handler. */
struct vmx_vcpu *vmx_current_vcpu(void);
void vmx_nmi_in_host(struct vmx_vcpu *vv);

int vmx_launch(uint64_t guest_rsp, uint64_t guest_rip);

/*
 * Undoing a load (arch/x86/vmx_leave.c): the boot processor asks a
 * processor running as the guest to leave VMX operation; it does at its
 * next exit and runs on natively.
 */
void vmx_request_leave(struct vmx_vcpu *vv);
bool vmx_has_left(const struct vmx_vcpu *vv);
void __noreturn vmx_leave(struct vmx_vcpu *vv);

/*
 * Not while the INIT rule's INIT may be held (hv/init_rule.h): VMXOFF
 * unblocks INIT, which would then reset the processor. The request stays,
 * and the exit that ends the wait leaves.
 */
static inline void vmx_leave_if_requested(struct vmx_vcpu *vv)
{
	if (__atomic_load_n(&vv->leave_requested, __ATOMIC_ACQUIRE) && !init_rule_init_outstanding(&vv->vcpu))
		vmx_leave(vv);
}

#endif
