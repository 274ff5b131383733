/* SPDX-License-Identifier: MIT */
/*
 * acpi.efi: gives OVMF under Bochs the ACPI tables it lacks, so that a
 * stock Linux kernel started afterwards from the same shell finds every
 * CPU and can power the machine off.
 *
 * OVMF builds its ACPI tables from QEMU's fw_cfg, which Bochs does not
 * have, but it still offers the EFI ACPI Table Protocol. This program asks
 * the firmware's MP Services for the processors and the IOAPIC for its ID,
 * builds a FACS, a DSDT holding only \_S5, a FADT and a MADT
 * (tests/acpi/tables.c) and installs them. The protocol publishes the
 * RSDP as an EFI configuration table, where Linux looks for it when it
 * boots through its EFI stub. The lines it prints, in order:
 *
 *   acpi: installed FACS
 *   acpi: installed DSDT (_S5 SLP_TYP 0)
 *   acpi: installed FADT (PM1a 0xB000, PM timer 0xB008, SCI 10)
 *   acpi: installed MADT (<n> CPUs, IOAPIC id <id>)
 *
 * On a failure it prints one "acpi: ... failed" line saying what failed and
 * returns an error; tables installed before the failure stay installed.
 */

#include <efi.h>
#include <efilib.h>

#include "hv/compiler.h"
#include "tests/acpi/tables.h"

/*
 * PI Specification, Volume 2, "EFI_MP_SERVICES_PROTOCOL". gnu-efi does not
 * define it; only the two queries used here are typed.
 */
