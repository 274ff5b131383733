/* SPDX-License-Identifier: MIT */
/*
 * probe.efi groups: what a guest sees of the viridian groups beyond base
 * and freq, whatever the mask (with a group off, its MSRs raise #GP and its
 * calls return HV_STATUS_ACCESS_DENIED, 6). Needs base, for the hypercall
 * page. Lines, in order:
 *
 * probe: crash rdmsr <msr> = <value>		or "#GP": CRASH_P0-P4, CRASH_CTL,
 *						and 40000106 beyond them
 * probe: crash wrmsr <msr> <value> ok		or "#GP": P0 (then "probe: crash
 *						readback" of it), CRASH_CTL with
 *						reserved bits, and with
 *						CrashMessage but not CrashNotify
 * probe: vireo page <gpa>			a page of Vireo's own memory: the
 *						first runtime-services page a
 *						memory hypercall refuses as not
 *						guest RAM ("none" if none)
 * probe: crash report <n> <what> ok		or "#GP": P0 = n, P1 = 0, P2 = 0,
 *						P3 and P4 as what says, then
 *						CRASH_CTL = CrashNotify |
 *						CrashMessage; Vireo reports it on
 *						its log. <what>: "long" (4097
 *						bytes), "outside-ram" (at
 *						fffff000), "vireo-memory" (at the
 *						page above), "text" (a message in
 *						the probe's page, with a tab, a
 *						control byte and a backslash)
 * probe: hcall <case> = <rax>			a flush or IPI call, good or bad
 *						(the table below); IPIs only to no
 *						one, the remote lines send real ones
 * probe: remote ...				tests/probe/remote.c
 * probe: groups done
 */
#include <efi.h>
#include <efilib.h>

#include "hv/compiler.h"
#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_HYPERCALL		0x40000001
#define HV_X64_MSR_CRASH_P0		0x40000100
#define HV_X64_MSR_CRASH_P3		0x40000103
#define HV_X64_MSR_CRASH_P4		0x40000104
#define HV_X64_MSR_CRASH_CTL		0x40000105
#define HV_CRASH_CTL_NOTIFY		BIT(63)
#define HV_CRASH_CTL_MESSAGE		BIT(62)

#define PROBE_GUEST_OS_ID		0x8100000000010000ULL
#define UD2_BYTE0			0x0f
#define UD2_BYTE1			0x0b

/* The hypercall input value (TLFS "Hypercall Inputs"). */
#define FAST				BIT(16)
#define VAR_HDR(n)			((uint64_t)(n) << 17)
#define REPS(n)				((uint64_t)(n) << 32)
#define REP_START(n)			((uint64_t)(n) << 48)
#define HVCALL_NOTIFY_LONG_SPIN_WAIT	0x0008
#define HV_STATUS_INVALID_PARAMETER	5

/* Vireo's VP indexes are its processor numbers: the boot processor is 0, the other 1; there is no 5. */
#define VP_BSP				BIT(0)
#define VP_AP				BIT(1)
#define VP_NONE				BIT(5)
#define VECTOR				0xf3
#define GVA				0x7f8000000000ULL

#define MAX_IN				6

