/* SPDX-License-Identifier: MIT */
/* Exit and viridian counters (hv/stats.c): what each exit bumps, and the table on the log. */
#include "hv/errno.h"
#include "hv/exit.h"
#include "hv/log.h"
#include "hv/mgmt.h"
#include "hv/stats.h"
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

#define GUEST_OS_ID	0x40000000u
#define HYPERCALL	0x40000001u
#define HC_PAGE		0x5000ULL
#define FAST		BIT(16)

static struct vir_fixture f;

static struct vcpu *setup(struct vf_mask m)
{
	struct vcpu *v = vf_init(&f, m);

	fake_cpuid_reset();
	fake_msr_reset();
	fake_log_clear();
	log_threshold = LOG_INFO;
	return v;
}

/* One exit through the dispatch table, as arch/x86/vmx_exit.c makes it. */
static enum exit_action exit_once(struct vcpu *v, uint32_t reason, uint64_t rax, uint64_t rcx, uint64_t rdx)
{
	v->exit_reason = reason;
	v->exit_qual = 0;
	v->instr_len = 2;
	v->rip = 0x1000;
	v->rip_changed = false;
	v->event.valid = false;
	v->regs->rax = rax;
	v->regs->rcx = rcx;
	v->regs->rdx = rdx;
	return exit_dispatch(v);
}

