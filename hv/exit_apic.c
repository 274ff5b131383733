/* SPDX-License-Identifier: MIT */
/*
 * Guest writes to the xAPIC page. Where Vireo intercepts IPIs
 * (hv/init_rule.c), EPT maps the page read-only (reads go to the local
 * APIC), so a store to it exits as an EPT violation. Vireo decodes the
 * store, carries it out on this processor's local APIC, and hands INIT and
 * SIPI written to the ICR to hv/ipi.c instead. When the
 * APIC does not answer there (globally disabled, in x2APIC mode, moved),
 * the page is plain physical memory and the store goes there unchanged,
 * as on bare metal. The length of the instruction comes from the decoder:
 * VM exits for EPT violations do not report it (SDM "VM-Exit Instruction
 * Length"). So does the register the store is to (below).
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/insn_store.h"
#include "hv/exit.h"
#include "hv/ipi.h"
#include "hv/log.h"
#include "hv/partition.h"

#define MAX_INSN_LEN		15

/* Exit qualification for EPT violations: the access was a write (SDM "Exit Qualification for EPT Violations"). */
#define EPT_QUAL_WRITE		BIT(1)

/*
 * A store by an instruction: one made while delivering an event (its frame
 * pushed onto a stack in the APIC page) is not the instruction at RIP, and
 * is not emulated.
 */
bool exit_is_xapic_write(const struct vcpu *v)
{
	uint64_t page = v->part->xapic_gpa;

	return page && (v->exit_gpa & PAGE_MASK) == page && (v->exit_qual & EPT_QUAL_WRITE) && !v->exit_in_delivery;
}

static uint64_t store_value(const struct vcpu *v, const struct insn_store *st)
{
	if (!st->from_reg)
		return st->imm;
	if (st->high_byte)
		return (vcpu_read_gpr(v, st->reg) >> 8) & 0xff;
	return vcpu_read_gpr(v, st->reg);
}

/*
 * The guest-physical address of the store: the page from the exit, the
 * offset in it from the instruction's own operand. An EPT violation reports
 * the whole address (SDM "Exit Qualification for EPT Violations"), but KVM
 * (Linux 6.1, arch/x86/kvm/mmu/paging_tmpl.h) reflects to its L1 guest the
 * EPT violations it finds while emulating an L2 instruction with the
 * address of the page alone: the last step of its walk translates the
 * page's frame, not the address. A nested guest's EOI then came to Vireo
 * as a write to offset 0, the interrupt stayed in service, and the guest's
 * timer never ticked again. A linear address and the physical address it
 * maps to share their offset in the 4-KByte page under every paging mode.
 */
static uint64_t store_gpa(const struct vcpu *v, const struct insn_store *st)
{
	uint64_t base, index = 0, linear;

	if (st->base == INSN_BASE_RIP)
		base = v->rip + st->len;
	else
		base = st->base == INSN_NO_REG ? 0 : vcpu_read_gpr(v, st->base);
	if (st->index != INSN_NO_REG)
		index = vcpu_read_gpr(v, st->index);
	linear = vcpu_segment_base(v, st->seg) + insn_store_offset(st, base, index);
	return (v->exit_gpa & PAGE_MASK) | (linear & ~PAGE_MASK);
}

/* One store of the instruction's size, as the guest would have made it. */
static void memory_store(uint64_t pa, const struct insn_store *st, uint64_t value)
{
	void *p = phys_to_virt(pa);

	switch (st->size) {
	case 1:
		*(volatile uint8_t *)p = (uint8_t)value;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)value;
		break;
	case 4:
		*(volatile uint32_t *)p = (uint32_t)value;
		break;
	default:
		*(volatile uint64_t *)p = value;
		break;
	}
}

/* APIC registers are 32 bits wide and 16-byte aligned; other accesses are undefined (SDM "Local APIC Register Address Map"). */
static void apic_store(struct vcpu *v, unsigned int offset, uint32_t value)
{
	uint64_t icr;

	if (offset != XAPIC_ICR_LOW) {
		apic_write(offset, value);
		return;
	}
	icr = icr_from_xapic((uint64_t)apic_read(XAPIC_ICR_HIGH) << 32 | value);
	if (!ipi_intercept(v, icr, false))
		apic_write(XAPIC_ICR_LOW, value);
}

enum exit_action exit_xapic_write(struct vcpu *v)
{
	uint8_t insn[MAX_INSN_LEN];
	unsigned int code_bits, offset = (unsigned int)(v->exit_gpa & ~PAGE_MASK);
	size_t len = vcpu_fetch_insn(v, insn, sizeof(insn), &code_bits);
	struct insn_store st;
	uint64_t gpa;

	if (insn_decode_store(insn, len, code_bits, &st)) {
		log_err("vcpu%u: write to the local APIC at offset %#x by an instruction Vireo does not emulate "
			"(rip %#llx, bytes %02x %02x %02x %02x)", v->vp_index, offset, (unsigned long long)v->rip,
			len > 0 ? insn[0] : 0, len > 1 ? insn[1] : 0, len > 2 ? insn[2] : 0, len > 3 ? insn[3] : 0);
		return EXIT_STOP_VCPU;
	}
	gpa = store_gpa(v, &st);
	offset = (unsigned int)(gpa & ~PAGE_MASK);
	if (!apic_xapic_decodes(v->part->xapic_gpa))
		memory_store(gpa, &st, store_value(v, &st));
	else if (st.size == 4 && !(offset & 0xf))
		apic_store(v, offset, (uint32_t)store_value(v, &st));
	else
		log_guest_warn("vcpu%u: %u-byte write to the local APIC at offset %#x ignored: only aligned 32-bit "
			       "accesses are defined", v->vp_index, st.size, offset);
	v->rip += st.len;
	v->rip_changed = true;
	return EXIT_RESUME;
}
