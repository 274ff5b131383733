/* SPDX-License-Identifier: MIT */
/*
 * Firmware helpers for the loader (boot/efi_lib.h), on the UEFI boot and
 * runtime services: pool memory, the memory map, variables, configuration
 * tables, file information, the shell's words and device paths (UEFI
 * specification, "Boot Services", "Runtime Services", "Device Path
 * Protocol", and the UEFI Shell specification, "Shell Parameters Protocol").
 */
#include "boot/efi_lib.h"
#include "hv/string.h"

EFI_SYSTEM_TABLE *ST;
EFI_BOOT_SERVICES *BS;
EFI_RUNTIME_SERVICES *RT;

EFI_GUID efi_loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
EFI_GUID efi_simple_file_system_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
EFI_GUID efi_file_info_guid = EFI_FILE_INFO_ID;
EFI_GUID efi_global_variable_guid = EFI_GLOBAL_VARIABLE;
static EFI_GUID device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static EFI_GUID shell_parameters_guid = EFI_SHELL_PARAMETERS_PROTOCOL_GUID;

/* Device path nodes (UEFI "Device Path Protocol"): a 4-byte header, then the node's data. */
#define DP_END_TYPE		0x7f
#define DP_END_ENTIRE		0xff
#define DP_MEDIA_TYPE		4
#define DP_MEDIA_FILE_PATH	4
#define DP_HEADER_SIZE		4

void efi_lib_init(EFI_SYSTEM_TABLE *st)
{
	ST = st;
	BS = st->BootServices;
	RT = st->RuntimeServices;
}

void *efi_pool_alloc(UINTN size)
{
	void *p = NULL;

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePool, 3, EfiBootServicesData, size, &p)))
		return NULL;
	return p;
}

void efi_pool_free(void *p)
{
	if (p)
		uefi_call_wrapper(BS->FreePool, 1, p);
}

/*
 * GetMemoryMap says how large a buffer it needs; allocating that buffer can
 * add a descriptor, so ask for a little more and try again if it grew.
 */
EFI_MEMORY_DESCRIPTOR *efi_memory_map(UINTN *entries, UINTN *desc_size)
{
	UINTN size = 0, key;
	UINT32 version;
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	EFI_STATUS status;

	do {
		status = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, map, &key, desc_size, &version);
		if (status != EFI_BUFFER_TOO_SMALL)
			break;
		efi_pool_free(map);
		size += 4 * sizeof(*map);
		map = efi_pool_alloc(size);
	} while (map);
	if (!map || EFI_ERROR(status) || !*desc_size) {
		efi_pool_free(map);
		return NULL;
	}
	*entries = size / *desc_size;
	return map;
}

void *efi_variable(const CHAR16 *name, EFI_GUID *vendor, UINTN *size)
{
	void *buf;

	*size = 0;
	if (uefi_call_wrapper(RT->GetVariable, 5, (CHAR16 *)name, vendor, NULL, size, NULL) != EFI_BUFFER_TOO_SMALL)
		return NULL;
	buf = efi_pool_alloc(*size);
	if (buf && EFI_ERROR(uefi_call_wrapper(RT->GetVariable, 5, (CHAR16 *)name, vendor, NULL, size, buf))) {
		efi_pool_free(buf);
		buf = NULL;
	}
	return buf;
}

void *efi_config_table(const EFI_GUID *guid)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
		if (!hv_memcmp(&ST->ConfigurationTable[i].VendorGuid, guid, sizeof(*guid)))
			return ST->ConfigurationTable[i].VendorTable;
	return NULL;
}

EFI_FILE_INFO *efi_file_info(EFI_FILE_HANDLE file)
{
	UINTN size = 0;
	EFI_FILE_INFO *info;

	if (uefi_call_wrapper(file->GetInfo, 4, file, &efi_file_info_guid, &size, NULL) != EFI_BUFFER_TOO_SMALL)
		return NULL;
	info = efi_pool_alloc(size);
	if (info && EFI_ERROR(uefi_call_wrapper(file->GetInfo, 4, file, &efi_file_info_guid, &size, info))) {
		efi_pool_free(info);
		info = NULL;
	}
	return info;
}

UINTN efi_shell_args(EFI_HANDLE image, CHAR16 ***argv)
{
	EFI_SHELL_PARAMETERS_PROTOCOL *params;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &shell_parameters_guid, (void **)&params)))
		return 0;
	*argv = params->Argv;
	return params->Argc;
}

static UINTN node_length(const EFI_DEVICE_PATH *node)
{
	return (UINTN)node->Length[0] | (UINTN)node->Length[1] << 8;
}

static bool node_is_end(const EFI_DEVICE_PATH *node)
{
	return node->Type == DP_END_TYPE && node->SubType == DP_END_ENTIRE;
}

void efi_image_file_path(const EFI_DEVICE_PATH *image_path, CHAR16 *out, UINTN len)
{
	const EFI_DEVICE_PATH *node = image_path;
	UINTN n = 0;

	for (; node && !node_is_end(node) && node_length(node) >= DP_HEADER_SIZE;
	     node = (const EFI_DEVICE_PATH *)((const UINT8 *)node + node_length(node))) {
		const CHAR16 *name = (const CHAR16 *)((const UINT8 *)node + DP_HEADER_SIZE);
		UINTN chars = (node_length(node) - DP_HEADER_SIZE) / sizeof(CHAR16);

		if (node->Type != DP_MEDIA_TYPE || node->SubType != DP_MEDIA_FILE_PATH)
			continue;
		/* Consecutive file-path nodes are one path: join them with a separator. */
		if (n && out[n - 1] != L'\\' && chars && name[0] != L'\\' && n + 1 < len)
			out[n++] = L'\\';
		for (UINTN i = 0; i < chars && name[i] && n + 1 < len; i++)
			out[n++] = name[i];
	}
	if (len)
		out[n < len ? n : len - 1] = 0;
}

EFI_DEVICE_PATH *efi_file_device_path(EFI_HANDLE device, const CHAR16 *path)
{
	EFI_DEVICE_PATH *dev, *node, *out;
	UINTN dev_size = 0, chars = 0, file_size;
	UINT8 *p;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, device, &device_path_guid, (void **)&dev)))
		return NULL;
	for (node = dev; !node_is_end(node); node = (EFI_DEVICE_PATH *)((UINT8 *)node + node_length(node))) {
		if (node_length(node) < DP_HEADER_SIZE)
			return NULL;
		dev_size += node_length(node);
	}
	while (path[chars])
		chars++;
	file_size = DP_HEADER_SIZE + (chars + 1) * sizeof(CHAR16);
	out = efi_pool_alloc(dev_size + file_size + DP_HEADER_SIZE);
	if (!out)
		return NULL;
	p = (UINT8 *)out;
	hv_memcpy(p, dev, dev_size);
	p += dev_size;
	*p++ = DP_MEDIA_TYPE;
	*p++ = DP_MEDIA_FILE_PATH;
	*p++ = (UINT8)file_size;
	*p++ = (UINT8)(file_size >> 8);
	hv_memcpy(p, path, (chars + 1) * sizeof(CHAR16));
	p += (chars + 1) * sizeof(CHAR16);
	*p++ = DP_END_TYPE;
	*p++ = DP_END_ENTIRE;
	*p++ = DP_HEADER_SIZE;
	*p = 0;
	return out;
}
