/* SPDX-License-Identifier: MIT */
#include "arch/x86/serial.h"
#include "boot/efi_lib.h"
#include "boot/console.h"
#include "hv/log.h"

#define DP_MESSAGING	3
#define DP_MSG_UART	14
#define DP_END		0x7f

static SIMPLE_TEXT_OUTPUT_INTERFACE *con_out;
static bool firmware_mirrors_serial;
static bool attached;

/* Is a UART among the devices of the ConOut variable (UEFI "Console I/O Protocol")? */
static bool conout_has_uart(void)
{
	UINTN size = 0;
	UINT8 *buf = efi_variable(L"ConOut", &efi_global_variable_guid, &size);
	bool found = false;

	for (UINTN off = 0; buf && off + 4 <= size;) {
		UINT8 type = buf[off], subtype = buf[off + 1];
		UINT16 len = (UINT16)(buf[off + 2] | buf[off + 3] << 8);

		if (type == DP_MESSAGING && subtype == DP_MSG_UART)
			found = true;
		if (len < 4)
			break;
		off += len;
	}
	efi_pool_free(buf);
	return found;
}

void console_init(EFI_SYSTEM_TABLE *st)
{
	con_out = st->ConOut;
	firmware_mirrors_serial = conout_has_uart();
	attached = true;
}

static void conout_write(const char *s, size_t len)
{
	CHAR16 buf[128];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			buf[n++] = L'\r';
		buf[n++] = (CHAR16)(unsigned char)s[i];
		if (n >= ARRAY_SIZE(buf) - 2 || i + 1 == len) {
			buf[n] = 0;
			uefi_call_wrapper(con_out->OutputString, 2, con_out, buf);
			n = 0;
		}
	}
}

void console_write(const char *s, size_t len)
{
	if (attached && con_out) {
		conout_write(s, len);
		if (firmware_mirrors_serial)
			return;
	}
	serial_write(s, len);
}

void console_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void console_detach(void)
{
	attached = false;
}

void console_attach(void)
{
	attached = con_out != NULL;
}

/* hv_log() lands here: the firmware console while Vireo loads, COM1 afterwards. */
void log_sink_write(const char *s, size_t len)
{
	console_write(s, len);
}
