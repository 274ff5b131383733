/* SPDX-License-Identifier: MIT */
/*
 * probe.efi: prints what a guest sees of Vireo, for the end-to-end tests.
 *
 * Run it from the UEFI shell once vireo.efi has turned the firmware into a
 * guest. The console reaches COM1, so the serial log is the transcript.
 * Every line starts with "probe: " and is shorter than 78 columns. Numbers
 * are lowercase hex: leaves, MSRs and 32-bit registers with 8 digits,
 * 64-bit values with 16. Where an instruction faults, the fault's name
 * ("#GP", "#UD") replaces the result. The lines, in order:
 *
 * probe: cpuid <leaf> <eax> <ebx> <ecx> <edx>
 *	CPUID (ECX = 0) of leaves 1 and 0x80000007 and of the hypervisor
 *	leaves; 0x80000007 again after TSC_INVARIANT_CONTROL is written.
 * probe: rdmsr <msr> = <value>
 * probe: rdmsr <msr> #GP
 *	RDMSR of every synthetic MSR.
 * probe: wrmsr <msr> <value> ok
 * probe: wrmsr <msr> <value> #GP
 *	writes that must work or must fault. Some writes that worked are
 *	followed by the rdmsr line of the same MSR (read back).
 * probe: page-msr <msr> = <value>
 * probe: page-msr <msr> bytes <8 bytes in hex>
 *	VP_ASSIST_PAGE and REFERENCE_TSC given a page of the probe's (see
 *	run_page_msr), or "probe: page-msr <msr> #GP".
 * probe: hypercall-msr = <value>
 * probe: hypercall-page <byte 0><byte 1><byte 2><byte 3>
 *	after a wrmsr line for GUEST_OS_ID: HYPERCALL as read back once
 *	the page address and the enable bit were written to it, then the
 *	first bytes of the page in memory order (0f01c1c3: vmcall; ret).
 *	If that write faults, "probe: hypercall-msr #GP" is printed and
 *	the three lines below are not.
 * probe: hypercall <control> = <rax>
 * probe: hypercall <control> #UD
 * probe: hypercall-mem <control> <where the input block is> = <rax>
 *	calls through the page with RCX = control, RDX = input, R8 = 0.
 * probe: wrmsr 40000001 0000000000000000 ok
 *	the page disabled again.
 * probe: mgmt get viridian rax=<rax> value=<rdx>
 * probe: mgmt set viridian rax=<rax>
 *	Vireo's management calls (hv/mgmt.h): a guest may read a partition
 *	parameter, but not set it. Without Vireo, VMCALL prints
 *	"probe: mgmt get #UD" and "probe: mgmt set #UD".
 * probe: done
 *
 * A fault the probe did not expect prints "probe: unexpected ..." and
 * powers the machine off.
 *
 * With an argument the probe does one job instead:
 * probe.efi stats
 *	prints "probe: stats rax=<rax>" after asking Vireo to log its exit
 *	and viridian counters (MGMT_OP_PRINT_STATS), or "probe: stats #UD".
 * probe.efi bench
 *	times exits, "bench: <name> <instructions>" (tests/probe/bench.c).
 * probe.efi hostile
 *	a guest that writes garbage where it may (tests/probe/hostile.c).
 * probe.efi groups
 *	the groups beyond base and freq: crash MSRs and reports, flush and
 *	IPI hypercalls, and on a second processor what they did there
 *	(tests/probe/groups.c, remote.c).
 * probe.efi time
 *	the reference time against the TSC and on two processors
 *	(tests/probe/time.c).
 * probe.efi mp, probe.efi mp-nmi
 *	each AP started through the firmware's MP services reports its APIC
 *	ID and VP index; an NMI, then INIT-SIPI-SIPI, to AP 1 (tests/probe/mp.c).
 */

#include <efi.h>
#include <efilib.h>

#include "hv/compiler.h"
#include "hv/mgmt.h"
#include "hv/partition.h"
#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

