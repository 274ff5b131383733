/* SPDX-License-Identifier: MIT */
#ifndef HV_STATS_H
#define HV_STATS_H

/*
 * Per-vCPU counters of what the guest made Vireo do: VM exits by basic
 * reason, and the viridian accesses among them (hypervisor CPUID leaves,
 * synthetic MSR reads and writes, hypercalls by call code).
 *
 * Every counter is a fixed slot, bumped with one plain increment by the
 * processor that owns it, so the exit path pays an add and never a search.
 * Each exit bumps one counter, the finest that names it: a CPUID of a
 * hypervisor leaf its leaf's, an RDMSR or WRMSR of a synthetic MSR its
 * MSR's, a hypercall its call code's, any other exit its reason's. The
 * exits of a reason are its own counter and those of its family
 * (stats_exits). An index beyond the slots a family has is counted in
 * that family's last slot, "other". stats_print() on another processor
 * reads the counters without stopping their owner: a count may be a few
 * exits old.
 */

#include "hv/compiler.h"

struct partition;

#define STATS_EXIT_REASONS	65		/* basic exit reasons 0-64, as EXIT_REASON_MAX */
#define STATS_CPUID_FIRST	0x40000000u
#define STATS_CPUID_LEAVES	0x100u		/* 0x40000000-0x400000FF */
#define STATS_MSR_FIRST		0x40000000u
#define STATS_MSRS		0x120u		/* 0x40000000-0x4000011F: every MSR the TLFS defines */
#define STATS_HCALL_CODES	0x100u		/* call codes 0x0000-0x00FF */

struct vcpu_stats {
	uint64_t exits[STATS_EXIT_REASONS + 1];		/* those no family below counts */
	uint64_t cpuid[STATS_CPUID_LEAVES + 1];
	uint64_t rdmsr[STATS_MSRS + 1];
	uint64_t wrmsr[STATS_MSRS + 1];
	uint64_t hypercall[STATS_HCALL_CODES + 1];
};

/* The slot of index in a family of slots counters starting at first; slots itself is "other". */
static inline uint32_t stats_slot(uint32_t index, uint32_t first, uint32_t slots)
{
	uint32_t i = index - first;	/* an index below first wraps around to "other" */

	return i < slots ? i : slots;
}

static inline void stats_count_exit(struct vcpu_stats *s, uint32_t reason)
{
	s->exits[stats_slot(reason, 0, STATS_EXIT_REASONS)]++;
}

/* A CPUID leaf in the hypervisor range 0x40000000-0x4FFFFFFF; other leaves count as the exit. */
static inline void stats_count_cpuid(struct vcpu_stats *s, uint32_t leaf)
{
	s->cpuid[stats_slot(leaf, STATS_CPUID_FIRST, STATS_CPUID_LEAVES)]++;
}

/* An RDMSR or WRMSR of a synthetic MSR, 0x40000000-0x4000FFFF; other MSRs count as the exit. */
static inline void stats_count_rdmsr(struct vcpu_stats *s, uint32_t msr)
{
	s->rdmsr[stats_slot(msr, STATS_MSR_FIRST, STATS_MSRS)]++;
}

static inline void stats_count_wrmsr(struct vcpu_stats *s, uint32_t msr)
{
	s->wrmsr[stats_slot(msr, STATS_MSR_FIRST, STATS_MSRS)]++;
}

/*
 * A hypercall made where hypercalls are legal, whatever its status; a
 * VMCALL that is no hypercall counts as the exit.
 */
static inline void stats_count_hypercall(struct vcpu_stats *s, uint16_t code)
{
	s->hypercall[stats_slot(code, 0, STATS_HCALL_CODES)]++;
}

/* The exits of a basic reason: its own counter and, for CPUID, RDMSR, WRMSR and VMCALL, its family's. */
uint64_t stats_exits(const struct vcpu_stats *s, uint32_t reason);
uint64_t stats_total_exits(const struct vcpu_stats *s);

/*
 * Logs the memory Vireo keeps (the ranges it hides from the guest, whole
 * pages), then the counters of every vCPU of the partition as lines
 * "stats: vcpu<n> <what> <name> <count>, <name> <count>, ..." (non-zero
 * counters only, in index order; a long list goes on over several lines),
 * all at info level:
 *
 *   stats: vireo memory 301 pages in 9 ranges
 *   stats: vcpu0 total 5432 exits
 *   stats: vcpu0 exits CPUID 4100, MSR_READ 1200, VMCALL 3
 *   stats: vcpu0 cpuid 40000000 2, 40000003 1, other 1
 *   stats: vcpu0 rdmsr 40000022 101, 40000099 101
 *   stats: vcpu0 wrmsr 40000072 101
 *   stats: vcpu0 hypercall 0008 101, other 2
 *
 * A family without accesses prints no line.
 */
void stats_print(const struct partition *p);

#endif
