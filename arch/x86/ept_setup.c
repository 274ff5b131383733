/* SPDX-License-Identifier: MIT */
/*
 * Building the partition's EPT at load: its memory comes first (so it is
 * among Vireo's hidden ranges), the mapping last, once every range is known.
 */
#include "arch/x86/ept.h"
#include "arch/x86/ept_setup.h"
#include "arch/x86/msr.h"
#include "arch/x86/processor.h"
#include "arch/x86/vmx_caps.h"
#include "boot/platform.h"
#include "hv/errno.h"
#include "hv/log.h"

#define FOUR_GIB	(4ULL << 30)

/*
 * Tables the pool keeps beyond the load-time map, for what is mapped later:
 * MMIO above the map, a GiB at a time on first touch (a PDPT per 512 GiB, a
 * PD and a PT where the memory types vary within the GiB). Decoy pages for
 * Vireo's memory need none: its pages are split to 4 KiB at load.
 */
#define EPT_RUNTIME_TABLES	16

static struct ept_state {
	struct ept ept;
	struct ept_pool pool;
	struct mtrr_state mtrr;
} *state;

/* The most tables that hiding one range of pages can add to a map: a PT per 2 MiB it touches, a PD per GiB. */
static unsigned int tables_to_hide(uint64_t pages)
{
	return (unsigned int)(pages / 512 + 2 + pages / (512 * 512) + 2);
}

/* What the load-time map covers: guest RAM and the first 4 GiB, in whole GiB. */
static uint64_t map_top(const struct partition *p)
{
	return ALIGN_UP(p->ram_top > FOUR_GIB ? p->ram_top : FOUR_GIB, 1ULL << 30);
}

static struct ept ept_for(const struct partition *p, const struct vmx_caps *caps, const struct mtrr_state *mtrr,
			  struct ept_pool *pool)
{
	return (struct ept){
		.pages_1g = caps->ept_vpid & VMX_EPT_1GB_PAGES,
		.pages_2m = caps->ept_vpid & VMX_EPT_2MB_PAGES,
		.mtrr = mtrr,
		.part = p,
		.pool = pool,
	};
}

/*
 * The pool for a load-time map of map_tables tables: those, what hiding the
 * EPT's own two allocations (its state and the pool) can add, and room for
 * later mappings. The MTRRs and the ranges of Vireo's memory decide where
 * large pages split, so the pool is sized from this machine, not from the
 * worst case.
 */
static unsigned int pool_pages(unsigned int map_tables)
{
	unsigned int pool = map_tables + tables_to_hide(EFI_PAGES(sizeof(*state))) + EPT_RUNTIME_TABLES;

	return pool + tables_to_hide(pool + 1);
}

unsigned int ept_setup_pages(const struct partition *p, const struct vmx_caps *caps, unsigned int ranges,
			     unsigned int *largest)
{
	struct mtrr_state mtrr;
	struct ept e = ept_for(p, caps, &mtrr, NULL);
	unsigned int pool;

	mtrr_read(&mtrr);
	pool = pool_pages(ept_tables_for(&e, 0, map_top(p)) + ranges * tables_to_hide(1));
	*largest = pool + 1;
	return EFI_PAGES(sizeof(*state)) + pool + 1;
}

/*
 * Sized last, once every other range of Vireo's memory is in p->hv_mem. One
 * page beyond the pool is the decoy shown in place of Vireo's memory.
 */
int ept_setup_alloc(struct partition *p, const struct vmx_caps *caps)
{
	unsigned int pool;
	uint8_t *pages;

	state = platform_alloc_pages(EFI_PAGES(sizeof(*state)));
	if (!state)
		return -HV_ENOMEM;
	mtrr_read(&state->mtrr);
	state->ept = ept_for(p, caps, &state->mtrr, &state->pool);
	pool = pool_pages(ept_tables_for(&state->ept, 0, map_top(p)));
	pages = platform_alloc_pages(pool + 1);
	if (!pages || part_add_hv_range(p, (uint64_t)(uintptr_t)state, EFI_PAGES(sizeof(*state)) * PAGE_SIZE) ||
	    part_add_hv_range(p, (uint64_t)(uintptr_t)pages, (pool + 1) * PAGE_SIZE))
		return -HV_ENOMEM;
	state->pool = (struct ept_pool){ .pages = pages, .nr_pages = pool };
	state->ept.decoy_pa = (uint64_t)(uintptr_t)(pages + pool * PAGE_SIZE);
	p->arch = &state->ept;
	return ept_init(&state->ept);
}

/*
 * The xAPIC page starts read-only for the guest, so that the INIT and SIPI
 * it writes to the ICR reach hv/ipi.c (hv/exit_apic.c) until the INIT rule
 * lets IPIs through (hv/init_rule.c); reads go to the APIC.
 */
int ept_setup_map(struct partition *p)
{
	uint64_t top = map_top(p);
	uint64_t xapic = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK;
	int err = ept_map_range(&state->ept, 0, top);

	if (err) {
		log_err("ept: out of table pages mapping %#llx bytes", (unsigned long long)top);
		return err;
	}
	err = ept_set_writable(&state->ept, xapic, false);
	if (err) {
		log_err("ept: cannot write-protect the xAPIC page at %#llx", (unsigned long long)xapic);
		return err;
	}
	p->xapic_gpa = xapic;
	log_info("ept: guest-physical 0-%#llx mapped (%u table pages, %u more in reserve), %u ranges of Vireo's hidden",
		 (unsigned long long)top, state->pool.used, state->pool.nr_pages - state->pool.used, p->nr_hv_mem);
	return 0;
}

void ept_setup_xapic_writable(const struct partition *p)
{
	if (p->xapic_gpa)
		ept_set_writable(&state->ept, p->xapic_gpa, true);
}
