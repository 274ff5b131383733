/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_EPT_H
#define ARCH_X86_EPT_H

/*
 * The guest-physical address space: an identity map of the machine with the
 * memory types of the MTRRs, in the largest pages that keep one type, except
 * Vireo's own memory, which is not present (SDM "The Extended Page Table
 * Mechanism (EPT)", "EPT and Memory Typing"). Pure logic over a page
 * allocator, so the builder is tested on the host.
 */

#include "arch/x86/mtrr.h"
#include "hv/compiler.h"
#include "hv/partition.h"

#define EPT_READ	BIT(0)
#define EPT_WRITE	BIT(1)
#define EPT_EXEC	BIT(2)
#define EPT_RWX		(EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MT_SHIFT	3
#define EPT_LARGE	BIT(7)
#define EPT_ADDR_MASK	0x000ffffffffff000ULL

struct ept_pool {
	uint8_t *pages;			/* zeroed, page-aligned, identity-mapped */
	unsigned int nr_pages;
	unsigned int used;
};

struct ept {
	uint64_t *pml4;
	bool pages_1g, pages_2m;	/* from IA32_VMX_EPT_VPID_CAP */
	const struct mtrr_state *mtrr;
	const struct partition *part;	/* its hv_mem ranges are hidden */
	struct ept_pool *pool;
	uint64_t decoy_pa;		/* a guest access to Vireo's memory lands here */
};

/* 0, or -HV_ENOMEM when the pool runs out. */
int ept_init(struct ept *e);
/* Maps [base, end) (4 KiB aligned). */
int ept_map_range(struct ept *e, uint64_t base, uint64_t end);

/* The table pages ept_init and ept_map_range(e, base, end) take, without taking them. */
unsigned int ept_tables_for(const struct ept *e, uint64_t base, uint64_t end);

/* Makes the mapped 4 KiB page at gpa read-only (the guest's writes to it exit), or writable again. */
int ept_set_writable(struct ept *e, uint64_t gpa, bool writable);

enum ept_fault {
	EPT_FAULT_MAPPED,	/* the address was not mapped yet (above what was mapped at load): now it is */
	EPT_FAULT_HIDDEN,	/* Vireo's memory: the page now shows the decoy */
	EPT_FAULT_FATAL,	/* already mapped, or no memory left */
};

/* An EPT violation at gpa: map what is missing. */
enum ept_fault ept_handle_fault(struct ept *e, uint64_t gpa);

/* The leaf entry for gpa and the size it maps (tests, dumps); 0 if none. */
uint64_t ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *size);

/* EPTP: write-back paging structures, 4-level walk (SDM "Extended-Page-Table Pointer (EPTP)"). */
static inline uint64_t ept_pointer(const struct ept *e)
{
	return (uint64_t)(uintptr_t)e->pml4 | 3 << 3 | 6;
}

#endif
