/* SPDX-License-Identifier: MIT */
#ifndef BOOT_SAVESTATE_VAR_H
#define BOOT_SAVESTATE_VAR_H

struct partition;

/*
 * The partition's saved-state record lives in the UEFI variable
 * VireoPartition-5669726f-0001-4d48-8656-69726f000001 (non-volatile, readable
 * from the OS through efivarfs). A record from an earlier boot whose
 * parameters differ from this boot's is reported; then the record is
 * rewritten with what this guest is given.
 */
void savestate_sync(const struct partition *p);

#endif
