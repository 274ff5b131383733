/* SPDX-License-Identifier: MIT */
/*
 * Guest state that only some handlers need, read or changed in the current
 * VMCS on demand: privilege level and mode, RSP, the control registers
 * Vireo owns bits of, the INIT/SIPI start-up, EPT faults.
 */
#include "arch/x86/ept.h"
#include "arch/x86/insn_store.h"
#include "arch/x86/msr.h"
#include "arch/x86/processor.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "hv/gmem.h"
#include "hv/guest_walk.h"
#include "hv/partition.h"
#include "hv/vcpu.h"

#define AR_DPL_SHIFT	5
#define AR_L		BIT(13)
#define AR_DB		BIT(14)
#define PAE_PDPT_ADDR	0xffffffe0ULL		/* CR3 bits 31:5 */

static const struct vmx_caps *caps_of(const struct vcpu *v)
{
	return ((const struct vmx_vcpu *)v->arch)->caps;
}

static bool unrestricted_guest(const struct vcpu *v)
{
	return caps_of(v)->secondary & SECONDARY_EXEC_UNRESTRICTED_GUEST;
}

/* The CPL is SS.DPL (SDM "Checks on Guest Segment Registers"). */
unsigned int vcpu_guest_cpl(const struct vcpu *v)
{
	(void)v;
	return (unsigned int)(vmcs_read(GUEST_SS_AR_BYTES) >> AR_DPL_SHIFT) & 3;
}

static uint64_t guest_cr0(const struct vcpu *v)
{
	return cr_guest_view(vmcs_read(GUEST_CR0), vmcs_read(CR0_READ_SHADOW), cr0_host_owned(caps_of(v)));
}

static uint64_t guest_cr4(const struct vcpu *v)
{
	return cr_guest_view(vmcs_read(GUEST_CR4), vmcs_read(CR4_READ_SHADOW), cr4_host_owned(caps_of(v)));
}

/*
 * 64-bit code first, the mode of most guests: IA-32e mode needs paging,
 * and so protection (SDM "Initializing IA-32e Mode"). PE is the guest's own
 * with unrestricted guest: the register has it, the shadow may not.
 */
static __noinline enum guest_mode guest_mode_below_long(const struct vcpu *v)
{
	return guest_cr0(v) & X86_CR0_PE ? GUEST_MODE_PROTECTED : GUEST_MODE_REAL;
}

enum guest_mode vcpu_guest_mode(const struct vcpu *v)
{
	if ((vmcs_read(GUEST_CS_AR_BYTES) & AR_L) && (vmcs_read(GUEST_IA32_EFER) & EFER_LMA))
		return GUEST_MODE_LONG;
	return guest_mode_below_long(v);
}

uint64_t vcpu_segment_base(const struct vcpu *v, unsigned int seg)
{
	static const uint32_t fields[] = {
		[INSN_SEG_ES] = GUEST_ES_BASE, [INSN_SEG_CS] = GUEST_CS_BASE, [INSN_SEG_SS] = GUEST_SS_BASE,
		[INSN_SEG_DS] = GUEST_DS_BASE, [INSN_SEG_FS] = GUEST_FS_BASE, [INSN_SEG_GS] = GUEST_GS_BASE,
	};

	if (seg != INSN_SEG_FS && seg != INSN_SEG_GS && vcpu_guest_mode(v) == GUEST_MODE_LONG)
		return 0;
	return vmcs_read(fields[seg]);
}

uint64_t vcpu_read_rsp(const struct vcpu *v)
{
	(void)v;
	return vmcs_read(GUEST_RSP);
}

void vcpu_write_rsp(struct vcpu *v, uint64_t rsp)
{
	(void)v;
	vmcs_write(GUEST_RSP, rsp);
}

uint64_t vcpu_read_cr(const struct vcpu *v, unsigned int cr)
{
	switch (cr) {
	case 0:
		return guest_cr0(v);
	case 4:
		return guest_cr4(v);
	default:
		return vmcs_read(GUEST_CR3);
	}
}

