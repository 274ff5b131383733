/* SPDX-License-Identifier: MIT */
/*
 * probe.efi bench: what one exit costs the host, in instructions.
 *
 * In Bochs with "clock: sync=none" and one CPU the TSC advances once per
 * instruction, in VMX root and non-root alike, so the TSC difference around
 * an exiting instruction counts the instructions the host ran for its round
 * trip. Each operation is timed BENCH_SAMPLES times with interrupts off;
 * the line is "bench: <name> <median - median of the empty window>", or
 * "bench: <name> #GP"/"#UD" when an instruction that must work faults.
 * "bench: empty <n>" gives the window itself.
 *
 * The reference TSC page is read the way a guest reads it, with the probe's
 * own page behind REFERENCE_TSC: its figure is instructions of the guest
 * alone, as nothing exits.
 *
 * The faulting RDMSR is timed with a #GP handler of three instructions in
 * the IDT in place of the firmware's, so the figure is Vireo's injection
 * plus the guest's delivery of #GP and that handler. The hypercall is made
 * with VMCALL directly (fast, RCX = 0x10008, RDX = 1) once the probe has
 * enabled a hypercall page; the firmware's page is disabled again after.
 */

#include <efi.h>
#include <efilib.h>

#include "arch/x86/processor.h"
#include "hv/compiler.h"
#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

#define BENCH_SAMPLES			101

#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_HYPERCALL		0x40000001
#define HV_X64_MSR_REFERENCE_TSC	0x40000021
#define HV_X64_MSR_TPR			0x40000072
#define PROBE_GUEST_OS_ID		0x8100000000010000ULL
#define HVCALL_NOTIFY_LONG_SPIN_WAIT_FAST	0x10008ULL

#define VEC_GP				13

/* bench_insn.asm */
typedef uint32_t bench_fn(uint64_t rcx, uint32_t eax, uint32_t edx);
bench_fn bench_none, bench_cpuid, bench_rdmsr, bench_wrmsr, bench_vmcall, bench_tsc_page;
void bench_skip_rdmsr_gp(void);

struct idtr {
	uint16_t limit;
	uint64_t base;
} __packed;

struct bench_op {
	const CHAR16 *name;
	bench_fn *fn;
	uint64_t rcx;
	uint32_t eax, edx;
	bool gp;		/* it faults: time it with bench_skip_rdmsr_gp as the #GP handler */
};

static uint32_t median(uint32_t *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		uint32_t x = v[i];
		unsigned int j = i;

		for (; j && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[n / 2];
}

static uint64_t irq_save(void)
{
	uint64_t flags;

	asm volatile("pushfq; pop %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static void irq_restore(uint64_t flags)
{
	asm volatile("push %0; popfq" : : "r"(flags) : "memory", "cc");
}

static struct idt_gate *idt_gp_gate(void)
{
	struct idtr idtr;

	asm volatile("sidt %0" : "=m"(idtr));
	return (struct idt_gate *)(UINTN)idtr.base + VEC_GP;
}

static void idt_set_handler(struct idt_gate *g, void (*handler)(void))
{
	*g = idt_gate((uint64_t)(UINTN)handler, read_cs(), 0, IDT_INTERRUPT_GATE);
}

/* The median of BENCH_SAMPLES timings of op, interrupts off (and the #GP gate swapped if it faults). */
static uint32_t bench_time(const struct bench_op *op)
{
	static uint32_t samples[BENCH_SAMPLES];
	struct idt_gate *gate = idt_gp_gate(), saved = *gate;
	uint64_t flags = irq_save();

	if (op->gp)
		idt_set_handler(gate, bench_skip_rdmsr_gp);
	op->fn(op->rcx, op->eax, op->edx);	/* warm the caches and any first-use path */
	for (unsigned int i = 0; i < BENCH_SAMPLES; i++)
		samples[i] = op->fn(op->rcx, op->eax, op->edx);
	if (op->gp)
		*gate = saved;
	irq_restore(flags);
	return median(samples, BENCH_SAMPLES);
}

static void bench_print(const CHAR16 *name, uint32_t n)
{
	Print(L"bench: %s %u\n", name, n);
}

/* Enables a hypercall page (after a guest identity) and checks one call; its address, or 0. */
static EFI_PHYSICAL_ADDRESS hcall_page_on(void)
{
	EFI_PHYSICAL_ADDRESS pa = 0xffffffff;
	uint64_t out[2];

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderCode, 1, &pa)))
		return 0;
	if (trap_wrmsr(HV_X64_MSR_GUEST_OS_ID, PROBE_GUEST_OS_ID) ||
	    trap_wrmsr(HV_X64_MSR_HYPERCALL, pa | 1) ||
	    trap_vmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT_FAST, 1, 0, out) || out[0]) {
		uefi_call_wrapper(BS->FreePages, 2, pa, 1);
		return 0;
	}
	return pa;
}

