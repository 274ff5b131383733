/* SPDX-License-Identifier: MIT */
/*
 * VMX capabilities and the control words Vireo runs with. Pure logic over MSR
 * values, so it is tested on the host against fake capability MSRs.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "hv/errno.h"
#include "hv/log.h"

/*
 * What Vireo needs. Everything not listed stays at the processor's default
 * of "no exit": external interrupts, HLT, I/O and CR3 accesses all run in
 * the guest without Vireo seeing them. NMIs exit, since one is how a
 * processor is told to take an INIT (hv/ipi.c); with virtual NMIs the
 * guest's own NMIs are injected when it can take them, in the NMI window
 * (SDM "Pin-Based VM-Execution Controls", "Virtual NMIs").
 */
#define PIN_REQUIRED		(PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS)
#define PIN_OPTIONAL		0
#define CPU_REQUIRED		(CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
#define CPU_OPTIONAL		CPU_BASED_USE_IO_BITMAPS
/*
 * RDTSCP, INVPCID and XSAVES raise #UD in the guest unless enabled here
 * (SDM "Secondary Processor-Based VM-Execution Controls"); a guest only uses
 * them when CPUID says they exist, so enable whatever the processor has.
 */
#define SECONDARY_REQUIRED	0
#define SECONDARY_OPTIONAL	(SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_ENABLE_INVPCID | \
				 SECONDARY_EXEC_XSAVES | SECONDARY_EXEC_ENABLE_VPID)
#define EPT_CONTROLS		(SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST)
#define EPT_REQUIRED		(VMX_EPT_WALK_4 | VMX_EPT_WB)
#define EXIT_REQUIRED		(VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER | \
				 VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT | \
				 VM_EXIT_SAVE_DEBUG_CONTROLS)
#define EXIT_OPTIONAL		0
#define ENTRY_REQUIRED		(VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT | \
				 VM_ENTRY_LOAD_DEBUG_CONTROLS)
#define ENTRY_OPTIONAL		0

#define VMX_BASIC_TRUE_CTLS	BIT(55)

