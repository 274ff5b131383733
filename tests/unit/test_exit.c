/* SPDX-License-Identifier: MIT */
/* The exit dispatch table and the handlers of hv/exit_*.c, against the fake processor. */
#include "hv/errno.h"
#include "hv/exit.h"
#include "hv/mgmt.h"
#include "hv/partition.h"
#include "hv/version.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

static struct partition part;
static struct guest_regs regs;
static struct vcpu vcpu;

static struct vcpu *exit_with(uint32_t reason, uint32_t instr_len)
{
	vcpu = (struct vcpu){
		.regs = &regs, .part = &part, .vp_index = 3,
		.exit_reason = reason, .instr_len = instr_len, .rip = 0x1000,
	};
	return &vcpu;
}

static void reset_all(void)
{
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE };
	regs = (struct guest_regs){ 0 };
	fake_cpuid_reset();
	fake_msr_reset();
	fake_log_clear();
	fake_guest_cpl = 0;
	fake_guest_mode = GUEST_MODE_LONG;
	fake_guest = (struct fake_guest){ 0 };
}

static void expect_gp(const struct vcpu *v)
{
	CHECK(v->event.valid);
	CHECK_EQ(v->event.vector, VEC_GP);
	CHECK_EQ(v->event.type, EVENT_HW_EXCEPTION);
	CHECK(v->event.has_error_code);
	CHECK_EQ(v->event.error_code, 0);
	CHECK(!v->rip_changed);
}

static void expect_ud(const struct vcpu *v)
{
	CHECK(v->event.valid);
	CHECK_EQ(v->event.vector, VEC_UD);
	CHECK(!v->event.has_error_code);
	CHECK(!v->rip_changed);
}

static void expect_skipped(const struct vcpu *v, uint32_t len)
{
	CHECK(!v->event.valid);
	CHECK(v->rip_changed);
	CHECK_EQ(v->rip, 0x1000 + len);
}

static void table_covers_what_vireo_handles(void)
{
	static const uint32_t handled[] = {
		EXIT_REASON_TRIPLE_FAULT, EXIT_REASON_CPUID, EXIT_REASON_GETSEC, EXIT_REASON_INVD,
		EXIT_REASON_VMCALL, EXIT_REASON_VMCLEAR, EXIT_REASON_VMLAUNCH, EXIT_REASON_VMPTRLD,
		EXIT_REASON_VMPTRST, EXIT_REASON_VMREAD, EXIT_REASON_VMRESUME, EXIT_REASON_VMWRITE,
		EXIT_REASON_VMXOFF, EXIT_REASON_VMXON, EXIT_REASON_MSR_READ, EXIT_REASON_MSR_WRITE,
		EXIT_REASON_INVEPT, EXIT_REASON_INVVPID, EXIT_REASON_XSETBV, EXIT_REASON_INIT_SIGNAL,
		EXIT_REASON_SIPI, EXIT_REASON_CR_ACCESS, EXIT_REASON_EPT_VIOLATION, EXIT_REASON_IO_INSTRUCTION,
		EXIT_REASON_EXCEPTION_NMI, EXIT_REASON_NMI_WINDOW,
	};
	unsigned int count = 0;

	for (size_t i = 0; i < ARRAY_SIZE(handled); i++)
		CHECK(exit_has_handler(handled[i]));
	for (uint32_t r = 0; r < EXIT_REASON_MAX + 10; r++)
		count += exit_has_handler(r);
	CHECK_EQ(count, ARRAY_SIZE(handled));
	CHECK(!exit_has_handler(0xffff));
}

static void reason_names(void)
{
	CHECK_STR(exit_reason_name(EXIT_REASON_CPUID), "CPUID");
	CHECK_STR(exit_reason_name(EXIT_REASON_EPT_VIOLATION), "EPT_VIOLATION");
	CHECK_STR(exit_reason_name(35), "UNKNOWN");
	CHECK_STR(exit_reason_name(5000), "UNKNOWN");
}