static struct cr_state guest_cr_state(const struct vcpu *v)
{
	return (struct cr_state){
		.cr0 = guest_cr0(v), .cr3 = vmcs_read(GUEST_CR3), .cr4 = guest_cr4(v),
		.efer = vmcs_read(GUEST_IA32_EFER), .cs_l = vmcs_read(GUEST_CS_AR_BYTES) & AR_L,
	};
}

static unsigned int maxphyaddr(void)
{
	struct cpuid_regs r;

	cpu_cpuid(0x80000008, 0, &r);
	return r.eax & 0xff;
}

/*
 * With EPT, VM entry takes the PDPTEs of PAE paging from the VMCS, not
 * from memory (SDM "Loading Page-Directory-Pointer-Table Entries"), so a
 * write Vireo carries out loads them where the processor would (SDM "PDPTE
 * Registers"). False, and nothing written, if the processor would raise
 * #GP: a present entry with reserved bits, or a table outside guest RAM.
 */
static bool load_pdptes(struct vcpu *v, const struct cr_state *old, uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	static const enum vmcs_field fields[4] = { GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3 };
	uint64_t pdpte[4];
	unsigned int width;

	if (!vmx_has_ept(caps_of(v)) || !cr_write_loads_pdptes(old->cr0, cr0, old->cr4, cr4, efer))
		return true;
	if (gmem_read(v->part, old->cr3 & PAE_PDPT_ADDR, pdpte, sizeof(pdpte)))
		return false;
	width = maxphyaddr();
	for (unsigned int i = 0; i < 4; i++)
		if (!cr_pdpte_valid(pdpte[i], width))
			return false;
	for (unsigned int i = 0; i < 4; i++)
		vmcs_write(fields[i], pdpte[i]);
	return true;
}

/*
 * A MOV to CR0 that exits changes a bit Vireo owns (NE, or PE/PG without
 * unrestricted guest) and is carried out here as the processor would,
 * with every other bit: the register gets the value with the bits VMX
 * fixes, the read shadow what the guest wrote, so a guest may clear NE
 * and read it back clear while the processor runs with NE set. Without
 * unrestricted guest PE and PG must stay set: clearing them is refused.
 *
 * VM entry does not load CD and NW (SDM "Loading Guest Control Registers,
 * Debug Registers, and MSRs"): the host and the guest share them, so a
 * change is made in the host's CR0. Turning paging on or off with
 * EFER.LME set enters or leaves IA-32e mode, which a VMWRITE of CR0 does
 * not do by itself (SDM "IA-32e Mode Operation").
 */
/*
 * A MOV to CR0 or CR4 that changes how linear addresses translate drops
 * cached translations (SDM "Operations that Invalidate TLBs and
 * Paging-Structure Caches"), and so does a MOV to CR3. The processor does
 * that for the writes the guest makes itself; for those Vireo carries out
 * with VMWRITE it is Vireo's to do (with VPIDs the translations outlive
 * the VM entry). The bits here are a superset of the SDM's list: dropping
 * more than needed is always correct.
 */
#define CR0_PAGING_BITS	(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP | X86_CR0_CD)
#define CR4_PAGING_BITS	(X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PCIDE | X86_CR4_SMEP | \
			 X86_CR4_SMAP | X86_CR4_PKE | X86_CR4_LA57)

