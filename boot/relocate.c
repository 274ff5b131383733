/* SPDX-License-Identifier: MIT */
#include "boot/efi_lib.h"
#include "boot/relocate.h"
#include "hv/string.h"

/* ELF-64 dynamic relocation records (System V ABI, AMD64 supplement "Relocation Types"). */
struct elf64_dyn {
	int64_t tag;
	uint64_t val;
};

struct elf64_rela {
	uint64_t offset;
	uint64_t info;
	int64_t addend;
};

#define DT_NULL			0
#define DT_RELA			7
#define DT_RELASZ		8
#define DT_RELAENT		9
#define R_X86_64_RELATIVE	8

extern const uint8_t ImageBase[];
extern const struct elf64_dyn _DYNAMIC[];

/* Apply the image's RELATIVE relocations for the copy at base; only those exist in a -Bsymbolic image. */
static bool relocate_copy(uint8_t *base)
{
	/* ImageBase and _DYNAMIC are linker symbols of the same image (linker.ld). */
	// cppcheck-suppress comparePointers
	const struct elf64_dyn *dyn = (const struct elf64_dyn *)(base + ((const uint8_t *)_DYNAMIC - ImageBase));
	uint64_t rela = 0, relasz = 0, relaent = sizeof(struct elf64_rela);

	for (; dyn->tag != DT_NULL; dyn++) {
		if (dyn->tag == DT_RELA)
			rela = dyn->val;
		else if (dyn->tag == DT_RELASZ)
			relasz = dyn->val;
		else if (dyn->tag == DT_RELAENT)
			relaent = dyn->val;
	}
	for (uint64_t off = 0; off < relasz; off += relaent) {
		const struct elf64_rela *r = (const struct elf64_rela *)(base + rela + off);

		if ((uint32_t)r->info != R_X86_64_RELATIVE)
			return false;
		*(uint64_t *)(base + r->offset) = (uint64_t)(uintptr_t)base + (uint64_t)r->addend;
	}
	return true;
}

EFI_STATUS image_run_relocated(EFI_HANDLE image, resume_fn_t entry, struct image_copy *copy)
{
	EFI_LOADED_IMAGE *li;
	EFI_PHYSICAL_ADDRESS pa;
	resume_fn_t copied_entry;
	EFI_STATUS status;
	UINTN pages;

	status = uefi_call_wrapper(BS->HandleProtocol, 3, image, &efi_loaded_image_guid, (void **)&li);
	if (EFI_ERROR(status))
		return status;
	pages = EFI_SIZE_TO_PAGES(li->ImageSize);
	status = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiRuntimeServicesCode, pages, &pa);
	if (EFI_ERROR(status))
		return status;

	*copy = (struct image_copy){
		.base = (void *)(uintptr_t)pa,
		.size = pages * EFI_PAGE_SIZE,
		.loaded = li->ImageBase,
		.image = image,
	};
	hv_memset(copy->base, 0, copy->size);
	hv_memcpy(copy->base, li->ImageBase, li->ImageSize);
	if (!relocate_copy(copy->base)) {
		uefi_call_wrapper(BS->FreePages, 2, pa, pages);
		return EFI_LOAD_ERROR;
	}
	copied_entry = (resume_fn_t)(uintptr_t)((uint8_t *)copy->base + ((const uint8_t *)entry - ImageBase));
	status = (EFI_STATUS)call_with_resume(copied_entry, copy);
	if (!copy->host_running)		/* nothing launched: the copy is not needed */
		uefi_call_wrapper(BS->FreePages, 2, pa, pages);
	return status;
}

void *image_loaded_addr(const struct image_copy *copy, const void *sym)
{
	return (uint8_t *)copy->loaded + ((const uint8_t *)sym - ImageBase);
}