static void unexpected_exit_is_reported_and_stops(void)
{
	static const uint32_t reasons[] = { EXIT_REASON_HLT, EXIT_REASON_RDPMC, 35, 65, 0xffff };

	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
		struct vcpu *v;

		reset_all();
		v = exit_with(reasons[i], 1);
		v->exit_qual = 0x3f8;
		CHECK_EQ(exit_dispatch(v), EXIT_STOP_VCPU);
		CHECK(!v->rip_changed);
	}
	reset_all();
	exit_with(EXIT_REASON_MWAIT, 1)->exit_qual = 0x3f80008;
	exit_dispatch(&vcpu);
	CHECK(fake_log_contains("vcpu3: unexpected VM exit 36 (MWAIT) at rip 0x1000"));
}

static void cpuid_leaf1_sets_hypervisor_hides_vmx(void)
{
	reset_all();
	fake_guest.cr[4] = BIT(18);		/* OSXSAVE */
	fake_cpuid_set(1, 0, 0x306c3, 0x10800, 0x7ffafbff, 0xbfebfbff);
	regs.rax = 1;
	CHECK_EQ(exit_dispatch(exit_with(EXIT_REASON_CPUID, 2)), EXIT_RESUME);
	CHECK_EQ(regs.rax, 0x306c3);
	CHECK_EQ(regs.rbx, 0x10800);
	CHECK_EQ(regs.rcx, (0x7ffafbff | BIT(31)) & ~BIT(5));
	CHECK_EQ(regs.rdx, 0xbfebfbff);
	expect_skipped(&vcpu, 2);
}

/*
 * CPUID.1:ECX.OSXSAVE and CPUID.7.0:ECX.OSPKE read the guest's CR4, not the
 * host's that ran CPUID: set where the guest set the bit, clear where not,
 * whatever the host's CPUID said.
 */
static void cpuid_mirrors_guest_cr4(void)
{
	static const struct {
		uint32_t leaf, host_ecx;
		uint64_t cr4;
		uint32_t want_ecx;
	} cases[] = {
		{ 1, 0x7ffafbff, 0, 0x77fafbdf | BIT(31) },		/* host OSXSAVE, guest not */
		{ 1, 0x77fafbff, BIT(18), 0x7ffafbdf | BIT(31) },	/* guest OSXSAVE, host not */
		{ 7, 0x10, 0, 0 },					/* OSPKE follows CR4.PKE */
		{ 7, 0, BIT(22), 0x10 },
		{ 7, 0x1f, BIT(22), 0x1f },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		reset_all();
		fake_guest.cr[4] = cases[i].cr4;
		fake_cpuid_set(cases[i].leaf, 0, 1, 2, cases[i].host_ecx, 4);
		regs.rax = cases[i].leaf;
		exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
		CHECK_EQ(regs.rcx, cases[i].want_ecx);
		CHECK_EQ(regs.rax, 1);
		CHECK_EQ(regs.rdx, 4);
	}
	/* Leaf 7 subleaf 1 has no OSPKE bit: passed through. */
	reset_all();
	fake_guest.cr[4] = BIT(22);
	fake_cpuid_set(7, 1, 0, 0, 0, 0);
	regs = (struct guest_regs){ .rax = 7, .rcx = 1 };
	exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
	CHECK_EQ(regs.rcx, 0);
}

static void cpuid_passes_subleaf(void)
{
	reset_all();
	fake_cpuid_set(7, 1, 0x11, 0x22, 0x33, 0x44);
	regs.rax = 7;
	regs.rcx = 1;
	exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
	CHECK_EQ(regs.rax, 0x11);
	CHECK_EQ(regs.rdx, 0x44);
}

