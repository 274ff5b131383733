/* SPDX-License-Identifier: MIT */
#ifndef BOOT_EFI_LIB_H
#define BOOT_EFI_LIB_H

/*
 * The few firmware helpers the loader needs, written against the UEFI
 * interfaces directly rather than linking a library of hundreds: every byte
 * of the image stays in the memory Vireo keeps after it loads. Only boot/
 * includes this; the hypervisor core never sees a firmware type.
 */

#include <efi.h>
#include <efilib.h>

extern EFI_GUID efi_loaded_image_guid;
extern EFI_GUID efi_simple_file_system_guid;
extern EFI_GUID efi_file_info_guid;
extern EFI_GUID efi_global_variable_guid;

/* Sets ST, BS and RT (efilib.h) from the image's system table. */
void efi_lib_init(EFI_SYSTEM_TABLE *st);

/* Boot-services pool memory; NULL when there is none. */
void *efi_pool_alloc(UINTN size);
void efi_pool_free(void *p);

/*
 * The firmware's memory map in pool memory (free it with efi_pool_free), its
 * descriptor count in *entries and descriptor size in *desc_size; NULL if it
 * cannot be had.
 */
EFI_MEMORY_DESCRIPTOR *efi_memory_map(UINTN *entries, UINTN *desc_size);

/* The i-th descriptor of a memory map (descriptors may be larger than the struct). */
static inline EFI_MEMORY_DESCRIPTOR *efi_memory_desc(EFI_MEMORY_DESCRIPTOR *map, UINTN desc_size, UINTN i)
{
	return (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * desc_size);
}

/* A UEFI variable in pool memory, its size in *size; NULL if it does not exist. */
void *efi_variable(const CHAR16 *name, EFI_GUID *vendor, UINTN *size);

/* The configuration table with that GUID (UEFI "EFI Configuration Table"); NULL if there is none. */
void *efi_config_table(const EFI_GUID *guid);

/* The file's EFI_FILE_INFO in pool memory; NULL if it cannot be read. */
EFI_FILE_INFO *efi_file_info(EFI_FILE_HANDLE file);

/* The UEFI shell's command-line words for this image (argv[0] is the image); 0 when not started by the shell. */
UINTN efi_shell_args(EFI_HANDLE image, CHAR16 ***argv);

/*
 * The path of the file an image was loaded from, in out (at most len
 * characters with the NUL): the file-path nodes of its device path joined.
 */
void efi_image_file_path(const EFI_DEVICE_PATH *image_path, CHAR16 *out, UINTN len);

/* A device path to the file path on device, in pool memory; NULL if it cannot be built. */
EFI_DEVICE_PATH *efi_file_device_path(EFI_HANDLE device, const CHAR16 *path);

#endif
