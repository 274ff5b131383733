/* SPDX-License-Identifier: MIT */
/*
 * The part of probe.efi groups that needs a second processor: it runs a
 * loop on an application processor (EFI_MP_SERVICES_PROTOCOL, non-blocking
 * StartupThisAP) and shows, from the boot processor, what a flush and an
 * IPI hypercall did there.
 *
 * The flush. Both share page tables of the probe's own (a copy of the
 * firmware's top level, plus one 4 KiB mapping at TEST_VA), and the AP
 * reads TEST_VA over and over, so its TLB holds the translation. The boot
 * processor points the mapping from page A to page B without telling
 * anyone: the AP still reads A through its TLB (the translation is stale).
 * Then it flushes the AP's TLB by hypercall and, as soon as the call
 * returns, asks the AP to read again: B, if the call returned only after
 * the AP's translations were gone. Lines:
 *	probe: remote ap vp-index <index>
 *	probe: remote tlb before <byte>		the AP reads A (41)
 *	probe: remote tlb stale <byte>		still A after the change: stale
 *	probe: remote tlb flush = <rax> then <byte>
 *
 * The IPI. Both processors take vector VECTOR with a handler of the
 * probe's that counts, by local APIC ID, and EOIs. The boot processor
 * sends it by HvCallSendSyntheticClusterIpi to the AP, then to both, then by
 * the _Ex form to the AP, waiting 10 ms after each. Lines (counts since the
 * start):
 *	probe: remote ipi = <rax> ap <n> bsp <n>
 *	probe: remote ipi-both = <rax> ap <n> bsp <n>
 *	probe: remote ipi-ex = <rax> ap <n> bsp <n>
 *
 * "probe: remote skipped: <why>" if there is no second processor.
 */
#include <efi.h>
#include <efilib.h>

#include "boot/mp.h"
#include "hv/compiler.h"
#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

#define HV_X64_MSR_VP_INDEX	0x40000002
#define MSR_IA32_APIC_BASE	0x1b
#define APIC_BASE_X2APIC	BIT(10)
#define XAPIC_ID		0xfee00020UL
#define XAPIC_EOI		0xfee000b0UL
#define X2APIC_ID		0x802
#define X2APIC_EOI		0x80b

#define FAST			BIT(16)
#define VAR_HDR(n)		((uint64_t)(n) << 17)
#define HVCALL_FLUSH_SPACE	0x0002
#define HVCALL_SEND_IPI		0x000b
#define HVCALL_SEND_IPI_EX	0x0015
#define VECTOR			0xf3

/* PML4 slot 255, unused by the firmware's identity map; a PT index away from the probe's own pages. */
#define TEST_PML4_SLOT		255
#define TEST_PT_INDEX		0x1a5
#define TEST_VA			((uint64_t)TEST_PML4_SLOT << 39 | (uint64_t)TEST_PT_INDEX << 12)
#define PTE_PRESENT_RW		0x3ULL
#define PTE_ADDR		0x000ffffffffff000ULL

#define WAIT_US			2000000
#define SETTLE_US		10000

enum ap_command {
	AP_READ = 1,		/* read TEST_VA into seen */
	AP_IRQ_ON,		/* sti */
	AP_IRQ_OFF,		/* cli */
	AP_EXIT,		/* back to the firmware's page tables, return */
};

/* Shared with the AP. A command is (number << 8 | what); the AP sets done to it once done. */
struct remote {
	uint64_t cr3;
	volatile uint32_t command;
	volatile uint32_t done;
	volatile uint8_t seen;
	volatile uint64_t vp_index;
	volatile bool started;
};

static struct remote remote;
static uint32_t commands;

/* Interrupts counted by the probe's handler: [0] the boot processor's, [1] the AP's. */
static volatile uint32_t ipis[2];
static uint32_t bsp_apic_id;

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}

