/* SPDX-License-Identifier: MIT */
#include "arch/x86/guest_resume.h"
#include "boot/efi_lib.h"
#include "boot/mp.h"
#include "hv/log.h"

#define AP_TIMEOUT_US	5000000

static EFI_GUID mp_services_guid = EFI_MP_SERVICES_PROTOCOL_GUID;

void mp_discover(struct mp_cpus *cpus)
{
	UINTN count = 1, enabled = 1;

	*cpus = (struct mp_cpus){ .count = 1, .enabled = 1 };
	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &mp_services_guid, NULL, (void **)&cpus->mp))) {
		cpus->mp = NULL;
		log_warn("mp: no MP services protocol; virtualizing the boot processor only");
		return;
	}
	if (EFI_ERROR(cpus->mp->GetNumberOfProcessors(cpus->mp, &count, &enabled)))
		return;
	cpus->count = count < 32 ? (unsigned int)count : 32;
	cpus->enabled = 0;
	for (unsigned int cpu = 0; cpu < cpus->count; cpu++) {
		EFI_PROCESSOR_INFORMATION info;

		if (EFI_ERROR(cpus->mp->GetProcessorInfo(cpus->mp, cpu, &info)))
			continue;
		if (info.StatusFlag & PROCESSOR_AS_BSP_BIT)
			cpus->bsp = cpu;
		if (info.StatusFlag & PROCESSOR_ENABLED_BIT)
			cpus->enabled |= 1u << cpu;
		log_debug("mp: processor %u: APIC ID %llu%s%s", cpu, (unsigned long long)info.ProcessorId,
			  info.StatusFlag & PROCESSOR_AS_BSP_BIT ? ", boot processor" : "",
			  info.StatusFlag & PROCESSOR_ENABLED_BIT ? "" : ", disabled");
	}
}

EFI_STATUS mp_run_on(const struct mp_cpus *cpus, unsigned int cpu, const void *ap_trampoline,
		     void *fn, void *arg)
{
	struct resume_call call = { .fn = (resume_fn_t)fn, .arg = arg };

	return cpus->mp->StartupThisAP(cpus->mp, (EFI_AP_PROCEDURE)(uintptr_t)ap_trampoline, cpu, NULL,
				       AP_TIMEOUT_US, &call, NULL);
}