static void cpuid_vireo_leaves_without_viridian(void)
{
	reset_all();
	regs.rax = 0x40000000;
	exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
	CHECK_EQ(regs.rax, 0x40000001);
	CHECK_EQ(regs.rbx, VIREO_SIGNATURE_EBX);
	CHECK_EQ(regs.rcx, VIREO_SIGNATURE_ECX);
	CHECK_EQ(regs.rdx, VIREO_SIGNATURE_EDX);
	regs.rax = 0x40000001;
	exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
	CHECK_EQ(regs.rax, VIREO_VERSION_MAJOR << 16 | VIREO_VERSION_MINOR);
	CHECK_EQ(regs.rbx, 3);
	for (uint32_t leaf = 0x40000002; leaf <= 0x40000102; leaf += 0x80) {
		regs = (struct guest_regs){ .rax = leaf, .rbx = 1, .rcx = 1, .rdx = 1 };
		exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
		CHECK_EQ(regs.rax | regs.rbx | regs.rcx | regs.rdx, 0);
	}
}

static void cpuid_vireo_leaves_move_with_viridian(void)
{
	reset_all();
	part.param[PARAM_VIRIDIAN] = VIR_BASE;
	part.param_set = BIT(PARAM_VIRIDIAN);
	vir_apply_mask(&part);
	regs.rax = 0x40000100;
	exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
	CHECK_EQ(regs.rax, 0x40000101);
	CHECK_EQ(regs.rbx, VIREO_SIGNATURE_EBX);
	regs.rax = 0x40000000;
	exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
	CHECK_EQ(regs.rbx, 0x7263694d);		/* "Micr" */
}

/*
 * The exit path answers a CPUID leaf on its own path when
 * exit_cpuid_answer() can: the processor's leaves and the partition's
 * viridian leaves, counted, the instruction left to retire. It declines
 * Vireo's own leaves with nothing done, so the exit that then goes through
 * exit_dispatch counts once.
 */
