/* SPDX-License-Identifier: MIT */
/*
 * probe.efi hostile: a guest that feeds the hypervisor interface garbage.
 *
 * With a fixed seed, so that every run does the same, it
 *  - writes random values to every synthetic MSR in 0x40000000-0x400000FF
 *    and 0x40000100-0x40000105 (the crash MSRs) and reads each, ROUNDS
 *    times, catching #GP. Never ICR (0x40000071): a write that passes its
 *    checks sends an IPI. TPR is set back after each write, HYPERCALL only
 *    ever gets the probe's own page with the enable and lock bits clear, and
 *    both it and GUEST_OS_ID are restored at the end;
 *  - runs CPUID on every leaf 0x40000000-0x400001FF and on random leaves of
 *    the hypervisor range, with random subleaves;
 *  - makes HYPERCALLS calls through an enabled hypercall page with random
 *    control words and random inputs;
 *  - makes MGMT_CALLS management calls with random operations and arguments
 *    (never MGMT_OP_PRINT_STATS, which only fills the log).
 * It prints, each on its own line:
 *	hostile: msr <n> writes (<n> #GP), <n> reads (<n> #GP)
 *	hostile: cpuid <n> leaves
 *	hostile: hypercall <n> calls, <n> faults
 *	hostile: mgmt <n> calls, <n> sets accepted
 *	hostile: viridian mask <mask, decimal>
 *	hostile: done
 */

#include <efi.h>
#include <efilib.h>

#include "hv/compiler.h"
#include "hv/mgmt.h"
#include "hv/partition.h"
#include "tests/probe/probe.h"
#include "tests/probe/trap.h"

#define ROUNDS			4
#define RANDOM_LEAVES		2048
#define HYPERCALLS		2000
#define MGMT_CALLS		64

#define HV_X64_MSR_GUEST_OS_ID	0x40000000
#define HV_X64_MSR_HYPERCALL	0x40000001
#define HV_X64_MSR_ICR		0x40000071
#define HV_X64_MSR_TPR		0x40000072
#define HV_HYPERCALL_RSVD	0xffcULL	/* bits 11:2; 1 is locked, 0 enable */
#define PROBE_GUEST_OS_ID	0x8100000000010000ULL

#define UD2_BYTE0		0x0f
#define UD2_BYTE1		0x0b

static const struct {
	uint32_t first, last;
} msr_ranges[] = {
	{ 0x40000000, 0x400000ff },
	{ 0x40000100, 0x40000105 },
};

/* Call codes the TLFS defines, Vireo's own (0x0008) among them, and one it does not. */
static const uint16_t hcall_codes[] = { 0x0002, 0x0003, 0x0008, 0x000b, 0x0013, 0x0014, 0x0015, 0x0099 };

/* xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators"). */
static uint64_t rng_state = 0x5649524f484f5354ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A value for msr that cannot hurt the guest itself. */
static uint64_t msr_garbage(uint32_t msr, EFI_PHYSICAL_ADDRESS page)
{
	uint64_t val = rng();

	if (msr == HV_X64_MSR_HYPERCALL)
		return page | (val & HV_HYPERCALL_RSVD);
	return val;
}

static void garbage_msrs(EFI_PHYSICAL_ADDRESS page)
{
	UINTN writes = 0, write_gp = 0, reads = 0, read_gp = 0;
	uint64_t tpr = 0, os_id = 0, val;

	trap_rdmsr(HV_X64_MSR_TPR, &tpr);
	trap_rdmsr(HV_X64_MSR_GUEST_OS_ID, &os_id);
	for (unsigned int round = 0; round < ROUNDS; round++) {
		for (UINTN r = 0; r < ARRAY_SIZE(msr_ranges); r++) {
			for (uint32_t msr = msr_ranges[r].first; msr <= msr_ranges[r].last; msr++) {
				if (msr != HV_X64_MSR_ICR) {
					writes++;
					write_gp += trap_wrmsr(msr, msr_garbage(msr, page)) != 0;
					if (msr == HV_X64_MSR_TPR)
						trap_wrmsr(HV_X64_MSR_TPR, tpr);
				}
				reads++;
				read_gp += trap_rdmsr(msr, &val) != 0;
			}
		}
	}
	trap_wrmsr(HV_X64_MSR_HYPERCALL, 0);
	trap_wrmsr(HV_X64_MSR_GUEST_OS_ID, os_id);
	Print(L"hostile: msr %ld writes (%ld #GP), %ld reads (%ld #GP)\n", writes, write_gp, reads, read_gp);
}

