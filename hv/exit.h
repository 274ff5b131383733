/* SPDX-License-Identifier: MIT */
#ifndef HV_EXIT_H
#define HV_EXIT_H

#include "hv/vcpu.h"

/* Basic exit reasons (SDM Appendix C, "VMX Basic Exit Reasons"). */
#define EXIT_REASONS(X)				\
	X(EXCEPTION_NMI, 0)			\
	X(EXTERNAL_INTERRUPT, 1)		\
	X(TRIPLE_FAULT, 2)			\
	X(INIT_SIGNAL, 3)			\
	X(SIPI, 4)				\
	X(IO_SMI, 5)				\
	X(OTHER_SMI, 6)				\
	X(INTERRUPT_WINDOW, 7)			\
	X(NMI_WINDOW, 8)			\
	X(TASK_SWITCH, 9)			\
	X(CPUID, 10)				\
	X(GETSEC, 11)				\
	X(HLT, 12)				\
	X(INVD, 13)				\
	X(INVLPG, 14)				\
	X(RDPMC, 15)				\
	X(RDTSC, 16)				\
	X(RSM, 17)				\
	X(VMCALL, 18)				\
	X(VMCLEAR, 19)				\
	X(VMLAUNCH, 20)				\
	X(VMPTRLD, 21)				\
	X(VMPTRST, 22)				\
	X(VMREAD, 23)				\
	X(VMRESUME, 24)				\
	X(VMWRITE, 25)				\
	X(VMXOFF, 26)				\
	X(VMXON, 27)				\
	X(CR_ACCESS, 28)			\
	X(DR_ACCESS, 29)			\
	X(IO_INSTRUCTION, 30)			\
	X(MSR_READ, 31)				\
	X(MSR_WRITE, 32)			\
	X(INVALID_GUEST_STATE, 33)		\
	X(MSR_LOAD_FAIL, 34)			\
	X(MWAIT, 36)				\
	X(MONITOR_TRAP_FLAG, 37)		\
	X(MONITOR, 39)				\
	X(PAUSE, 40)				\
	X(MCE_DURING_VMENTRY, 41)		\
	X(TPR_BELOW_THRESHOLD, 43)		\
	X(APIC_ACCESS, 44)			\
	X(EOI_INDUCED, 45)			\
	X(GDTR_IDTR, 46)			\
	X(LDTR_TR, 47)				\
	X(EPT_VIOLATION, 48)			\
	X(EPT_MISCONFIG, 49)			\
	X(INVEPT, 50)				\
	X(RDTSCP, 51)				\
	X(PREEMPTION_TIMER, 52)			\
	X(INVVPID, 53)				\
	X(WBINVD, 54)				\
	X(XSETBV, 55)				\
	X(APIC_WRITE, 56)			\
	X(RDRAND, 57)				\
	X(INVPCID, 58)				\
	X(VMFUNC, 59)				\
	X(ENCLS, 60)				\
	X(RDSEED, 61)				\
	X(PML_FULL, 62)				\
	X(XSAVES, 63)				\
	X(XRSTORS, 64)

#define EXIT_REASON_ENUM(name, nr) EXIT_REASON_##name = nr,
enum exit_reason {
	EXIT_REASONS(EXIT_REASON_ENUM)
	EXIT_REASON_MAX = 65,
};
#undef EXIT_REASON_ENUM

/* What the exit path does after a handler returns. */
enum exit_action {
	EXIT_RESUME,		/* write back RIP and any event, VMRESUME */
	EXIT_STOP_VCPU,		/* report and park this processor */
	EXIT_RESET_SYSTEM,	/* reset the machine, as a triple fault would on bare metal */
};

typedef enum exit_action (*exit_handler_t)(struct vcpu *v);

enum exit_action exit_dispatch(struct vcpu *v);
const char *exit_reason_name(uint32_t reason);
bool exit_has_handler(uint32_t reason);

/* Handlers, one file per family (hv/exit_*.c). */
enum exit_action exit_rdmsr(struct vcpu *v);
enum exit_action exit_wrmsr(struct vcpu *v);
enum exit_action exit_vmcall(struct vcpu *v);
enum exit_action exit_vmx_instruction(struct vcpu *v);
enum exit_action exit_xsetbv(struct vcpu *v);
enum exit_action exit_invd(struct vcpu *v);
enum exit_action exit_triple_fault(struct vcpu *v);
enum exit_action exit_init_signal(struct vcpu *v);
enum exit_action exit_sipi(struct vcpu *v);
enum exit_action exit_cr_access(struct vcpu *v);
enum exit_action exit_ept_violation(struct vcpu *v);
enum exit_action exit_io(struct vcpu *v);
enum exit_action exit_exception_nmi(struct vcpu *v);
/* EPT violations that are guest stores to the xAPIC page (hv/exit_apic.c). */
bool exit_is_xapic_write(const struct vcpu *v);
enum exit_action exit_xapic_write(struct vcpu *v);
enum exit_action exit_nmi_window(struct vcpu *v);

/* CPUID, inline (hv/exit_cpuid.h). */
#include "hv/exit_cpuid.h"

/*
 * The hot exits, those a guest makes most: CPUID, RDMSR, WRMSR and VMCALL.
 * Their handlers read and write no guest register but RAX, RCX, RDX, RBX,
 * RSI, RDI and R8-R11, and count each exit themselves, in the finest
 * counter that names it (hv/stats.h). The exit path takes CPUID on a path
 * of its own (vmx_cpuid_exit) and the other three through
 * exit_dispatch_hot_calls(), by the reason the stub read, with each handler
 * called by name so that it can be inlined; exit_dispatch_hot() is the same
 * for exit_dispatch. Both return false, having done nothing, for any other
 * exit.
 */
static __always_inline bool exit_dispatch_hot_calls(struct vcpu *v, uint32_t reason, enum exit_action *action)
{
	if (reason == EXIT_REASON_MSR_READ)
		*action = exit_rdmsr(v);
	else if (reason == EXIT_REASON_MSR_WRITE)
		*action = exit_wrmsr(v);
	else if (reason == EXIT_REASON_VMCALL)
		*action = exit_vmcall(v);
	else
		return false;
	/* None of them is INIT or SIPI (exit_dispatch). */
	v->sipi_fresh = false;
	return true;
}

static __always_inline bool exit_dispatch_hot(struct vcpu *v, enum exit_action *action)
{
	if (v->exit_reason != EXIT_REASON_CPUID)
		return exit_dispatch_hot_calls(v, v->exit_reason, action);
	*action = exit_cpuid(v);
	v->sipi_fresh = false;
	return true;
}

#endif
