/* SPDX-License-Identifier: MIT */
/*
 * probe.efi time: the partition's reference time as a guest measures it
 * (TLFS "Reference Counter", "Partition Reference Time Enlightenment").
 *
 * It prints, each on its own line:
 *	probe: time tsc-hz <TSC_FREQUENCY, decimal>
 *	probe: time rate <100 ns units> in <TSC ticks>: ok
 *		TIME_REF_COUNT read twice about 0.1 s apart, each read
 *		between two RDTSCs: the count moved by what 10 MHz gives over
 *		the TSC ticks between the reads, within one unit ("bad" and
 *		the bounds otherwise).
 *	probe: time page seq <8 hex> scale <16 hex> offset <16 hex>
 *		the reference TSC page once REFERENCE_TSC points at a page of
 *		the probe's.
 *	probe: time page-msr ok
 *		the time computed from the page before and after a read of
 *		TIME_REF_COUNT brackets it ("bad" and the three values otherwise).
 *	probe: time 2 cpus <n> reads, <n> backwards
 *		the boot processor and the first application processor (through
 *		EFI_MP_SERVICES_PROTOCOL) take turns reading TIME_REF_COUNT, each
 *		read after the other processor's: "backwards" counts reads not
 *		above the one before. "probe: time 2 cpus: <why not>" if the
 *		application processor cannot be used.
 *	probe: time done
 * A fault on the MSRs prints "probe: time #GP" and ends the mode.
 */

#include <efi.h>
#include <efilib.h>

#include "boot/mp.h"
#include "hv/compiler.h"
#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

#define HV_X64_MSR_TIME_REF_COUNT	0x40000020
#define HV_X64_MSR_REFERENCE_TSC	0x40000021
#define HV_X64_MSR_TSC_FREQUENCY	0x40000022

#define REF_HZ				10000000ULL
#define TURNS				2000

/* TLFS "Partition Reference Time Stamp Counter Page". */
struct tsc_page {
	volatile uint32_t sequence;
	uint32_t reserved;
	volatile uint64_t scale;
	volatile int64_t offset;
};

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* The guest's side of the page: retry while the sequence changes; 0 means "use the MSR". */
static bool page_time(const struct tsc_page *pg, uint64_t *time)
{
	uint32_t seq;
	uint64_t tsc;

	do {
		seq = pg->sequence;
		if (!seq)
			return false;
		asm volatile("" : : : "memory");
		tsc = rdtsc();
		*time = (uint64_t)(((unsigned __int128)tsc * pg->scale) >> 64) + (uint64_t)pg->offset;
		asm volatile("" : : : "memory");
	} while (pg->sequence != seq);
	return true;
}

/* TIME_REF_COUNT over about 0.1 s against the TSC, at the rate TSC_FREQUENCY gives. */
static void check_rate(uint64_t hz)
{
	uint64_t a0, a1, b0, b1, r0, r1, lo, hi;

	a0 = rdtsc();
	r0 = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
	a1 = rdtsc();
	while (rdtsc() - a1 < hz / 10)
		;
	b0 = rdtsc();
	r1 = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
	b1 = rdtsc();
	/* Each read happened between its two RDTSCs. */
	lo = (b0 - a1) * REF_HZ / hz;
	hi = ((b1 - a0) * REF_HZ + hz - 1) / hz;
	if (r1 - r0 + 1 >= lo && r1 - r0 <= hi + 1)
		Print(L"probe: time rate %lu in %lu ticks: ok\n", r1 - r0, b0 - a1);
	else
		Print(L"probe: time rate %lu in %lu ticks: bad (want %lu to %lu)\n", r1 - r0, b0 - a1, lo, hi);
}

