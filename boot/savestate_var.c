/* SPDX-License-Identifier: MIT */
#include "boot/efi_lib.h"
#include "boot/savestate_var.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/savestate.h"

static EFI_GUID vireo_vendor_guid = {
	0x5669726f, 0x0001, 0x4d48, { 0x86, 0x56, 0x69, 0x72, 0x6f, 0x00, 0x00, 0x01 }
};

#define RECORD_VAR	L"VireoPartition"
#define RECORD_ATTRS	(EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | \
			 EFI_VARIABLE_RUNTIME_ACCESS)

void savestate_sync(const struct partition *p)
{
	struct part_record saved, now;
	UINTN size = 0;
	void *buf = efi_variable(RECORD_VAR, &vireo_vendor_guid, &size);
	EFI_STATUS status;

	if (buf) {
		if (part_record_parse(buf, size, &saved))
			log_warn("partition: the saved-state record is unreadable; writing a new one");
		else
			part_record_compare(p, &saved);
		efi_pool_free(buf);
	}
	part_record_build(p, &now);
	status = uefi_call_wrapper(RT->SetVariable, 5, RECORD_VAR, &vireo_vendor_guid, RECORD_ATTRS,
				   sizeof(now), &now);
	if (EFI_ERROR(status))
		log_warn("partition: cannot write the saved-state record (EFI status %#llx)",
			 (unsigned long long)status);
}