/* Synthetic MSRs (Hyper-V TLFS), with the names Linux gives them. */
#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_HYPERCALL		0x40000001
#define  HV_X64_MSR_HYPERCALL_ENABLE	BIT(0)
#define HV_X64_MSR_VP_INDEX		0x40000002
#define HV_X64_MSR_RESET		0x40000003
#define HV_X64_MSR_VP_RUNTIME		0x40000010
#define HV_X64_MSR_TIME_REF_COUNT	0x40000020
#define HV_X64_MSR_REFERENCE_TSC	0x40000021
#define HV_X64_MSR_TSC_FREQUENCY	0x40000022
#define HV_X64_MSR_APIC_FREQUENCY	0x40000023
#define HV_X64_MSR_EOI			0x40000070
#define HV_X64_MSR_ICR			0x40000071
#define HV_X64_MSR_TPR			0x40000072
#define HV_X64_MSR_VP_ASSIST_PAGE	0x40000073
#define HV_X64_MSR_SCONTROL		0x40000080
#define HV_X64_MSR_CRASH_P0		0x40000100
#define HV_X64_MSR_CRASH_CTL		0x40000105
#define HV_X64_MSR_TSC_INVARIANT_CONTROL	0x40000118
#define  HV_PAGE_MSR_ENABLE_AND_RSVD	0xfffULL	/* enable, and bits 11:1 that must read back */
#define HV_X64_MSR_UNKNOWN		0x40000200	/* in the range, but none of the above */

/*
 * TLFS "Reporting the Guest OS Identity", open-source encoding: bit 63 set,
 * OS type 1 (Linux) in bits 62:56, version 1 in bits 47:16.
 */
#define PROBE_GUEST_OS_ID		0x8100000000010000ULL

/* TLFS "Hypercall Inputs": the control word in RCX. */
#define HVCALL_NOTIFY_LONG_SPIN_WAIT	0x0008
#define HVCALL_UNKNOWN			0x0099
#define HV_HYPERCALL_FAST		BIT(16)
#define HV_HYPERCALL_RSVD63		BIT(63)

/* The x86 UD2 instruction. */
#define UD2_BYTE0			0x0f
#define UD2_BYTE1			0x0b

struct probe {
	void (*run)(const struct probe *p);
	uint64_t arg;		/* CPUID leaf, MSR, hypercall control or management op */
	uint64_t val;		/* value written, hypercall input or parameter id */
	uint64_t mgmt_val;	/* value of a management SET */
	const CHAR16 *param;	/* name of the management parameter, or of a hypercall's input block */
	bool read_back;		/* WRMSR: print RDMSR of the MSR if the write worked */
};

static void run_cpuid(const struct probe *p);
static void run_rdmsr(const struct probe *p);
static void run_wrmsr(const struct probe *p);
static void run_hcall_page_on(const struct probe *p);
static void run_hypercall(const struct probe *p);
static void run_hcall_page_off(const struct probe *p);
static void run_mgmt(const struct probe *p);
static void run_page_msr(const struct probe *p);

#define CPUID(leaf)		{ .run = run_cpuid, .arg = (leaf) }
#define RDMSR(msr)		{ .run = run_rdmsr, .arg = (msr) }
#define WRMSR(msr, v)		{ .run = run_wrmsr, .arg = (msr), .val = (v) }
#define WRMSR_READ(msr, v)	{ .run = run_wrmsr, .arg = (msr), .val = (v), .read_back = true }
#define HCALL_PAGE_ON		{ .run = run_hcall_page_on }
#define HCALL(control, in)	{ .run = run_hypercall, .arg = (control), .val = (in) }
/* A memory-based call whose input block is at the hypercall page + in, or at in if that is a page address. */
#define HCALL_MEM(control, in, name) { .run = run_hypercall, .arg = (control), .val = (in), .param = (name) }
#define HCALL_PAGE_OFF		{ .run = run_hcall_page_off }
#define PAGE_MSR(msr)		{ .run = run_page_msr, .arg = (msr) }
#define MGMT_GET(id, name)	{ .run = run_mgmt, .arg = MGMT_OP_GET_PARAM, .val = (id), \
				  .param = (name) }
#define MGMT_SET(id, name, v)	{ .run = run_mgmt, .arg = MGMT_OP_SET_PARAM, .val = (id), \
				  .param = (name), .mgmt_val = (v) }

