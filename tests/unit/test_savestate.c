/* SPDX-License-Identifier: MIT */
/* The partition's saved-state record (hv/savestate.c). */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/savestate.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"
#include "viridian/viridian.h"

TEST_GLOBALS;

/*
 * Records written out by hand from the layout in hv/savestate.h, each
 * checksum computed independently with Python's zlib.crc32 over bytes 0..31.
 */
static const uint8_t record_viridian_3[36] = {
	'V', 'I', 'R', 'E', 'O', 'P', 'R', 'T',
	0x01, 0x00, 0x00, 0x00,				/* version 1 */
	0x24, 0x00, 0x00, 0x00,				/* size 36 */
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* viridian set */
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* viridian = 0x3 */
	0xd9, 0x1d, 0x15, 0x12,				/* CRC-32 0x12151dd9 */
};

/* The set recommended for Linux guests: bit 13 lands in the second byte of the mask. */
static const uint8_t record_viridian_200f[36] = {
	'V', 'I', 'R', 'E', 'O', 'P', 'R', 'T',
	0x01, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0f, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* viridian = 0x200f */
	0x0a, 0x31, 0x07, 0x8a,				/* CRC-32 0x8a07310a */
};

static const uint8_t record_unset[36] = {
	'V', 'I', 'R', 'E', 'O', 'P', 'R', 'T',
	0x01, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xab, 0x8b, 0xf2, 0x32,				/* CRC-32 0x32f28bab */
};

/* Sets parameter bit 1, which version 1 does not have; the checksum is right. */
static const uint8_t record_unknown_param[36] = {
	'V', 'I', 'R', 'E', 'O', 'P', 'R', 'T',
	0x01, 0x00, 0x00, 0x00,
	0x24, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xba, 0x38, 0xb5, 0x95,				/* CRC-32 0x95b538ba */
};

static struct partition part;

static void reset_all(void)
{
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE };
	log_threshold = LOG_INFO;
	fake_log_clear();
}

static void set_viridian(uint64_t mask)
{
	part.param[PARAM_VIRIDIAN] = mask;
	part.param_set = (uint32_t)BIT(PARAM_VIRIDIAN);
}

static unsigned int count_lines(void)
{
	unsigned int n = 0;

	for (const char *s = fake_log; (s = strstr(s, "\r\n")); s += 2)
		n++;
	return n;
}

static void build_matches_the_documented_layout(void)
{
	struct part_record rec;

	CHECK_EQ(sizeof(rec), 36);
	reset_all();
	set_viridian(VIR_BASE | VIR_FREQ);
	part_record_build(&part, &rec);
	CHECK(!memcmp(&rec, record_viridian_3, sizeof(rec)));
	set_viridian(VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC | VIR_TSC_INVARIANT);
	part_record_build(&part, &rec);
	CHECK(!memcmp(&rec, record_viridian_200f, sizeof(rec)));

	/* An unset parameter is recorded as 0, whatever the array holds. */
	reset_all();
	part.param[PARAM_VIRIDIAN] = 0x77;
	part_record_build(&part, &rec);
	CHECK(!memcmp(&rec, record_unset, sizeof(rec)));
	CHECK_STR(fake_log, "");
}

static void round_trip(void)
{
	static const uint64_t masks[] = { VIR_BASE, VIR_BASE | VIR_FREQ, VIR_KNOWN, VIR_BASE | BIT(13) | BIT(63) };
	struct part_record built, parsed;

	for (size_t i = 0; i < ARRAY_SIZE(masks); i++) {
		reset_all();
		set_viridian(masks[i]);
		part_record_build(&part, &built);
		memset(&parsed, 0xaa, sizeof(parsed));
		CHECK_EQ(part_record_parse(&built, sizeof(built), &parsed), 0);
		CHECK(!memcmp(&built, &parsed, sizeof(parsed)));
		CHECK_EQ(parsed.param_set, BIT(PARAM_VIRIDIAN));
		CHECK_EQ(parsed.param[PARAM_VIRIDIAN], masks[i]);
		CHECK_EQ(part_record_compare(&part, &parsed), 0);
		CHECK_STR(fake_log, "");
	}
}

