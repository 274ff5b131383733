/* SPDX-License-Identifier: MIT */
#ifndef HV_GUEST_WALK_H
#define HV_GUEST_WALK_H

#include "hv/compiler.h"

struct partition;

/* The guest's paging controls, as the VMCS guest-state area holds them. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/*
 * The guest-physical address of a guest linear address, from the guest's own
 * page tables. Every entry is read with gmem_read(), so a table outside guest
 * RAM or in Vireo's memory ends the walk. Access rights are not checked: the
 * guest has already started the access that exited.
 *
 * 0 and *gpa, or -HV_EFAULT when an entry is not present or cannot be read.
 */
int guest_linear_to_phys(const struct partition *p, const struct guest_paging *g, uint64_t linear, uint64_t *gpa);

#endif