static const struct probe probes[] = {
	/* CPUID.1:ECX bit 31 says a hypervisor is present; bit 5 is VMX. 0x80000007 EDX bit 8: invariant TSC. */
	CPUID(0x00000001),
	CPUID(0x80000007),
	CPUID(0x40000000),
	CPUID(0x40000001),
	CPUID(0x40000002),
	CPUID(0x40000003),
	CPUID(0x40000004),
	CPUID(0x40000005),
	CPUID(0x40000006),
	CPUID(0x40000007),
	CPUID(0x40000100),
	CPUID(0x40000101),

	RDMSR(HV_X64_MSR_GUEST_OS_ID),
	RDMSR(HV_X64_MSR_HYPERCALL),
	RDMSR(HV_X64_MSR_VP_INDEX),
	RDMSR(HV_X64_MSR_RESET),
	RDMSR(HV_X64_MSR_VP_RUNTIME),
	RDMSR(HV_X64_MSR_TIME_REF_COUNT),
	RDMSR(HV_X64_MSR_REFERENCE_TSC),
	RDMSR(HV_X64_MSR_TSC_FREQUENCY),
	RDMSR(HV_X64_MSR_APIC_FREQUENCY),
	RDMSR(HV_X64_MSR_EOI),
	RDMSR(HV_X64_MSR_ICR),
	RDMSR(HV_X64_MSR_TPR),
	RDMSR(HV_X64_MSR_VP_ASSIST_PAGE),
	RDMSR(HV_X64_MSR_SCONTROL),
	RDMSR(HV_X64_MSR_CRASH_P0),
	RDMSR(HV_X64_MSR_CRASH_CTL),
	RDMSR(HV_X64_MSR_TSC_INVARIANT_CONTROL),
	RDMSR(HV_X64_MSR_UNKNOWN),

	/*
	 * Read-only MSRs, reserved bits, and a TPR change that is undone.
	 * Never ICR: a write sends an IPI.
	 */
	WRMSR_READ(HV_X64_MSR_GUEST_OS_ID, PROBE_GUEST_OS_ID),
	WRMSR(HV_X64_MSR_VP_INDEX, 5),
	WRMSR(HV_X64_MSR_TSC_FREQUENCY, 1),
	WRMSR(HV_X64_MSR_APIC_FREQUENCY, 1),
	WRMSR(HV_X64_MSR_HYPERCALL, BIT(2)),
	WRMSR(HV_X64_MSR_TPR, 0x100),
	WRMSR_READ(HV_X64_MSR_TPR, 0x20),
	WRMSR(HV_X64_MSR_TPR, 0),
	WRMSR(HV_X64_MSR_EOI, BIT(32)),
	WRMSR(HV_X64_MSR_TIME_REF_COUNT, 0),

	/* Pages the hypervisor writes: one of the probe's, then one outside guest RAM. */
	PAGE_MSR(HV_X64_MSR_VP_ASSIST_PAGE),
	WRMSR(HV_X64_MSR_VP_ASSIST_PAGE, 0xfffff001),
	PAGE_MSR(HV_X64_MSR_REFERENCE_TSC),
	WRMSR(HV_X64_MSR_REFERENCE_TSC, 0xfffff001),

	/* The invariant TSC shows in 0x80000007 once asked for, and stays. */
	WRMSR(HV_X64_MSR_TSC_INVARIANT_CONTROL, 2),
	WRMSR_READ(HV_X64_MSR_TSC_INVARIANT_CONTROL, 1),
	CPUID(0x80000007),
	WRMSR(HV_X64_MSR_TSC_INVARIANT_CONTROL, 0),

	/* A guest OS identity comes first (TLFS "Establishing the Hypercall Interface"). */
	WRMSR(HV_X64_MSR_GUEST_OS_ID, PROBE_GUEST_OS_ID),
	HCALL_PAGE_ON,
	HCALL(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 1),
	HCALL(HVCALL_UNKNOWN, 0),
	HCALL(HV_HYPERCALL_RSVD63 | HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 1),
	/* The memory form: the input block must be aligned, in one page and in guest RAM (TLFS). */
	HCALL_MEM(HVCALL_NOTIFY_LONG_SPIN_WAIT, 8, L"page+8"),
	HCALL_MEM(HVCALL_NOTIFY_LONG_SPIN_WAIT, 4, L"page+4"),
	HCALL_MEM(HVCALL_NOTIFY_LONG_SPIN_WAIT, 0xfffff000, L"fffff000"),
	HCALL_PAGE_OFF,

	MGMT_GET(PARAM_VIRIDIAN, L"viridian"),
	MGMT_SET(PARAM_VIRIDIAN, L"viridian", VIR_BASE | VIR_FREQ),
};

