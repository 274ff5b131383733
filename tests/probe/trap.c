/* SPDX-License-Identifier: MIT */
/*
 * The probe's #UD and #GP handlers, registered with the firmware's CPU
 * architectural protocol (UEFI PI Specification, Vol. 2, "CPU Architectural
 * Protocol"). gnu-efi does not define that protocol, so its GUID and the
 * part of its function table up to RegisterInterruptHandler are here.
 */

#include <efi.h>
#include <efilib.h>
#include <stddef.h>

#include "hv/compiler.h"
#include "tests/probe/trap.h"

#define EFI_CPU_ARCH_PROTOCOL_GUID \
	{ 0x26baccb1, 0x6f42, 0x11d4, { 0xbc, 0xe7, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } }

typedef struct _EFI_CPU_ARCH_PROTOCOL EFI_CPU_ARCH_PROTOCOL;

typedef EFI_STATUS (EFIAPI *EFI_CPU_REGISTER_INTERRUPT_HANDLER)(
	EFI_CPU_ARCH_PROTOCOL *This, EFI_EXCEPTION_TYPE InterruptType,
	EFI_EXCEPTION_CALLBACK InterruptHandler);

struct _EFI_CPU_ARCH_PROTOCOL {
	VOID *FlushDataCache;
	VOID *EnableInterrupt;
	VOID *DisableInterrupt;
	VOID *GetInterruptState;
	VOID *Init;
	EFI_CPU_REGISTER_INTERRUPT_HANDLER RegisterInterruptHandler;
	VOID *GetTimerValue;
	VOID *SetMemoryAttributes;
	UINT32 NumberOfTimers;
	UINT32 DmaBufferAlignment;
};

_Static_assert(offsetof(struct probe_trap, resume_rsp) == 8, "trap_insn.asm TRAP_RSP");
_Static_assert(offsetof(struct probe_trap, vector) == 16, "trap_insn.asm TRAP_VECTOR");

struct probe_trap probe_trap;

static const struct {
	EFI_EXCEPTION_TYPE vector;
	const CHAR16 *name;
} trapped[] = {
	{ EXCEPT_X64_INVALID_OPCODE, L"#UD" },
	{ EXCEPT_X64_GP_FAULT, L"#GP" },
};

static EFI_CPU_ARCH_PROTOCOL *cpu_arch;

const CHAR16 *trap_name(uint64_t vector)
{
	for (UINTN i = 0; i < ARRAY_SIZE(trapped); i++)
		if (trapped[i].vector == (EFI_EXCEPTION_TYPE)vector)
			return trapped[i].name;
	return L"#?";
}

static VOID EFIAPI trap_handler(EFI_EXCEPTION_TYPE vector, EFI_SYSTEM_CONTEXT ctx)
{
	EFI_SYSTEM_CONTEXT_X64 *regs = ctx.SystemContextX64;

	if (!probe_trap.resume_rip) {
		/* Nothing to resume: returning would fault again forever. */
		Print(L"probe: unexpected %s at rip %lx\n", trap_name((uint64_t)vector), regs->Rip);
		uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_ABORTED, 0, NULL);
		for (;;)
			asm volatile("cli; hlt");
	}
	probe_trap.vector = (uint64_t)vector;
	regs->Rip = probe_trap.resume_rip;
	regs->Rsp = probe_trap.resume_rsp;
	probe_trap.resume_rip = 0;
}

EFI_STATUS trap_register_handler(EFI_EXCEPTION_TYPE vector, EFI_EXCEPTION_CALLBACK handler)
{
	return uefi_call_wrapper(cpu_arch->RegisterInterruptHandler, 3, cpu_arch, vector, handler);
}

EFI_STATUS trap_install(void)
{
	EFI_GUID guid = EFI_CPU_ARCH_PROTOCOL_GUID;
	EFI_STATUS status;
	UINTN i;

	status = uefi_call_wrapper(BS->LocateProtocol, 3, &guid, NULL, (VOID **)&cpu_arch);
	if (EFI_ERROR(status)) {
		Print(L"probe: no CPU arch protocol: %r\n", status);
		return status;
	}
	for (i = 0; i < ARRAY_SIZE(trapped); i++) {
		status = trap_register_handler(trapped[i].vector, trap_handler);
		if (EFI_ERROR(status)) {
			Print(L"probe: cannot catch %s: %r\n", trapped[i].name, status);
			while (i--)
				trap_register_handler(trapped[i].vector, NULL);
			return status;
		}
	}
	return EFI_SUCCESS;
}

void trap_remove(void)
{
	for (UINTN i = 0; i < ARRAY_SIZE(trapped); i++)
		trap_register_handler(trapped[i].vector, NULL);
}