static void cpuid_garbage(uint32_t leaf)
{
	uint32_t eax = leaf, ebx, ecx = (uint32_t)rng(), edx;

	asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
}

static void garbage_cpuid(void)
{
	UINTN n = 0;

	for (uint32_t leaf = 0x40000000; leaf <= 0x400001ff; leaf++, n++)
		cpuid_garbage(leaf);
	for (unsigned int i = 0; i < RANDOM_LEAVES; i++, n++)
		cpuid_garbage(0x40000000 | ((uint32_t)rng() & 0x0fffffff));
	Print(L"hostile: cpuid %ld leaves\n", n);
}

/* Half the control words are random, half a known code with random flags, rep fields and reserved bits. */
static uint64_t hcall_control(void)
{
	uint64_t c = rng();

	if (rng() & 1)
		c = (c & ~0xffffULL) | hcall_codes[rng() % ARRAY_SIZE(hcall_codes)];
	return c;
}

/* An input that is an aligned guest-physical address below 4 GiB or anything at all. */
static uint64_t hcall_input(void)
{
	uint64_t v = rng();

	return (rng() & 1) ? v & 0xfffffff8ULL : v;
}

static void garbage_hypercalls(EFI_PHYSICAL_ADDRESS page)
{
	volatile uint8_t *code = (volatile uint8_t *)(UINTN)page;
	UINTN faults = 0;
	uint64_t os_id = 0, rax;

	/* UD2s until the hypervisor writes its code there (see main.c). */
	for (UINTN i = 0; i < PAGE_SIZE; i += 2) {
		code[i] = UD2_BYTE0;
		code[i + 1] = UD2_BYTE1;
	}
	trap_rdmsr(HV_X64_MSR_GUEST_OS_ID, &os_id);
	if (trap_wrmsr(HV_X64_MSR_GUEST_OS_ID, PROBE_GUEST_OS_ID) || trap_wrmsr(HV_X64_MSR_HYPERCALL, page | 1)) {
		Print(L"hostile: hypercall page refused\n");
		return;
	}
	for (unsigned int i = 0; i < HYPERCALLS; i++) {
		uint64_t control = hcall_control(), in = hcall_input(), out = hcall_input();

		/* The management tag in bits 63:48 would make it a management call: see garbage_mgmt(). */
		if (mgmt_is_call(control))
			control &= ~MGMT_TAG_MASK;
		faults += trap_call((const void *)code, control, in, out, &rax) != 0;
	}
	trap_wrmsr(HV_X64_MSR_HYPERCALL, 0);
	trap_wrmsr(HV_X64_MSR_GUEST_OS_ID, os_id);
	Print(L"hostile: hypercall %d calls, %ld faults\n", HYPERCALLS, faults);
}

static void garbage_mgmt(void)
{
	UINTN accepted = 0;
	uint64_t out[2];

	for (unsigned int i = 0; i < MGMT_CALLS; i++) {
		uint64_t op = i % 2 ? MGMT_OP_SET_PARAM : rng() & 0xffffffffffffULL;

		if (op == MGMT_OP_PRINT_STATS)
			op = MGMT_OP_GET_PARAM;
		out[0] = 1;
		if (trap_vmcall(MGMT_TAG | op, i % 4 == 1 ? PARAM_VIRIDIAN : rng(), rng(), out))
			continue;
		accepted += op == MGMT_OP_SET_PARAM && out[0] == 0;
	}
	Print(L"hostile: mgmt %d calls, %ld sets accepted\n", MGMT_CALLS, accepted);
	out[1] = 0;
	if (trap_vmcall(MGMT_TAG | MGMT_OP_GET_PARAM, PARAM_VIRIDIAN, 0, out))
		Print(L"hostile: viridian mask #UD\n");
	else
		Print(L"hostile: viridian mask %ld\n", out[1]);
}

/* Back to the firmware only if the hypervisor let go of it: HYPERCALL disabled, or no viridian. */
static void page_release(EFI_PHYSICAL_ADDRESS page)
{
	uint64_t hc = 0;

	if (trap_rdmsr(HV_X64_MSR_HYPERCALL, &hc) || !(hc & 1))
		uefi_call_wrapper(BS->FreePages, 2, page, 1);
}

void probe_hostile(void)
{
	EFI_PHYSICAL_ADDRESS page = 0xffffffff;

	/* Code: the hypervisor writes the hypercall page's code there. */
	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderCode, 1, &page))) {
		Print(L"hostile: no page\n");
		return;
	}
	garbage_msrs(page);
	garbage_cpuid();
	garbage_hypercalls(page);
	garbage_mgmt();
	page_release(page);
	Print(L"hostile: done\n");
}