static void cpuid_answer_declines_vireo_leaves_untouched(void)
{
	static const struct {
		uint32_t leaf;
		bool answered;
	} cases[] = {
		{ 1, true }, { 0x3fffffff, true }, { 0x40000000, true }, { 0x40000006, true },
		{ 0x40000100, false }, { 0x40000101, false }, { 0x4fffffff, false }, { 0x50000000, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v;

		reset_all();
		part.param[PARAM_VIRIDIAN] = VIR_BASE;
		part.param_set = BIT(PARAM_VIRIDIAN);
		vir_apply_mask(&part);
		fake_cpuid_set(cases[i].leaf, 0, 1, 2, 3, 4);
		regs = (struct guest_regs){ .rax = cases[i].leaf, .rbx = 9, .rcx = 0, .rdx = 9 };
		v = exit_with(EXIT_REASON_CPUID, 2);
		CHECK_EQ(exit_cpuid_answer(v), cases[i].answered);
		CHECK_EQ(stats_total_exits(&v->stats), cases[i].answered);
		CHECK(!v->rip_changed);
		if (!cases[i].answered) {
			CHECK_EQ(regs.rax, cases[i].leaf);
			CHECK_EQ(regs.rbx, 9);
			CHECK_EQ(exit_dispatch(v), EXIT_RESUME);
			CHECK_EQ(stats_total_exits(&v->stats), 1);
			expect_skipped(v, 2);
		} else {
			CHECK(regs.rbx != 9);
		}
	}
}

/*
 * CPUID 0x80000007 as the processor reports it, but that a partition with
 * tsc_invariant sees no invariant TSC (EDX bit 8) until it sets
 * TSC_INVARIANT_CONTROL, as on Hyper-V. Without viridian, or without the
 * group, the leaf is the processor's.
 */
static uint32_t cpuid_80000007_edx(void)
{
	regs = (struct guest_regs){ .rax = 0x80000007 };
	exit_dispatch(exit_with(EXIT_REASON_CPUID, 2));
	expect_skipped(&vcpu, 2);
	return (uint32_t)regs.rdx;
}

static void cpuid_invariant_tsc_behind_control(void)
{
	static const struct {
		bool set;
		uint64_t mask;
		uint32_t before, after;		/* EDX before and after the guest writes TSC_INVARIANT_CONTROL = 1 */
	} cases[] = {
		{ false, 0, 0x1ff, 0x1ff },
		{ true, VIR_BASE | VIR_FREQ, 0x1ff, 0x1ff },
		{ true, VIR_BASE | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC, 0x1ff, 0x1ff },
		{ true, VIR_BASE | VIR_TSC_INVARIANT, 0x0ff, 0x1ff },
		{ true, VIR_KNOWN, 0x0ff, 0x1ff },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		reset_all();
		fake_cpuid_set(0x80000000, 0, 0x80000008, 0, 0, 0);
		fake_cpuid_set(0x80000007, 0, 0, 0, 0, 0x1ff);
		part.param[PARAM_VIRIDIAN] = cases[i].mask;
		part.param_set = cases[i].set ? BIT(PARAM_VIRIDIAN) : 0;
		vir_apply_mask(&part);
		CHECK_EQ(cpuid_80000007_edx(), cases[i].before);
		regs = (struct guest_regs){ .rcx = 0x40000118, .rax = 1 };
		exit_dispatch(exit_with(EXIT_REASON_MSR_WRITE, 2));
		CHECK_EQ(cpuid_80000007_edx(), cases[i].after);
	}
}

static void rdmsr_passes_through_or_faults(void)
{
	reset_all();
	fake_msr_set(0x1b, 0x00000001fee00900ULL);
	regs.rcx = 0x1b;
	exit_dispatch(exit_with(EXIT_REASON_MSR_READ, 2));
	CHECK_EQ(regs.rax, 0xfee00900);
	CHECK_EQ(regs.rdx, 1);
	expect_skipped(&vcpu, 2);

	regs.rcx = 0x1234;		/* the processor #GPs: so does the guest */
	exit_dispatch(exit_with(EXIT_REASON_MSR_READ, 2));
	expect_gp(&vcpu);

	fake_msr_set(0x480, 0xda0400000004ULL);	/* VMX is hidden, whatever the processor has */
	regs.rcx = 0x480;
	exit_dispatch(exit_with(EXIT_REASON_MSR_READ, 2));
	expect_gp(&vcpu);

	regs.rcx = 0x40000000;		/* viridian off: synthetic MSRs do not exist */
	exit_dispatch(exit_with(EXIT_REASON_MSR_READ, 2));
	expect_gp(&vcpu);
}

static void wrmsr_passes_through_or_faults(void)
{
	uint64_t val = 0;

	reset_all();
	fake_msr_set(0x277, 0x0007040600070406ULL);
	regs = (struct guest_regs){ .rcx = 0x277, .rax = 0x00070106, .rdx = 0x00070406 };
	exit_dispatch(exit_with(EXIT_REASON_MSR_WRITE, 2));
	expect_skipped(&vcpu, 2);
	CHECK(fake_msr_get(0x277, &val));
	CHECK_EQ(val, 0x0007040600070106ULL);

	fake_msr_set(0x48b, 0);
	regs.rcx = 0x48b;
	exit_dispatch(exit_with(EXIT_REASON_MSR_WRITE, 2));
	expect_gp(&vcpu);

	regs.rcx = 0x40000001;
	exit_dispatch(exit_with(EXIT_REASON_MSR_WRITE, 2));
	expect_gp(&vcpu);
}

static void vmcall_management_from_guest(void)
{
	reset_all();
	part.param[PARAM_VIRIDIAN] = VIR_BASE | VIR_FREQ;
	part.param_set = BIT(PARAM_VIRIDIAN);
	vir_apply_mask(&part);

	regs = (struct guest_regs){ .rcx = MGMT_TAG | MGMT_OP_GET_PARAM, .rdx = PARAM_VIRIDIAN };
	exit_dispatch(exit_with(EXIT_REASON_VMCALL, 3));
	CHECK_EQ(regs.rax, 0);
	CHECK_EQ(regs.rdx, VIR_BASE | VIR_FREQ);
	expect_skipped(&vcpu, 3);

	regs = (struct guest_regs){ .rcx = MGMT_TAG | MGMT_OP_SET_PARAM, .rdx = PARAM_VIRIDIAN, .r8 = VIR_BASE };
	exit_dispatch(exit_with(EXIT_REASON_VMCALL, 3));
	CHECK_EQ(regs.rax, (uint64_t)-HV_EPERM);
	CHECK_EQ(part.param[PARAM_VIRIDIAN], VIR_BASE | VIR_FREQ);

	fake_guest_cpl = 3;
	regs = (struct guest_regs){ .rcx = MGMT_TAG | MGMT_OP_GET_PARAM, .rdx = PARAM_VIRIDIAN, .rax = 0x55 };
	exit_dispatch(exit_with(EXIT_REASON_VMCALL, 3));
	expect_ud(&vcpu);
	CHECK_EQ(regs.rax, 0x55);
}

static void vmcall_without_viridian_is_ud(void)
{
	reset_all();
	regs = (struct guest_regs){ .rcx = 0x10008, .rax = 0x77 };
	exit_dispatch(exit_with(EXIT_REASON_VMCALL, 3));
	expect_ud(&vcpu);
	CHECK_EQ(regs.rax, 0x77);
}

static void xsetbv_loads_or_faults(void)
{
	reset_all();
	regs = (struct guest_regs){ .rcx = 0, .rax = 7, .rdx = 0 };
	exit_dispatch(exit_with(EXIT_REASON_XSETBV, 3));
	expect_skipped(&vcpu, 3);
	CHECK_EQ(fake_xcr0, 7);

	regs = (struct guest_regs){ .rcx = 0, .rax = 6 };	/* x87 bit clear: #GP */
	exit_dispatch(exit_with(EXIT_REASON_XSETBV, 3));
	expect_gp(&vcpu);
	CHECK_EQ(fake_xcr0, 7);

	/* From CPL 3 a valid value is refused too: the exit came before the privilege check. */
	fake_guest_cpl = 3;
	regs = (struct guest_regs){ .rcx = 0, .rax = 3 };
	exit_dispatch(exit_with(EXIT_REASON_XSETBV, 3));
	expect_gp(&vcpu);
	CHECK_EQ(fake_xcr0, 7);
}

/* Faults push RF set (hardware does it, VM entry does not): the vectors arch/x86 sets it for. */
static void injected_faults_are_classified(void)
{
	static const uint8_t faults[] = { 0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21 };
	static const uint8_t others[] = { 1, 2, 3, 4, 8, 9, 15, 18, 22, 31, 32, 255 };

	for (size_t i = 0; i < ARRAY_SIZE(faults); i++)
		CHECK(exception_is_fault(faults[i]));
	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		CHECK(!exception_is_fault(others[i]));
}

static void invd_writes_back(void)
{
	unsigned int before = fake_wbinvd_count;

	reset_all();
	exit_dispatch(exit_with(EXIT_REASON_INVD, 2));
	expect_skipped(&vcpu, 2);
	CHECK_EQ(fake_wbinvd_count, before + 1);
}

static void vmx_instructions_are_ud(void)
{
	static const uint32_t reasons[] = {
		EXIT_REASON_VMXON, EXIT_REASON_VMLAUNCH, EXIT_REASON_VMREAD, EXIT_REASON_INVEPT, EXIT_REASON_GETSEC,
	};

	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
		reset_all();
		CHECK_EQ(exit_dispatch(exit_with(reasons[i], 4)), EXIT_RESUME);
		expect_ud(&vcpu);
	}
}

