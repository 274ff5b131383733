/* SPDX-License-Identifier: MIT */
#include "hv/compiler.h"
#include "hv/errno.h"

static const struct {
	unsigned int code;
	const char *name;
} hv_errno_names[] = {
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

/* The code's name, for -HV_EINVAL and HV_EINVAL alike; "E?" for a code Vireo does not use. */
const char *hv_strerror(int err)
{
	/* Negate in unsigned arithmetic: -INT_MIN does not fit an int. */
	unsigned int code = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	for (size_t i = 0; i < ARRAY_SIZE(hv_errno_names); i++)
		if (hv_errno_names[i].code == code)
			return hv_errno_names[i].name;
	return "E?";
}
