/* SPDX-License-Identifier: MIT */
/*
 * probe.efi nmi: sends this processor an NMI through the xAPIC ICR (its own
 * APIC ID as the physical destination, delivery mode NMI) and counts what its own NMI handler, installed
 * with the firmware's CPU architectural protocol, sees. Under Vireo the ICR
 * store is emulated (the xAPIC page is read-only in its EPT), the NMI then
 * reaches the host, and Vireo must inject it into the guest exactly once.
 *
 * Output: "probe: nmi <count>" (1 is right), "probe: nmi handler: <status>"
 * if the handler cannot be installed.
 */
#include <efi.h>
#include <efilib.h>

#include "hv/compiler.h"
#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

#define XAPIC_ID		0xfee00020UL
#define XAPIC_ICR_LOW		0xfee00300UL
#define XAPIC_ICR_HIGH		0xfee00310UL
/* Delivery mode NMI, level assert, no shorthand (SDM "Interrupt Command Register"). */
#define ICR_NMI			(4u << 8 | 1u << 14)

static volatile uint32_t nmis;

static VOID EFIAPI nmi_handler(EFI_EXCEPTION_TYPE vector, EFI_SYSTEM_CONTEXT ctx)
{
	(void)vector;
	(void)ctx;
	nmis++;
}

void probe_nmi(void)
{
	EFI_STATUS status = trap_register_handler(EXCEPT_X64_NMI, nmi_handler);

	if (EFI_ERROR(status)) {
		Print(L"probe: nmi handler: %r\n", status);
		return;
	}
	*(volatile uint32_t *)XAPIC_ICR_HIGH = *(volatile uint32_t *)XAPIC_ID & 0xff000000u;
	*(volatile uint32_t *)XAPIC_ICR_LOW = ICR_NMI;
	/* Delivered at once natively, at the next VM entry under Vireo: a millisecond is plenty. */
	uefi_call_wrapper(BS->Stall, 1, 1000);
	trap_register_handler(EXCEPT_X64_NMI, NULL);
	Print(L"probe: nmi %u\n", nmis);
}
