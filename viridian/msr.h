/* SPDX-License-Identifier: MIT */
#ifndef VIRIDIAN_MSR_H
#define VIRIDIAN_MSR_H

/*
 * RDMSR and WRMSR of the synthetic MSRs, by the partition's map of them
 * (viridian/msr.c), inline in the exit that makes them: one look in the
 * map, one call of the MSR's handler. An MSR the map does not name, or one
 * it names without a handler for the access, raises #GP.
 */

#include "hv/partition.h"
#include "hv/vcpu.h"

/*
 * A synthetic MSR Vireo implements: the group that gates it, and how it is
 * read and written. A NULL read handler makes a read fault; a write
 * handler returns false to fault.
 */
struct vir_msr {
	uint32_t index;
	uint64_t group;
	uint64_t (*read)(const struct vcpu *v, uint32_t msr);
	bool (*write)(struct vcpu *v, uint32_t msr, uint64_t val);
};

/* The entries vir_partition.msr_entry names; entry 0 is none, and faults either way. */
extern const struct vir_msr vir_msrs[];

/* True for an MSR of the synthetic range; beyond the map such an MSR raises #GP. */
static inline bool vir_msr_is_synthetic(uint32_t msr)
{
	return msr - VIR_MSR_FIRST <= VIR_MSR_LAST - VIR_MSR_FIRST;
}

/*
 * Each of the two looks in the map itself: a lookup of their own shared,
 * returning the entry or none, cost the WRMSR exit 7 host instructions
 * more in make bench.
 */
static inline enum msr_result vir_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	uint32_t i = msr - VIR_MSR_FIRST;
	const struct vir_msr *m;

	if (i >= VIR_MSR_SPAN) {
		if (!vir_msr_is_synthetic(msr))
			return MSR_NOT_VIRIDIAN;
		stats_count_rdmsr(&v->stats, msr);
		return MSR_FAULT;
	}
	stats_count_rdmsr(&v->stats, msr);
	m = &vir_msrs[v->part->vir.msr_entry[i]];
	if (!m->read)
		return MSR_FAULT;
	*val = m->read(v, msr);
	return MSR_DONE;
}

static inline enum msr_result vir_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	uint32_t i = msr - VIR_MSR_FIRST;
	const struct vir_msr *m;

	if (i >= VIR_MSR_SPAN) {
		if (!vir_msr_is_synthetic(msr))
			return MSR_NOT_VIRIDIAN;
		stats_count_wrmsr(&v->stats, msr);
		return MSR_FAULT;
	}
	stats_count_wrmsr(&v->stats, msr);
	m = &vir_msrs[v->part->vir.msr_entry[i]];
	return m->write(v, msr, val) ? MSR_DONE : MSR_FAULT;
}

#endif
