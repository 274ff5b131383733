/* SPDX-License-Identifier: MIT */
#include "boot/efi_lib.h"
#include "boot/platform.h"
#include "boot/platform_efi.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/string.h"

#define MAX_ALLOCATIONS	64

static struct mem_range allocations[MAX_ALLOCATIONS];
static unsigned int nr_allocations;

int platform_protect(struct partition *p, const struct image_copy *image)
{
	int err = part_add_hv_range(p, (uint64_t)(uintptr_t)image->base, image->size);

	for (unsigned int i = 0; !err && i < nr_allocations; i++)
		err = part_add_hv_range(p, allocations[i].base, allocations[i].size);
	return err;
}

void *platform_alloc_pages(size_t pages)
{
	EFI_PHYSICAL_ADDRESS pa;
	EFI_STATUS status;

	if (nr_allocations == MAX_ALLOCATIONS)
		return NULL;
	status = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiRuntimeServicesData, pages, &pa);
	if (EFI_ERROR(status)) {
		log_err("platform: out of memory allocating %zu pages", pages);
		return NULL;
	}
	hv_memset((void *)(uintptr_t)pa, 0, pages * EFI_PAGE_SIZE);
	allocations[nr_allocations++] = (struct mem_range){ pa, pages * EFI_PAGE_SIZE };
	return (void *)(uintptr_t)pa;
}

void platform_free_all(void)
{
	while (nr_allocations) {
		struct mem_range *r = &allocations[--nr_allocations];

		uefi_call_wrapper(BS->FreePages, 2, r->base, EFI_SIZE_TO_PAGES(r->size));
	}
}

uint64_t platform_ram_top(void)
{
	UINTN entries = 0, desc_size = 0;
	EFI_MEMORY_DESCRIPTOR *map = efi_memory_map(&entries, &desc_size);
	uint64_t top = 0;

	for (UINTN i = 0; map && i < entries; i++) {
		EFI_MEMORY_DESCRIPTOR *d = efi_memory_desc(map, desc_size, i);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;

		if (d->Type != EfiMemoryMappedIO && d->Type != EfiMemoryMappedIOPortSpace && end > top)
			top = end;
	}
	efi_pool_free(map);
	return top;
}

struct free_memory platform_free_memory(void)
{
	UINTN entries = 0, desc_size = 0;
	EFI_MEMORY_DESCRIPTOR *map = efi_memory_map(&entries, &desc_size);
	struct free_memory m = { 0, 0 };

	for (UINTN i = 0; map && i < entries; i++) {
		EFI_MEMORY_DESCRIPTOR *d = efi_memory_desc(map, desc_size, i);

		if (d->Type != EfiConventionalMemory)
			continue;
		m.total += d->NumberOfPages;
		if (d->NumberOfPages > m.largest_run)
			m.largest_run = d->NumberOfPages;
	}
	efi_pool_free(map);
	return m;
}

void platform_stall_us(uint64_t us)
{
	uefi_call_wrapper(BS->Stall, 1, us);
}