static uint64_t read_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static void write_cr3(uint64_t v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static uint32_t apic_id(void)
{
	if (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC)
		return (uint32_t)rdmsr(X2APIC_ID);
	return *(volatile uint32_t *)XAPIC_ID >> 24;
}

static VOID EFIAPI ipi_handler(EFI_EXCEPTION_TYPE vector, EFI_SYSTEM_CONTEXT ctx)
{
	(void)vector;
	(void)ctx;
	__atomic_add_fetch(&ipis[apic_id() != bsp_apic_id], 1, __ATOMIC_RELAXED);
	if (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC)
		wrmsr(X2APIC_EOI, 0);
	else
		*(volatile uint32_t *)XAPIC_EOI = 0;
}

/* The AP's loop: it reads TEST_VA all the time, so that its TLB keeps the translation in use. */
static VOID EFIAPI ap_main(VOID *arg)
{
	struct remote *r = arg;
	volatile uint8_t *va = (volatile uint8_t *)TEST_VA;
	uint64_t saved = read_cr3();
	uint32_t handled = 0;

	write_cr3(r->cr3);
	r->vp_index = rdmsr(HV_X64_MSR_VP_INDEX);
	r->seen = *va;
	__atomic_store_n(&r->started, true, __ATOMIC_RELEASE);
	for (;;) {
		uint32_t command = __atomic_load_n(&r->command, __ATOMIC_ACQUIRE);

		(void)*va;
		if (command == handled) {
			asm volatile("pause");
			continue;
		}
		switch (command & 0xff) {
		case AP_READ:
			r->seen = *va;
			break;
		case AP_IRQ_ON:
			asm volatile("sti");
			break;
		case AP_IRQ_OFF:
			asm volatile("cli");
			break;
		case AP_EXIT:
			write_cr3(saved);
			__atomic_store_n(&r->done, command, __ATOMIC_RELEASE);
			return;
		}
		handled = command;
		__atomic_store_n(&r->done, command, __ATOMIC_RELEASE);
	}
}

static bool wait_until(volatile bool *flag, volatile uint32_t *word, uint32_t want)
{
	for (UINTN waited = 0; waited < WAIT_US; waited += 100) {
		if (flag ? __atomic_load_n(flag, __ATOMIC_ACQUIRE) : __atomic_load_n(word, __ATOMIC_ACQUIRE) == want)
			return true;
		uefi_call_wrapper(BS->Stall, 1, 100);
	}
	return false;
}

static bool ap_do(enum ap_command what)
{
	uint32_t command = ++commands << 8 | what;

	__atomic_store_n(&remote.command, command, __ATOMIC_RELEASE);
	return wait_until(NULL, &remote.done, command);
}

/* ------------------------------------------------------------ page tables */

static uint64_t *new_page(void)
{
	EFI_PHYSICAL_ADDRESS pa = 0xffffffff;

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, 1, &pa)))
		return NULL;
	ZeroMem((void *)(UINTN)pa, PAGE_SIZE);
	return (uint64_t *)(UINTN)pa;
}

/* The firmware's top level with TEST_VA added; pages[] the tables allocated; the PTE of TEST_VA, or NULL. */
static volatile uint64_t *tables_build(uint64_t *pages[4], uint64_t page_a, uint64_t page_b)
{
	for (unsigned int i = 0; i < 4; i++) {
		pages[i] = new_page();
		if (!pages[i])
			return NULL;
	}
	CopyMem(pages[0], (void *)(UINTN)(read_cr3() & PTE_ADDR), PAGE_SIZE);
	pages[0][TEST_PML4_SLOT] = (UINTN)pages[1] | PTE_PRESENT_RW;
	pages[1][0] = (UINTN)pages[2] | PTE_PRESENT_RW;
	pages[2][0] = (UINTN)pages[3] | PTE_PRESENT_RW;
	pages[3][TEST_PT_INDEX] = page_a | PTE_PRESENT_RW;
	*(uint8_t *)(UINTN)page_a = 'A';
	*(uint8_t *)(UINTN)page_b = 'B';
	remote.cr3 = (UINTN)pages[0];
	return &pages[3][TEST_PT_INDEX];
}

/* ------------------------------------------------------------ the tests */

static void print_tlb(const CHAR16 *what, bool with_rax, uint64_t rax)
{
	struct line l;

	line_start(&l, what);
	if (with_rax) {
		put_hex(&l, L" = ", rax, 16);
		put(&l, L" then");
	}
	put_hex(&l, L" ", remote.seen, 2);
	line_end(&l);
}

static void flush_test(const void *hcall_page, volatile uint64_t *pte, uint64_t page_b)
{
	/* HvCallFlushVirtualAddressSpace: AddressSpace, Flags, ProcessorMask; aligned to stay in one page. */
	static uint64_t in[3] __aligned(32);
	uint64_t rax = 0;
	EFI_PHYSICAL_ADDRESS block = (UINTN)in;

	in[2] = BIT(remote.vp_index);
	ap_do(AP_READ);
	print_tlb(L"remote tlb before", false, 0);
	*pte = page_b | PTE_PRESENT_RW;
	asm volatile("" ::: "memory");
	ap_do(AP_READ);
	print_tlb(L"remote tlb stale", false, 0);
	if (trap_call(hcall_page, HVCALL_FLUSH_SPACE, block, 0, &rax))
		rax = ~0ULL;
	ap_do(AP_READ);
	print_tlb(L"remote tlb flush", true, rax);
}

