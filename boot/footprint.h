/* SPDX-License-Identifier: MIT */
#ifndef BOOT_FOOTPRINT_H
#define BOOT_FOOTPRINT_H

#include "hv/compiler.h"

/*
 * The memory Vireo keeps, in 4 KiB pages, known before anything is
 * allocated: so that a machine without enough is refused with one line
 * saying how much is missing, not at an allocation halfway through.
 */
struct footprint {
	uint64_t fixed;		/* host page tables and IDT, the EPT */
	uint64_t per_cpu;	/* one vCPU: VMXON region, VMCS, bitmaps, host stack, GDT, TSS */
	uint64_t largest;	/* the largest single allocation, which needs free pages in one run */
};

/* Free conventional memory in the firmware's map, in pages. */
struct free_memory {
	uint64_t total;
	uint64_t largest_run;
};

static inline uint64_t footprint_pages(const struct footprint *f, unsigned int cpus)
{
	return f->fixed + f->per_cpu * cpus;
}

static inline bool footprint_fits(const struct footprint *f, unsigned int cpus, const struct free_memory *m)
{
	return m->total >= footprint_pages(f, cpus) && m->largest_run >= f->largest;
}

#endif
