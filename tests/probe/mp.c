/* SPDX-License-Identifier: MIT */
/*
 * probe.efi mp, probe.efi mp-nmi: the firmware starts application
 * processors as an OS does. The firmware's MP services wake an AP with
 * INIT-SIPI-SIPI for every procedure (OVMF keeps its APs in a HLT loop), so
 * under Vireo each StartupThisAP here is an INIT and a SIPI through Vireo.
 *
 * probe.efi mp: starts each enabled AP in turn; the AP reads its APIC ID
 * (CPUID.1:EBX[31:24]) and, if Vireo is there, its VP index from Vireo's
 * leaf base + 1 (EBX). Prints "probe: mp cpu <n> apic <id> vp <index>"
 * ("vp none" without Vireo), or "probe: mp cpu <n> <status>" if the AP
 * did not run, then "probe: mp done".
 *
 * probe.efi mp-nmi: sends AP 1 an NMI through the xAPIC ICR and at once
 * restarts it with INIT-SIPI-SIPI (StartupThisAP); the NMI came first, so
 * the AP's NMI handler (the probe's, through the firmware's CPU
 * architectural protocol, whose IDT the APs share) must have run exactly
 * once by the time its procedure runs. Prints "probe: mp-nmi cpu 1 nmi
 * <count>" and the AP's mp line.
 */
#include <efi.h>
#include <efilib.h>

#include "boot/mp.h"
#include "hv/compiler.h"
#include "hv/version.h"
#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

#define XAPIC_ID		0xfee00020UL
#define XAPIC_ICR_LOW		0xfee00300UL
#define XAPIC_ICR_HIGH		0xfee00310UL
/* Delivery mode NMI, level assert, physical destination (SDM "Interrupt Command Register"). */
#define ICR_NMI			(4u << 8 | 1u << 14)
#define AP_TIMEOUT_US		2000000

struct ap_report {
	uint32_t apic_id;
	uint32_t vp_index;
	bool vireo;
	bool ran;
};

/* NMIs the probe's handler counted (only AP 1 gets any). */
static volatile uint32_t nmis;

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static uint32_t this_apic_id(void)
{
	uint32_t r[4];

	cpuid(1, r);
	return r[1] >> 24;
}

/* Nothing in it exits to a hypervisor before the count: no CPUID, no MSR. */
static VOID EFIAPI nmi_handler(EFI_EXCEPTION_TYPE vector, EFI_SYSTEM_CONTEXT ctx)
{
	(void)vector;
	(void)ctx;
	__atomic_add_fetch(&nmis, 1, __ATOMIC_RELAXED);
}

/* Vireo's leaves are at 0x40000000, or 0x40000100 with viridian on; base + 1 EBX is the VP index. */
static VOID EFIAPI ap_report_proc(VOID *arg)
{
	static const uint32_t bases[] = { 0x40000000, 0x40000100 };
	struct ap_report *rep = arg;
	uint32_t r[4];

	rep->apic_id = this_apic_id();
	for (UINTN i = 0; i < ARRAY_SIZE(bases); i++) {
		cpuid(bases[i], r);
		if (r[1] == VIREO_SIGNATURE_EBX && r[2] == VIREO_SIGNATURE_ECX && r[3] == VIREO_SIGNATURE_EDX) {
			cpuid(bases[i] + 1, r);
			rep->vireo = true;
			rep->vp_index = r[1];
			break;
		}
	}
	__atomic_store_n(&rep->ran, true, __ATOMIC_RELEASE);
}

static EFI_MP_SERVICES_PROTOCOL *locate_mp(void)
{
	EFI_GUID guid = EFI_MP_SERVICES_PROTOCOL_GUID;
	EFI_MP_SERVICES_PROTOCOL *mp;
	EFI_STATUS status = uefi_call_wrapper(BS->LocateProtocol, 3, &guid, NULL, (VOID **)&mp);

	if (EFI_ERROR(status)) {
		Print(L"probe: mp no MP services: %r\n", status);
		return NULL;
	}
	return mp;
}

/* Runs the report on AP cpu (blocking) and prints its line. */
static void report_ap(EFI_MP_SERVICES_PROTOCOL *mp, UINTN cpu)
{
	struct ap_report rep = { 0 };
	EFI_STATUS status = mp->StartupThisAP(mp, ap_report_proc, cpu, NULL, AP_TIMEOUT_US, &rep, NULL);

	if (EFI_ERROR(status) || !__atomic_load_n(&rep.ran, __ATOMIC_ACQUIRE))
		Print(L"probe: mp cpu %d %r\n", (int)cpu, status);
	else if (rep.vireo)
		Print(L"probe: mp cpu %d apic %d vp %d\n", (int)cpu, (int)rep.apic_id, (int)rep.vp_index);
	else
		Print(L"probe: mp cpu %d apic %d vp none\n", (int)cpu, (int)rep.apic_id);
}

void probe_mp(void)
{
	EFI_MP_SERVICES_PROTOCOL *mp = locate_mp();
	UINTN count = 0, enabled = 0;

	if (!mp || EFI_ERROR(mp->GetNumberOfProcessors(mp, &count, &enabled)))
		return;
	for (UINTN cpu = 0; cpu < count; cpu++) {
		EFI_PROCESSOR_INFORMATION info;

		if (EFI_ERROR(mp->GetProcessorInfo(mp, cpu, &info)) || (info.StatusFlag & PROCESSOR_AS_BSP_BIT) ||
		    !(info.StatusFlag & PROCESSOR_ENABLED_BIT))
			continue;
		report_ap(mp, cpu);
	}
	Print(L"probe: mp done\n");
}

void probe_mp_nmi(void)
{
	EFI_MP_SERVICES_PROTOCOL *mp = locate_mp();
	EFI_PROCESSOR_INFORMATION info;
	EFI_STATUS status;
	uint32_t ap;

	if (!mp)
		return;
	status = mp->GetProcessorInfo(mp, 1, &info);
	if (EFI_ERROR(status)) {
		Print(L"probe: mp-nmi no cpu 1: %r\n", status);
		return;
	}
	ap = (uint32_t)info.ProcessorId;
	status = trap_register_handler(EXCEPT_X64_NMI, nmi_handler);
	if (EFI_ERROR(status)) {
		Print(L"probe: mp-nmi handler: %r\n", status);
		return;
	}
	*(volatile uint32_t *)XAPIC_ICR_HIGH = ap << 24;
	*(volatile uint32_t *)XAPIC_ICR_LOW = ICR_NMI;
	report_ap(mp, 1);
	trap_register_handler(EXCEPT_X64_NMI, NULL);
	Print(L"probe: mp-nmi cpu 1 nmi %d\n", (int)nmis);
}
