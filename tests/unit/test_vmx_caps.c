/* SPDX-License-Identifier: MIT */
/* Control-word adjustment against fake VMX capability MSRs (arch/x86/vmx_caps.c). */
#include "arch/x86/msr.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "hv/errno.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

/* A capability MSR value: allowed-1 settings in the high half, allowed-0 in the low. */
#define cap(must_be_one, may_be_one) ((uint64_t)(may_be_one) << 32 | (uint32_t)(must_be_one))

static void adjust_sets_required_optional_and_default1(void)
{
	static const struct {
		uint64_t cap;
		uint32_t required, optional;
		int rc;
		uint32_t out;
	} cases[] = {
		/* default-1 bits stay set, wanted bits are added */
		{ cap(0x16, 0xffffffff), BIT(28), 0, 0, 0x16 | BIT(28) },
		/* an optional bit the processor lacks is dropped */
		{ cap(0, BIT(3) | BIT(12)), 0, BIT(3) | BIT(12) | BIT(20), 0, BIT(3) | BIT(12) },
		/* a required bit the processor lacks fails */
		{ cap(0, BIT(3)), BIT(28), 0, -HV_ENODEV, 0 },
		/* nothing wanted: exactly the must-be-one bits */
		{ cap(0x401e172, 0xfff9fffe), 0, 0, 0, 0x401e172 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t out = 0;
		int rc = vmx_adjust_controls("test", cases[i].cap, cases[i].required, cases[i].optional, &out);

		CHECK_EQ(rc, cases[i].rc);
		if (!rc)
			CHECK_EQ(out, cases[i].out);
	}
}

static void fake_vmx_msrs(bool true_ctls, uint32_t proc_may_be_one)
{
	fake_msr_reset();
	fake_msr_set(MSR_IA32_VMX_BASIC, (true_ctls ? BIT(55) : 0) | 4096ULL << 32 | 0x12345);
	fake_msr_set(MSR_IA32_VMX_PINBASED_CTLS, cap(0x16, 0x7f));
	fake_msr_set(MSR_IA32_VMX_TRUE_PINBASED_CTLS, cap(0x16, 0x7f));
	/* CR3-load/store exiting are default-1 in the plain MSR, clearable in the TRUE one. */
	fake_msr_set(MSR_IA32_VMX_PROCBASED_CTLS, cap(0x0401e172, proc_may_be_one));
	fake_msr_set(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, cap(0x04006172, proc_may_be_one));
	fake_msr_set(MSR_IA32_VMX_PROCBASED_CTLS2, cap(0, BIT(1) | BIT(3) | BIT(7) | BIT(12)));
	fake_msr_set(MSR_IA32_VMX_EXIT_CTLS, cap(0x36dff, 0x3fffff));
	fake_msr_set(MSR_IA32_VMX_TRUE_EXIT_CTLS, cap(0x36dfb, 0x3fffff));
	fake_msr_set(MSR_IA32_VMX_ENTRY_CTLS, cap(0x11ff, 0xffff));
	fake_msr_set(MSR_IA32_VMX_TRUE_ENTRY_CTLS, cap(0x11fb, 0xffff));
	fake_msr_set(MSR_IA32_VMX_CR0_FIXED0, 0x80000021);
	fake_msr_set(MSR_IA32_VMX_CR0_FIXED1, 0xffffffff);
	fake_msr_set(MSR_IA32_VMX_CR4_FIXED0, 0x2000);
	fake_msr_set(MSR_IA32_VMX_CR4_FIXED1, 0x3727ff);
	fake_msr_set(MSR_IA32_VMX_MISC, BIT(8) | BIT(6) | BIT(5));
}

static void caps_init_uses_true_msrs(void)
{
	struct vmx_caps c;

	fake_vmx_msrs(true, 0xfff9fffe);
	CHECK_EQ(vmx_caps_init(&c), 0);
	CHECK_EQ(c.revision, 0x12345);
	CHECK_EQ(c.region_size, 4096);
	CHECK(c.true_controls);
	CHECK_EQ(c.cpu & (CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING), 0);
	CHECK_EQ(c.cpu & CPU_BASED_USE_MSR_BITMAPS, CPU_BASED_USE_MSR_BITMAPS);
	CHECK_EQ(c.secondary, SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_ENABLE_INVPCID);
	CHECK_EQ(c.entry & VM_ENTRY_IA32E_MODE, VM_ENTRY_IA32E_MODE);
	CHECK_EQ(c.exit & VM_EXIT_LOAD_IA32_EFER, VM_EXIT_LOAD_IA32_EFER);
	CHECK_EQ(c.cr4_fixed0, 0x2000);
}

static void caps_init_uses_ept_with_unrestricted_guest(void)
{
	struct vmx_caps c;

	fake_vmx_msrs(true, 0xfff9fffe);
	fake_msr_set(MSR_IA32_VMX_EPT_VPID_CAP, VMX_EPT_WALK_4 | VMX_EPT_WB | VMX_EPT_2MB_PAGES);
	CHECK_EQ(vmx_caps_init(&c), 0);
	CHECK(vmx_has_ept(&c));
	CHECK_EQ(c.secondary, SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_RDTSCP |
		 SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_INVPCID);

	/* No write-back EPT paging structures: run without EPT, and say so. */
	fake_log_clear();
	fake_msr_set(MSR_IA32_VMX_EPT_VPID_CAP, VMX_EPT_WALK_4 | VMX_EPT_2MB_PAGES);
	CHECK_EQ(vmx_caps_init(&c), 0);
	CHECK(!vmx_has_ept(&c));
	CHECK_EQ(c.secondary & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST), 0);
	CHECK(fake_log_contains("EPT or unrestricted guest unusable"));
}