/* A call: its control word, and the input block (memory) or RDX and R8 (fast). */
static const struct hcall_case {
	const CHAR16 *name;
	uint64_t control;
	uint64_t in[MAX_IN];
} hcall_cases[] = {
	/* HvCallFlushVirtualAddressSpace: AddressSpace, Flags, ProcessorMask. */
	{ L"flush-space", 0x0002, { 0, 0, VP_AP } },
	{ L"flush-space-self", 0x0002, { 0, 0, VP_BSP } },
	{ L"flush-space-all-cpus", 0x0002, { 0, 1, ~0ULL } },
	{ L"flush-space-no-vp", 0x0002, { 0, 0, VP_NONE } },
	{ L"flush-space-flag3", 0x0002, { 0, 8, VP_AP } },
	{ L"flush-space-fast", 0x0002 | FAST, { 0, VP_AP } },
	/* ...List: the same header, then one GVA per rep. */
	{ L"flush-list", 0x0003 | REPS(2), { 0, 0, VP_AP, GVA, GVA + 0x1000 } },
	{ L"flush-list-no-reps", 0x0003, { 0, 0, VP_AP, GVA } },
	{ L"flush-list-start", 0x0003 | REPS(2) | REP_START(2), { 0, 0, VP_AP, GVA, GVA } },
	{ L"flush-list-non-global", 0x0003 | REPS(1), { 0, 4, VP_AP, GVA } },
	{ L"flush-list-past-page", 0x0003 | REPS(510), { 0, 0, VP_AP } },
	/* The _Ex forms: Format (0 sparse, 1 all), ValidBanksMask, then a bank word per valid bank. */
	{ L"flush-space-ex", 0x0013 | VAR_HDR(1), { 0, 0, 0, 1, VP_AP } },
	{ L"flush-space-ex-all", 0x0013, { 0, 0, 1, 0 } },
	{ L"flush-space-ex-short", 0x0013, { 0, 0, 0, 1, VP_AP } },
	{ L"flush-space-ex-bank1", 0x0013 | VAR_HDR(1), { 0, 0, 0, 2, 1 } },
	{ L"flush-space-ex-format", 0x0013 | VAR_HDR(1), { 0, 0, 2, 1, VP_AP } },
	{ L"flush-list-ex", 0x0014 | VAR_HDR(1) | REPS(1), { 0, 0, 0, 1, VP_AP, GVA } },
	/* HvCallSendSyntheticClusterIpi, fast as Linux makes it: RDX = vector (and VTL), R8 = mask. */
	{ L"ipi-to-none", 0x000b | FAST, { VECTOR, 0 } },
	{ L"ipi-vector-0f", 0x000b | FAST, { 0x0f, VP_AP } },
	{ L"ipi-vector-100", 0x000b | FAST, { 0x100, VP_AP } },
	{ L"ipi-vtl1", 0x000b | FAST, { BIT(32) | VECTOR, VP_AP } },
	{ L"ipi-padding", 0x000b | FAST, { BIT(40) | VECTOR, VP_AP } },
	{ L"ipi-no-vp", 0x000b | FAST, { VECTOR, VP_NONE } },
	{ L"ipi-rep", 0x000b | FAST | REPS(1), { VECTOR, VP_AP } },
	{ L"ipi-memory-to-none", 0x000b, { VECTOR, 0 } },
	/* ...Ex: Vector, then the VP set. */
	{ L"ipi-ex-to-none", 0x0015, { VECTOR, 0, 0 } },
	{ L"ipi-ex-bank1", 0x0015 | VAR_HDR(1), { VECTOR, 0, 2, 1 } },
	{ L"ipi-ex-short", 0x0015, { VECTOR, 0, 1, VP_AP } },
	{ L"ipi-ex-fast", 0x0015 | FAST, { VECTOR, 0 } },
};

static volatile uint8_t *hcall_page;
static uint8_t *in_page;

/* The hypercall page as main.c enables it: UD2s until the hypervisor writes its code. */
static bool page_on(void)
{
	EFI_PHYSICAL_ADDRESS code = 0xffffffff, data = 0xffffffff;

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderCode, 1, &code)))
		return false;
	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, 1, &data))) {
		uefi_call_wrapper(BS->FreePages, 2, code, 1);
		return false;
	}
	hcall_page = (volatile uint8_t *)(UINTN)code;
	in_page = (uint8_t *)(UINTN)data;
	for (UINTN i = 0; i < PAGE_SIZE; i += 2) {
		hcall_page[i] = UD2_BYTE0;
		hcall_page[i + 1] = UD2_BYTE1;
	}
	if (trap_wrmsr(HV_X64_MSR_GUEST_OS_ID, PROBE_GUEST_OS_ID) || trap_wrmsr(HV_X64_MSR_HYPERCALL, code | 1)) {
		Print(L"probe: groups: no hypercall page\n");
		return false;
	}
	return true;
}

static void page_off(void)
{
	/* A page the hypervisor may still write to must not go back to the firmware. */
	if (!trap_wrmsr(HV_X64_MSR_HYPERCALL, 0))
		uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)hcall_page, 1);
	uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)in_page, 1);
	trap_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
}

static uint64_t hypercall(uint64_t control, uint64_t rdx, uint64_t r8, uint64_t *rax)
{
	return trap_call((const void *)hcall_page, control, rdx, r8, rax);
}

/* ------------------------------------------------------------ crash */

/*
 * A page of Vireo's memory, or 0: Vireo keeps its memory in the firmware's
 * runtime-services pages, and refuses a hypercall input block there as not
 * guest RAM (HV_STATUS_INVALID_PARAMETER) where the firmware's own runtime
 * pages are guest RAM like any other.
 */
