/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

/*
 * What the hypervisor core needs from the processor, behind functions so that
 * hv/ and viridian/ link against tests/unit/fake_cpu.c in the hosted build.
 */

#include "hv/compiler.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* CPUID.1:ECX feature bits Vireo looks at (SDM "CPUID", Feature Information). */
#define CPUID_1_ECX_VMX			BIT(5)
#define CPUID_1_ECX_XSAVE		BIT(26)
#define CPUID_1_ECX_HYPERVISOR		BIT(31)

/* CPUID 0x80000007 EDX: the TSC runs at a constant rate in every ACPI P-, C- and T-state (SDM "Invariant TSC"). */
#define CPUID_EXT_MAX_LEAF		0x80000000u
#define CPUID_EXT_POWER_MGMT		0x80000007u
#define CPUID_80000007_EDX_INVARIANT_TSC	BIT(8)

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

/* 0 on success, -1 if the processor raised #GP. */
int cpu_rdmsr_safe(uint32_t msr, uint64_t *val);
int cpu_wrmsr_safe(uint32_t msr, uint64_t val);
int cpu_xsetbv_safe(uint32_t index, uint64_t val);

uint64_t cpu_rdtsc(void);

/* Port I/O of 1, 2 or 4 bytes, carried out for the guest. */
uint32_t cpu_in(uint16_t port, unsigned int size);
void cpu_out(uint16_t port, unsigned int size, uint32_t value);

/* Write back and invalidate the caches: what INVD becomes for a guest (SDM "INVD"). */
void cpu_wbinvd(void);

/* The body of a spin-wait loop (SDM "PAUSE"). */
static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/* Host virtual address of a physical address (Vireo's host page tables are an identity map). */
void *phys_to_virt(uint64_t pa);

#endif
