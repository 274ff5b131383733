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

/* Tables for the load-time map plus what lazily mapped MMIO and decoys need later. */
#define EPT_POOL_PAGES	256
#define FOUR_GIB	(4ULL << 30)

static struct ept_state {
	struct ept ept;
	struct ept_pool pool;
	struct mtrr_state mtrr;
} *state;

unsigned int ept_setup_pages(unsigned int *largest)
{
	*largest = EPT_POOL_PAGES + 1;
	return EFI_PAGES(sizeof(*state)) + EPT_POOL_PAGES + 1;
}

int ept_setup_alloc(struct partition *p, const struct vmx_caps *caps)
{
	state = platform_alloc_pages(EFI_PAGES(sizeof(*state)));
	if (!state)
		return -HV_ENOMEM;
	state->pool.pages = platform_alloc_pages(EPT_POOL_PAGES + 1);
	if (!state->pool.pages)
		return -HV_ENOMEM;
	state->pool.nr_pages = EPT_POOL_PAGES;
	mtrr_read(&state->mtrr);
	state->ept = (struct ept){
		.pages_1g = caps->ept_vpid & VMX_EPT_1GB_PAGES,
		.pages_2m = caps->ept_vpid & VMX_EPT_2MB_PAGES,
		.mtrr = &state->mtrr,
		.part = p,
		.pool = &state->pool,
		.decoy_pa = (uint64_t)(uintptr_t)(state->pool.pages + EPT_POOL_PAGES * PAGE_SIZE),
	};
	p->arch = &state->ept;
	return ept_init(&state->ept);
}

/*
 * The xAPIC page is read-only for the guest, so that the INIT and SIPI it
 * writes to the ICR reach hv/ipi.c (hv/exit_apic.c); reads go to the APIC.
 */
int ept_setup_map(struct partition *p)
{
	uint64_t top = ALIGN_UP(p->ram_top > FOUR_GIB ? p->ram_top : FOUR_GIB, 1ULL << 30);
	uint64_t xapic = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK;
	int err = ept_map_range(&state->ept, 0, top);

	if (err) {
		log_err("ept: out of table pages mapping %#llx bytes", (unsigned long long)top);
		return err;
	}
	err = ept_write_protect(&state->ept, xapic);
	if (err) {
		log_err("ept: cannot write-protect the xAPIC page at %#llx", (unsigned long long)xapic);
		return err;
	}
	p->xapic_gpa = xapic;
	log_info("ept: guest-physical 0-%#llx mapped (%u table pages), %u ranges of Vireo's hidden",
		 (unsigned long long)top, state->pool.used, p->nr_hv_mem);
	return 0;
}