/*
 * A VPID per vCPU where the processor has VPIDs and single-context INVVPID,
 * with or without EPT; without that INVVPID type Vireo could not drop a
 * vCPU's translations where it must, so it runs without VPIDs.
 */
static void caps_init_uses_vpids_with_invvpid(void)
{
	static const struct {
		uint64_t ept_vpid_cap;
		bool vpid, ept;
	} cases[] = {
		{ VMX_EPT_WALK_4 | VMX_EPT_WB | VMX_VPID_INVVPID | VMX_VPID_INVVPID_SINGLE, true, true },
		{ VMX_VPID_INVVPID | VMX_VPID_INVVPID_SINGLE, true, false },
		{ VMX_EPT_WALK_4 | VMX_EPT_WB | VMX_VPID_INVVPID, false, true },
		{ VMX_EPT_WALK_4 | VMX_EPT_WB | VMX_VPID_INVVPID_SINGLE, false, true },
	};
	struct vmx_caps c;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		fake_vmx_msrs(true, 0xfff9fffe);
		fake_msr_set(MSR_IA32_VMX_PROCBASED_CTLS2, cap(0, BIT(1) | BIT(3) | BIT(5) | BIT(7) | BIT(12)));
		fake_msr_set(MSR_IA32_VMX_EPT_VPID_CAP, cases[i].ept_vpid_cap);
		CHECK_EQ(vmx_caps_init(&c), 0);
		CHECK_EQ(vmx_has_vpid(&c), cases[i].vpid);
		CHECK_EQ(vmx_has_ept(&c), cases[i].ept);
	}
	/* A processor without the control: no VPIDs, whatever the capability MSR says. */
	fake_vmx_msrs(true, 0xfff9fffe);
	fake_msr_set(MSR_IA32_VMX_EPT_VPID_CAP, VMX_VPID_INVVPID | VMX_VPID_INVVPID_SINGLE);
	CHECK_EQ(vmx_caps_init(&c), 0);
	CHECK(!vmx_has_vpid(&c));
}

static void caps_init_without_true_msrs_keeps_default1(void)
{
	struct vmx_caps c;

	fake_vmx_msrs(false, 0xfff9fffe);
	CHECK_EQ(vmx_caps_init(&c), 0);
	CHECK(!c.true_controls);
	CHECK_EQ(c.cpu & CPU_BASED_CR3_LOAD_EXITING, CPU_BASED_CR3_LOAD_EXITING);
}

static void caps_init_fails_without_msr_bitmaps(void)
{
	struct vmx_caps c;

	fake_log_clear();
	fake_vmx_msrs(true, 0xfff9fffe & ~(uint32_t)CPU_BASED_USE_MSR_BITMAPS);
	CHECK_EQ(vmx_caps_init(&c), -HV_ENODEV);
	CHECK(fake_log_contains("processor-based controls: processor lacks required bits 0x10000000"));
}

