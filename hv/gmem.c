/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory accesses made on the guest's behalf (hypercall
 * parameter blocks, the hypercall page). The guest chooses the address, so
 * every range is checked before anything is copied: it must lie below
 * ram_top, within one 4 KiB page, and clear of every range of Vireo's own
 * memory. An empty range touches nothing and is always allowed.
 */
#include "arch/x86/cpu.h"
#include "hv/errno.h"
#include "hv/gmem.h"
#include "hv/partition.h"
#include "hv/string.h"

/* [a, a + a_len) and [b, b + b_len) share a byte; both lengths non-zero, no sum that can wrap. */
static bool ranges_overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
	return a >= b ? a - b < b_len : b - a < a_len;
}

bool gmem_range_ok(const struct partition *p, uint64_t gpa, size_t len)
{
	if (!len)
		return true;
	if (len > UINT64_MAX - gpa || gpa + len > p->ram_top)
		return false;
	if ((gpa & ~PAGE_MASK) + len > PAGE_SIZE)
		return false;
	for (unsigned int i = 0; i < p->nr_hv_mem && i < MAX_HV_RANGES; i++) {
		const struct mem_range *r = &p->hv_mem[i];

		if (r->size && ranges_overlap(gpa, len, r->base, r->size))
			return false;
	}
	return true;
}

int gmem_read(const struct partition *p, uint64_t gpa, void *dst, size_t len)
{
	if (!gmem_range_ok(p, gpa, len))
		return -HV_EINVAL;
	if (len)
		hv_memcpy(dst, phys_to_virt(gpa), len);
	return 0;
}

int gmem_write(const struct partition *p, uint64_t gpa, const void *src, size_t len)
{
	if (!gmem_range_ok(p, gpa, len))
		return -HV_EINVAL;
	if (len)
		hv_memcpy(phys_to_virt(gpa), src, len);
	return 0;
}
