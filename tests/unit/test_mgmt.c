/* SPDX-License-Identifier: MIT */
/* Management calls (hv/mgmt.c): what reaches RAX and RDX for each caller. */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/mgmt.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

#define OUT_UNTOUCHED	0x0123456789abcdefULL

static struct partition part;

static void reset_all(void)
{
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE };
	log_threshold = LOG_INFO;
	fake_log_clear();
}

/* RAX holds the status as a 64-bit two's complement value. */
static void status_in_rax(void)
{
	uint64_t out = OUT_UNTOUCHED;

	reset_all();
	CHECK_EQ((uint64_t)mgmt_call(&part, CALLER_GUEST, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 1, &out),
		 0xffffffffffffffffULL);
	CHECK_EQ((uint64_t)mgmt_call(&part, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 2, &out),
		 0xffffffffffffffeaULL);
	CHECK_EQ((uint64_t)mgmt_call(&part, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 1, &out), 0);
	CHECK_EQ((uint64_t)mgmt_call(&part, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 1, &out),
		 0xffffffffffffffefULL);
	CHECK_EQ((uint64_t)mgmt_call(&part, CALLER_GUEST, 9, 0, 0, &out), 0xffffffffffffffdaULL);
}

static void tag_identifies_calls(void)
{
	CHECK(mgmt_is_call(MGMT_TAG | MGMT_OP_GET_PARAM));
	CHECK(mgmt_is_call(MGMT_TAG | 0xffffffffffffULL));
	CHECK(!mgmt_is_call(MGMT_OP_GET_PARAM));
	CHECK(!mgmt_is_call(0x10008));				/* HvCallNotifyLongSpinWait, fast */
	CHECK(!mgmt_is_call(0x5649ULL << 32));			/* the tag in the wrong bits */
	CHECK(!mgmt_is_call((MGMT_TAG | BIT(63)) | 1));
}

/* Each row is one call on a partition whose viridian mask is 0x3 (or unset). */
static void calls(void)
{
	static const struct {
		const char *name;
		bool viridian_set;
		enum caller who;
		uint64_t op, arg0, arg1;
		uint64_t rax, out;
		uint64_t viridian_after;
	} cases[] = {
		{ "mgmt get", true, CALLER_MGMT, MGMT_OP_GET_PARAM, PARAM_VIRIDIAN, 0, 0, 3, 3 },
		{ "guest get", true, CALLER_GUEST, MGMT_OP_GET_PARAM, PARAM_VIRIDIAN, 0, 0, 3, 3 },
		{ "guest get unset", false, CALLER_GUEST, MGMT_OP_GET_PARAM, PARAM_VIRIDIAN, 0, 0, 0, 0 },
		{ "get unknown", true, CALLER_GUEST, MGMT_OP_GET_PARAM, PARAM_COUNT, 0,
		  (uint64_t)-HV_EINVAL, OUT_UNTOUCHED, 3 },
		{ "get id past 32 bits", true, CALLER_GUEST, MGMT_OP_GET_PARAM, 1ULL << 32 | PARAM_VIRIDIAN, 0,
		  (uint64_t)-HV_EINVAL, OUT_UNTOUCHED, 3 },
		{ "mgmt set", false, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 1, 0, OUT_UNTOUCHED, 1 },
		{ "mgmt set twice", true, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 3,
		  (uint64_t)-HV_EEXIST, OUT_UNTOUCHED, 3 },
		{ "mgmt set invalid", false, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 2,
		  (uint64_t)-HV_EINVAL, OUT_UNTOUCHED, 0 },
		{ "mgmt set id past 32 bits", false, CALLER_MGMT, MGMT_OP_SET_PARAM, 1ULL << 32 | PARAM_VIRIDIAN, 1,
		  (uint64_t)-HV_EINVAL, OUT_UNTOUCHED, 0 },
		{ "guest set", false, CALLER_GUEST, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 1,
		  (uint64_t)-HV_EPERM, OUT_UNTOUCHED, 0 },
		{ "guest set when set", true, CALLER_GUEST, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 1,
		  (uint64_t)-HV_EPERM, OUT_UNTOUCHED, 3 },
		{ "op 0", true, CALLER_GUEST, 0, PARAM_VIRIDIAN, 1, (uint64_t)-HV_ENOSYS, OUT_UNTOUCHED, 3 },
		{ "op 4", true, CALLER_MGMT, 4, PARAM_VIRIDIAN, 1, (uint64_t)-HV_ENOSYS, OUT_UNTOUCHED, 3 },
		{ "op past 32 bits", true, CALLER_GUEST, 1ULL << 32 | MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 1,
		  (uint64_t)-HV_ENOSYS, OUT_UNTOUCHED, 3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t out = OUT_UNTOUCHED, rax;

		reset_all();
		if (cases[i].viridian_set)
			CHECK_EQ(part_set_param(&part, CALLER_MGMT, PARAM_VIRIDIAN, 3), 0);
		rax = (uint64_t)mgmt_call(&part, cases[i].who, cases[i].op, cases[i].arg0, cases[i].arg1, &out);
		if (rax != cases[i].rax || out != cases[i].out)
			printf("  case \"%s\":\n", cases[i].name);
		CHECK_EQ(rax, cases[i].rax);
		CHECK_EQ(out, cases[i].out);
		CHECK_EQ(part.param_set ? part.param[PARAM_VIRIDIAN] : 0, cases[i].viridian_after);
	}
}

static void unknown_op_is_logged(void)
{
	uint64_t out = OUT_UNTOUCHED;

	reset_all();
	CHECK_EQ(mgmt_call(&part, CALLER_GUEST, 7, 0, 0, &out), -HV_ENOSYS);
	CHECK_STR(fake_log, "vireo: mgmt: guest made unknown call 0x7 (ENOSYS)\r\n");
	fake_log_clear();
	CHECK_EQ(mgmt_call(&part, CALLER_MGMT, 0x1234, 0, 0, &out), -HV_ENOSYS);
	CHECK_STR(fake_log, "vireo: warning: mgmt: management made unknown call 0x1234 (ENOSYS)\r\n");
	CHECK_EQ(out, OUT_UNTOUCHED);
}

/* The loader's set as boot/main.c makes it, then the guest reads what it was given. */
static void loader_sets_guest_reads(void)
{
	uint64_t out = 0;

	reset_all();
	CHECK_EQ(mgmt_call(&part, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 3, &out), 0);
	CHECK_STR(fake_log, "vireo: partition: viridian = 0x3\r\n");
	CHECK_EQ(mgmt_call(&part, CALLER_GUEST, MGMT_OP_GET_PARAM, PARAM_VIRIDIAN, 0, &out), 0);
	CHECK_EQ(out, 3);
	CHECK_EQ(mgmt_call(&part, CALLER_GUEST, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, 1, &out), -HV_EPERM);
	CHECK(fake_log_contains("vireo: partition: guest may not set viridian (EPERM)\r\n"));
	CHECK_EQ(mgmt_call(&part, CALLER_GUEST, MGMT_OP_GET_PARAM, PARAM_VIRIDIAN, 0, &out), 0);
	CHECK_EQ(out, 3);
}

int main(void)
{
	RUN("mgmt", status_in_rax);
	RUN("mgmt", tag_identifies_calls);
	RUN("mgmt", calls);
	RUN("mgmt", unknown_op_is_logged);
	RUN("mgmt", loader_sets_guest_reads);
	return test_suite_failures != 0;
}