static void ipi_send(const void *hcall_page, const CHAR16 *what, uint64_t control, uint64_t rdx, uint64_t r8,
		     uint32_t ap_want)
{
	uint64_t rax = 0;
	struct line l;

	if (trap_call(hcall_page, control, rdx, r8, &rax))
		rax = ~0ULL;
	/* A call that failed sent nothing to wait for. */
	for (UINTN waited = 0; !rax && waited < WAIT_US && ipis[1] < ap_want; waited += 100)
		uefi_call_wrapper(BS->Stall, 1, 100);
	/* Then a while longer: a second delivery would show. */
	uefi_call_wrapper(BS->Stall, 1, SETTLE_US);
	line_start(&l, what);
	put_hex(&l, L" = ", rax, 16);
	put_hex(&l, L" ap ", ipis[1], 1);
	put_hex(&l, L" bsp ", ipis[0], 1);
	line_end(&l);
}

static void ipi_tests(const void *hcall_page)
{
	/* HvCallSendSyntheticClusterIpiEx: Vector, then the sparse VP set { AP }. */
	static uint64_t in_ex[4] __aligned(32);
	uint64_t ap = BIT(remote.vp_index);

	in_ex[0] = VECTOR;
	in_ex[1] = 0;
	in_ex[2] = 1;
	in_ex[3] = ap;
	ap_do(AP_IRQ_ON);
	ipi_send(hcall_page, L"remote ipi", HVCALL_SEND_IPI | FAST, VECTOR, ap, 1);
	ipi_send(hcall_page, L"remote ipi-both", HVCALL_SEND_IPI | FAST, VECTOR, ap | BIT(rdmsr(HV_X64_MSR_VP_INDEX)),
		 2);
	ipi_send(hcall_page, L"remote ipi-ex", HVCALL_SEND_IPI_EX | VAR_HDR(1), (UINTN)in_ex, 0, 3);
	ap_do(AP_IRQ_OFF);
}

static UINTN find_ap(EFI_MP_SERVICES_PROTOCOL *mp, UINTN count)
{
	for (UINTN cpu = 0; cpu < count; cpu++) {
		EFI_PROCESSOR_INFORMATION info;

		if (!EFI_ERROR(mp->GetProcessorInfo(mp, cpu, &info)) && !(info.StatusFlag & PROCESSOR_AS_BSP_BIT) &&
		    (info.StatusFlag & PROCESSOR_ENABLED_BIT))
			return cpu;
	}
	return count;
}

void probe_remote(const void *hcall_page)
{
	EFI_GUID guid = EFI_MP_SERVICES_PROTOCOL_GUID;
	EFI_MP_SERVICES_PROTOCOL *mp;
	EFI_EVENT done = NULL;
	uint64_t *pages[4] = { NULL }, *page_a, *page_b;
	volatile uint64_t *pte = NULL;
	UINTN count = 0, enabled = 0, ap;
	bool finished = false;
	struct line l;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &guid, NULL, (void **)&mp)) ||
	    EFI_ERROR(mp->GetNumberOfProcessors(mp, &count, &enabled)) || enabled < 2 ||
	    (ap = find_ap(mp, count)) == count) {
		Print(L"probe: remote skipped: no second processor\n");
		return;
	}
	page_a = new_page();
	page_b = new_page();
	if (page_a && page_b)
		pte = tables_build(pages, (UINTN)page_a, (UINTN)page_b);
	bsp_apic_id = apic_id();
	if (!pte || EFI_ERROR(trap_register_handler(VECTOR, ipi_handler)) ||
	    EFI_ERROR(uefi_call_wrapper(BS->CreateEvent, 5, 0, 0, NULL, NULL, &done)) ||
	    EFI_ERROR(mp->StartupThisAP(mp, ap_main, ap, done, 0, &remote, NULL)) ||
	    !wait_until(&remote.started, NULL, 0)) {
		Print(L"probe: remote skipped: the AP did not start\n");
		return;
	}
	line_start(&l, L"remote ap vp-index");
	put_hex(&l, L" ", remote.vp_index, 16);
	line_end(&l);

	flush_test(hcall_page, pte, (UINTN)page_b);
	ipi_tests(hcall_page);

	ap_do(AP_EXIT);
	for (UINTN waited = 0; waited < WAIT_US && !finished; waited += 100) {
		finished = !EFI_ERROR(uefi_call_wrapper(BS->CheckEvent, 1, done));
		uefi_call_wrapper(BS->Stall, 1, 100);
	}
	uefi_call_wrapper(BS->CloseEvent, 1, done);
	trap_register_handler(VECTOR, NULL);
	if (!finished) {
		/* Its pages may still be in use: they stay the AP's. */
		Print(L"probe: remote: the AP did not finish\n");
		return;
	}
	for (unsigned int i = 0; i < 4; i++)
		uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)pages[i], 1);
	uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)page_a, 1);
	uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)page_b, 1);
}