/* NMIs are how an INIT reaches another vCPU (hv/ipi.c): NMI exiting, virtual NMIs and the NMI window are required. */
static void caps_init_takes_nmis(void)
{
	struct vmx_caps c;

	fake_vmx_msrs(true, 0xfff9fffe);
	CHECK_EQ(vmx_caps_init(&c), 0);
	CHECK_EQ(c.pin & (PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS), PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS);
	CHECK_EQ(c.cpu & CPU_BASED_NMI_WINDOW_EXITING, 0);

	fake_log_clear();
	fake_vmx_msrs(true, 0xfff9fffe & ~(uint32_t)CPU_BASED_NMI_WINDOW_EXITING);
	CHECK_EQ(vmx_caps_init(&c), -HV_ENODEV);
	CHECK(fake_log_contains("processor lacks NMI-window exiting"));

	fake_log_clear();
	fake_vmx_msrs(true, 0xfff9fffe);
	fake_msr_set(MSR_IA32_VMX_TRUE_PINBASED_CTLS, cap(0x16, 0x1f));
	CHECK_EQ(vmx_caps_init(&c), -HV_ENODEV);
	CHECK(fake_log_contains("pin-based controls: processor lacks required bits 0x20"));
}

static void caps_init_fails_on_unreadable_msr(void)
{
	struct vmx_caps c;

	fake_msr_reset();
	CHECK_EQ(vmx_caps_init(&c), -HV_ENODEV);
}

static void fixed_bits_forced(void)
{
	CHECK_EQ(vmx_fix_cr(0x80000011, 0x80000021, 0xffffffff), 0x80000031);
	CHECK_EQ(vmx_fix_cr(0x3fffff, 0x2000, 0x3727ff), 0x3727ff);
}

static void support_decision(void)
{
	static const struct {
		uint32_t ecx;
		uint64_t feature_control;
		enum vmx_support want;
	} cases[] = {
		{ 0, 0, VMX_NO_CPU_SUPPORT },
		{ BIT(31), 0, VMX_NOT_NESTED },
		{ BIT(5), 0, VMX_ENABLE_AND_LOCK },			/* Bochs: unlocked */
		{ BIT(5) | BIT(31), FEATURE_CONTROL_VMX_OUTSIDE_SMX, VMX_ENABLE_AND_LOCK },
		{ BIT(5), FEATURE_CONTROL_LOCKED, VMX_DISABLED_BY_FIRMWARE },
		{ BIT(5), FEATURE_CONTROL_LOCKED | BIT(1), VMX_DISABLED_BY_FIRMWARE },	/* inside SMX only */
		{ BIT(5), FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX, VMX_SUPPORTED },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_EQ(vmx_support_from(cases[i].ecx, cases[i].feature_control), cases[i].want);
}

static void instruction_error_names(void)
{
	CHECK_STR(vmx_instruction_error_name(7), "VM entry with invalid control field(s)");
	CHECK_STR(vmx_instruction_error_name(8), "VM entry with invalid host-state field(s)");
	CHECK_STR(vmx_instruction_error_name(14), "unknown VM-instruction error");
	CHECK_STR(vmx_instruction_error_name(1000), "unknown VM-instruction error");
}

int main(void)
{
	RUN("vmx_caps", adjust_sets_required_optional_and_default1);
	RUN("vmx_caps", caps_init_uses_true_msrs);
	RUN("vmx_caps", caps_init_uses_ept_with_unrestricted_guest);
	RUN("vmx_caps", caps_init_uses_vpids_with_invvpid);
	RUN("vmx_caps", caps_init_without_true_msrs_keeps_default1);
	RUN("vmx_caps", caps_init_fails_without_msr_bitmaps);
	RUN("vmx_caps", caps_init_takes_nmis);
	RUN("vmx_caps", caps_init_fails_on_unreadable_msr);
	RUN("vmx_caps", fixed_bits_forced);
	RUN("vmx_caps", support_decision);
	RUN("vmx_caps", instruction_error_names);
	return test_suite_failures != 0;
}
