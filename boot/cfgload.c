/* SPDX-License-Identifier: MIT */
/*
 * Where the configuration comes from: vireo.cfg beside vireo.efi on the
 * volume it was loaded from, then the UEFI shell's command-line words, which
 * override the file key by key.
 */
#include <efi.h>
#include <efilib.h>
#include "boot/cfgload.h"
#include "boot/console.h"
#include "hv/string.h"
#include "hv/version.h"

#define CFG_NAME	L"vireo.cfg"
#define CFG_MAX_SIZE	(64 * 1024)

/* "\EFI\vireo\vireo.efi" -> "\EFI\vireo\vireo.cfg" */
static void cfg_path_beside(const EFI_DEVICE_PATH *image_path, CHAR16 *out, size_t out_len)
{
	CHAR16 *path = DevicePathToStr((EFI_DEVICE_PATH *)image_path);
	size_t len = 0, dir = 0;

	for (; path && path[len] && len + 1 < out_len; len++) {
		out[len] = path[len] == L'/' ? L'\\' : path[len];
		if (out[len] == L'\\')
			dir = len + 1;
	}
	for (size_t i = 0; CFG_NAME[i] && dir + 1 < out_len; i++)
		out[dir++] = CFG_NAME[i];
	out[dir] = 0;
	if (path)
		FreePool(path);
}

static EFI_FILE_HANDLE open_root(EFI_LOADED_IMAGE *li)
{
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &FileSystemProtocol,
					(void **)&fs)))
		return NULL;
	if (EFI_ERROR(uefi_call_wrapper(fs->OpenVolume, 2, fs, &root)))
		return NULL;
	return root;
}

/* Reads the file into buf; -1 when there is no file, -2 when it cannot be read whole. */
static int read_file(EFI_LOADED_IMAGE *li, const CHAR16 *path, char *buf, size_t size, size_t *len)
{
	EFI_FILE_HANDLE root = open_root(li), file;
	UINTN n = size;
	EFI_STATUS status;

	if (!root)
		return -1;
	status = uefi_call_wrapper(root->Open, 5, root, &file, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	uefi_call_wrapper(root->Close, 1, root);
	if (EFI_ERROR(status))
		return -1;
	status = uefi_call_wrapper(file->Read, 3, file, &n, buf);
	uefi_call_wrapper(file->Close, 1, file);
	if (EFI_ERROR(status) || n == size)
		return -2;
	*len = n;
	return 0;
}

int cfgload_write_file(EFI_HANDLE image, const char *text, size_t len)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root, file;
	CHAR16 path[256];
	UINTN n = len;
	EFI_STATUS status;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li)))
		return -1;
	root = open_root(li);
	if (!root)
		return -1;
	cfg_path_beside(li->FilePath, path, ARRAY_SIZE(path));
	status = uefi_call_wrapper(root->Open, 5, root, &file, path,
				   EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE, 0);
	uefi_call_wrapper(root->Close, 1, root);
	if (EFI_ERROR(status))
		return -1;
	/* Truncate by deleting and creating again would lose the handle; write, then set the size. */
	status = uefi_call_wrapper(file->Write, 3, file, &n, (void *)text);
	if (!EFI_ERROR(status)) {
		EFI_FILE_INFO *info = LibFileInfo(file);

		if (info) {
			info->FileSize = len;
			status = uefi_call_wrapper(file->SetInfo, 4, file, &GenericFileInfo, info->Size, info);
			FreePool(info);
		}
	}
	uefi_call_wrapper(file->Close, 1, file);
	return EFI_ERROR(status) ? -1 : 0;
}

static void print_help(void)
{
	static const char *const lines[] = {
		"usage: vireo.efi [--help] [--version] [key=value ...]",
		"Takes every processor into VMX root and runs the firmware, and what it boots, as a guest.",
		"Keys (vireo.cfg beside vireo.efi sets them first; words here override it):",
		"  viridian=base,freq       Hyper-V enlightenments: base, freq, defaults, all, !name",
		"  serial=0x3f8,115200      the console UART (or com1, com2) and its baud rate",
		"  console_timeout=3        seconds to wait for a key that opens the prompt (0: none)",
		"  next=\\EFI\\BOOT\\os.efi   a loader to start once virtualized (same volume)",
		"  log=info                 error, warning, info or debug",
	};

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		console_printf("%s\n", lines[i]);
}

enum cfgload_result cfgload(EFI_HANDLE image, struct vireo_config *cfg)
{
	static char text[CFG_MAX_SIZE];
	EFI_LOADED_IMAGE *li;
	struct cfg_error err;
	CHAR16 path[256], **argv;
	size_t len;
	INTN argc;
	int rc;

	cfg_init(cfg);
	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li)))
		return CFGLOAD_ERROR;

	cfg_path_beside(li->FilePath, path, ARRAY_SIZE(path));
	rc = read_file(li, path, text, sizeof(text), &len);
	if (rc == -2) {
		console_printf("vireo: error: vireo.cfg cannot be read (larger than %u bytes?)\n", CFG_MAX_SIZE);
		return CFGLOAD_ERROR;
	}
	if (rc == 0 && cfg_parse_file(cfg, "vireo.cfg", text, len, &err)) {
		console_printf("vireo: error: %s\n", err.text);
		return CFGLOAD_ERROR;
	}

	argc = GetShellArgcArgv(image, &argv);
	for (INTN i = 1; i < argc; i++) {
		char word[256];
		size_t n = 0;

		for (; argv[i][n] && n + 1 < sizeof(word); n++)
			word[n] = argv[i][n] < 0x80 ? (char)argv[i][n] : '?';
		word[n] = '\0';
		if (!hv_strcmp(word, "--help") || !hv_strcmp(word, "-h")) {
			print_help();
			return CFGLOAD_DONE;
		}
		if (!hv_strcmp(word, "--version")) {
			console_printf("Vireo %s\n", VIREO_VERSION_STRING);
			return CFGLOAD_DONE;
		}
		if (cfg_parse_arg(cfg, word, &err)) {
			console_printf("vireo: error: %s\n", err.text);
			return CFGLOAD_ERROR;
		}
	}
	return CFGLOAD_OK;
}
