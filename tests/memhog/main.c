/* SPDX-License-Identifier: MIT */
/*
 * memhog.efi KIB: takes every free page from the firmware, then gives KIB
 * KiB back, and keeps the rest after it exits (boot-services data stays
 * allocated), so that the program started next finds a machine short of
 * memory. For the end-to-end test of Vireo's "too little memory" refusal.
 *
 * Output: "memhog: took <n> KiB, gave <k> KiB back".
 */
#include <efi.h>
#include <efilib.h>

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_PHYSICAL_ADDRESS pa, first = 0;
	UINT64 keep, taken = 0, first_pages = 0;
	CHAR16 **argv;

	InitializeLib(image, st);
	if (GetShellArgcArgv(image, &argv) != 2) {
		Print(L"memhog: usage: memhog.efi KIB\n");
		return EFI_INVALID_PARAMETER;
	}
	keep = Atoi(argv[1]) / 4;
	/* The largest piece AllocatePages still finds, halving on failure, until not one page is left. */
	for (UINT64 want = 1ULL << 20; want;) {
		if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiBootServicesData, want, &pa))) {
			want /= 2;
			continue;
		}
		if (!first_pages) {
			first = pa;
			first_pages = want;
		}
		taken += want;
	}
	if (keep > first_pages)
		keep = first_pages;
	uefi_call_wrapper(BS->FreePages, 2, first, keep);
	Print(L"memhog: took %lu KiB, gave %lu KiB back\n", taken * 4, keep * 4);
	return EFI_SUCCESS;
}
