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

#define XAPIC_TPR	0x080
#define XAPIC_EOI	0x0b0
#define XAPIC_ICR_LOW	0x300
#define XAPIC_ICR_HIGH	0x310
#define APIC_BASE_MASK	0x000ffffffffff000ULL

#define X2APIC_MSR(offset)	(0x800 + (offset) / 16)

static bool x2apic_enabled(void)
{
	return rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC;
}

static volatile uint32_t *xapic_reg(unsigned int offset)
{
	return phys_to_virt((rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_MASK) + offset);
}

uint32_t apic_read(unsigned int offset)
{
	if (x2apic_enabled())
		return (uint32_t)rdmsr(X2APIC_MSR(offset));
	return *xapic_reg(offset);
}

void apic_write(unsigned int offset, uint32_t value)
{
	if (x2apic_enabled())
		wrmsr(X2APIC_MSR(offset), value);
	else
		*xapic_reg(offset) = value;
}

/* The x2APIC EOI register takes only 0; anything else raises #GP (SDM "x2APIC Register Availability"). */
void apic_write_eoi(uint32_t value)
{
	apic_write(XAPIC_EOI, x2apic_enabled() ? 0 : value);
}

/*
 * The xAPIC ICR keeps the 8-bit destination in bits 63:56; the x2APIC ICR
 * has a 32-bit destination in bits 63:32 (SDM "x2APIC Interrupt Command
 * Register (ICR) Operation").
 */
uint64_t apic_read_icr(void)
{
	uint64_t icr;

	if (x2apic_enabled()) {
		icr = rdmsr(MSR_X2APIC_ICR);
		return ((icr >> 32) & 0xff) << 56 | (uint32_t)icr;
	}
	return (uint64_t)*xapic_reg(XAPIC_ICR_HIGH) << 32 | *xapic_reg(XAPIC_ICR_LOW);
}

void apic_write_icr(uint64_t value)
{
	if (x2apic_enabled()) {
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
