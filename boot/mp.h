/* SPDX-License-Identifier: MIT */
#ifndef BOOT_MP_H
#define BOOT_MP_H

#include <efi.h>
#include "hv/compiler.h"

/*
 * EFI_MP_SERVICES_PROTOCOL (UEFI Platform Initialization Specification,
 * Vol. 2, "MP Services Protocol"): gnu-efi does not define it.
 */
#define EFI_MP_SERVICES_PROTOCOL_GUID \
	{ 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

#define PROCESSOR_AS_BSP_BIT	0x1
#define PROCESSOR_ENABLED_BIT	0x2

typedef struct {
	UINT64 ProcessorId;
	UINT32 StatusFlag;
	UINT32 Package, Core, Thread;
	UINT8 ExtendedInformation[24];
} EFI_PROCESSOR_INFORMATION;

typedef VOID (EFIAPI *EFI_AP_PROCEDURE)(VOID *arg);

typedef struct _EFI_MP_SERVICES_PROTOCOL EFI_MP_SERVICES_PROTOCOL;
struct _EFI_MP_SERVICES_PROTOCOL {
	EFI_STATUS (EFIAPI *GetNumberOfProcessors)(EFI_MP_SERVICES_PROTOCOL *self, UINTN *count, UINTN *enabled);
	EFI_STATUS (EFIAPI *GetProcessorInfo)(EFI_MP_SERVICES_PROTOCOL *self, UINTN cpu,
					      EFI_PROCESSOR_INFORMATION *info);
	EFI_STATUS (EFIAPI *StartupAllAPs)(EFI_MP_SERVICES_PROTOCOL *self, EFI_AP_PROCEDURE proc, BOOLEAN single,
					   EFI_EVENT event, UINTN timeout_us, VOID *arg, UINTN **failed);
	EFI_STATUS (EFIAPI *StartupThisAP)(EFI_MP_SERVICES_PROTOCOL *self, EFI_AP_PROCEDURE proc, UINTN cpu,
					   EFI_EVENT event, UINTN timeout_us, VOID *arg, BOOLEAN *finished);
	EFI_STATUS (EFIAPI *SwitchBSP)(EFI_MP_SERVICES_PROTOCOL *self, UINTN cpu, BOOLEAN enable_old);
	EFI_STATUS (EFIAPI *EnableDisableAP)(EFI_MP_SERVICES_PROTOCOL *self, UINTN cpu, BOOLEAN enable,
					     UINT32 *health);
	EFI_STATUS (EFIAPI *WhoAmI)(EFI_MP_SERVICES_PROTOCOL *self, UINTN *cpu);
};

struct mp_cpus {
	EFI_MP_SERVICES_PROTOCOL *mp;
	unsigned int count;		/* processors (enabled or not) */
	unsigned int bsp;		/* processor number of the boot processor */
	uint32_t enabled;		/* processor numbers enabled, as a bit map (up to 32) */
};

/* The processors the firmware knows; without MP services, just the boot processor. */
void mp_discover(struct mp_cpus *cpus);

/*
 * Runs fn(arg, resume) on processor cpu and waits for it. fn runs in the
 * copy of the image; the guest, if fn launches one, resumes in the loaded
 * image (arch/x86/guest_resume.h).
 */
EFI_STATUS mp_run_on(const struct mp_cpus *cpus, unsigned int cpu, const void *ap_trampoline,
		     void *fn, void *arg);

#endif
