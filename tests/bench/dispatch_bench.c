/* SPDX-License-Identifier: MIT */
/*
 * Hosted driver for make bench (tests/bench/run).
 *
 *   dispatch_bench PATH N	runs exit_dispatch() N times for one exit path,
 *				against the fakes of tests/unit, so that
 *				valgrind --tool=callgrind --toggle-collect=exit_dispatch
 *				counts the instructions of the dispatch code alone
 *   dispatch_bench footprint	prints the sizes of what Vireo allocates per
 *				CPU and per partition
 *
 * Each path is checked once per call (outside exit_dispatch): a path that
 * stops doing what it is named for fails the run instead of being timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86/vmx.h"
#include "boot/platform.h"
#include "hv/exit.h"
#include "hv/partition.h"
#include "tests/unit/fake.h"

#define TSC_HZ	2400000000ULL

struct bench_path {
	const char *name;
	uint64_t rax, rcx, rdx;
	uint64_t mask;			/* viridian groups */
	uint64_t want_rax;		/* RAX after the exit, unless gp */
	uint32_t reason;
	bool gp;			/* the exit injects #GP */
};

static const struct bench_path paths[] = {
	/* CPUID 0x40000003: base + freq privileges in EAX. */
	{ .name = "viridian_cpuid", .reason = EXIT_REASON_CPUID, .rax = 0x40000003,
	  .mask = VIR_BASE | VIR_FREQ, .want_rax = 0x870 },
	{ .name = "freq_rdmsr", .reason = EXIT_REASON_MSR_READ, .rcx = 0x40000022,
	  .mask = VIR_BASE | VIR_FREQ, .want_rax = (uint32_t)TSC_HZ },
	/* TPR = 0x20; RAX is left as it was. */
	{ .name = "apic_wrmsr", .reason = EXIT_REASON_MSR_WRITE, .rax = 0x20, .rcx = 0x40000072,
	  .mask = VIR_BASE | VIR_FREQ, .want_rax = 0x20 },
	{ .name = "unknown_rdmsr", .reason = EXIT_REASON_MSR_READ, .rcx = 0x40000099,
	  .mask = VIR_BASE | VIR_FREQ, .gp = true },
};

static struct partition part;
static struct guest_regs regs;
static struct vcpu vcpu;

static int run_path(const struct bench_path *b, unsigned long n)
{
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE, .tsc_hz = TSC_HZ };
	part.param[PARAM_VIRIDIAN] = b->mask;
	part.param_set = (uint32_t)BIT(PARAM_VIRIDIAN);
	vir_apply_mask(&part);
	vcpu = (struct vcpu){ .regs = &regs, .part = &part };
	part.vcpu[0] = &vcpu;
	part.nr_vcpus = 1;

	for (unsigned long i = 0; i < n; i++) {
		regs = (struct guest_regs){ .rax = b->rax, .rcx = b->rcx, .rdx = b->rdx };
		vcpu.exit_reason = b->reason;
		vcpu.instr_len = 2;
		vcpu.rip = 0x1000;
		vcpu.rip_changed = false;
		vcpu.event.valid = false;
		if (exit_dispatch(&vcpu) != EXIT_RESUME || vcpu.event.valid != b->gp ||
		    vcpu.rip_changed == b->gp || (!b->gp && regs.rax != b->want_rax)) {
			fprintf(stderr, "dispatch_bench: %s: wrong result (rax %#llx, event %d)\n", b->name,
				(unsigned long long)regs.rax, vcpu.event.valid);
			return 1;
		}
	}
	printf("dispatch: %s %lu calls\n", b->name, n);
	return 0;
}

static void print_footprint(void)
{
	printf("footprint: vmx_vcpu %zu bytes, %zu pages\n", sizeof(struct vmx_vcpu),
	       (size_t)EFI_PAGES(sizeof(struct vmx_vcpu)));
	printf("footprint: vcpu_stats %zu bytes\n", sizeof(struct vcpu_stats));
	printf("footprint: partition %zu bytes, %zu pages\n", sizeof(struct partition),
	       (size_t)EFI_PAGES(sizeof(struct partition)));
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "footprint")) {
		print_footprint();
		return 0;
	}
	if (argc == 3) {
		for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
			if (!strcmp(argv[1], paths[i].name))
				return run_path(&paths[i], strtoul(argv[2], NULL, 0));
	}
	fprintf(stderr, "usage: %s footprint | %s PATH N, PATH one of:", argv[0], argv[0]);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		fprintf(stderr, " %s", paths[i].name);
	fprintf(stderr, "\n");
	return 2;
}