static void init_waits_for_sipi_then_starts(void)
{
	reset_all();
	fake_guest = (struct fake_guest){ .unrestricted = true, .sipi_vector = -1 };
	CHECK_EQ(exit_dispatch(exit_with(EXIT_REASON_INIT_SIGNAL, 0)), EXIT_RESUME);
	CHECK(fake_guest.wait_for_sipi);
	CHECK(!vcpu.rip_changed);
	vcpu.exit_qual = 0x9a;
	vcpu.exit_reason = EXIT_REASON_SIPI;
	CHECK_EQ(exit_dispatch(&vcpu), EXIT_RESUME);
	CHECK(!fake_guest.wait_for_sipi);
	CHECK_EQ(fake_guest.sipi_vector, 0x9a);

	/* The same INIT again before the first instruction (Bochs 2.7 re-delivers it): reported, stopped. */
	CHECK(vcpu.sipi_fresh);
	vcpu.rip = 0;
	vcpu.exit_reason = EXIT_REASON_INIT_SIGNAL;
	CHECK_EQ(exit_dispatch(&vcpu), EXIT_STOP_VCPU);
	CHECK(fake_log_contains("vcpu3: the INIT that started this processor arrives again after its SIPI"));
	vcpu.exit_reason = EXIT_REASON_SIPI;
	exit_dispatch(&vcpu);
	/* Once the vCPU has run (an exit in between), INIT means INIT again. */
	vcpu.exit_reason = EXIT_REASON_CPUID;
	exit_dispatch(&vcpu);
	CHECK(!vcpu.sipi_fresh);
	vcpu.exit_reason = EXIT_REASON_INIT_SIGNAL;
	vcpu.rip = 0;
	CHECK_EQ(exit_dispatch(&vcpu), EXIT_RESUME);
	CHECK(fake_guest.wait_for_sipi);

	/* Without unrestricted guest there is no real mode to start in. */
	fake_guest.unrestricted = false;
	CHECK_EQ(exit_dispatch(exit_with(EXIT_REASON_INIT_SIGNAL, 0)), EXIT_STOP_VCPU);
}

