/* SPDX-License-Identifier: MIT */
#ifndef HV_GMEM_H
#define HV_GMEM_H

#include "hv/compiler.h"

struct partition;

/*
 * Copies to and from guest-physical memory on the guest's behalf. A range
 * that leaves guest RAM, crosses a page or touches Vireo's own memory is
 * refused with -HV_EINVAL and nothing is copied.
 */
int gmem_read(const struct partition *p, uint64_t gpa, void *dst, size_t len);
int gmem_write(const struct partition *p, uint64_t gpa, const void *src, size_t len);
bool gmem_range_ok(const struct partition *p, uint64_t gpa, size_t len);

#endif