static void hcall_page_off(EFI_PHYSICAL_ADDRESS pa)
{
	/* A page the hypervisor may still write to must not go back to the firmware. */
	if (!trap_wrmsr(HV_X64_MSR_HYPERCALL, 0))
		uefi_call_wrapper(BS->FreePages, 2, pa, 1);
	trap_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
}

/* A page of the probe's behind REFERENCE_TSC, valid; its address, or 0. */
static EFI_PHYSICAL_ADDRESS tsc_page_on(void)
{
	EFI_PHYSICAL_ADDRESS pa = 0xffffffff;

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, 1, &pa)))
		return 0;
	if (trap_wrmsr(HV_X64_MSR_REFERENCE_TSC, pa | 1) || !*(volatile uint32_t *)(UINTN)pa) {
		if (!trap_wrmsr(HV_X64_MSR_REFERENCE_TSC, 0))
			uefi_call_wrapper(BS->FreePages, 2, pa, 1);
		return 0;
	}
	return pa;
}

static void bench_reference_tsc(uint32_t base)
{
	EFI_PHYSICAL_ADDRESS page = tsc_page_on();

	if (!page) {
		Print(L"bench: tsc_page_read #GP\n");
		return;
	}
	bench_print(L"tsc_page_read", bench_time(&(struct bench_op){ L"tsc_page_read", bench_tsc_page, page, 0, 0,
					  false }) - base);
	if (!trap_wrmsr(HV_X64_MSR_REFERENCE_TSC, 0))
		uefi_call_wrapper(BS->FreePages, 2, page, 1);
}

void probe_bench(void)
{
	static const struct bench_op empty = { L"empty", bench_none, 0, 0, 0, false };
	struct bench_op ops[] = {
		{ L"cpuid_40000000", bench_cpuid, 0, 0x40000000, 0, false },
		{ L"cpuid_1", bench_cpuid, 0, 1, 0, false },
		{ L"cpuid_40000003", bench_cpuid, 0, 0x40000003, 0, false },
		{ L"rdmsr_1b", bench_rdmsr, 0x1b, 0, 0, false },
		{ L"rdmsr_40000022", bench_rdmsr, 0x40000022, 0, 0, false },
		{ L"rdmsr_40000020", bench_rdmsr, 0x40000020, 0, 0, false },
		{ L"wrmsr_40000072", bench_wrmsr, 0x40000072, 0, 0, false },
		{ L"rdmsr_40000099_gp", bench_rdmsr, 0x40000099, 0, 0, true },
	};
	uint64_t tpr, probe;
	uint32_t base = bench_time(&empty);
	EFI_PHYSICAL_ADDRESS page;

	bench_print(empty.name, base);
	for (UINTN i = 0; i < ARRAY_SIZE(ops); i++) {
		/* The ones that must not fault are tried once first, under the probe's own trap. */
		if (ops[i].fn == bench_wrmsr) {
			if (trap_rdmsr((uint32_t)ops[i].rcx, &tpr)) {
				Print(L"bench: %s #GP\n", ops[i].name);
				continue;
			}
			ops[i].eax = (uint32_t)tpr;	/* TPR written with its own value */
		} else if (ops[i].fn == bench_rdmsr && !ops[i].gp && trap_rdmsr((uint32_t)ops[i].rcx, &probe)) {
			Print(L"bench: %s #GP\n", ops[i].name);
			continue;
		}
		bench_print(ops[i].name, bench_time(&ops[i]) - base);
	}
	bench_reference_tsc(base);

	page = hcall_page_on();
	if (!page) {
		Print(L"bench: vmcall_spin_wait #UD\n");
		return;
	}
	bench_print(L"vmcall_spin_wait", bench_time(&(struct bench_op){ L"vmcall_spin_wait", bench_vmcall,
					  HVCALL_NOTIFY_LONG_SPIN_WAIT_FAST, 0, 1, false }) - base);
	hcall_page_off(page);
}