static void check_page(void)
{
	EFI_PHYSICAL_ADDRESS pa = 0xffffffff;
	struct tsc_page *pg;
	uint64_t p0 = 0, m, p1 = 0;
	struct line l;
	bool valid;

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, 1, &pa))) {
		Print(L"probe: time tsc-page allocation failed\n");
		return;
	}
	pg = (struct tsc_page *)(UINTN)pa;
	if (trap_wrmsr(HV_X64_MSR_REFERENCE_TSC, pa | 1)) {
		Print(L"probe: time tsc-page #GP\n");
		uefi_call_wrapper(BS->FreePages, 2, pa, 1);
		return;
	}
	line_start(&l, L"time page");
	put_hex(&l, L" seq ", pg->sequence, 8);
	put_hex(&l, L" scale ", pg->scale, 16);
	put_hex(&l, L" offset ", (uint64_t)pg->offset, 16);
	line_end(&l);
	valid = page_time(pg, &p0);
	m = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
	valid = page_time(pg, &p1) && valid;
	if (valid && p0 <= m && m <= p1)
		Print(L"probe: time page-msr ok\n");
	else
		Print(L"probe: time page-msr bad (page %lu, msr %lu, page %lu)\n", p0, m, p1);
	/* A page the hypervisor may still write to must not go back to the firmware. */
	if (!trap_wrmsr(HV_X64_MSR_REFERENCE_TSC, 0))
		uefi_call_wrapper(BS->FreePages, 2, pa, 1);
}

/* Shared by the two processors taking turns: whose turn it is, the last value read, what went wrong. */
struct turns {
	volatile uint32_t turn;		/* 0: the boot processor's, 1: the AP's */
	volatile uint32_t done;
	volatile uint64_t last;
	volatile uint32_t reads;
	volatile uint32_t backwards;
	uint64_t timeout;		/* TSC ticks a processor waits for its turn */
};

/* One processor's part: wait for its turn, read, check against the other's last read, pass the turn. */
static void take_turns(struct turns *t, uint32_t me)
{
	for (unsigned int i = 0; i < TURNS / 2; i++) {
		uint64_t start = rdtsc(), v;

		while (t->turn != me)
			if (rdtsc() - start > t->timeout)
				return;
		v = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
		if (t->reads && v <= t->last)
			t->backwards++;
		t->last = v;
		t->reads++;
		asm volatile("" : : : "memory");
		t->turn = !me;
	}
}

static VOID EFIAPI ap_turns(VOID *arg)
{
	struct turns *t = arg;

	take_turns(t, 1);
	t->done = 1;
}

static void check_two_cpus(uint64_t hz)
{
	static EFI_GUID mp_guid = EFI_MP_SERVICES_PROTOCOL_GUID;
	static struct turns t;
	EFI_MP_SERVICES_PROTOCOL *mp;
	UINTN count = 0, enabled = 0, bsp = 0, ap;
	EFI_EVENT event;
	EFI_STATUS status;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &mp_guid, NULL, (void **)&mp)) ||
	    EFI_ERROR(mp->GetNumberOfProcessors(mp, &count, &enabled)) || enabled < 2 ||
	    EFI_ERROR(mp->WhoAmI(mp, &bsp))) {
		Print(L"probe: time 2 cpus: only one processor\n");
		return;
	}
	ap = bsp ? 0 : 1;
	t = (struct turns){ .timeout = hz };
	status = uefi_call_wrapper(BS->CreateEvent, 5, 0, 0, NULL, NULL, &event);
	if (!EFI_ERROR(status))
		status = mp->StartupThisAP(mp, ap_turns, ap, event, 0, &t, NULL);
	if (EFI_ERROR(status)) {
		Print(L"probe: time 2 cpus: the AP cannot be started: %r\n", status);
		return;
	}
	take_turns(&t, 0);
	/* The firmware signals the event once it sees the AP finished (it looks every so often). */
	for (unsigned int ms = 0; ms < 5000 && uefi_call_wrapper(BS->CheckEvent, 1, event) == EFI_NOT_READY; ms++)
		uefi_call_wrapper(BS->Stall, 1, 1000);
	uefi_call_wrapper(BS->CloseEvent, 1, event);
	if (!t.done) {
		Print(L"probe: time 2 cpus: the AP did not finish (%u reads)\n", t.reads);
		return;
	}
	Print(L"probe: time 2 cpus %u reads, %u backwards\n", t.reads, t.backwards);
}

void probe_time(void)
{
	uint64_t hz = 0, unused;

	if (trap_rdmsr(HV_X64_MSR_TSC_FREQUENCY, &hz) || trap_rdmsr(HV_X64_MSR_TIME_REF_COUNT, &unused) || !hz) {
		Print(L"probe: time #GP\n");
		return;
	}
	Print(L"probe: time tsc-hz %lu\n", hz);
	check_rate(hz);
	check_page();
	check_two_cpus(hz);
	Print(L"probe: time done\n");
}
