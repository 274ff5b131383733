/* SPDX-License-Identifier: MIT */
/*
 * Which virtual processors a flush or IPI hypercall names: a processor
 * mask (bit n is VP index n) or a sparse VP set (TLFS "HV_VP_SET"), and
 * whether the partition has them. Pure functions of the input the guest
 * wrote, which tests/fuzz/fuzz_hcall.c drives.
 *
 * HV_VP_SET is { Format, ValidBanksMask, BankContents[] }: format 1 is
 * every VP of the partition; format 0 a sparse set, where bank b covers VP
 * indexes 64b to 64b + 63 and BankContents holds one word per bit set in
 * ValidBanksMask, lowest bank first. The words after the two fixed ones are
 * the call's variable header, so its size (in qwords) must be the number of
 * valid banks: anything else would make the hypervisor read the guest's
 * other input as banks. Vireo has at most 64 virtual processors, all in
 * bank 0; a set that names a VP in another bank names one the partition
 * does not have.
 */
#include "hv/partition.h"
#include "hv/vcpu.h"
#include "viridian/private.h"

#define HV_GENERIC_SET_SPARSE_4K	0
#define HV_GENERIC_SET_ALL		1

_Static_assert(MAX_VCPUS <= 64, "every VP index Vireo hands out is in bank 0");

/* The freestanding build has no libgcc for __builtin_popcountll. */
static unsigned int bits_set(uint64_t x)
{
	unsigned int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

uint16_t vir_vpset_decode(const uint64_t *set, unsigned int bank_words, struct vir_vp_set *out)
{
	uint64_t format = set[0], valid = set[1];

	*out = (struct vir_vp_set){ .all = false, .mask = 0, .beyond = false };
	if (bits_set(valid) != bank_words)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (format == HV_GENERIC_SET_ALL) {
		out->all = true;
		return HV_STATUS_SUCCESS;
	}
	if (format != HV_GENERIC_SET_SPARSE_4K)
		return HV_STATUS_INVALID_PARAMETER;
	for (unsigned int bank = 0, word = 0; bank < 64; bank++) {
		if (!(valid & BIT(bank)))
			continue;
		if (bank == 0)
			out->mask = set[2 + word];
		else if (set[2 + word])
			out->beyond = true;
		word++;
	}
	return HV_STATUS_SUCCESS;
}

uint64_t vir_all_vps(const struct partition *p)
{
	uint64_t mask = 0;

	for (unsigned int i = 0; i < p->nr_vcpus && i < MAX_VCPUS; i++)
		if (p->vcpu[i] && p->vcpu[i]->vp_index < 64)
			mask |= BIT(p->vcpu[i]->vp_index);
	return mask;
}

/*
 * The TLFS gives no status for a VP the partition lacks; Vireo refuses the
 * call (KVM ignores such VPs), so a guest that names one learns of its
 * mistake rather than miss a flush or an interrupt it thinks it sent.
 */
uint16_t vir_vp_targets(const struct partition *p, const struct vir_vp_set *set, uint64_t *targets)
{
	uint64_t all = vir_all_vps(p);

	if (set->all) {
		*targets = all;
		return HV_STATUS_SUCCESS;
	}
	if (set->beyond || (set->mask & ~all))
		return HV_STATUS_INVALID_PARAMETER;
	*targets = set->mask;
	return HV_STATUS_SUCCESS;
}