static uint64_t find_vireo_page(void)
{
	UINTN entries, key, desc_size;
	UINT32 desc_version;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &desc_size, &desc_version);
	uint64_t found = 0, rax;

	for (UINTN i = 0; map && i < entries && !found; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * desc_size);

		if (d->Type != EfiRuntimeServicesCode && d->Type != EfiRuntimeServicesData)
			continue;
		for (UINT64 page = 0; page < d->NumberOfPages && !found; page++) {
			uint64_t gpa = d->PhysicalStart + page * PAGE_SIZE;

			if (!hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT, gpa, 0, &rax) &&
			    rax == HV_STATUS_INVALID_PARAMETER)
				found = gpa;
		}
	}
	if (map)
		FreePool(map);
	return found;
}

static void crash_report(unsigned int n, const CHAR16 *what, uint64_t gpa, uint64_t len)
{
	uint64_t vector = 0;
	struct line l;

	vector |= trap_wrmsr(HV_X64_MSR_CRASH_P0, n);
	vector |= trap_wrmsr(HV_X64_MSR_CRASH_P0 + 1, 0);
	vector |= trap_wrmsr(HV_X64_MSR_CRASH_P0 + 2, 0);
	vector |= trap_wrmsr(HV_X64_MSR_CRASH_P3, gpa);
	vector |= trap_wrmsr(HV_X64_MSR_CRASH_P4, len);
	if (!vector)
		vector = trap_wrmsr(HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_MESSAGE);
	line_start(&l, L"crash report ");
	put_hex(&l, L"", n, 1);
	put(&l, L" ");
	put(&l, what);
	if (vector)
		put_fault(&l, vector);
	else
		put(&l, L" ok");
	line_end(&l);
}

static void crash(void)
{
	static const char text[] = "crash text from probe.efi\n\tsecond line \x01\x7f \\ end";
	uint64_t vireo_page;
	struct line l;

	for (uint32_t msr = HV_X64_MSR_CRASH_P0; msr <= HV_X64_MSR_CRASH_CTL + 1; msr++)
		report_rdmsr(L"crash rdmsr", msr);
	if (!report_wrmsr(L"crash wrmsr", HV_X64_MSR_CRASH_P0, 0x0123456789abcdefULL))
		report_rdmsr(L"crash readback", HV_X64_MSR_CRASH_P0);
	report_wrmsr(L"crash wrmsr", HV_X64_MSR_CRASH_CTL, 1);
	report_wrmsr(L"crash wrmsr", HV_X64_MSR_CRASH_CTL, BIT(57));
	report_wrmsr(L"crash wrmsr", HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_MESSAGE);

	vireo_page = find_vireo_page();
	line_start(&l, L"vireo page");
	if (vireo_page)
		put_hex(&l, L" ", vireo_page, 16);
	else
		put(&l, L" none");
	line_end(&l);

	CopyMem(in_page, (void *)text, sizeof(text) - 1);
	crash_report(1, L"long", (UINTN)in_page, 4097);
	crash_report(2, L"outside-ram", 0xfffff000, 16);
	if (vireo_page)
		crash_report(3, L"vireo-memory", vireo_page, 16);
	crash_report(4, L"text", (UINTN)in_page, sizeof(text) - 1);
}

/* ------------------------------------------------------------ hypercalls */

static void hcalls(void)
{
	for (UINTN i = 0; i < ARRAY_SIZE(hcall_cases); i++) {
		const struct hcall_case *c = &hcall_cases[i];
		uint64_t rax = 0, vector;
		struct line l;

		if (c->control & FAST) {
			vector = hypercall(c->control, c->in[0], c->in[1], &rax);
		} else {
			ZeroMem(in_page, PAGE_SIZE);
			CopyMem(in_page, (void *)c->in, sizeof(c->in));
			vector = hypercall(c->control, (UINTN)in_page, 0, &rax);
		}
		line_start(&l, L"hcall ");
		put(&l, c->name);
		if (vector)
			put_fault(&l, vector);
		else
			put_hex(&l, L" = ", rax, 16);
		line_end(&l);
	}
}

void probe_groups(void)
{
	if (!page_on())
		return;
	crash();
	hcalls();
	probe_remote((const void *)hcall_page);
	page_off();
	Print(L"probe: groups done\n");
}