static bool set_cr0(struct vcpu *v, uint64_t value)
{
	const struct vmx_caps *c = caps_of(v);
	uint64_t fixed0 = c->cr0_fixed0 & cr0_host_owned(c), keep = fixed0 & (X86_CR0_PE | X86_CR0_PG);
	struct cr_state s = guest_cr_state(v);
	uint64_t efer = s.efer, entry = vmcs_read(VM_ENTRY_CONTROLS);

	if (cr0_write_faults(&s, value) || (value & keep) != keep)
		return false;
	value = cr0_loaded(value);
	if (!(s.cr0 & X86_CR0_PG) && (value & X86_CR0_PG) && (efer & X86_EFER_LME)) {
		efer |= EFER_LMA;
		entry |= VM_ENTRY_IA32E_MODE;
	} else if ((s.cr0 & X86_CR0_PG) && !(value & X86_CR0_PG)) {
		efer &= ~EFER_LMA;
		entry &= ~(uint64_t)VM_ENTRY_IA32E_MODE;
	}
	if (!load_pdptes(v, &s, value, s.cr4, efer))
		return false;
	if ((s.cr0 ^ value) & (X86_CR0_CD | X86_CR0_NW))
		write_cr0((read_cr0() & ~(uint64_t)(X86_CR0_CD | X86_CR0_NW)) | (value & (X86_CR0_CD | X86_CR0_NW)));
	vmcs_write(GUEST_CR0, vmx_fix_cr(value, fixed0, c->cr0_fixed1));
	vmcs_write(CR0_READ_SHADOW, value);
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(VM_ENTRY_CONTROLS, entry);
	if ((s.cr0 ^ value) & CR0_PAGING_BITS)
		vcpu_flush_tlb(v);
	return true;
}

/* CR4.VMXE stays Vireo's: VMX is hidden, so the guest setting it gets #GP as on a CPU without VMX. */
static bool set_cr4(struct vcpu *v, uint64_t value)
{
	const struct vmx_caps *c = caps_of(v);
	struct cr_state s = guest_cr_state(v);

	if (cr4_write_faults(&s, value, c->cr4_fixed1 & ~(uint64_t)X86_CR4_VMXE) ||
	    !load_pdptes(v, &s, s.cr0, value, s.efer))
		return false;
	vmcs_write(GUEST_CR4, vmx_fix_cr(value, c->cr4_fixed0, c->cr4_fixed1));
	vmcs_write(CR4_READ_SHADOW, value);
	if ((s.cr4 ^ value) & CR4_PAGING_BITS)
		vcpu_flush_tlb(v);
	return true;
}

bool vcpu_write_cr(struct vcpu *v, unsigned int cr, uint64_t value)
{
	switch (cr) {
	case 0:
		return set_cr0(v, value);
	case 4:
		return set_cr4(v, value);
	default:
		/* With CR4.PCIDE, bit 63 keeps the PCID's translations and is not part of CR3 (SDM "MOV—Move to/from Control Registers"). */
		if ((guest_cr4(v) & X86_CR4_PCIDE) && (value & BIT(63))) {
			vmcs_write(GUEST_CR3, value & ~BIT(63));
			return true;
		}
		vmcs_write(GUEST_CR3, value);
		vcpu_flush_tlb(v);
		return true;
	}
}

bool vcpu_enter_wait_for_sipi(struct vcpu *v)
{
	if (!unrestricted_guest(v))
		return false;
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_SIPI);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	return true;
}

static void write_real_mode_segment(enum vmcs_field selector, uint16_t sel, uint32_t ar)
{
	/* Selector, limit, access rights and base fields of a segment are at fixed offsets from the selector's. */
	unsigned int index = (selector - GUEST_ES_SELECTOR) / 2;

	vmcs_write(selector, sel);
	vmcs_write((enum vmcs_field)(GUEST_ES_BASE + 2 * index), (uint64_t)sel << 4);
	vmcs_write((enum vmcs_field)(GUEST_ES_LIMIT + 2 * index), 0xffff);
	vmcs_write((enum vmcs_field)(GUEST_ES_AR_BYTES + 2 * index), ar);
}

/*
 * The state after INIT, then the SIPI: real mode at CS = vector << 8, IP = 0
 * (SDM "Processor State After Reset or INIT", "MP Initialization Protocol").
 */
