/* SPDX-License-Identifier: MIT */
#ifndef HV_ERRNO_H
#define HV_ERRNO_H

/*
 * Status codes of Vireo's own interfaces, with Linux's numbers so that a
 * management tool can print them with strerror(). Functions return 0 or a
 * negative code.
 */
enum hv_errno {
	HV_EPERM = 1,
	HV_ENOENT = 2,
	HV_ENOMEM = 12,
	HV_EFAULT = 14,
	HV_EEXIST = 17,
	HV_ENODEV = 19,
	HV_EINVAL = 22,
	HV_ENOSPC = 28,
	HV_ENOSYS = 38,
};

const char *hv_strerror(int err);

#endif
