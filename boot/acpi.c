/* SPDX-License-Identifier: MIT */
/*
 * The one ACPI fact Vireo uses: which I/O port the guest writes to enter a
 * sleep state (FADT PM1a_CNT_BLK), so the exit statistics can be printed at
 * power-off. Found through the firmware's configuration table (UEFI "EFI
 * Configuration Table", ACPI "Root System Description Pointer").
 */
#include "boot/acpi.h"
#include "boot/efi_lib.h"
#include "hv/string.h"

#define RSDP_XSDT_OFFSET	24
#define RSDP_RSDT_OFFSET	16
#define SDT_HEADER_SIZE		36
#define FADT_PM1A_CNT_BLK	64
#define FADT_X_PM1A_CNT_BLK	172	/* Generic Address Structure: space id, ..., 64-bit address at +4 */
#define GAS_SPACE_IO		1

static uint32_t read32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read64(const uint8_t *p)
{
	return read32(p) | (uint64_t)read32(p + 4) << 32;
}

static uint16_t fadt_sleep_port(const uint8_t *fadt)
{
	uint32_t len = read32(fadt + 4);

	if (len >= FADT_PM1A_CNT_BLK + 4 && read32(fadt + FADT_PM1A_CNT_BLK))
		return (uint16_t)read32(fadt + FADT_PM1A_CNT_BLK);
	if (len >= FADT_X_PM1A_CNT_BLK + 12 && fadt[FADT_X_PM1A_CNT_BLK] == GAS_SPACE_IO)
		return (uint16_t)read64(fadt + FADT_X_PM1A_CNT_BLK + 4);
	return 0;
}

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

uint16_t acpi_sleep_port(void)
{
	const uint8_t *rsdp = NULL, *sdt;
	unsigned int entry_size;
	uint32_t len;

	rsdp = efi_config_table(&acpi20_guid);
	if (!rsdp)
		rsdp = efi_config_table(&acpi10_guid);
	if (!rsdp || hv_memcmp(rsdp, "RSD PTR ", 8))
		return 0;
	if (rsdp[15] >= 2 && read64(rsdp + RSDP_XSDT_OFFSET)) {
		sdt = (const uint8_t *)(uintptr_t)read64(rsdp + RSDP_XSDT_OFFSET);
		entry_size = 8;
	} else {
		sdt = (const uint8_t *)(uintptr_t)read32(rsdp + RSDP_RSDT_OFFSET);
		entry_size = 4;
	}
	len = read32(sdt + 4);
	for (uint32_t off = SDT_HEADER_SIZE; off + entry_size <= len; off += entry_size) {
		const uint8_t *table = (const uint8_t *)(uintptr_t)(entry_size == 8 ? read64(sdt + off) :
								      read32(sdt + off));

		if (table && !hv_memcmp(table, "FACP", 4))
			return fadt_sleep_port(table);
	}
	return 0;
}
