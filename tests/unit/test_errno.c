/* SPDX-License-Identifier: MIT */
/* hv_strerror (hv/errno.c). */
#include <limits.h>
#include "hv/errno.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

static void names_for_either_sign(void)
{
	static const struct {
		int code;
		const char *name;
	} cases[] = {
		{ HV_EPERM, "EPERM" },
		{ HV_ENOENT, "ENOENT" },
		{ HV_ENOMEM, "ENOMEM" },
		{ HV_EFAULT, "EFAULT" },
		{ HV_EEXIST, "EEXIST" },
		{ HV_ENODEV, "ENODEV" },
		{ HV_EINVAL, "EINVAL" },
		{ HV_ENOSPC, "ENOSPC" },
		{ HV_ENOSYS, "ENOSYS" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_STR(hv_strerror(cases[i].code), cases[i].name);
		CHECK_STR(hv_strerror(-cases[i].code), cases[i].name);
	}
}

/* Linux's numbers, so that a tool's strerror() agrees (asm-generic/errno-base.h, errno.h). */
static void numbers_match_linux(void)
{
	CHECK_EQ(HV_EPERM, 1);
	CHECK_EQ(HV_ENOENT, 2);
	CHECK_EQ(HV_ENOMEM, 12);
	CHECK_EQ(HV_EFAULT, 14);
	CHECK_EQ(HV_EEXIST, 17);
	CHECK_EQ(HV_ENODEV, 19);
	CHECK_EQ(HV_EINVAL, 22);
	CHECK_EQ(HV_ENOSPC, 28);
	CHECK_EQ(HV_ENOSYS, 38);
}

static void unknown_codes(void)
{
	static const int bad[] = { 0, 3, -3, 39, -39, INT_MAX, INT_MIN };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_STR(hv_strerror(bad[i]), "E?");
}

int main(void)
{
	RUN("errno", names_for_either_sign);
	RUN("errno", numbers_match_linux);
	RUN("errno", unknown_codes);
	return test_suite_failures != 0;
}
