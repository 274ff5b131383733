/* SPDX-License-Identifier: MIT */
/*
 * Where the configuration comes from: vireo.cfg beside vireo.efi on the
 * volume it was loaded from, then the UEFI shell's command-line words, which
 * override the file key by key.
 */
#include "boot/cfgload.h"
#include "boot/console.h"
#include "boot/efi_lib.h"
#include "hv/string.h"
#include "hv/version.h"
#include "viridian/viridian.h"

#define CFG_NAME	L"vireo.cfg"
#define CFG_MAX_SIZE	(64 * 1024)

/* "\EFI\vireo\vireo.efi" -> "\EFI\vireo\vireo.cfg" */
static void cfg_path_beside(const EFI_DEVICE_PATH *image_path, CHAR16 *out, size_t out_len)
{
	size_t dir = 0;

	efi_image_file_path(image_path, out, out_len);
	for (size_t len = 0; out[len]; len++) {
		if (out[len] == L'/')
			out[len] = L'\\';
		if (out[len] == L'\\')
			dir = len + 1;
	}
	for (size_t i = 0; CFG_NAME[i] && dir + 1 < out_len; i++)
		out[dir++] = CFG_NAME[i];
	out[dir] = 0;
}

static EFI_FILE_HANDLE open_root(EFI_LOADED_IMAGE *li)
{
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &efi_simple_file_system_guid,
					(void **)&fs)))
		return NULL;
	if (EFI_ERROR(uefi_call_wrapper(fs->OpenVolume, 2, fs, &root)))
		return NULL;
	return root;
}

/*
 * The whole file in pool memory (the caller frees it), its length in *len:
 * NULL and 0 when there is no file, NULL and CFG_UNREADABLE when it is larger
 * than CFG_MAX_SIZE or cannot be read whole.
 */
#define CFG_UNREADABLE	((size_t)-1)
static char *read_file(EFI_LOADED_IMAGE *li, const CHAR16 *path, size_t *len)
{
	EFI_FILE_HANDLE root = open_root(li), file;
	EFI_FILE_INFO *info;
	EFI_STATUS status;
	char *buf = NULL;
	UINTN n = 0;

	*len = 0;
	if (!root)
		return NULL;
	status = uefi_call_wrapper(root->Open, 5, root, &file, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	uefi_call_wrapper(root->Close, 1, root);
	if (EFI_ERROR(status))
		return NULL;
	info = efi_file_info(file);
	if (info && info->FileSize <= CFG_MAX_SIZE) {
		n = info->FileSize;
		buf = efi_pool_alloc(n ? n : 1);
	}
	if (buf && (EFI_ERROR(uefi_call_wrapper(file->Read, 3, file, &n, buf)) || n != info->FileSize)) {
		efi_pool_free(buf);
		buf = NULL;
	}
	efi_pool_free(info);
	uefi_call_wrapper(file->Close, 1, file);
	*len = buf ? n : CFG_UNREADABLE;
	return buf;
}

int cfgload_write_file(EFI_HANDLE image, const char *text, size_t len)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root, file;
	CHAR16 path[256];
	UINTN n = len;
	EFI_STATUS status;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &efi_loaded_image_guid, (void **)&li)))
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
		EFI_FILE_INFO *info = efi_file_info(file);

		if (info) {
			info->FileSize = len;
			status = uefi_call_wrapper(file->SetInfo, 4, file, &efi_file_info_guid, info->Size, info);
			efi_pool_free(info);
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
		"  viridian=base,freq       Hyper-V enlightenment groups (below), defaults, all, !name",
		"  serial=0x3f8,115200      the console UART (or com1, com2) and its baud rate",
		"  console_timeout=3        seconds to wait for a key that opens the prompt (0: none)",
		"  next=\\EFI\\BOOT\\os.efi   a loader to start once virtualized (same volume)",
		"  log=info                 error, warning, info or debug",
	};
	char groups[80];
	size_t len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		console_printf("%s\n", lines[i]);
	/* The viridian groups, as many to a line as fit. */
	console_printf("Viridian groups:\n");
	for (size_t i = 0; i < vir_group_count; i++) {
		const char *name = vir_group_names[i].name;
		size_t n = hv_strlen(name);

		if (len && len + n + 2 > sizeof(groups) - 4) {
			console_printf("  %s\n", groups);
			len = 0;
		}
		hv_snprintf(groups + len, sizeof(groups) - len, "%s%s", name, i + 1 < vir_group_count ? ", " : "");
		len += n + (i + 1 < vir_group_count ? 2 : 0);
	}
	if (len)
		console_printf("  %s\n", groups);
}

/*
 * vireo.cfg, parsed into cfg. The text is read into pool memory that is freed
 * again: it is needed only now, and a buffer in the image would stay in the
 * memory Vireo keeps.
 */
static enum cfgload_result load_file(EFI_HANDLE image, struct vireo_config *cfg)
{
	enum cfgload_result result = CFGLOAD_OK;
	EFI_LOADED_IMAGE *li;
	struct cfg_error err;
	CHAR16 path[256];
	char *text;
	size_t len;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &efi_loaded_image_guid, (void **)&li)))
		return CFGLOAD_ERROR;
	cfg_path_beside(li->FilePath, path, ARRAY_SIZE(path));
	text = read_file(li, path, &len);
	if (!text && len == CFG_UNREADABLE) {
		console_printf("vireo: error: vireo.cfg cannot be read (larger than %u bytes?)\n", CFG_MAX_SIZE);
		result = CFGLOAD_ERROR;
	} else if (text && cfg_parse_file(cfg, "vireo.cfg", text, len, &err)) {
		console_printf("vireo: error: %s\n", err.text);
		result = CFGLOAD_ERROR;
	}
	efi_pool_free(text);
	return result;
}

enum cfgload_result cfgload(EFI_HANDLE image, struct vireo_config *cfg)
{
	struct cfg_error err;
	CHAR16 **argv;
	UINTN argc;

	cfg_init(cfg);
	if (load_file(image, cfg) != CFGLOAD_OK)
		return CFGLOAD_ERROR;

	argc = efi_shell_args(image, &argv);
	for (UINTN i = 1; i < argc; i++) {
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
