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

uint32_t cpu_in(uint16_t port, unsigned int size)
{
	uint32_t v = 0;

	if (size == 1)
		asm volatile("inb %1, %b0" : "=a"(v) : "Nd"(port));
	else if (size == 2)
		asm volatile("inw %1, %w0" : "=a"(v) : "Nd"(port));
	else
		asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void cpu_out(uint16_t port, unsigned int size, uint32_t value)
{
	if (size == 1)
		asm volatile("outb %b0, %1" : : "a"(value), "Nd"(port));
	else if (size == 2)
		asm volatile("outw %w0, %1" : : "a"(value), "Nd"(port));
	else
		asm volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}