/* ------------------------------------------------------------ probes */

static void run_cpuid(const struct probe *p)
{
	uint32_t r[4];
	struct line l;
	unsigned int i;

	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"((uint32_t)p->arg), "c"(0));
	line_start(&l, L"cpuid");
	put_hex(&l, L" ", p->arg, 8);
	for (i = 0; i < ARRAY_SIZE(r); i++)
		put_hex(&l, L" ", r[i], 8);
	line_end(&l);
}

static void run_rdmsr(const struct probe *p)
{
	report_rdmsr(L"rdmsr", (uint32_t)p->arg);
}

static void run_wrmsr(const struct probe *p)
{
	if (!report_wrmsr(L"wrmsr", (uint32_t)p->arg, p->val) && p->read_back)
		report_rdmsr(L"rdmsr", (uint32_t)p->arg);
}

/* The page HYPERCALL points at while it is enabled, or NULL. */
static volatile uint8_t *hcall_page;

/*
 * Until the hypervisor overlays it, the page holds UD2s: a call through a
 * page that never received the hypercall code then raises #UD, which the
 * probe reports, instead of running whatever the page held before.
 *
 * The page holds code, so it is allocated as code: firmware built with a
 * DXE NX memory protection policy maps the data types non-executable.
 */
static void run_hcall_page_on(const struct probe *p __unused)
{
	EFI_PHYSICAL_ADDRESS pa = 0xffffffff;	/* below 4 GiB */
	volatile uint8_t *page;
	uint64_t val = 0, vector;
	EFI_STATUS status;
	struct line l;
	UINTN i;

	status = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderCode, 1, &pa);
	if (EFI_ERROR(status)) {
		Print(L"probe: hypercall-page allocation failed: %r\n", status);
		return;
	}
	page = (volatile uint8_t *)(UINTN)pa;
	for (i = 0; i < PAGE_SIZE; i += 2) {
		page[i] = UD2_BYTE0;
		page[i + 1] = UD2_BYTE1;
	}

	line_start(&l, L"hypercall-msr");
	vector = trap_wrmsr(HV_X64_MSR_HYPERCALL, pa | HV_X64_MSR_HYPERCALL_ENABLE);
	if (vector) {
		put_fault(&l, vector);
		line_end(&l);
		uefi_call_wrapper(BS->FreePages, 2, pa, 1);
		return;
	}
	hcall_page = page;

	vector = trap_rdmsr(HV_X64_MSR_HYPERCALL, &val);
	if (vector)
		put_fault(&l, vector);
	else
		put_hex(&l, L" = ", val, 16);
	line_end(&l);

	line_start(&l, L"hypercall-page");
	put(&l, L" ");
	for (i = 0; i < 4; i++)
		put_hex(&l, L"", page[i], 2);
	line_end(&l);
}

static void run_hypercall(const struct probe *p)
{
	uint64_t rax = 0, vector;
	struct line l;

	if (!hcall_page)
		return;
	if (p->param) {
		/* Small values are offsets into the hypercall page, which is guest RAM the probe owns. */
		uint64_t in = p->val < 4096 ? (uint64_t)(UINTN)hcall_page + p->val : p->val;

		vector = trap_call((const void *)hcall_page, p->arg, in, 0, &rax);
		line_start(&l, L"hypercall-mem");
		put_hex(&l, L" ", p->arg, 16);
		put(&l, L" ");
		put(&l, p->param);
	} else {
		vector = trap_call((const void *)hcall_page, p->arg, p->val, 0, &rax);
		line_start(&l, L"hypercall");
		put_hex(&l, L" ", p->arg, 16);
	}
	if (vector)
		put_fault(&l, vector);
	else
		put_hex(&l, L" = ", rax, 16);
	line_end(&l);
}

static void run_hcall_page_off(const struct probe *p __unused)
{
	if (!hcall_page)
		return;
	/* A page the hypervisor may still write to must not go back to the firmware. */
	if (report_wrmsr(L"wrmsr", HV_X64_MSR_HYPERCALL, 0))
		return;
	uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)hcall_page, 1);
	hcall_page = NULL;
}

