/* SPDX-License-Identifier: MIT */
/*
 * The local APIC of the current processor, in the mode the guest chose:
 * x2APIC through MSRs, xAPIC through its MMIO page (SDM "Advanced
 * Programmable Interrupt Controller (APIC)").
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/processor.h"

#define XAPIC_ID	0x020
#define XAPIC_TPR	0x080
#define XAPIC_EOI	0x0b0
#define XAPIC_SVR	0x0f0
#define XAPIC_ISR	0x100		/* eight registers, 0x10 apart */
#define XAPIC_LVT_TIMER	0x320
#define XAPIC_LVT_LINT0	0x350
#define XAPIC_LVT_LINT1	0x360
#define XAPIC_LVT_ERROR	0x370
#define XAPIC_TIMER_ICR	0x380
#define XAPIC_TIMER_DCR	0x3e0

#define LVT_MASKED	BIT(16)
#define ICR_BUSY	BIT(12)		/* xAPIC delivery status: send pending */
#define ICR_NMI		(4u << 8 | 1u << 14)	/* delivery mode NMI, level assert */
#define ICR_INIT	(5u << 8 | 1u << 14)	/* delivery mode INIT, level assert, edge */
#define ICR_FIXED_EDGE	(1u << 14)		/* delivery mode fixed, level assert, edge */

#define X2APIC_MSR(offset)	(0x800 + (offset) / 16)

bool apic_x2apic_mode(void)
{
	return rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC;
}

bool apic_xapic_decodes(uint64_t page)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	return (base & (APIC_BASE_ENABLE | APIC_BASE_X2APIC)) == APIC_BASE_ENABLE &&
	       (base & APIC_BASE_ADDR_MASK) == page;
}

static volatile uint32_t *xapic_reg(unsigned int offset)
{
	return phys_to_virt((rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK) + offset);
}

uint32_t apic_read(unsigned int offset)
{
	if (apic_x2apic_mode())
		return (uint32_t)rdmsr(X2APIC_MSR(offset));
	return *xapic_reg(offset);
}

void apic_write(unsigned int offset, uint32_t value)
{
	if (apic_x2apic_mode())
		wrmsr(X2APIC_MSR(offset), value);
	else
		*xapic_reg(offset) = value;
}

/* The x2APIC ID is all 32 bits; the xAPIC ID is bits 31:24 (SDM "Local APIC ID"). */
uint32_t apic_id(void)
{
	uint32_t id = apic_read(XAPIC_ID);

	return apic_x2apic_mode() ? id : id >> 24;
}

/* The x2APIC EOI register takes only 0; anything else raises #GP (SDM "x2APIC Register Availability"). */
void apic_write_eoi(uint32_t value)
{
	apic_write(XAPIC_EOI, apic_x2apic_mode() ? 0 : value);
}

/*
 * The xAPIC ICR keeps the 8-bit destination in bits 63:56; the x2APIC ICR
 * has a 32-bit destination in bits 63:32 (SDM "x2APIC Interrupt Command
 * Register (ICR) Operation").
 */
uint64_t apic_read_icr(void)
{
	uint64_t icr;

	if (apic_x2apic_mode()) {
		icr = rdmsr(MSR_X2APIC_ICR);
		return ((icr >> 32) & 0xff) << 56 | (uint32_t)icr;
	}
	return (uint64_t)*xapic_reg(XAPIC_ICR_HIGH) << 32 | *xapic_reg(XAPIC_ICR_LOW);
}

void apic_write_icr(uint64_t value)
{
	if (apic_x2apic_mode()) {
		wrmsr(MSR_X2APIC_ICR, (value >> 56) << 32 | (uint32_t)value);
		return;
	}
	/* Writing the low half sends the IPI, so the destination goes first. */
	*xapic_reg(XAPIC_ICR_HIGH) = (uint32_t)(value >> 32);
	*xapic_reg(XAPIC_ICR_LOW) = (uint32_t)value;
}

uint32_t apic_read_tpr(void)
{
	return apic_read(XAPIC_TPR);
}

void apic_write_tpr(uint32_t value)
{
	apic_write(XAPIC_TPR, value);
}

/*
 * An IPI from the host to one processor, physical destination: in xAPIC
 * mode the destination is ICR-high, which the guest may have just written,
 * so it is put back once the send has gone (delivery status idle).
 */
static void send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	uint32_t guest_high;

	if (apic_x2apic_mode()) {
		wrmsr(MSR_X2APIC_ICR, (uint64_t)apic_id << 32 | icr_low);
		return;
	}
	while (*xapic_reg(XAPIC_ICR_LOW) & ICR_BUSY)
		cpu_relax();
	guest_high = *xapic_reg(XAPIC_ICR_HIGH);
	*xapic_reg(XAPIC_ICR_HIGH) = apic_id << 24;
	*xapic_reg(XAPIC_ICR_LOW) = icr_low;
	while (*xapic_reg(XAPIC_ICR_LOW) & ICR_BUSY)
		cpu_relax();
	*xapic_reg(XAPIC_ICR_HIGH) = guest_high;
}

void apic_send_nmi(uint32_t apic_id)
{
	send_ipi(apic_id, ICR_NMI);
}

void apic_send_init(uint32_t apic_id)
{
	send_ipi(apic_id, ICR_INIT);
}

void apic_send_fixed(uint32_t apic_id, uint8_t vector)
{
	send_ipi(apic_id, ICR_FIXED_EDGE | vector);
}

void apic_reset_for_init(void)
{
	static const unsigned int lvts[] = { XAPIC_LVT_TIMER, XAPIC_LVT_LINT0, XAPIC_LVT_LINT1, XAPIC_LVT_ERROR };

	for (size_t i = 0; i < ARRAY_SIZE(lvts); i++)
		apic_write(lvts[i], LVT_MASKED);
	apic_write(XAPIC_TIMER_ICR, 0);
	apic_write(XAPIC_TIMER_DCR, 0);
	apic_write(XAPIC_TPR, 0);
	/* Each EOI retires the highest interrupt in service. */
	for (unsigned int reg = 0; reg < 8; reg++)
		for (unsigned int n = 0; n < 32 && apic_read(XAPIC_ISR + 0x10 * reg); n++)
			apic_write_eoi(0);
	apic_write(XAPIC_SVR, 0xff);
}
