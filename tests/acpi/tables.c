/* SPDX-License-Identifier: MIT */
/*
 * The fixture's ACPI tables, built in memory. The EFI ACPI Table Protocol
 * copies each one, lists the FADT and MADT in the RSDT/XSDT and points the
 * FADT at the FACS and DSDT, so no table here carries a physical address.
 */

#include <stddef.h>

#include "tests/acpi/tables.h"

#define ACPI_OEM_ID		"VIREO "
#define ACPI_OEM_TABLE_ID	"FIXTURE "
#define ACPI_CREATOR_ID		"VIRE"

/* "Generic Address Structure (GAS)": Address Space ID and Access Size encodings. */
#define GAS_SPACE_SYSTEM_IO	1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

/* "Fixed ACPI Description Table (FADT)": Flags. */
#define FADT_F_WBINVD		BIT(0)	/* WBINVD works as the SDM describes */
#define FADT_F_PROC_C1		BIT(2)	/* C1 (HLT) works on every CPU */
#define FADT_F_PWR_BUTTON	BIT(4)	/* no fixed-feature power button */
#define FADT_F_SLP_BUTTON	BIT(5)	/* no fixed-feature sleep button */

/* FADT "IA-PC Boot Architecture Flags". */
#define FADT_BOOT_LEGACY_DEVICES BIT(0)	/* ISA devices: COM1, PIT, RTC */
#define FADT_BOOT_8042		BIT(1)	/* PS/2 controller at 0x60/0x64 */

/* FADT P_LVL2_LAT/P_LVL3_LAT values above 100 and 1000 us: no C2, no C3. */
#define FADT_NO_C2_LATENCY	0x0fff
#define FADT_NO_C3_LATENCY	0x0fff

/* PIIX4 APM control port (the FADT SMI_CMD) and the commands that flip PM1_CNT.SCI_EN. */
#define PIIX4_APMC_PORT		0xb2
#define PIIX4_ACPI_ENABLE	0xf1
#define PIIX4_ACPI_DISABLE	0xf0

/* The CMOS RTC century register (FADT CENTURY). */
#define RTC_CENTURY_INDEX	0x32

/* "Multiple APIC Description Table (MADT)": flags and structure types. */
#define MADT_PCAT_COMPAT	BIT(0)	/* dual 8259 PICs are present */
#define MADT_TYPE_LAPIC		0
#define MADT_TYPE_IOAPIC	1
#define MADT_TYPE_ISO		2
#define MADT_TYPE_LAPIC_NMI	4
#define MADT_LAPIC_ENABLED	BIT(0)
#define MADT_ALL_PROCESSORS	0xff
/* "MPS INTI Flags": polarity in bits 1:0, trigger mode in bits 3:2. */
#define MPS_INTI_CONFORMS	0x0
#define MPS_INTI_ACTIVE_HIGH	0x1
#define MPS_INTI_LEVEL		(0x3 << 2)
#define ISA_BUS			0
#define ISA_IRQ_PIT		0
#define GSI_PIT			2	/* the PIT reaches IOAPIC pin 2 */
#define LAPIC_LINT1		1

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header");
_Static_assert(sizeof(struct acpi_gas) == 12, "Generic Address Structure");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "FADT X_FIRMWARE_CTRL");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT X_PM_TMR_BLK");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT");
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT Processor Local APIC");
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT I/O APIC");
_Static_assert(sizeof(struct madt_iso) == 10, "MADT Interrupt Source Override");
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "MADT Local APIC NMI");

/*
 * The DSDT body: the AML of
 *
 *	Name (_S5, Package () { 0, 0, 0, 0 })
 *
 * The package is { SLP_TYPa, SLP_TYPb, reserved, reserved } ("\_Sx (System
 * States)"). Bochs' PIIX4 model powers off when PM1_CNT is written with
 * SLP_EN set and SLP_TYP 0, as QEMU's does; 1 would mean suspend to RAM.
 */
static const uint8_t dsdt_aml[] = {
	0x08,			/* NameOp */
	'_', 'S', '5', '_',	/* NameSeg "_S5_" */
	0x12,			/* PackageOp */
	0x06,			/* PkgLength: 1-byte form, 6 bytes from here to the end */
	0x04,			/* NumElements */
	0x00, 0x00,		/* ZeroOp: SLP_TYPa, SLP_TYPb */
	0x00, 0x00,		/* ZeroOp: reserved */
};
_Static_assert(sizeof(dsdt_aml) == sizeof(((struct acpi_dsdt *)0)->aml), "DSDT AML");

static void header_init(struct acpi_header *hdr, const char *signature, uint32_t length,
			uint8_t revision)
{
	unsigned int i;

	for (i = 0; i < sizeof(hdr->signature); i++)
		hdr->signature[i] = signature[i];
	for (i = 0; i < sizeof(hdr->oem_id); i++)
		hdr->oem_id[i] = ACPI_OEM_ID[i];
	for (i = 0; i < sizeof(hdr->oem_table_id); i++)
		hdr->oem_table_id[i] = ACPI_OEM_TABLE_ID[i];
	for (i = 0; i < sizeof(hdr->creator_id); i++)
		hdr->creator_id[i] = ACPI_CREATOR_ID[i];
	hdr->length = length;
	hdr->revision = revision;
	hdr->oem_revision = 1;
	hdr->creator_revision = 1;
}

/* "System Description Table Header": all bytes of the table sum to zero. */
static void header_checksum(struct acpi_header *hdr)
{
	const uint8_t *p = (const uint8_t *)hdr;
	uint8_t sum = 0;
	uint32_t i;

	hdr->checksum = 0;
	for (i = 0; i < hdr->length; i++)
		sum += p[i];
	hdr->checksum = (uint8_t)-sum;
}

