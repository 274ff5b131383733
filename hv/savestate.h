/* SPDX-License-Identifier: MIT */
#ifndef HV_SAVESTATE_H
#define HV_SAVESTATE_H

/*
 * The partition's saved-state record: what the guest was given, kept where
 * a management tool, a later boot or a resume can read it (the loader keeps
 * it in a UEFI variable, boot/savestate_var.c).
 *
 * Layout, version 1, packed and little-endian, 36 bytes:
 *
 *   0  magic[8]     "VIREOPRT", no NUL
 *   8  version      PART_RECORD_VERSION
 *  12  size         sizeof(struct part_record), checksum included
 *  16  param_set    BIT(id) for each parameter that was set
 *  24  param[id]    its value; 0 when not set
 *  32  checksum     CRC-32 of bytes 0..31
 *
 * The checksum is the CRC-32 of zlib, PNG and Ethernet (reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF) over every byte before
 * it, so a tool can check a record with zlib.crc32(). Any change to the
 * layout, a new parameter included, needs a new version.
 */

#include "hv/compiler.h"
#include "hv/partition.h"

#define PART_RECORD_MAGIC	"VIREOPRT"
#define PART_RECORD_VERSION	1

struct part_record {
	char magic[8];
	uint32_t version;
	uint32_t size;
	uint64_t param_set;
	uint64_t param[PARAM_COUNT];
	uint32_t checksum;
} __packed;

/* Fills *rec with what p's guest is given. */
void part_record_build(const struct partition *p, struct part_record *rec);

/*
 * Checks a record read back from storage and copies it to *rec: 0, -HV_EINVAL
 * (too short, bad magic, size or checksum) or -HV_ENOSYS (a newer version).
 */
int part_record_parse(const void *buf, size_t len, struct part_record *rec);

/*
 * 0 when every parameter of rec matches p; otherwise one warning per
 * parameter that differs and -HV_EEXIST. Never changes p.
 */
int part_record_compare(const struct partition *p, const struct part_record *rec);

#endif
