/* SPDX-License-Identifier: MIT */
/*
 * ebs.efi: leaves boot services, as an OS loader does, then checks that
 * Vireo still answers without any firmware: CPUID from the hypervisor range,
 * a management call that makes Vireo print its exit statistics, then ACPI
 * power-off. After ExitBootServices there is no console service, so it
 * writes to COM1 itself.
 *
 * Output: "ebs: exited boot services", "ebs: cpuid 40000000 <ebx ecx edx>",
 * "ebs: mgmt rax=<hex>", then the machine powers off (PM1a_CNT SLP_EN with
 * SLP_TYP 0: S5 on QEMU's and Bochs' PIIX4).
 */
#include <efi.h>
#include <efilib.h>
#include "hv/mgmt.h"

#define COM1		0x3f8
#define PM1A_CNT	0xb004
#define SLP_EN		(1u << 13)

static void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void serial_puts(const char *s)
{
	for (; *s; s++) {
		while (!(inb(COM1 + 5) & 0x20))
			;
		outb(COM1, (uint8_t)*s);
	}
}

static void serial_hex(uint64_t v, int digits)
{
	char buf[17];

	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		buf[i] = "0123456789abcdef"[v & 15];
	buf[digits] = 0;
	serial_puts(buf);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	UINTN size = 0, key, desc_size;
	UINT32 desc_version;
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	EFI_STATUS status;
	uint32_t eax, ebx, ecx, edx;
	uint64_t rax, rcx = MGMT_TAG | MGMT_OP_PRINT_STATS, rdx = 0;

	InitializeLib(image, st);
	/* The map grows while it is allocated: ask, allocate with room, retry until ExitBootServices takes it. */
	for (int tries = 0; tries < 8; tries++) {
		status = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, map, &key, &desc_size, &desc_version);
		if (status == EFI_BUFFER_TOO_SMALL) {
			if (map)
				FreePool(map);
			size += 4096;
			map = AllocatePool(size);
			continue;
		}
		if (EFI_ERROR(status))
			break;
		status = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(status))
			break;
	}
	if (EFI_ERROR(status)) {
		Print(L"ebs: ExitBootServices failed: %r\n", status);
		return status;
	}
	serial_puts("\r\nebs: exited boot services\r\n");

	asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0x40000000), "c"(0));
	serial_puts("ebs: cpuid 40000000 ");
	serial_hex(ebx, 8);
	serial_puts(" ");
	serial_hex(ecx, 8);
	serial_puts(" ");
	serial_hex(edx, 8);
	serial_puts("\r\n");

	asm volatile("vmcall" : "=a"(rax), "+c"(rcx), "+d"(rdx) : : "r8", "memory");
	serial_puts("ebs: mgmt rax=");
	serial_hex(rax, 16);
	serial_puts("\r\n");

	outw(PM1A_CNT, SLP_EN);
	for (;;)
		asm volatile("hlt");
}
