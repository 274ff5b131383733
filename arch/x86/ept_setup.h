/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_EPT_SETUP_H
#define ARCH_X86_EPT_SETUP_H

struct partition;
struct vmx_caps;

/* Allocates the partition's EPT (p->arch) and its table pool; -HV_ENOMEM. */
int ept_setup_alloc(struct partition *p, const struct vmx_caps *caps);
/* The pages ept_setup_alloc takes, and in *largest its largest single allocation. */
unsigned int ept_setup_pages(unsigned int *largest);
/* Maps guest RAM and the first 4 GiB; call once p->hv_mem lists all of Vireo's memory. */
int ept_setup_map(struct partition *p);

#endif