/* Parses the record from an unaligned buffer, as storage may hand it over. */
static void parse_golden_records(void)
{
	uint8_t buf[40];
	struct part_record rec;

	reset_all();
	memcpy(buf + 1, record_viridian_3, sizeof(record_viridian_3));
	CHECK_EQ(part_record_parse(buf + 1, sizeof(record_viridian_3), &rec), 0);
	CHECK_EQ(rec.version, 1);
	CHECK_EQ(rec.size, 36);
	CHECK_EQ(rec.param_set, 1);
	CHECK_EQ(rec.param[PARAM_VIRIDIAN], 3);
	CHECK_EQ(rec.checksum, 0x12151dd9);

	CHECK_EQ(part_record_parse(record_viridian_200f, sizeof(record_viridian_200f), &rec), 0);
	CHECK_EQ(rec.param[PARAM_VIRIDIAN], 0x200f);

	CHECK_EQ(part_record_parse(record_unset, sizeof(record_unset), &rec), 0);
	CHECK_EQ(rec.param_set, 0);
	CHECK_STR(fake_log, "");
}

struct bad_record {
	const char *name;
	size_t offset;		/* byte to change */
	uint8_t value;
	size_t len;
	int rc;
	const char *log;
};

/* Each row changes one byte of the good record (or its length) and expects the refusal and its reason. */
static void bad_records_are_refused(void)
{
	static const struct bad_record cases[] = {
		{ "value changed", 24, 0x01, 36, -HV_EINVAL,
		  "saved-state record checksum is 0x12151dd9, its contents sum to 0x" },
		{ "set bit cleared", 16, 0x00, 36, -HV_EINVAL, "saved-state record checksum is 0x12151dd9" },
		{ "checksum changed", 35, 0x13, 36, -HV_EINVAL,
		  "saved-state record checksum is 0x13151dd9, its contents sum to 0x12151dd9" },
		{ "magic", 0, 'v', 36, -HV_EINVAL, "saved-state record has the wrong magic" },
		{ "magic end", 7, 'X', 36, -HV_EINVAL, "saved-state record has the wrong magic" },
		{ "newer version", 8, 0x02, 36, -HV_ENOSYS,
		  "saved-state record is version 2, this Vireo reads up to 1" },
		{ "much newer version", 11, 0x01, 36, -HV_ENOSYS,
		  "saved-state record is version 16777217, this Vireo reads up to 1" },
		{ "version 0", 8, 0x00, 36, -HV_EINVAL,
		  "saved-state record version 0 has size 36 in 36 bytes, want 36" },
		{ "size field", 12, 0x28, 36, -HV_EINVAL,
		  "saved-state record version 1 has size 40 in 36 bytes, want 36" },
		{ "one byte short", 0, 'V', 35, -HV_EINVAL,
		  "saved-state record version 1 has size 36 in 35 bytes, want 36" },
		{ "header only", 0, 'V', 16, -HV_EINVAL,
		  "saved-state record version 1 has size 36 in 16 bytes, want 36" },
		{ "shorter than the header", 0, 'V', 15, -HV_EINVAL,
		  "saved-state record of 15 bytes is too short" },
		{ "empty", 0, 'V', 0, -HV_EINVAL, "saved-state record of 0 bytes is too short" },
	};
	uint8_t buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct part_record rec, untouched;

		reset_all();
		memset(buf, 0, sizeof(buf));
		memcpy(buf, record_viridian_3, sizeof(record_viridian_3));
		buf[cases[i].offset] = cases[i].value;
		memset(&rec, 0xaa, sizeof(rec));
		untouched = rec;
		if (part_record_parse(buf, cases[i].len, &rec) != cases[i].rc)
			printf("  case \"%s\"\n", cases[i].name);
		CHECK_EQ(part_record_parse(buf, cases[i].len, &rec), cases[i].rc);
		CHECK(!memcmp(&rec, &untouched, sizeof(rec)));
		if (!fake_log_contains(cases[i].log))
			printf("  case \"%s\": log \"%s\"\n", cases[i].name, fake_log);
		CHECK(fake_log_contains(cases[i].log));
	}
}

/* A newer version is reported as such whatever its size, since its layout is unknown. */
static void newer_version_any_size(void)
{
	uint8_t buf[64];
	struct part_record rec;

	reset_all();
	memset(buf, 0, sizeof(buf));
	memcpy(buf, record_viridian_3, 16);
	buf[8] = 2;
	buf[12] = sizeof(buf);
	CHECK_EQ(part_record_parse(buf, sizeof(buf), &rec), -HV_ENOSYS);
	CHECK_EQ(part_record_parse(buf, 16, &rec), -HV_ENOSYS);
}

