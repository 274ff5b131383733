/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_VMX_OPS_H
#define ARCH_X86_VMX_OPS_H

/*
 * The VMX instructions. Each returns 0 on success, or VMX_FAIL_INVALID
 * (CF=1: no current VMCS) / VMX_FAIL_VALID (ZF=1: the reason is in
 * VM_INSTRUCTION_ERROR), SDM "Conventions" in "VMX Instruction Reference".
 */

#include "arch/x86/vmcs.h"

#define VMX_FAIL_INVALID	1
#define VMX_FAIL_VALID		2

#define VMX_STATUS_FROM_FLAGS(cf, zf) ((cf) ? VMX_FAIL_INVALID : (zf) ? VMX_FAIL_VALID : 0)

static inline int vmxon(uint64_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline void vmxoff(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

static inline int vmclear(uint64_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline int vmptrld(uint64_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

/* INVVPID and INVEPT types (SDM "INVVPID", "INVEPT"). */
#define INVVPID_SINGLE_CONTEXT	1
#define INVEPT_SINGLE_CONTEXT	1

static inline void invvpid(unsigned long type, uint16_t vpid)
{
	struct { uint64_t vpid, gva; } desc = { vpid, 0 };

	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static inline void invept(unsigned long type, uint64_t eptp)
{
	struct { uint64_t eptp, reserved; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static inline int vmcs_write(enum vmcs_field field, uint64_t value)
{
	uint8_t cf, zf;

	asm volatile("vmwrite %3, %2" : "=@ccc"(cf), "=@ccz"(zf)
		     : "r"((uint64_t)field), "rm"(value) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline uint64_t vmcs_read(enum vmcs_field field)
{
	uint64_t value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"((uint64_t)field) : "cc");
	return value;
}

#endif
