/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_VMCS_H
#define ARCH_X86_VMCS_H

/*
 * VMCS field encodings (SDM Appendix B, "Field Encoding in VMCS") and the
 * VM-execution, VM-exit and VM-entry control bits (SDM "VM-Execution Control
 * Fields", "VM-Exit Control Fields", "VM-Entry Control Fields"), with the
 * Linux/Xen spelling. Bits 14:13 of an encoding give its width: 0 16-bit,
 * 1 64-bit, 2 32-bit, 3 natural width (tests/unit/test_vmcs_fields.c checks it).
 */

#include "hv/compiler.h"

enum vmcs_field {
	/* 16-bit control field */
	VIRTUAL_PROCESSOR_ID		= 0x0000,
	/* 16-bit guest-state fields */
	GUEST_ES_SELECTOR		= 0x0800,
	GUEST_CS_SELECTOR		= 0x0802,
	GUEST_SS_SELECTOR		= 0x0804,
	GUEST_DS_SELECTOR		= 0x0806,
	GUEST_FS_SELECTOR		= 0x0808,
	GUEST_GS_SELECTOR		= 0x080a,
	GUEST_LDTR_SELECTOR		= 0x080c,
	GUEST_TR_SELECTOR		= 0x080e,
	/* 16-bit host-state fields */
	HOST_ES_SELECTOR		= 0x0c00,
	HOST_CS_SELECTOR		= 0x0c02,
	HOST_SS_SELECTOR		= 0x0c04,
	HOST_DS_SELECTOR		= 0x0c06,
	HOST_FS_SELECTOR		= 0x0c08,
	HOST_GS_SELECTOR		= 0x0c0a,
	HOST_TR_SELECTOR		= 0x0c0c,
	/* 64-bit control fields */
	IO_BITMAP_A			= 0x2000,
	IO_BITMAP_B			= 0x2002,
	MSR_BITMAP			= 0x2004,
	EPT_POINTER			= 0x201a,
	XSS_EXIT_BITMAP			= 0x202c,
	/* 64-bit read-only data field */
	GUEST_PHYSICAL_ADDRESS		= 0x2400,
	/* 64-bit guest-state fields */
	VMCS_LINK_POINTER		= 0x2800,
	GUEST_IA32_DEBUGCTL		= 0x2802,
	GUEST_IA32_PAT			= 0x2804,
	GUEST_IA32_EFER			= 0x2806,
	GUEST_PDPTR0			= 0x280a,
	GUEST_PDPTR1			= 0x280c,
	GUEST_PDPTR2			= 0x280e,
	GUEST_PDPTR3			= 0x2810,
	/* 64-bit host-state fields */
	HOST_IA32_PAT			= 0x2c00,
	HOST_IA32_EFER			= 0x2c02,
	/* 32-bit control fields */
	PIN_BASED_VM_EXEC_CONTROL	= 0x4000,
	CPU_BASED_VM_EXEC_CONTROL	= 0x4002,
	EXCEPTION_BITMAP		= 0x4004,
	CR3_TARGET_COUNT		= 0x400a,
	VM_EXIT_CONTROLS		= 0x400c,
	VM_EXIT_MSR_STORE_COUNT		= 0x400e,
	VM_EXIT_MSR_LOAD_COUNT		= 0x4010,
	VM_ENTRY_CONTROLS		= 0x4012,
	VM_ENTRY_MSR_LOAD_COUNT		= 0x4014,
	VM_ENTRY_INTR_INFO_FIELD	= 0x4016,
	VM_ENTRY_EXCEPTION_ERROR_CODE	= 0x4018,
	VM_ENTRY_INSTRUCTION_LEN	= 0x401a,
	SECONDARY_VM_EXEC_CONTROL	= 0x401e,
	/* 32-bit read-only data fields */
	VM_INSTRUCTION_ERROR		= 0x4400,
	VM_EXIT_REASON			= 0x4402,
	VM_EXIT_INTR_INFO		= 0x4404,
	VM_EXIT_INTR_ERROR_CODE		= 0x4406,
	IDT_VECTORING_INFO_FIELD	= 0x4408,
	IDT_VECTORING_ERROR_CODE	= 0x440a,
	VM_EXIT_INSTRUCTION_LEN		= 0x440c,
	/* 32-bit guest-state fields */
	GUEST_ES_LIMIT			= 0x4800,
	GUEST_CS_LIMIT			= 0x4802,
	GUEST_SS_LIMIT			= 0x4804,
	GUEST_DS_LIMIT			= 0x4806,
	GUEST_FS_LIMIT			= 0x4808,
	GUEST_GS_LIMIT			= 0x480a,
	GUEST_LDTR_LIMIT		= 0x480c,
	GUEST_TR_LIMIT			= 0x480e,
	GUEST_GDTR_LIMIT		= 0x4810,
	GUEST_IDTR_LIMIT		= 0x4812,
	GUEST_ES_AR_BYTES		= 0x4814,
	GUEST_CS_AR_BYTES		= 0x4816,
	GUEST_SS_AR_BYTES		= 0x4818,
	GUEST_DS_AR_BYTES		= 0x481a,
	GUEST_FS_AR_BYTES		= 0x481c,
	GUEST_GS_AR_BYTES		= 0x481e,
	GUEST_LDTR_AR_BYTES		= 0x4820,
	GUEST_TR_AR_BYTES		= 0x4822,
	GUEST_INTERRUPTIBILITY_INFO	= 0x4824,
	GUEST_ACTIVITY_STATE		= 0x4826,
	GUEST_SYSENTER_CS		= 0x482a,
	/* 32-bit host-state field */
	HOST_IA32_SYSENTER_CS		= 0x4c00,
	/* natural-width control fields */
	CR0_GUEST_HOST_MASK		= 0x6000,
	CR4_GUEST_HOST_MASK		= 0x6002,
	CR0_READ_SHADOW			= 0x6004,
	CR4_READ_SHADOW			= 0x6006,
	/* natural-width read-only data fields */
	EXIT_QUALIFICATION		= 0x6400,
	GUEST_LINEAR_ADDRESS		= 0x640a,
	/* natural-width guest-state fields */
	GUEST_CR0			= 0x6800,
	GUEST_CR3			= 0x6802,
	GUEST_CR4			= 0x6804,
	GUEST_ES_BASE			= 0x6806,
	GUEST_CS_BASE			= 0x6808,
	GUEST_SS_BASE			= 0x680a,
	GUEST_DS_BASE			= 0x680c,
	GUEST_FS_BASE			= 0x680e,
	GUEST_GS_BASE			= 0x6810,
	GUEST_LDTR_BASE			= 0x6812,
	GUEST_TR_BASE			= 0x6814,
	GUEST_GDTR_BASE			= 0x6816,
	GUEST_IDTR_BASE			= 0x6818,
	GUEST_DR7			= 0x681a,
	GUEST_RSP			= 0x681c,
	GUEST_RIP			= 0x681e,
	GUEST_RFLAGS			= 0x6820,
	GUEST_PENDING_DBG_EXCEPTIONS	= 0x6822,
	GUEST_SYSENTER_ESP		= 0x6824,
	GUEST_SYSENTER_EIP		= 0x6826,
	/* natural-width host-state fields */
	HOST_CR0			= 0x6c00,
	HOST_CR3			= 0x6c02,
	HOST_CR4			= 0x6c04,
	HOST_FS_BASE			= 0x6c06,
	HOST_GS_BASE			= 0x6c08,
	HOST_TR_BASE			= 0x6c0a,
	HOST_GDTR_BASE			= 0x6c0c,
	HOST_IDTR_BASE			= 0x6c0e,
	HOST_IA32_SYSENTER_ESP		= 0x6c10,
	HOST_IA32_SYSENTER_EIP		= 0x6c12,
	HOST_RSP			= 0x6c14,
	HOST_RIP			= 0x6c16,
};

