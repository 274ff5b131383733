/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_EPT_SETUP_H
#define ARCH_X86_EPT_SETUP_H

struct partition;
struct vmx_caps;

/*
 * Allocates the partition's EPT (p->arch) and its table pool, sized for this
 * machine; call once p->hv_mem lists the rest of Vireo's memory (the EPT
 * adds its own). 0 or -HV_ENOMEM.
 */
int ept_setup_alloc(struct partition *p, const struct vmx_caps *caps);
/*
 * At most the pages ept_setup_alloc will take once ranges more ranges of
 * Vireo's memory are hidden, and in *largest its largest single allocation:
 * for the memory check before anything is allocated.
 */
unsigned int ept_setup_pages(const struct partition *p, const struct vmx_caps *caps, unsigned int ranges,
			     unsigned int *largest);
/* Maps guest RAM and the first 4 GiB; call once p->hv_mem lists all of Vireo's memory. */
int ept_setup_map(struct partition *p);
/* The xAPIC page writable for the guest again: its APIC writes no longer exit (hv/init_rule.c). */
void ept_setup_xapic_writable(const struct partition *p);

#endif
