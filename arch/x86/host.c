/* SPDX-License-Identifier: MIT */
#include "arch/x86/cpu.h"
#include "arch/x86/host.h"
#include "arch/x86/processor.h"
#include "arch/x86/vmx.h"
#include "boot/platform.h"
#include "hv/errno.h"
#include "hv/log.h"

#define PTE_PRESENT	BIT(0)
#define PTE_WRITE	BIT(1)
#define PTE_LARGE	BIT(7)
#define CPUID_80000001_EDX_PDPE1GB BIT(26)

extern const uint64_t host_exception_stubs[32];
extern const uint64_t host_extable_start[], host_extable_end[];

#define HOST_PD_PAGES	64		/* 64 GiB in 2 MiB pages */

static uint64_t *host_pml4;
static struct idt_gate *host_idt;

static bool has_1g_pages(void)
{
	struct cpuid_regs r;

	cpu_cpuid(0x80000001, 0, &r);
	return r.edx & CPUID_80000001_EDX_PDPE1GB;
}

/*
 * An identity map of physical memory for the host: 512 GiB with 1 GiB pages
 * where the processor has them, else 64 GiB with 2 MiB pages. Write-back in
 * the PAT; the MTRRs still make MMIO uncacheable (SDM "Memory Type Range
 * Registers (MTRRs)").
 */
static int host_paging_init(void)
{
	uint64_t *pdpt, *pds;

	host_pml4 = platform_alloc_pages(1);
	pdpt = platform_alloc_pages(1);
	if (!host_pml4 || !pdpt)
		return -HV_ENOMEM;
	host_pml4[0] = (uint64_t)(uintptr_t)pdpt | PTE_PRESENT | PTE_WRITE;

	if (has_1g_pages()) {
		for (uint64_t i = 0; i < 512; i++)
			pdpt[i] = i << 30 | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
		return 0;
	}
	pds = platform_alloc_pages(HOST_PD_PAGES);
	if (!pds)
		return -HV_ENOMEM;
	for (uint64_t i = 0; i < HOST_PD_PAGES; i++) {
		uint64_t *pd = pds + 512 * i;

		pdpt[i] = (uint64_t)(uintptr_t)pd | PTE_PRESENT | PTE_WRITE;
		for (uint64_t j = 0; j < 512; j++)
			pd[j] = (i << 30 | j << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	}
	return 0;
}

/* #DF and NMI switch to IST1 so a broken host stack still gets reported. */
static uint8_t exception_ist(unsigned int vector)
{
	return vector == 2 || vector == 8 ? 1 : 0;
}

static int host_idt_init(void)
{
	host_idt = platform_alloc_pages(1);
	if (!host_idt)
		return -HV_ENOMEM;
	for (unsigned int v = 0; v < 32; v++)
		host_idt[v] = idt_gate(host_exception_stubs[v], HOST_CS, exception_ist(v), IDT_INTERRUPT_GATE);
	return 0;
}

unsigned int host_pages(void)
{
	return 2 + (has_1g_pages() ? 0 : HOST_PD_PAGES) + 1;	/* PML4, PDPT, [PDs], IDT */
}

int host_init(void)
{
	return host_paging_init() ?: host_idt_init();
}

void host_cpu_init(struct host_cpu *hc)
{
	uint64_t tss = (uint64_t)(uintptr_t)&hc->tss;
	uint64_t limit = sizeof(hc->tss) - 1;

	hc->gdt[0] = 0;
	hc->gdt[1] = 0x00af9b000000ffffULL;	/* 64-bit code, DPL 0 */
	hc->gdt[2] = 0x00cf93000000ffffULL;	/* data, DPL 0 */
	/* 64-bit available TSS (type 9), SDM "TSS Descriptor in 64-bit mode" */
	hc->gdt[3] = (limit & 0xffff) | (tss & 0xffffff) << 16 | 0x89ULL << 40 |
		     ((limit >> 16) & 0xf) << 48 | ((tss >> 24) & 0xff) << 56;
	hc->gdt[4] = tss >> 32;
	hc->tss.ist[0] = (uint64_t)(uintptr_t)(hc->df_stack + sizeof(hc->df_stack));
	hc->tss.iomap_base = sizeof(hc->tss);
}

uint64_t host_cr3(void)
{
	return (uint64_t)(uintptr_t)host_pml4;
}

uint64_t host_idt_base(void)
{
	return (uint64_t)(uintptr_t)host_idt;
}

static bool fixup_exception(struct host_exception_frame *f)
{
	/* The table's bounds are symbols of vmx_entry.asm around one array. */
	// cppcheck-suppress comparePointers
	for (const uint64_t *e = host_extable_start; e < host_extable_end; e += 2) {
		if (e[0] == f->rip) {
			f->rip = e[1];
			return true;
		}
	}
	return false;
}

/*
 * An exception in the host is a Vireo bug, except for a #GP (or #UD) of the
 * *_safe accessors, which the exception table turns into an error return.
 */
void host_exception(struct host_exception_frame *f)
{
	if ((f->vector == 13 || f->vector == 6) && fixup_exception(f))
		return;
	/* NMIs belong to the guest, or kick this processor out of it (arch/x86/vmx_exit.c). */
	if (f->vector == 2) {
		vmx_nmi_in_host(vmx_current_vcpu());
		return;
	}
	log_err("host: exception %llu, error code %#llx, at rip %#llx rsp %#llx",
		(unsigned long long)f->vector, (unsigned long long)f->error_code,
		(unsigned long long)f->rip, (unsigned long long)f->rsp);
	log_err("host: rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx",
		(unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
		(unsigned long long)f->rdx, (unsigned long long)f->rsi, (unsigned long long)f->rdi);
	log_err("host: processor halted");
	cpu_halt_forever();
}
