/* SPDX-License-Identifier: MIT */
/*
 * The TSC and local APIC timer rates the guest is told through the viridian
 * frequency MSRs: from CPUID leaf 0x15 where the processor reports them,
 * otherwise measured against the firmware's timer.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "boot/clock.h"
#include "boot/platform_efi.h"
#include "hv/log.h"

#define MEASURE_US		50000
#define ROUND_HZ		10000

#define XAPIC_LVT_TIMER		0x320
#define XAPIC_TIMER_INITIAL	0x380
#define XAPIC_TIMER_CURRENT	0x390
#define XAPIC_TIMER_DIVIDE	0x3e0
#define LVT_MASKED		BIT(16)
#define TIMER_DIVIDE_BY_1	0xb

static uint64_t round_hz(uint64_t hz)
{
	return (hz + ROUND_HZ / 2) / ROUND_HZ * ROUND_HZ;
}

/* CPUID 0x15 (SDM "Time Stamp Counter and Nominal Core Crystal Clock Information Leaf"). */
static uint64_t crystal_hz(uint64_t *tsc_hz)
{
	struct cpuid_regs r;

	cpu_cpuid(0, 0, &r);
	if (r.eax < 0x15)
		return 0;
	cpu_cpuid(0x15, 0, &r);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	*tsc_hz = (uint64_t)r.ecx * r.ebx / r.eax;
	return r.ecx;
}

/*
 * Counts the APIC timer down, masked, over a known interval, then puts back
 * what the firmware had programmed.
 */
static uint64_t measure_apic_hz(void)
{
	uint32_t lvt = apic_read(XAPIC_LVT_TIMER), divide = apic_read(XAPIC_TIMER_DIVIDE);
	uint32_t initial = apic_read(XAPIC_TIMER_INITIAL), remaining;

	apic_write(XAPIC_LVT_TIMER, lvt | LVT_MASKED);
	apic_write(XAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
	apic_write(XAPIC_TIMER_INITIAL, 0xffffffff);
	platform_stall_us(MEASURE_US);
	remaining = apic_read(XAPIC_TIMER_CURRENT);
	apic_write(XAPIC_TIMER_DIVIDE, divide);
	apic_write(XAPIC_LVT_TIMER, lvt);
	apic_write(XAPIC_TIMER_INITIAL, initial);
	return round_hz((uint64_t)(0xffffffffu - remaining) * (1000000 / MEASURE_US));
}

static uint64_t measure_tsc_hz(void)
{
	uint64_t start = cpu_rdtsc();

	platform_stall_us(MEASURE_US);
	return round_hz((cpu_rdtsc() - start) * (1000000 / MEASURE_US));
}

void clock_measure(uint64_t *tsc_hz, uint64_t *apic_hz)
{
	uint64_t crystal = crystal_hz(tsc_hz);

	if (crystal) {
		*apic_hz = crystal;
		log_info("clock: TSC %llu Hz, APIC timer %llu Hz (CPUID 0x15)",
			 (unsigned long long)*tsc_hz, (unsigned long long)*apic_hz);
		return;
	}
	*tsc_hz = measure_tsc_hz();
	*apic_hz = measure_apic_hz();
	log_info("clock: TSC %llu Hz, APIC timer %llu Hz (measured)",
		 (unsigned long long)*tsc_hz, (unsigned long long)*apic_hz);
}
