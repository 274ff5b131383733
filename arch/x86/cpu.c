/* SPDX-License-Identifier: MIT */
#include "arch/x86/cpu.h"

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	asm volatile("cpuid" : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(subleaf));
}

uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

void cpu_wbinvd(void)
{
	asm volatile("wbinvd" ::: "memory");
}

void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}
