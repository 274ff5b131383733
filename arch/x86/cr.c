/* SPDX-License-Identifier: MIT */
/* CR0 and CR4 of a guest under VMX (arch/x86/cr.h). */
#include "arch/x86/cr.h"

#define PDPTE_P			BIT(0)
#define PDPTE_RESERVED		0x1e6ULL	/* bits 8:5 and 2:1 */

uint64_t cr0_host_owned(const struct vmx_caps *c)
{
	uint64_t fixed = c->cr0_fixed0 | ~c->cr0_fixed1;

	if (c->secondary & SECONDARY_EXEC_UNRESTRICTED_GUEST)
		fixed &= ~(uint64_t)(X86_CR0_PE | X86_CR0_PG);
	return fixed | ~(uint64_t)X86_CR0_WRITABLE;
}

uint64_t cr4_host_owned(const struct vmx_caps *c)
{
	return c->cr4_fixed0 | ~c->cr4_fixed1 | X86_CR4_VMXE;
}

static bool ia32e(const struct cr_state *s)
{
	return s->efer & X86_EFER_LMA;
}

bool cr0_write_faults(const struct cr_state *s, uint64_t value)
{
	bool paging_on = !(s->cr0 & X86_CR0_PG) && (value & X86_CR0_PG);
	bool paging_off = (s->cr0 & X86_CR0_PG) && !(value & X86_CR0_PG);

	if ((value >> 32) || ((value & X86_CR0_PG) && !(value & X86_CR0_PE)) ||
	    ((value & X86_CR0_NW) && !(value & X86_CR0_CD)))
		return true;
	if (!(value & X86_CR0_WP) && (s->cr4 & X86_CR4_CET))
		return true;
	if (paging_on && (s->efer & X86_EFER_LME) && (!(s->cr4 & X86_CR4_PAE) || s->cs_l))
		return true;
	return paging_off && ia32e(s) && (s->cs_l || (s->cr4 & X86_CR4_PCIDE));
}

bool cr4_write_faults(const struct cr_state *s, uint64_t value, uint64_t allowed)
{
	if (value & ~allowed)
		return true;
	if (ia32e(s) && (!(value & X86_CR4_PAE) || ((value ^ s->cr4) & X86_CR4_LA57)))
		return true;
	if ((value & X86_CR4_PCIDE) && !(s->cr4 & X86_CR4_PCIDE) && (!ia32e(s) || (s->cr3 & 0xfff)))
		return true;
	return (value & X86_CR4_CET) && !(s->cr0 & X86_CR0_WP);
}

bool cr_write_loads_pdptes(uint64_t old_cr0, uint64_t cr0, uint64_t old_cr4, uint64_t cr4, uint64_t efer)
{
	uint64_t cr0_bits = X86_CR0_CD | X86_CR0_NW | X86_CR0_PG;
	uint64_t cr4_bits = X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE | X86_CR4_SMEP;

	return cr_pae_paging(cr0, cr4, efer) && (((old_cr0 ^ cr0) & cr0_bits) || ((old_cr4 ^ cr4) & cr4_bits));
}

bool cr_pdpte_valid(uint64_t pdpte, unsigned int maxphyaddr)
{
	uint64_t above = maxphyaddr < 64 ? ~0ULL << maxphyaddr : 0;

	return !(pdpte & PDPTE_P) || !(pdpte & (PDPTE_RESERVED | above));
}
