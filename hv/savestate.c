/* SPDX-License-Identifier: MIT */
/* The partition's saved-state record (layout and checksum in hv/savestate.h). */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/savestate.h"
#include "hv/string.h"

_Static_assert(sizeof(struct part_record) == 36 && PART_RECORD_VERSION == 1,
	       "a change to struct part_record needs a new PART_RECORD_VERSION");

#define RECORD_SUMMED	offsetof(struct part_record, checksum)
#define PARAM_SET_MASK	(BIT(PARAM_COUNT) - 1)

/* CRC-32 as zlib computes it, one bit at a time: the record is a few dozen bytes. */
static uint32_t record_crc32(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t crc = 0xFFFFFFFFu;

	while (len--) {
		crc ^= *b++;
		for (unsigned int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0xEDB88320u : 0);
	}
	return ~crc;
}

void part_record_build(const struct partition *p, struct part_record *rec)
{
	hv_memset(rec, 0, sizeof(*rec));
	hv_memcpy(rec->magic, PART_RECORD_MAGIC, sizeof(rec->magic));
	rec->version = PART_RECORD_VERSION;
	rec->size = sizeof(*rec);
	rec->param_set = p->param_set & PARAM_SET_MASK;
	for (unsigned int id = 0; id < PARAM_COUNT; id++)
		if (rec->param_set & BIT(id))
			rec->param[id] = p->param[id];
	rec->checksum = record_crc32(rec, RECORD_SUMMED);
}

int part_record_parse(const void *buf, size_t len, struct part_record *rec)
{
	struct part_record r;
	uint32_t sum;

	/* The header (magic, version, size) says how to read the rest. */
	if (len < offsetof(struct part_record, param_set)) {
		log_warn("partition: saved-state record of %zu bytes is too short", len);
		return -HV_EINVAL;
	}
	hv_memcpy(&r, buf, offsetof(struct part_record, param_set));
	if (hv_memcmp(r.magic, PART_RECORD_MAGIC, sizeof(r.magic))) {
		log_warn("partition: saved-state record has the wrong magic");
		return -HV_EINVAL;
	}
	if (r.version > PART_RECORD_VERSION) {
		log_warn("partition: saved-state record is version %u, this Vireo reads up to %u",
			 r.version, PART_RECORD_VERSION);
		return -HV_ENOSYS;
	}
	if (r.version != PART_RECORD_VERSION || r.size != sizeof(r) || len != sizeof(r)) {
		log_warn("partition: saved-state record version %u has size %u in %zu bytes, want %zu",
			 r.version, r.size, len, sizeof(r));
		return -HV_EINVAL;
	}
	hv_memcpy(&r, buf, sizeof(r));
	sum = record_crc32(&r, RECORD_SUMMED);
	if (r.checksum != sum) {
		log_warn("partition: saved-state record checksum is 0x%x, its contents sum to 0x%x",
			 r.checksum, sum);
		return -HV_EINVAL;
	}
	if (r.param_set & ~PARAM_SET_MASK) {
		log_warn("partition: saved-state record sets unknown parameters 0x%llx",
			 (unsigned long long)(r.param_set & ~PARAM_SET_MASK));
		return -HV_EINVAL;
	}
	*rec = r;
	return 0;
}

static const char *value_text(char *buf, size_t size, bool set, uint64_t val)
{
	if (!set)
		return "unset";
	hv_snprintf(buf, size, "0x%llx", (unsigned long long)val);
	return buf;
}

int part_record_compare(const struct partition *p, const struct part_record *rec)
{
	char then_text[20], now_text[20];
	int rc = 0;

	for (unsigned int id = 0; id < PARAM_COUNT; id++) {
		bool was_set = rec->param_set & BIT(id), is_set = p->param_set & BIT(id);
		uint64_t then = rec->param[id], now = p->param[id];

		if (was_set == is_set && (!was_set || then == now))
			continue;
		log_warn("partition: %s was %s in the saved record, is %s now", part_param_name(id),
			 value_text(then_text, sizeof(then_text), was_set, then),
			 value_text(now_text, sizeof(now_text), is_set, now));
		rc = -HV_EEXIST;
	}
	return rc;
}