static void cr_access(void)
{
	reset_all();
	fake_guest = (struct fake_guest){ .rsp = 0x7000 };

	/* mov %rbx, %cr0 (qualification: CR0, MOV to, GPR 3) */
	regs.rbx = 0x80000011;
	exit_with(EXIT_REASON_CR_ACCESS, 3)->exit_qual = 0x300;
	exit_dispatch(&vcpu);
	expect_skipped(&vcpu, 3);
	CHECK_EQ(fake_guest.cr[0], 0x80000011);

	/* mov %rsp, %cr4 with VMXE set: #GP, as on a CPU without VMX */
	fake_guest.rsp = BIT(13) | 0x20;
	exit_with(EXIT_REASON_CR_ACCESS, 3)->exit_qual = 0x404;
	exit_dispatch(&vcpu);
	expect_gp(&vcpu);
	CHECK_EQ(fake_guest.cr[4], 0);

	/* mov %cr3, %r12 (MOV from, GPR 12) */
	fake_guest.cr[3] = 0x1234000;
	exit_with(EXIT_REASON_CR_ACCESS, 3)->exit_qual = 0xc13;
	exit_dispatch(&vcpu);
	expect_skipped(&vcpu, 3);
	CHECK_EQ(regs.r12, 0x1234000);

	/* mov %cr3, %rsp */
	exit_with(EXIT_REASON_CR_ACCESS, 3)->exit_qual = 0x413;
	exit_dispatch(&vcpu);
	CHECK_EQ(fake_guest.rsp, 0x1234000);

	/* LMSW and CLTS are never made to exit: unexpected */
	exit_with(EXIT_REASON_CR_ACCESS, 3)->exit_qual = 0x30;
	CHECK_EQ(exit_dispatch(&vcpu), EXIT_STOP_VCPU);
	exit_with(EXIT_REASON_CR_ACCESS, 3)->exit_qual = 0x8;	/* mov to CR8 */
	CHECK_EQ(exit_dispatch(&vcpu), EXIT_STOP_VCPU);
}