void vcpu_start_at_sipi(struct vcpu *v, uint8_t vector)
{
	const struct vmx_caps *c = caps_of(v);
	uint64_t cr0 = 0x60000010;		/* CD, NW, ET */
	uint64_t fixed0 = c->cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);
	struct cpuid_regs r;

	write_real_mode_segment(GUEST_CS_SELECTOR, (uint16_t)(vector << 8), 0x9b);
	write_real_mode_segment(GUEST_SS_SELECTOR, 0, 0x93);
	write_real_mode_segment(GUEST_DS_SELECTOR, 0, 0x93);
	write_real_mode_segment(GUEST_ES_SELECTOR, 0, 0x93);
	write_real_mode_segment(GUEST_FS_SELECTOR, 0, 0x93);
	write_real_mode_segment(GUEST_GS_SELECTOR, 0, 0x93);
	write_real_mode_segment(GUEST_LDTR_SELECTOR, 0, 0x82);
	write_real_mode_segment(GUEST_TR_SELECTOR, 0, 0x8b);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);

	vmcs_write(GUEST_CR0, vmx_fix_cr(cr0, fixed0, c->cr0_fixed1));
	vmcs_write(CR0_READ_SHADOW, cr0);
	/* CD and NW are not loaded by VM entry but shared with the host (set_cr0). */
	write_cr0(read_cr0() | X86_CR0_CD | X86_CR0_NW);
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_CR4, vmx_fix_cr(0, c->cr4_fixed0, c->cr4_fixed1));
	vmcs_write(CR4_READ_SHADOW, 0);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmcs_write(VM_ENTRY_CONTROLS, vmcs_read(VM_ENTRY_CONTROLS) & ~(uint64_t)VM_ENTRY_IA32E_MODE);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RIP, 0);
	vmcs_write(GUEST_RFLAGS, 0x2);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);

	/* INIT leaves no translation behind (SDM "Processor State After Reset or INIT"). */
	vcpu_flush_tlb(v);
	*v->regs = (struct guest_regs){ 0 };
	cpu_cpuid(1, 0, &r);
	v->regs->rdx = r.eax;			/* EDX = family, model, stepping after INIT */
	v->rip = 0;
}

size_t vcpu_fetch_insn(struct vcpu *v, uint8_t *buf, size_t len, unsigned int *code_bits)
{
	struct guest_paging g = {
		.cr0 = vmcs_read(GUEST_CR0), .cr3 = vmcs_read(GUEST_CR3),
		.cr4 = vmcs_read(GUEST_CR4), .efer = vmcs_read(GUEST_IA32_EFER),
	};
	uint64_t cs_ar = vmcs_read(GUEST_CS_AR_BYTES), linear, gpa;
	size_t got = 0, chunk;

	if ((g.efer & EFER_LMA) && (cs_ar & AR_L)) {
		*code_bits = 64;
		linear = v->rip;
	} else {
		*code_bits = cs_ar & AR_DB ? 32 : 16;
		linear = (uint32_t)(vmcs_read(GUEST_CS_BASE) + v->rip);
	}
	while (got < len) {
		chunk = PAGE_SIZE - ((linear + got) & ~PAGE_MASK);
		if (chunk > len - got)
			chunk = len - got;
		if (guest_linear_to_phys(v->part, &g, linear + got, &gpa) || gmem_read(v->part, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

enum vcpu_ept_fault vcpu_ept_fault(struct vcpu *v, uint64_t gpa)
{
	struct ept *e = v->part->arch;

	if (!e)
		return VCPU_EPT_FATAL;
	switch (ept_handle_fault(e, gpa)) {
	case EPT_FAULT_MAPPED:
		return VCPU_EPT_MAPPED;
	case EPT_FAULT_HIDDEN:
		return VCPU_EPT_HIDDEN;
	case EPT_FAULT_FATAL:
		break;
	}
	return VCPU_EPT_FATAL;
}