#define EFI_MP_SERVICES_PROTOCOL_GUID \
	{ 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

/* EFI_PROCESSOR_INFORMATION.StatusFlag */
#define PROCESSOR_ENABLED_BIT	BIT(1)

typedef struct {
	UINT32 Package;
	UINT32 Core;
	UINT32 Thread;
} EFI_CPU_PHYSICAL_LOCATION;

typedef struct {
	UINT32 Package;
	UINT32 Die;
	UINT32 Tile;
	UINT32 Module;
	UINT32 Core;
	UINT32 Thread;
} EFI_CPU_PHYSICAL_LOCATION2;

typedef struct {
	UINT64 ProcessorId;	/* the local APIC ID */
	UINT32 StatusFlag;
	EFI_CPU_PHYSICAL_LOCATION Location;
	/* PI 1.7: written only when the caller asks for it, but part of the buffer. */
	EFI_CPU_PHYSICAL_LOCATION2 ExtendedInformation;
} EFI_PROCESSOR_INFORMATION;

struct _EFI_MP_SERVICES_PROTOCOL;

typedef EFI_STATUS (EFIAPI *EFI_MP_SERVICES_GET_NUMBER_OF_PROCESSORS)(
	struct _EFI_MP_SERVICES_PROTOCOL *This, UINTN *NumberOfProcessors,
	UINTN *NumberOfEnabledProcessors);
typedef EFI_STATUS (EFIAPI *EFI_MP_SERVICES_GET_PROCESSOR_INFO)(
	struct _EFI_MP_SERVICES_PROTOCOL *This, UINTN ProcessorNumber,
	EFI_PROCESSOR_INFORMATION *ProcessorInfoBuffer);

typedef struct _EFI_MP_SERVICES_PROTOCOL {
	EFI_MP_SERVICES_GET_NUMBER_OF_PROCESSORS GetNumberOfProcessors;
	EFI_MP_SERVICES_GET_PROCESSOR_INFO GetProcessorInfo;
	VOID *StartupAllAPs;
	VOID *StartupThisAP;
	VOID *SwitchBSP;
	VOID *EnableDisableAP;
	VOID *WhoAmI;
} EFI_MP_SERVICES_PROTOCOL;

/* UEFI Specification, "ACPI Protocols", EFI_ACPI_TABLE_PROTOCOL. */
#define EFI_ACPI_TABLE_PROTOCOL_GUID \
	{ 0xffe06bdd, 0x6107, 0x46a6, { 0x7b, 0xb2, 0x5a, 0x9c, 0x7e, 0xc5, 0x27, 0x5c } }

struct _EFI_ACPI_TABLE_PROTOCOL;

typedef EFI_STATUS (EFIAPI *EFI_ACPI_TABLE_INSTALL_ACPI_TABLE)(
	struct _EFI_ACPI_TABLE_PROTOCOL *This, VOID *AcpiTableBuffer,
	UINTN AcpiTableBufferSize, UINTN *TableKey);
typedef EFI_STATUS (EFIAPI *EFI_ACPI_TABLE_UNINSTALL_ACPI_TABLE)(
	struct _EFI_ACPI_TABLE_PROTOCOL *This, UINTN TableKey);

typedef struct _EFI_ACPI_TABLE_PROTOCOL {
	EFI_ACPI_TABLE_INSTALL_ACPI_TABLE InstallAcpiTable;
	EFI_ACPI_TABLE_UNINSTALL_ACPI_TABLE UninstallAcpiTable;
} EFI_ACPI_TABLE_PROTOCOL;

/*
 * 82093AA I/O APIC datasheet, "Register Description": IOREGSEL at offset 0
 * selects a register, IOWIN at offset 0x10 reads it; register 0 is
 * IOAPICID, with the ID in bits 27:24.
 */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_REG_ID		0x00
#define IOAPIC_ID_SHIFT		24
#define IOAPIC_ID_MASK		0xf

static EFI_GUID mp_services_guid = EFI_MP_SERVICES_PROTOCOL_GUID;
static EFI_GUID acpi_table_guid = EFI_ACPI_TABLE_PROTOCOL_GUID;

static struct acpi_facs facs;
static struct acpi_dsdt dsdt;
static struct acpi_fadt fadt;
static uint8_t madt[ACPI_MADT_MAX_LEN];
static struct acpi_cpu cpus[ACPI_MAX_CPUS];

static uint8_t ioapic_read_id(void)
{
	volatile uint32_t *regsel = (volatile uint32_t *)(UINTN)(IOAPIC_BASE + IOAPIC_IOREGSEL);
	volatile uint32_t *win = (volatile uint32_t *)(UINTN)(IOAPIC_BASE + IOAPIC_IOWIN);

	*regsel = IOAPIC_REG_ID;
	return (*win >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
}

/* Fills cpus[] in the firmware's processor order; returns the number of CPUs or 0. */
static UINTN cpus_read(UINTN *enabled)
{
	EFI_MP_SERVICES_PROTOCOL *mp;
	EFI_PROCESSOR_INFORMATION info;
	EFI_STATUS status;
	UINTN n, i;

	status = uefi_call_wrapper(BS->LocateProtocol, 3, &mp_services_guid, NULL, (VOID **)&mp);
	if (EFI_ERROR(status)) {
		Print(L"acpi: locating MP services failed: %r\n", status);
		return 0;
	}
	status = uefi_call_wrapper(mp->GetNumberOfProcessors, 3, mp, &n, enabled);
	if (EFI_ERROR(status)) {
		Print(L"acpi: counting processors failed: %r\n", status);
		return 0;
	}
	if (n > ACPI_MAX_CPUS) {
		Print(L"acpi: describing %ld processors failed: the MADT holds %d\n",
		      n, ACPI_MAX_CPUS);
		return 0;
	}
	for (i = 0; i < n; i++) {
		status = uefi_call_wrapper(mp->GetProcessorInfo, 3, mp, i, &info);
		if (EFI_ERROR(status)) {
			Print(L"acpi: processor %ld info failed: %r\n", i, status);
			return 0;
		}
		/* The MADT Processor Local APIC structure holds an 8-bit xAPIC ID. */
		if (info.ProcessorId > 0xfe) {
			Print(L"acpi: processor %ld failed: APIC id 0x%lx is not an xAPIC id\n",
			      i, info.ProcessorId);
			return 0;
		}
		cpus[i].apic_id = (uint8_t)info.ProcessorId;
		cpus[i].enabled = info.StatusFlag & PROCESSOR_ENABLED_BIT;
	}
	return n;
}

static EFI_STATUS table_install(EFI_ACPI_TABLE_PROTOCOL *acpi, VOID *table, UINTN len,
				const CHAR16 *name)
{
	EFI_STATUS status;
	UINTN key;

	status = uefi_call_wrapper(acpi->InstallAcpiTable, 4, acpi, table, len, &key);
	if (EFI_ERROR(status))
		Print(L"acpi: installing %s failed: %r\n", name, status);
	return status;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_ACPI_TABLE_PROTOCOL *acpi;
	UINTN ncpus, enabled;
	EFI_STATUS status;
	uint32_t madt_len;
	uint8_t ioapic_id;

	InitializeLib(image, st);
	status = uefi_call_wrapper(BS->LocateProtocol, 3, &acpi_table_guid, NULL, (VOID **)&acpi);
	if (EFI_ERROR(status)) {
		Print(L"acpi: locating the ACPI table protocol failed: %r\n", status);
		return status;
	}
	ncpus = cpus_read(&enabled);
	if (!ncpus)
		return EFI_UNSUPPORTED;
	ioapic_id = ioapic_read_id();

	/* The FACS and DSDT go first, so the FADT is linked to both as it is installed. */
	acpi_build_facs(&facs);
	status = table_install(acpi, &facs, sizeof(facs), L"FACS");
	if (EFI_ERROR(status))
		return status;
	Print(L"acpi: installed FACS\n");

	acpi_build_dsdt(&dsdt);
	status = table_install(acpi, &dsdt, sizeof(dsdt), L"DSDT");
	if (EFI_ERROR(status))
		return status;
	Print(L"acpi: installed DSDT (_S5 SLP_TYP 0)\n");

	acpi_build_fadt(&fadt);
	status = table_install(acpi, &fadt, sizeof(fadt), L"FADT");
	if (EFI_ERROR(status))
		return status;
	Print(L"acpi: installed FADT (PM1a 0x%x, PM timer 0x%x, SCI %d)\n",
	      PIIX4_PM1_EVT_BLK, PIIX4_PM_TMR_BLK, PIIX4_SCI_IRQ);

	madt_len = acpi_build_madt(madt, cpus, (unsigned int)ncpus, ioapic_id);
	status = table_install(acpi, madt, madt_len, L"MADT");
	if (EFI_ERROR(status))
		return status;
	Print(L"acpi: installed MADT (%ld CPUs, IOAPIC id %d)\n", enabled, ioapic_id);
	return EFI_SUCCESS;
}
