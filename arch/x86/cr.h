/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_CR_H
#define ARCH_X86_CR_H

/*
 * CR0 and CR4 of a guest under VMX: which bits Vireo owns, what the guest
 * reads, and the rules of MOV to CR0/CR4 that Vireo applies when such a
 * write exits. Pure logic over register values, tested on the host.
 */

#include "arch/x86/vmx_caps.h"

/* SDM "Control Registers". */
#define X86_CR0_PE	BIT(0)
#define X86_CR0_MP	BIT(1)
#define X86_CR0_EM	BIT(2)
#define X86_CR0_TS	BIT(3)
#define X86_CR0_ET	BIT(4)
#define X86_CR0_NE	BIT(5)
#define X86_CR0_WP	BIT(16)
#define X86_CR0_AM	BIT(18)
#define X86_CR0_NW	BIT(29)
#define X86_CR0_CD	BIT(30)
#define X86_CR0_PG	BIT(31)
/* The CR0 bits a MOV to CR0 can change; ET reads 1 and the others 0 whatever is written. */
#define X86_CR0_WRITABLE	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_NE | X86_CR0_WP | \
				 X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define X86_CR4_PSE	BIT(4)
#define X86_CR4_PAE	BIT(5)
#define X86_CR4_PGE	BIT(7)
#define X86_CR4_LA57	BIT(12)
#define X86_CR4_VMXE	BIT(13)
#define X86_CR4_SMXE	BIT(14)
#define X86_CR4_PCIDE	BIT(17)
#define X86_CR4_OSXSAVE	BIT(18)
#define X86_CR4_SMEP	BIT(20)
#define X86_CR4_SMAP	BIT(21)
#define X86_CR4_PKE	BIT(22)
#define X86_CR4_CET	BIT(23)
#define X86_EFER_LME	BIT(8)
#define X86_EFER_LMA	BIT(10)

/*
 * The bits Vireo owns (the guest/host masks, SDM "Guest/Host Masks and
 * Read Shadows for CR0 and CR4"): those VMX fixes (SDM "VMX-Fixed Bits in
 * CR0 and CR4"), except PE and PG with unrestricted guest, and in CR4 VMXE,
 * which the guest must see clear since VMX is hidden. In CR0 also ET and
 * the reserved bits, which no MOV to CR0 changes: a guest write that tries
 * exits and Vireo keeps them as the processor does (cr0_loaded), instead of
 * trusting whatever runs below to: KVM as the host of a nested guest puts
 * the value as written into the read shadow when it carries out such a
 * write itself, so the guest would read back the bits the processor drops.
 * A guest write that would change an owned bit exits; every other bit is
 * the guest's own and changes in the register without Vireo.
 */
uint64_t cr0_host_owned(const struct vmx_caps *c);
uint64_t cr4_host_owned(const struct vmx_caps *c);

/*
 * What MOV from CR0/CR4 gives the guest: its own bits from the register,
 * Vireo's from the read shadow, which holds what the guest last wrote.
 */
static inline uint64_t cr_guest_view(uint64_t reg, uint64_t shadow, uint64_t host_owned)
{
	return (reg & ~host_owned) | (shadow & host_owned);
}

/* The state a MOV to CR0/CR4 is checked against, as the guest sees it. */
struct cr_state {
	uint64_t cr0, cr3, cr4, efer;
	bool cs_l;			/* CS.L: 64-bit code while IA32_EFER.LMA is set */
};

/*
 * Whether MOV to CR0 of value raises #GP on a processor in state s (SDM
 * "MOV—Move to/from Control Registers"; "Initializing IA-32e Mode"):
 * bits 63:32 set, PG without PE, NW without CD, WP clear with CR4.CET,
 * paging enabled with EFER.LME but not CR4.PAE or from 64-bit code, paging
 * disabled in 64-bit mode or with CR4.PCIDE. Reserved bits 28:19, 17 and
 * 15:6 and ET are not checked: the processor ignores them.
 */
bool cr0_write_faults(const struct cr_state *s, uint64_t value);

/*
 * What CR0 holds after a MOV to CR0 of value that does not fault: the
 * reserved bits stay clear and ET stays set, whatever was written (SDM
 * "MOV—Move to/from Control Registers": "attempts to set them have no
 * impact"; "Control Registers": ET is hardcoded to 1).
 */
static inline uint64_t cr0_loaded(uint64_t value)
{
	return (value & X86_CR0_WRITABLE) | X86_CR0_ET;
}

/*
 * The same for CR4 (SDM "MOV—Move to/from Control Registers", "Process-
 * Context Identifiers"): a bit outside allowed, PAE clear or LA57 changed
 * in IA-32e mode, PCIDE set outside IA-32e mode or with CR3[11:0] not 0,
 * CET set with CR0.WP clear.
 */
bool cr4_write_faults(const struct cr_state *s, uint64_t value, uint64_t allowed);

/* PAE paging: CR0.PG and CR4.PAE outside IA-32e mode (SDM "Paging Modes and Control Bits"). */
static inline bool cr_pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & X86_EFER_LMA);
}

/*
 * Whether a write that changed CR0 from old_cr0 to cr0 and CR4 from
 * old_cr4 to cr4 loads the PDPTE registers from the table at CR3: when PAE
 * paging is in use afterwards and CD, NW, PG, PAE, PGE, PSE or SMEP
 * changed (SDM "PDPTE Registers").
 */
bool cr_write_loads_pdptes(uint64_t old_cr0, uint64_t cr0, uint64_t old_cr4, uint64_t cr4, uint64_t efer);

/*
 * Whether the processor accepts a PDPTE: a present entry must have bits
 * 2:1, 8:5 and MAXPHYADDR-63 clear, or the MOV that loads it raises #GP.
 */
bool cr_pdpte_valid(uint64_t pdpte, unsigned int maxphyaddr);

#endif