static void longer_buffer_is_refused(void)
{
	uint8_t buf[40] = { 0 };
	struct part_record rec;

	reset_all();
	memcpy(buf, record_viridian_3, sizeof(record_viridian_3));
	CHECK_EQ(part_record_parse(buf, sizeof(buf), &rec), -HV_EINVAL);
	CHECK(fake_log_contains("vireo: warning: partition: saved-state record version 1 has size 36 in 40 bytes, want 36"));
}

static void unknown_parameter_bits_are_refused(void)
{
	struct part_record rec;

	reset_all();
	CHECK_EQ(part_record_parse(record_unknown_param, sizeof(record_unknown_param), &rec), -HV_EINVAL);
	CHECK_STR(fake_log, "vireo: warning: partition: saved-state record sets unknown parameters 0x2\r\n");
}

/* Each row: what the saved record had, what the partition has now, the warning (or none). */
static void compare_reports_differences(void)
{
	static const struct {
		bool was_set;
		uint64_t was;
		bool is_set;
		uint64_t is;
		int rc;
		const char *log;
	} cases[] = {
		{ true, 0x1, true, 0x3, -HV_EEXIST,
		  "vireo: warning: partition: viridian was 0x1 in the saved record, is 0x3 now\r\n" },
		{ true, 0x3, true, 0x1, -HV_EEXIST,
		  "vireo: warning: partition: viridian was 0x3 in the saved record, is 0x1 now\r\n" },
		{ false, 0, true, 0x3, -HV_EEXIST,
		  "vireo: warning: partition: viridian was unset in the saved record, is 0x3 now\r\n" },
		{ true, 0x3, false, 0, -HV_EEXIST,
		  "vireo: warning: partition: viridian was 0x3 in the saved record, is unset now\r\n" },
		{ true, 0x3, true, 0x3, 0, "" },
		{ false, 0, false, 0, 0, "" },
		/* Values of unset parameters do not count. */
		{ false, 0x5, false, 0x9, 0, "" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct part_record rec;

		reset_all();
		memset(&rec, 0, sizeof(rec));
		rec.param_set = cases[i].was_set ? BIT(PARAM_VIRIDIAN) : 0;
		rec.param[PARAM_VIRIDIAN] = cases[i].was;
		part.param_set = cases[i].is_set ? (uint32_t)BIT(PARAM_VIRIDIAN) : 0;
		part.param[PARAM_VIRIDIAN] = cases[i].is;

		CHECK_EQ(part_record_compare(&part, &rec), cases[i].rc);
		CHECK_STR(fake_log, cases[i].log);
		CHECK_EQ(count_lines(), cases[i].rc ? 1 : 0);
		CHECK_EQ(part.param_set, cases[i].is_set ? BIT(PARAM_VIRIDIAN) : 0);
		CHECK_EQ(part.param[PARAM_VIRIDIAN], cases[i].is);
	}
}

/* The whole path the loader takes: last boot's record against this boot's partition. */
static void saved_then_changed(void)
{
	struct part_record saved, parsed;

	reset_all();
	set_viridian(VIR_BASE);
	part_record_build(&part, &saved);

	reset_all();
	set_viridian(VIR_BASE | VIR_FREQ);
	CHECK_EQ(part_record_parse(&saved, sizeof(saved), &parsed), 0);
	CHECK_EQ(part_record_compare(&part, &parsed), -HV_EEXIST);
	CHECK(fake_log_contains("partition: viridian was 0x1 in the saved record, is 0x3 now"));
	CHECK_EQ(part.param[PARAM_VIRIDIAN], VIR_BASE | VIR_FREQ);
}

int main(void)
{
	RUN("savestate", build_matches_the_documented_layout);
	RUN("savestate", round_trip);
	RUN("savestate", parse_golden_records);
	RUN("savestate", bad_records_are_refused);
	RUN("savestate", newer_version_any_size);
	RUN("savestate", longer_buffer_is_refused);
	RUN("savestate", unknown_parameter_bits_are_refused);
	RUN("savestate", compare_reports_differences);
	RUN("savestate", saved_then_changed);
	return test_suite_failures != 0;
}