static struct acpi_gas gas_io(uint16_t port, uint8_t bytes, uint8_t access)
{
	return (struct acpi_gas){
		.space_id = GAS_SPACE_SYSTEM_IO,
		.bit_width = bytes * 8,
		.access_size = access,
		.address = port,
	};
}

void acpi_build_facs(struct acpi_facs *facs)
{
	*facs = (struct acpi_facs){
		.signature = "FACS",
		.length = sizeof(*facs),
		.version = 2,
	};
}

void acpi_build_dsdt(struct acpi_dsdt *dsdt)
{
	unsigned int i;

	*dsdt = (struct acpi_dsdt){ 0 };
	header_init(&dsdt->hdr, "DSDT", sizeof(*dsdt), 2);
	for (i = 0; i < sizeof(dsdt_aml); i++)
		dsdt->aml[i] = dsdt_aml[i];
	header_checksum(&dsdt->hdr);
}

/*
 * A full (not hardware-reduced) FADT for the PIIX4: the PM1 event and
 * control blocks, the 24-bit PM timer (TMR_VAL_EXT clear) and the SCI.
 * No GPE block: nothing in the DSDT handles general-purpose events.
 */
void acpi_build_fadt(struct acpi_fadt *fadt)
{
	*fadt = (struct acpi_fadt){
		.sci_int = PIIX4_SCI_IRQ,
		.smi_cmd = PIIX4_APMC_PORT,
		.acpi_enable = PIIX4_ACPI_ENABLE,
		.acpi_disable = PIIX4_ACPI_DISABLE,
		.pm1a_evt_blk = PIIX4_PM1_EVT_BLK,
		.pm1a_cnt_blk = PIIX4_PM1_CNT_BLK,
		.pm_tmr_blk = PIIX4_PM_TMR_BLK,
		.pm1_evt_len = 4,
		.pm1_cnt_len = 2,
		.pm_tmr_len = 4,
		.p_lvl2_lat = FADT_NO_C2_LATENCY,
		.p_lvl3_lat = FADT_NO_C3_LATENCY,
		.century = RTC_CENTURY_INDEX,
		.iapc_boot_arch = FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_8042,
		.flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON,
		.minor_version = 0,
		.x_pm1a_evt_blk = gas_io(PIIX4_PM1_EVT_BLK, 4, GAS_ACCESS_WORD),
		.x_pm1a_cnt_blk = gas_io(PIIX4_PM1_CNT_BLK, 2, GAS_ACCESS_WORD),
		.x_pm_tmr_blk = gas_io(PIIX4_PM_TMR_BLK, 4, GAS_ACCESS_DWORD),
	};
	header_init(&fadt->hdr, "FACP", sizeof(*fadt), 6);
	header_checksum(&fadt->hdr);
}

static struct madt_iso madt_iso(uint8_t irq, uint32_t gsi, uint16_t flags)
{
	return (struct madt_iso){
		.type = MADT_TYPE_ISO,
		.length = sizeof(struct madt_iso),
		.bus = ISA_BUS,
		.source = irq,
		.gsi = gsi,
		.flags = flags,
	};
}

/*
 * One Processor Local APIC entry per CPU (UIDs 0..n-1), the IOAPIC with
 * GSIs from 0, the two ISA overrides Linux needs (the PIT on pin 2; the SCI
 * level-triggered and active high, as QEMU describes its PIIX4 SCI) and
 * LINT1 as NMI on every processor, which is how the PC wires it.
 */
uint32_t acpi_build_madt(uint8_t *buf, const struct acpi_cpu *cpus, unsigned int ncpus,
			 uint8_t ioapic_id)
{
	struct acpi_madt *madt = (struct acpi_madt *)buf;
	uint8_t *p = buf + sizeof(*madt);
	unsigned int i;

	*madt = (struct acpi_madt){
		.lapic_address = LAPIC_BASE,
		.flags = MADT_PCAT_COMPAT,
	};
	for (i = 0; i < ncpus; i++) {
		*(struct madt_lapic *)p = (struct madt_lapic){
			.type = MADT_TYPE_LAPIC,
			.length = sizeof(struct madt_lapic),
			.processor_uid = (uint8_t)i,
			.apic_id = cpus[i].apic_id,
			.flags = cpus[i].enabled ? MADT_LAPIC_ENABLED : 0,
		};
		p += sizeof(struct madt_lapic);
	}
	*(struct madt_ioapic *)p = (struct madt_ioapic){
		.type = MADT_TYPE_IOAPIC,
		.length = sizeof(struct madt_ioapic),
		.ioapic_id = ioapic_id,
		.address = IOAPIC_BASE,
		.gsi_base = 0,
	};
	p += sizeof(struct madt_ioapic);
	*(struct madt_iso *)p = madt_iso(ISA_IRQ_PIT, GSI_PIT, MPS_INTI_CONFORMS);
	p += sizeof(struct madt_iso);
	*(struct madt_iso *)p = madt_iso(PIIX4_SCI_IRQ, PIIX4_SCI_IRQ,
					 MPS_INTI_ACTIVE_HIGH | MPS_INTI_LEVEL);
	p += sizeof(struct madt_iso);
	*(struct madt_lapic_nmi *)p = (struct madt_lapic_nmi){
		.type = MADT_TYPE_LAPIC_NMI,
		.length = sizeof(struct madt_lapic_nmi),
		.processor_uid = MADT_ALL_PROCESSORS,
		.flags = MPS_INTI_CONFORMS,
		.lint = LAPIC_LINT1,
	};
	p += sizeof(struct madt_lapic_nmi);

	header_init(&madt->hdr, "APIC", (uint32_t)(p - buf), 4);
	header_checksum(&madt->hdr);
	return madt->hdr.length;
}
