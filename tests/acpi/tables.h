/* SPDX-License-Identifier: MIT */
#ifndef TESTS_ACPI_TABLES_H
#define TESTS_ACPI_TABLES_H

/*
 * The ACPI tables of the Bochs fixture: just enough for Linux to find both
 * CPUs, route the legacy interrupts through the IOAPIC and power the
 * machine off through the PIIX4 PM block. Layouts follow the ACPI
 * Specification 6.x; each struct names its section.
 */

#include "hv/compiler.h"

/* The PIIX4 power-management I/O block, at the base OVMF programs into PMBA. */
#define PIIX4_PM_BASE		0xb000
#define PIIX4_PM1_EVT_BLK	(PIIX4_PM_BASE + 0x00)	/* PM1 status + enable */
#define PIIX4_PM1_CNT_BLK	(PIIX4_PM_BASE + 0x04)	/* PM1 control */
#define PIIX4_PM_TMR_BLK	(PIIX4_PM_BASE + 0x08)	/* 24-bit PM timer */
/* The SCI follows the PIIX4 function 3 interrupt line, which OVMF sets to 10. */
#define PIIX4_SCI_IRQ		10

#define IOAPIC_BASE		0xfec00000u
#define LAPIC_BASE		0xfee00000u

/* The most CPUs the MADT buffer holds (xAPIC IDs, one byte each). */
#define ACPI_MAX_CPUS		64

/* "System Description Table Header". */
struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __packed;

/* "Generic Address Structure (GAS)". */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;

/* "Fixed ACPI Description Table (FADT)", revision 6. */
struct acpi_fadt {
	struct acpi_header hdr;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __packed;

/* "Firmware ACPI Control Structure (FACS)": no checksum, 64-byte aligned by the installer. */
struct acpi_facs {
	char signature[4];
	uint32_t length;
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} __packed;

/* "Differentiated System Description Table (DSDT)": the header, then AML. */
struct acpi_dsdt {
	struct acpi_header hdr;
	uint8_t aml[12];
} __packed;

/* "Multiple APIC Description Table (MADT)": the fixed part; the entries follow. */
struct acpi_madt {
	struct acpi_header hdr;
	uint32_t lapic_address;
	uint32_t flags;
} __packed;

/* MADT "Processor Local APIC Structure" (type 0). */
struct madt_lapic {
	uint8_t type;
	uint8_t length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __packed;

/* MADT "I/O APIC Structure" (type 1). */
struct madt_ioapic {
	uint8_t type;
	uint8_t length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

/* MADT "Interrupt Source Override Structure" (type 2). */
struct madt_iso {
	uint8_t type;
	uint8_t length;
	uint8_t bus;
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
} __packed;

/* MADT "Local APIC NMI Structure" (type 4). */
struct madt_lapic_nmi {
	uint8_t type;
	uint8_t length;
	uint8_t processor_uid;
	uint16_t flags;
	uint8_t lint;
} __packed;

/* Room for the MADT of ACPI_MAX_CPUS processors. */
#define ACPI_MADT_MAX_LEN	(sizeof(struct acpi_madt) +				\
				 ACPI_MAX_CPUS * sizeof(struct madt_lapic) +		\
				 sizeof(struct madt_ioapic) + 2 * sizeof(struct madt_iso) +	\
				 sizeof(struct madt_lapic_nmi))

/* One processor as the firmware reports it. */
struct acpi_cpu {
	uint8_t apic_id;
	bool enabled;
};

void acpi_build_facs(struct acpi_facs *facs);
void acpi_build_dsdt(struct acpi_dsdt *dsdt);
void acpi_build_fadt(struct acpi_fadt *fadt);
/* Fills buf (ACPI_MADT_MAX_LEN bytes) for at most ACPI_MAX_CPUS CPUs; returns the length. */
uint32_t acpi_build_madt(uint8_t *buf, const struct acpi_cpu *cpus, unsigned int ncpus,
			 uint8_t ioapic_id);

#endif
