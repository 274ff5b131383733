/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_VMX_CAPS_H
#define ARCH_X86_VMX_CAPS_H

#include "arch/x86/vmcs.h"
#include "hv/compiler.h"

/*
 * What the processor allows, read once from the VMX capability MSRs, and the
 * control words Vireo will run with. Computed on the boot processor; every
 * other processor must report the same (vmx_caps_equal).
 */
struct vmx_caps {
	uint32_t revision;		/* VMCS revision identifier, IA32_VMX_BASIC[30:0] */
	uint32_t region_size;		/* bytes of VMXON region and VMCS, IA32_VMX_BASIC[44:32] */
	bool true_controls;		/* IA32_VMX_BASIC[55]: the TRUE_*_CTLS MSRs exist */
	uint64_t cr0_fixed0, cr0_fixed1;
	uint64_t cr4_fixed0, cr4_fixed1;
	uint64_t misc;			/* IA32_VMX_MISC */
	uint64_t ept_vpid;		/* IA32_VMX_EPT_VPID_CAP, 0 without EPT */

	uint32_t pin;
	uint32_t cpu;
	uint32_t secondary;
	uint32_t exit;
	uint32_t entry;
};

enum vmx_support {
	VMX_SUPPORTED,
	VMX_ENABLE_AND_LOCK,		/* IA32_FEATURE_CONTROL unlocked: Vireo sets and locks it */
	VMX_NO_CPU_SUPPORT,		/* CPUID.1:ECX.VMX clear, no hypervisor below */
	VMX_NOT_NESTED,			/* under another hypervisor that does not offer VMX */
	VMX_DISABLED_BY_FIRMWARE,	/* IA32_FEATURE_CONTROL locked without VMX outside SMX */
};

/*
 * Whether VT-x can be used, from CPUID.1:ECX and IA32_FEATURE_CONTROL (SDM
 * "Discovering Support for VMX", "Enabling and Entering VMX Operation").
 */
enum vmx_support vmx_support_from(uint32_t cpuid1_ecx, uint64_t feature_control);

/*
 * One control word from its capability MSR (SDM "Algorithms for Determining
 * VMX Capabilities"): bits 31:0 are the allowed-0 settings (a 1 means the
 * control must be 1), bits 63:32 the allowed-1 settings (a 0 means it must be
 * 0). Sets required and whatever of optional the processor allows; fails with
 * -HV_ENODEV, naming the control word and the missing bits, if a required bit
 * cannot be set.
 */
int vmx_adjust_controls(const char *name, uint64_t cap, uint32_t required, uint32_t optional, uint32_t *out);

/* EPT and VPID capabilities, IA32_VMX_EPT_VPID_CAP (SDM "VPID and EPT Capabilities") */
#define VMX_EPT_WALK_4		BIT(6)
#define VMX_EPT_WB		BIT(14)
#define VMX_EPT_2MB_PAGES	BIT(16)
#define VMX_EPT_1GB_PAGES	BIT(17)
#define VMX_EPT_INVEPT		BIT(20)
#define VMX_EPT_INVEPT_SINGLE	BIT(25)
#define VMX_VPID_INVVPID	BIT(32)
#define VMX_VPID_INVVPID_SINGLE	BIT(41)
#define VMX_MISC_WAIT_FOR_SIPI	BIT(8)

/*
 * Reads the capability MSRs and computes every control word. EPT and
 * unrestricted guest are used together when the processor has both (with a
 * 4-level, write-back EPT and wait-for-SIPI); without them Vireo still runs,
 * but cannot hide its memory or start processors the OS brings up.
 */
int vmx_caps_init(struct vmx_caps *c);

bool vmx_caps_equal(const struct vmx_caps *a, const struct vmx_caps *b);

static inline bool vmx_has_ept(const struct vmx_caps *c)
{
	return c->secondary & SECONDARY_EXEC_ENABLE_EPT;
}

static inline bool vmx_has_vpid(const struct vmx_caps *c)
{
	return c->secondary & SECONDARY_EXEC_ENABLE_VPID;
}

/* A CR0/CR4 value with the bits VMX operation fixes forced (SDM "VMX-Fixed Bits in CR0/CR4"). */
static inline uint64_t vmx_fix_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value | fixed0) & fixed1;
}

const char *vmx_instruction_error_name(uint32_t error);

#endif