enum vmcs_width {
	VMCS_WIDTH_16 = 0,
	VMCS_WIDTH_64 = 1,
	VMCS_WIDTH_32 = 2,
	VMCS_WIDTH_NATURAL = 3,
};

static inline enum vmcs_width vmcs_field_width(enum vmcs_field f)
{
	return (enum vmcs_width)((f >> 13) & 3);
}

/* Pin-based VM-execution controls */
#define PIN_BASED_EXT_INTR_MASK			BIT(0)
#define PIN_BASED_NMI_EXITING			BIT(3)
#define PIN_BASED_VIRTUAL_NMIS			BIT(5)

/* Primary processor-based VM-execution controls */
#define CPU_BASED_HLT_EXITING			BIT(7)
#define CPU_BASED_NMI_WINDOW_EXITING		BIT(22)
#define CPU_BASED_CR3_LOAD_EXITING		BIT(15)
#define CPU_BASED_CR3_STORE_EXITING		BIT(16)
#define CPU_BASED_UNCOND_IO_EXITING		BIT(24)
#define CPU_BASED_USE_IO_BITMAPS		BIT(25)
#define CPU_BASED_USE_MSR_BITMAPS		BIT(28)
#define CPU_BASED_ACTIVATE_SECONDARY_CONTROLS	BIT(31)

