/* SPDX-License-Identifier: MIT */
/*
 * Guest linear-address translation through the guest's page tables (SDM
 * Vol. 3, "Paging": "32-Bit Paging", "PAE Paging", "4-Level Paging and
 * 5-Level Paging"). Only what translation needs: the present bit, the page
 * size bit where it exists, and the physical-address bits of each entry.
 * PAE paging reads the PDPTEs from memory at CR3 rather than the copies the
 * processor loaded when CR3 was written.
 */
#include "hv/errno.h"
#include "hv/gmem.h"
#include "hv/guest_walk.h"

#define CR0_PG		BIT(31)
#define CR4_PSE		BIT(4)
#define CR4_PAE		BIT(5)
#define CR4_LA57	BIT(12)
#define EFER_LMA	BIT(10)

#define PTE_P		BIT(0)
#define PTE_PS		BIT(7)
#define PTE_ADDR	0x000ffffffffff000ULL	/* bits 51:12 */

#define PAE_PDPT_ADDR	0xffffffe0ULL		/* CR3 bits 31:5 */
#define PSE_4M_ADDR	0xffc00000ULL		/* PDE bits 31:22 of a 4 MiB page */
#define PSE_36_SHIFT	13			/* PDE bits 20:13: address bits 39:32 */

/* The entry at index of a table of 8-byte entries: 0 when it can be read and is present. */
static int read_pte64(const struct partition *p, uint64_t table, unsigned int index, uint64_t *entry)
{
	if (gmem_read(p, (table & PTE_ADDR) + 8ULL * index, entry, sizeof(*entry)) || !(*entry & PTE_P))
		return -HV_EFAULT;
	return 0;
}

/* Walks 8-byte-entry tables from level top down to 1; PS makes a leaf at levels 2 and 3. */
static int walk64(const struct partition *p, uint64_t table, int top, uint64_t linear, uint64_t *gpa)
{
	for (int level = top; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (unsigned int)(level - 1);
		uint64_t entry;

		if (read_pte64(p, table, (linear >> shift) & 0x1ff, &entry))
			return -HV_EFAULT;
		if (level == 1 || (level <= 3 && (entry & PTE_PS))) {
			uint64_t offset = (1ULL << shift) - 1;

			*gpa = (entry & PTE_ADDR & ~offset) | (linear & offset);
			return 0;
		}
		table = entry;
	}
	return -HV_EFAULT;
}

static int walk_pae(const struct partition *p, uint64_t cr3, uint32_t linear, uint64_t *gpa)
{
	uint64_t pdpte;

	if (gmem_read(p, (cr3 & PAE_PDPT_ADDR) + 8ULL * (linear >> 30), &pdpte, sizeof(pdpte)) ||
	    !(pdpte & PTE_P))
		return -HV_EFAULT;
	return walk64(p, pdpte, 2, linear, gpa);
}

static int walk_32bit(const struct partition *p, const struct guest_paging *g, uint32_t linear, uint64_t *gpa)
{
	uint32_t pde, pte;

	if (gmem_read(p, (g->cr3 & 0xfffff000) + 4ULL * (linear >> 22), &pde, sizeof(pde)) || !(pde & PTE_P))
		return -HV_EFAULT;
	if ((g->cr4 & CR4_PSE) && (pde & PTE_PS)) {
		*gpa = (pde & PSE_4M_ADDR) | (uint64_t)((pde >> PSE_36_SHIFT) & 0xff) << 32 | (linear & 0x3fffff);
		return 0;
	}
	if (gmem_read(p, (pde & 0xfffff000) + 4ULL * ((linear >> 12) & 0x3ff), &pte, sizeof(pte)) ||
	    !(pte & PTE_P))
		return -HV_EFAULT;
	*gpa = (pte & 0xfffff000) | (linear & 0xfff);
	return 0;
}

int guest_linear_to_phys(const struct partition *p, const struct guest_paging *g, uint64_t linear, uint64_t *gpa)
{
	if (!(g->cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffff;
		return 0;
	}
	if (g->efer & EFER_LMA)
		return walk64(p, g->cr3, g->cr4 & CR4_LA57 ? 5 : 4, linear, gpa);
	if (g->cr4 & CR4_PAE)
		return walk_pae(p, g->cr3, (uint32_t)linear, gpa);
	return walk_32bit(p, g, (uint32_t)linear, gpa);
}