static void exits_by_reason(void)
{
	static const struct {
		uint32_t reason;
		uint32_t slot;
	} cases[] = {
		{ EXIT_REASON_CPUID, 10 },
		{ EXIT_REASON_EXCEPTION_NMI, 0 },	/* unhandled: counted all the same */
		{ EXIT_REASON_HLT, 12 },
		{ EXIT_REASON_XRSTORS, 64 },		/* the last basic reason */
		{ 35, 35 },				/* a hole in the SDM's list */
		{ 65, STATS_EXIT_REASONS },		/* past the table: "other" */
		{ 0xffff, STATS_EXIT_REASONS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup((struct vf_mask)VF_OFF);

		exit_once(v, cases[i].reason, 1, 0, 0);
		exit_once(v, cases[i].reason, 1, 0, 0);
		CHECK_EQ(v->stats.exits[cases[i].slot], 2);
		CHECK_EQ(stats_total_exits(&v->stats), 2);
		/* Only the owner's counters move. */
		CHECK_EQ(stats_total_exits(&f.vcpu_b.stats), 0);
	}
}

static void cpuid_leaves(void)
{
	static const struct {
		uint32_t leaf;
		uint32_t slot;		/* STATS_CPUID_LEAVES + 1: not counted */
	} cases[] = {
		{ 0x40000000, 0x00 },
		{ 0x40000003, 0x03 },
		{ 0x400000ff, 0xff },
		{ 0x40000100, STATS_CPUID_LEAVES },	/* Vireo's own leaves, behind Hyper-V's */
		{ 0x4fffffff, STATS_CPUID_LEAVES },
		{ 0x00000001, STATS_CPUID_LEAVES + 1 },	/* basic leaves are no viridian access */
		{ 0x3fffffff, STATS_CPUID_LEAVES + 1 },
		{ 0x50000000, STATS_CPUID_LEAVES + 1 },
		{ 0x80000000, STATS_CPUID_LEAVES + 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup((struct vf_mask)VF_BASE);
		uint64_t sum = 0;

		CHECK_EQ(exit_once(v, EXIT_REASON_CPUID, cases[i].leaf, 0, 0), EXIT_RESUME);
		for (size_t s = 0; s < ARRAY_SIZE(v->stats.cpuid); s++)
			sum += v->stats.cpuid[s];
		if (cases[i].slot <= STATS_CPUID_LEAVES) {
			CHECK_EQ(v->stats.cpuid[cases[i].slot], 1);
			CHECK_EQ(sum, 1);
		} else {
			CHECK_EQ(sum, 0);
		}
		/* One counter moved: the leaf's, or the exit's. */
		CHECK_EQ(stats_exits(&v->stats, EXIT_REASON_CPUID), 1);
		CHECK_EQ(stats_total_exits(&v->stats), 1);
		CHECK_EQ(v->stats.exits[EXIT_REASON_CPUID], 1 - sum);
	}
}

/* Every synthetic MSR access is counted, whether it works or faults; other MSRs are not. */
static void msr_accesses(void)
{
	static const struct {
		uint32_t msr;
		uint32_t slot;		/* STATS_MSRS + 1: not counted */
		bool write;
		bool gp;
	} cases[] = {
		{ 0x40000022, 0x22, false, false },		/* TSC_FREQUENCY, freq on */
		{ 0x40000099, 0x99, false, true },		/* unknown synthetic MSR */
		{ 0x40000105, 0x105, false, true },		/* CRASH_CTL, not implemented */
		{ 0x4000011f, 0x11f, false, true },
		{ 0x40000120, STATS_MSRS, false, true },
		{ 0x4000ffff, STATS_MSRS, false, true },
		{ 0x40000072, 0x72, true, false },		/* TPR */
		{ 0x40000002, 0x02, true, true },		/* VP_INDEX is read-only */
		{ 0x40000200, STATS_MSRS, true, true },
		{ 0x0000001b, STATS_MSRS + 1, false, false },	/* APIC_BASE */
		{ 0x3fffffff, STATS_MSRS + 1, false, true },
		{ 0x40010000, STATS_MSRS + 1, true, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup((struct vf_mask)VF_BASE_FREQ);
		const uint64_t *mine = cases[i].write ? v->stats.wrmsr : v->stats.rdmsr;
		const uint64_t *other = cases[i].write ? v->stats.rdmsr : v->stats.wrmsr;
		uint64_t sum = 0;

		fake_msr_set(0x1b, 0xfee00900);
		exit_once(v, cases[i].write ? EXIT_REASON_MSR_WRITE : EXIT_REASON_MSR_READ, 0, cases[i].msr, 0);
		CHECK_EQ(v->event.valid, cases[i].gp);
		for (size_t s = 0; s <= STATS_MSRS; s++) {
			sum += mine[s];
			CHECK_EQ(other[s], 0);
		}
		if (cases[i].slot <= STATS_MSRS) {
			CHECK_EQ(mine[cases[i].slot], 1);
			CHECK_EQ(sum, 1);
		} else {
			CHECK_EQ(sum, 0);
		}
		CHECK_EQ(stats_exits(&v->stats, cases[i].write ? EXIT_REASON_MSR_WRITE : EXIT_REASON_MSR_READ), 1);
		CHECK_EQ(stats_total_exits(&v->stats), 1);
	}
}

static void hypercalls_by_code(void)
{
	static const struct {
		uint64_t control;
		unsigned int cpl;
		uint32_t slot;		/* STATS_HCALL_CODES + 1: not counted */
	} cases[] = {
		{ 0x0008 | FAST, 0, 0x08 },
		{ 0x0099, 0, 0x99 },				/* unknown code: counted, then refused */
		{ 0x0008 | FAST | BIT(63), 0, 0x08 },		/* reserved bit: counted, then refused */
		{ 0x00ff, 0, 0xff },
		{ 0x0100, 0, STATS_HCALL_CODES },
		{ 0x8001 | FAST, 0, STATS_HCALL_CODES },
		{ 0x0008 | FAST, 3, STATS_HCALL_CODES + 1 },	/* #UD: no hypercall was made */
		{ MGMT_TAG | MGMT_OP_GET_PARAM, 0, STATS_HCALL_CODES + 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup((struct vf_mask)VF_BASE);
		uint64_t sum = 0;

		CHECK_EQ(vir_wrmsr(v, GUEST_OS_ID, 0x8100000608000000ULL), MSR_DONE);
		CHECK_EQ(vir_wrmsr(v, HYPERCALL, HC_PAGE | 1), MSR_DONE);
		fake_guest_cpl = cases[i].cpl;
		exit_once(v, EXIT_REASON_VMCALL, 0, cases[i].control, 0);
		for (size_t s = 0; s < ARRAY_SIZE(v->stats.hypercall); s++)
			sum += v->stats.hypercall[s];
		if (cases[i].slot <= STATS_HCALL_CODES) {
			CHECK_EQ(v->stats.hypercall[cases[i].slot], 1);
			CHECK_EQ(sum, 1);
		} else {
			CHECK_EQ(sum, 0);
		}
		CHECK_EQ(stats_exits(&v->stats, EXIT_REASON_VMCALL), 1);
		CHECK_EQ(v->stats.exits[EXIT_REASON_VMCALL], 1 - sum);
	}
}

/* The log is exactly want. */
static void check_log(const char *want)
{
	if (strcmp(fake_log, want) != 0) {
		printf("  log:\n%s  want:\n%s", fake_log, want);
		test_case_failures++;
	}
}

/* The table, line by line, for two vCPUs. */
static void print_table(void)
{
	struct vcpu *v = setup((struct vf_mask)VF_BASE_FREQ);

	for (int i = 0; i < 3; i++)
		exit_once(v, EXIT_REASON_CPUID, 0x40000003, 0, 0);
	exit_once(v, EXIT_REASON_CPUID, 0x40000100, 0, 0);
	exit_once(v, EXIT_REASON_CPUID, 1, 0, 0);
	exit_once(v, EXIT_REASON_MSR_READ, 0, 0x40000022, 0);
	exit_once(v, EXIT_REASON_MSR_READ, 0, 0x40000099, 0);
	exit_once(v, EXIT_REASON_MSR_WRITE, 0x20, 0x40000072, 0);
	exit_once(v, 35, 0, 0, 0);
	exit_once(v, 0x1234, 0, 0, 0);
	v->stats.hypercall[8] = 7;
	v->stats.hypercall[STATS_HCALL_CODES] = 2;
	exit_once(&f.vcpu_b, EXIT_REASON_HLT, 0, 0, 0);
	fake_log_clear();

	stats_print(&f.part);
	check_log("vireo: stats: vireo memory 0 pages in 0 ranges\r\n"
		  "vireo: stats: guest-caused log lines dropped 0\r\n"
		  "vireo: stats: vcpu3 total 19 exits\r\n"
		  "vireo: stats: vcpu3 exits CPUID 5, VMCALL 9, MSR_READ 2, MSR_WRITE 1, UNKNOWN_35 1, other 1\r\n"
		  "vireo: stats: vcpu3 cpuid 40000003 3, other 1\r\n"
		  "vireo: stats: vcpu3 rdmsr 40000022 1, 40000099 1\r\n"
		  "vireo: stats: vcpu3 wrmsr 40000072 1\r\n"
		  "vireo: stats: vcpu3 hypercall 0008 7, other 2\r\n"
		  "vireo: stats: vcpu7 total 1 exits\r\n"
		  "vireo: stats: vcpu7 exits HLT 1\r\n");

	/* Below the info level, nothing. */
	fake_log_clear();
	log_threshold = LOG_WARN;
	stats_print(&f.part);
	check_log("");
}

/* Vireo's memory: the sum of the ranges hidden from the guest, in pages; then what the log's rate limit dropped. */
static void print_memory(void)
{
	setup((struct vf_mask)VF_OFF);
	f.part.nr_vcpus = 0;
	CHECK_EQ(part_add_hv_range(&f.part, 0x100000, 0x2f000), 0);
	CHECK_EQ(part_add_hv_range(&f.part, 0x7000000, 0x101000), 0);
	CHECK_EQ(part_add_hv_range(&f.part, 0xfff000, 0x1000), 0);
	log_guest_dropped = 42;
	stats_print(&f.part);
	check_log("vireo: stats: vireo memory 305 pages in 3 ranges\r\n"
		  "vireo: stats: guest-caused log lines dropped 42\r\n");
	log_guest_dropped = 0;
}

/* A long list goes on over several lines, none longer than a log line, no counter lost. */
static void long_lists_wrap(void)
{
	struct vcpu *v = setup((struct vf_mask)VF_BASE);
	unsigned int lines = 0, items = 0;
	const char *p;

	for (uint32_t i = 0; i <= STATS_MSRS; i++)
		v->stats.wrmsr[i] = 0xffffffffffffffffULL;
	f.part.nr_vcpus = 1;
	stats_print(&f.part);
	for (p = fake_log; (p = strstr(p, "vireo: stats: vcpu3 wrmsr ")); lines++) {
		const char *end = strstr(p, "\r\n");

		CHECK(end && end - p < 256);
		for (const char *q = p; q < end; q++)
			items += *q == ',';
		items++;
		p = end;
	}
	CHECK_EQ(items, STATS_MSRS + 1);
	CHECK(lines > 1);
	CHECK(fake_log_contains("wrmsr 40000000 18446744073709551615, 40000001 18446744073709551615"));
	CHECK(fake_log_contains("4000011f 18446744073709551615, other 18446744073709551615\r\n"));
}

/* The guest asks with MGMT_OP_PRINT_STATS; so may the management partition. */
static void print_on_request(void)
{
	static const enum caller callers[] = { CALLER_GUEST, CALLER_MGMT };

	for (size_t i = 0; i < ARRAY_SIZE(callers); i++) {
		struct vcpu *v = setup((struct vf_mask)VF_OFF);
		uint64_t out = 0x55;

		exit_once(v, EXIT_REASON_CPUID, 1, 0, 0);
		fake_log_clear();
		CHECK_EQ(mgmt_call(&f.part, callers[i], MGMT_OP_PRINT_STATS, 0, 0, &out), 0);
		CHECK_EQ(out, 0x55);
		CHECK(fake_log_contains("vireo: stats: vcpu3 total 1 exits\r\n"));
		CHECK(fake_log_contains("vireo: stats: vcpu3 exits CPUID 1\r\n"));
	}

	/* Through VMCALL: RAX = 0, RDX unchanged, the VMCALL itself already counted. */
	{
		struct vcpu *v = setup((struct vf_mask)VF_OFF);

		CHECK_EQ(exit_once(v, EXIT_REASON_VMCALL, 0, MGMT_TAG | MGMT_OP_PRINT_STATS, 0x77), EXIT_RESUME);
		CHECK_EQ(f.regs.rax, 0);
		CHECK_EQ(f.regs.rdx, 0x77);
		CHECK(v->rip_changed);
		CHECK(fake_log_contains("vireo: stats: vcpu3 exits VMCALL 1\r\n"));
	}
}

/* A triple fault prints the table before the machine resets. */
static void print_on_triple_fault(void)
{
	struct vcpu *v = setup((struct vf_mask)VF_OFF);
	const char *err, *total;

	exit_once(v, EXIT_REASON_CPUID, 1, 0, 0);
	CHECK_EQ(exit_once(v, EXIT_REASON_TRIPLE_FAULT, 0, 0, 0), EXIT_RESET_SYSTEM);
	err = strstr(fake_log, "vireo: error: vcpu3: triple fault at rip 0x1000");
	total = strstr(fake_log, "vireo: stats: vcpu3 total 2 exits\r\n");
	CHECK(err && total && err < total);
	CHECK(fake_log_contains("vireo: stats: vcpu3 exits TRIPLE_FAULT 1, CPUID 1\r\n"));
}

int main(void)
{
	RUN("stats", exits_by_reason);
	RUN("stats", cpuid_leaves);
	RUN("stats", msr_accesses);
	RUN("stats", hypercalls_by_code);
	RUN("stats", print_table);
	RUN("stats", print_memory);
	RUN("stats", long_lists_wrap);
	RUN("stats", print_on_request);
	RUN("stats", print_on_triple_fault);
	return test_suite_failures != 0;
}