/* Secondary processor-based VM-execution controls */
#define SECONDARY_EXEC_ENABLE_EPT		BIT(1)
#define SECONDARY_EXEC_ENABLE_RDTSCP		BIT(3)
#define SECONDARY_EXEC_ENABLE_VPID		BIT(5)
#define SECONDARY_EXEC_UNRESTRICTED_GUEST	BIT(7)
#define SECONDARY_EXEC_ENABLE_INVPCID		BIT(12)
#define SECONDARY_EXEC_XSAVES			BIT(20)

/* VM-exit controls */
#define VM_EXIT_SAVE_DEBUG_CONTROLS		BIT(2)
#define VM_EXIT_HOST_ADDR_SPACE_SIZE		BIT(9)
#define VM_EXIT_SAVE_IA32_PAT			BIT(18)
#define VM_EXIT_LOAD_IA32_PAT			BIT(19)
#define VM_EXIT_SAVE_IA32_EFER			BIT(20)
#define VM_EXIT_LOAD_IA32_EFER			BIT(21)

/* VM-entry controls */
#define VM_ENTRY_LOAD_DEBUG_CONTROLS		BIT(2)
#define VM_ENTRY_IA32E_MODE			BIT(9)
#define VM_ENTRY_LOAD_IA32_PAT			BIT(14)
#define VM_ENTRY_LOAD_IA32_EFER			BIT(15)

/* VM-entry interruption-information field (SDM "VM-Entry Controls for Event Injection") */
#define INTR_INFO_VALID				BIT(31)
#define INTR_INFO_DELIVER_CODE			BIT(11)
#define INTR_INFO_TYPE_SHIFT			8

/* Guest activity state (SDM "Guest Non-Register State") */
#define GUEST_ACTIVITY_ACTIVE			0
#define GUEST_ACTIVITY_WAIT_SIPI		3

/* Guest interruptibility state */
#define GUEST_INTR_STATE_STI			BIT(0)
#define GUEST_INTR_STATE_MOV_SS			BIT(1)
#define GUEST_INTR_STATE_NMI			BIT(3)

/* Pending debug exceptions: a single-step trap (SDM "Guest Non-Register State") */
#define PENDING_DBG_BS				BIT(14)

/* Segment access rights: the "segment unusable" bit (SDM "Guest Register State") */
#define VMX_AR_UNUSABLE				BIT(16)

#define VMX_EXIT_REASON_ENTRY_FAILURE		BIT(31)

#endif