enum vmx_support vmx_support_from(uint32_t cpuid1_ecx, uint64_t feature_control)
{
	if (!(cpuid1_ecx & CPUID_1_ECX_VMX))
		return cpuid1_ecx & CPUID_1_ECX_HYPERVISOR ? VMX_NOT_NESTED : VMX_NO_CPU_SUPPORT;
	if (!(feature_control & FEATURE_CONTROL_LOCKED))
		return VMX_ENABLE_AND_LOCK;
	if (!(feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return VMX_DISABLED_BY_FIRMWARE;
	return VMX_SUPPORTED;
}

int vmx_adjust_controls(const char *name, uint64_t cap, uint32_t required, uint32_t optional, uint32_t *out)
{
	uint32_t must_be_one = (uint32_t)cap;
	uint32_t may_be_one = (uint32_t)(cap >> 32);
	uint32_t missing = required & ~may_be_one;

	if (missing) {
		log_err("vmx: %s controls: processor lacks required bits %#x", name, missing);
		return -HV_ENODEV;
	}
	*out = (required | optional | must_be_one) & may_be_one;
	if ((*out & (required | optional)) != (required | optional))
		log_debug("vmx: %s controls: wanted %#x, processor allows %#x", name,
			  required | optional, *out);
	return 0;
}

static int read_cap(uint32_t msr, uint64_t *val)
{
	if (cpu_rdmsr_safe(msr, val)) {
		log_err("vmx: capability MSR %#x is not readable", msr);
		return -HV_ENODEV;
	}
	return 0;
}

int vmx_caps_init(struct vmx_caps *c)
{
	uint64_t basic, pin, cpu, exit, entry, secondary = 0;
	int err;

	err = read_cap(MSR_IA32_VMX_BASIC, &basic);
	if (err)
		return err;
	c->revision = (uint32_t)basic & 0x7fffffff;
	c->region_size = (uint32_t)(basic >> 32) & 0x1fff;
	c->true_controls = basic & VMX_BASIC_TRUE_CTLS;

	/*
	 * The TRUE_* MSRs report which default-1 controls (CR3 exiting, for
	 * one) may be cleared; without them the plain MSRs apply.
	 */
	err = read_cap(c->true_controls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS, &pin) ?:
	      read_cap(c->true_controls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS, &cpu) ?:
	      read_cap(c->true_controls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS, &exit) ?:
	      read_cap(c->true_controls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS, &entry) ?:
	      read_cap(MSR_IA32_VMX_CR0_FIXED0, &c->cr0_fixed0) ?:
	      read_cap(MSR_IA32_VMX_CR0_FIXED1, &c->cr0_fixed1) ?:
	      read_cap(MSR_IA32_VMX_CR4_FIXED0, &c->cr4_fixed0) ?:
	      read_cap(MSR_IA32_VMX_CR4_FIXED1, &c->cr4_fixed1) ?:
	      read_cap(MSR_IA32_VMX_MISC, &c->misc);
	if (err)
		return err;
	/* IA32_VMX_PROCBASED_CTLS2 exists only if secondary controls may be activated. */
	if ((cpu >> 32) & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) {
		err = read_cap(MSR_IA32_VMX_PROCBASED_CTLS2, &secondary);
		if (err)
			return err;
	}

	err = vmx_adjust_controls("pin-based", pin, PIN_REQUIRED, PIN_OPTIONAL, &c->pin) ?:
	      vmx_adjust_controls("processor-based", cpu, CPU_REQUIRED, CPU_OPTIONAL, &c->cpu) ?:
	      vmx_adjust_controls("secondary", secondary, SECONDARY_REQUIRED, SECONDARY_OPTIONAL | EPT_CONTROLS,
				  &c->secondary) ?:
	      vmx_adjust_controls("VM-exit", exit, EXIT_REQUIRED, EXIT_OPTIONAL, &c->exit) ?:
	      vmx_adjust_controls("VM-entry", entry, ENTRY_REQUIRED, ENTRY_OPTIONAL, &c->entry);
	if (err)
		return err;
	if (!((cpu >> 32) & CPU_BASED_NMI_WINDOW_EXITING)) {
		log_err("vmx: processor-based controls: processor lacks NMI-window exiting");
		return -HV_ENODEV;
	}
	/* The capability MSR exists where EPT or VPIDs may be enabled (SDM "VPID and EPT Capabilities"). */
	c->ept_vpid = 0;
	if (c->secondary & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		cpu_rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &c->ept_vpid);
	if ((c->secondary & EPT_CONTROLS) != EPT_CONTROLS || (c->ept_vpid & EPT_REQUIRED) != EPT_REQUIRED ||
	    !(c->misc & VMX_MISC_WAIT_FOR_SIPI)) {
		if (c->secondary & EPT_CONTROLS)
			log_warn("vmx: EPT or unrestricted guest unusable; Vireo's memory stays visible and "
				 "processors the OS starts cannot be virtualized");
		c->secondary &= ~(uint32_t)EPT_CONTROLS;
	}
	/*
	 * With a VPID per vCPU, VM exits and entries keep the guest's TLB; Vireo
	 * then needs single-context INVVPID where translations must go.
	 */
	if ((c->secondary & SECONDARY_EXEC_ENABLE_VPID) &&
	    (c->ept_vpid & (VMX_VPID_INVVPID | VMX_VPID_INVVPID_SINGLE)) != (VMX_VPID_INVVPID | VMX_VPID_INVVPID_SINGLE))
		c->secondary &= ~(uint32_t)SECONDARY_EXEC_ENABLE_VPID;
	return 0;
}

bool vmx_caps_equal(const struct vmx_caps *a, const struct vmx_caps *b)
{
	return a->revision == b->revision && a->region_size == b->region_size &&
	       a->true_controls == b->true_controls &&
	       a->cr0_fixed0 == b->cr0_fixed0 && a->cr0_fixed1 == b->cr0_fixed1 &&
	       a->cr4_fixed0 == b->cr4_fixed0 && a->cr4_fixed1 == b->cr4_fixed1 &&
	       a->misc == b->misc && a->ept_vpid == b->ept_vpid &&
	       a->pin == b->pin && a->cpu == b->cpu && a->secondary == b->secondary &&
	       a->exit == b->exit && a->entry == b->entry;
}

/* SDM "VM-Instruction Error Numbers". */
static const char *const vm_instruction_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "Invalid operand to INVEPT/INVVPID",
};

const char *vmx_instruction_error_name(uint32_t error)
{
	if (error < ARRAY_SIZE(vm_instruction_errors) && vm_instruction_errors[error])
		return vm_instruction_errors[error];
	return "unknown VM-instruction error";
}