static void ept_violation(void)
{
	static const struct {
		enum vcpu_ept_fault result;
		enum exit_action action;
		const char *log;
	} cases[] = {
		{ VCPU_EPT_MAPPED, EXIT_RESUME, NULL },
		{ VCPU_EPT_HIDDEN, EXIT_RESUME, "vcpu3: guest access to Vireo's memory at 0xe001234" },
		{ VCPU_EPT_FATAL, EXIT_STOP_VCPU, "vcpu3: EPT violation at 0xe001234 (rip 0x1000, qualification 0x181) cannot be resolved" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		reset_all();
		fake_guest = (struct fake_guest){ .ept_result = cases[i].result };
		exit_with(EXIT_REASON_EPT_VIOLATION, 0)->exit_gpa = 0xe001234;
		vcpu.exit_qual = 0x181;
		CHECK_EQ(exit_dispatch(&vcpu), cases[i].action);
		CHECK_EQ(fake_guest.ept_fault_gpa, 0xe001234);
		CHECK(!vcpu.rip_changed && !vcpu.event.valid);
		if (cases[i].log)
			CHECK(fake_log_contains(cases[i].log));
	}
}

static void io_sleep_port(void)
{
	reset_all();
	part.sleep_port = 0xb004;
	fake_io = (struct fake_io){ .in_value = 0x1234 };

	/* inw $0xb004, %ax: carried out, the upper bits of RAX kept */
	regs.rax = 0xffffffff00000000ULL;
	exit_with(EXIT_REASON_IO_INSTRUCTION, 2)->exit_qual = 0xb0040009;
	CHECK_EQ(exit_dispatch(&vcpu), EXIT_RESUME);
	expect_skipped(&vcpu, 2);
	CHECK_EQ(regs.rax, 0xffffffff00001234ULL);
	CHECK_EQ(fake_io.port, 0xb004);
	CHECK_EQ(fake_io.size, 2);

	/* outw %ax, $0xb004 with SLP_EN, SLP_TYP 5: statistics first, then the write */
	regs.rax = 0x3400 | BIT(13);
	exit_with(EXIT_REASON_IO_INSTRUCTION, 2)->exit_qual = 0xb0040001;
	CHECK_EQ(exit_dispatch(&vcpu), EXIT_RESUME);
	CHECK(fake_log_contains("vcpu3: the guest enters ACPI sleep type 5"));
	CHECK(fake_log_contains("stats: "));
	CHECK_EQ(fake_io.out_value, 0x3400 | BIT(13));
	CHECK_EQ(fake_io.outs, 1);

	/* Without SLP_EN it is just a write. */
	fake_log_clear();
	regs.rax = 0x1;
	exit_with(EXIT_REASON_IO_INSTRUCTION, 2)->exit_qual = 0xb0040001;
	exit_dispatch(&vcpu);
	CHECK(!fake_log_contains("sleep"));
	CHECK_EQ(fake_io.outs, 2);

	/* String I/O is never trapped: unexpected. */
	exit_with(EXIT_REASON_IO_INSTRUCTION, 2)->exit_qual = 0xb0040011;
	CHECK_EQ(exit_dispatch(&vcpu), EXIT_STOP_VCPU);
	CHECK_EQ(fake_io.outs, 2);
}

static void triple_fault_resets(void)
{
	reset_all();
	CHECK_EQ(exit_dispatch(exit_with(EXIT_REASON_TRIPLE_FAULT, 0)), EXIT_RESET_SYSTEM);
	CHECK(fake_log_contains("vcpu3: triple fault at rip 0x1000, resetting the machine"));
}

int main(void)
{
	RUN("exit", table_covers_what_vireo_handles);
	RUN("exit", reason_names);
	RUN("exit", unexpected_exit_is_reported_and_stops);
	RUN("exit", cpuid_leaf1_sets_hypervisor_hides_vmx);
	RUN("exit", cpuid_mirrors_guest_cr4);
	RUN("exit", cpuid_passes_subleaf);
	RUN("exit", cpuid_vireo_leaves_without_viridian);
	RUN("exit", cpuid_vireo_leaves_move_with_viridian);
	RUN("exit", cpuid_answer_declines_vireo_leaves_untouched);
	RUN("exit", cpuid_invariant_tsc_behind_control);
	RUN("exit", rdmsr_passes_through_or_faults);
	RUN("exit", wrmsr_passes_through_or_faults);
	RUN("exit", vmcall_management_from_guest);
	RUN("exit", vmcall_without_viridian_is_ud);
	RUN("exit", xsetbv_loads_or_faults);
	RUN("exit", injected_faults_are_classified);
	RUN("exit", invd_writes_back);
	RUN("exit", vmx_instructions_are_ud);
	RUN("exit", init_waits_for_sipi_then_starts);
	RUN("exit", cr_access);
	RUN("exit", ept_violation);
	RUN("exit", io_sleep_port);
	RUN("exit", triple_fault_resets);
	return test_suite_failures != 0;
}