static void run_mgmt(const struct probe *p)
{
	bool get = p->arg == MGMT_OP_GET_PARAM;
	uint64_t out[2] = { 0, 0 }, vector;
	struct line l;

	vector = trap_vmcall(MGMT_TAG | p->arg, p->val, p->mgmt_val, out);
	line_start(&l, get ? L"mgmt get" : L"mgmt set");
	if (vector) {
		put_fault(&l, vector);
		line_end(&l);
		return;
	}
	put(&l, L" ");
	put(&l, p->param);
	put_hex(&l, L" rax=", out[0], 16);
	if (get)
		put_hex(&l, L" value=", out[1], 16);
	line_end(&l);
}

/*
 * An MSR that points the hypervisor at a page (VP_ASSIST_PAGE,
 * REFERENCE_TSC): a page of the probe's full of 0xff gets the enable bit
 * and bits 11:1, the MSR is read back, and the first 8 bytes of the page
 * are printed in memory order:
 *	probe: page-msr <msr> = <value>
 *	probe: page-msr <msr> bytes <16 hex digits>
 * then the MSR is cleared again. "probe: page-msr <msr> #GP" if the write
 * faults.
 */
static void run_page_msr(const struct probe *p)
{
	EFI_PHYSICAL_ADDRESS pa = 0xffffffff;
	volatile uint8_t *page;
	uint64_t val = 0, vector;
	struct line l;

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, 1, &pa))) {
		Print(L"probe: page-msr allocation failed\n");
		return;
	}
	page = (volatile uint8_t *)(UINTN)pa;
	for (UINTN i = 0; i < PAGE_SIZE; i++)
		page[i] = 0xff;
	line_start(&l, L"page-msr");
	put_hex(&l, L" ", p->arg, 8);
	vector = trap_wrmsr((uint32_t)p->arg, pa | HV_PAGE_MSR_ENABLE_AND_RSVD);
	if (!vector)
		vector = trap_rdmsr((uint32_t)p->arg, &val);
	if (vector) {
		put_fault(&l, vector);
		line_end(&l);
		uefi_call_wrapper(BS->FreePages, 2, pa, 1);
		return;
	}
	put_hex(&l, L" = ", val, 16);
	line_end(&l);
	line_start(&l, L"page-msr");
	put_hex(&l, L" ", p->arg, 8);
	put(&l, L" bytes ");
	for (UINTN i = 0; i < 8; i++)
		put_hex(&l, L"", page[i], 2);
	line_end(&l);
	/* A page the hypervisor may still write to must not go back to the firmware. */
	if (!trap_wrmsr((uint32_t)p->arg, 0))
		uefi_call_wrapper(BS->FreePages, 2, pa, 1);
}

static void run_stats_request(void)
{
	uint64_t out[2] = { 0, 0 }, vector;
	struct line l;

	vector = trap_vmcall(MGMT_TAG | MGMT_OP_PRINT_STATS, 0, 0, out);
	line_start(&l, L"stats");
	if (vector)
		put_fault(&l, vector);
	else
		put_hex(&l, L" rax=", out[0], 16);
	line_end(&l);
}

static void run_all_probes(void)
{
	for (UINTN i = 0; i < ARRAY_SIZE(probes); i++)
		probes[i].run(&probes[i]);
	Print(L"probe: done\n");
}

static const struct {
	const CHAR16 *arg;
	void (*run)(void);
} modes[] = {
	{ L"stats", run_stats_request },
	{ L"bench", probe_bench },
	{ L"hostile", probe_hostile },
	{ L"nmi", probe_nmi },
	{ L"groups", probe_groups },
	{ L"time", probe_time },
	{ L"mp", probe_mp },
	{ L"mp-nmi", probe_mp_nmi },
};

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	void (*run)(void) = run_all_probes;
	CHAR16 **argv;
	INTN argc;
	EFI_STATUS status;

	InitializeLib(image, st);
	argc = GetShellArgcArgv(image, &argv);
	if (argc > 1) {
		run = NULL;
		for (UINTN i = 0; i < ARRAY_SIZE(modes); i++)
			if (!StrCmp(argv[1], modes[i].arg))
				run = modes[i].run;
		if (!run) {
			Print(L"probe: unknown mode %s (stats, bench, hostile, nmi, groups, time, mp, mp-nmi)\n", argv[1]);
			return EFI_INVALID_PARAMETER;
		}
	}
	status = trap_install();
	if (EFI_ERROR(status))
		return status;
	run();
	trap_remove();
	return EFI_SUCCESS;
}
