/* SPDX-License-Identifier: MIT */
#ifndef TESTS_UNIT_VIRIDIAN_FIXTURE_H
#define TESTS_UNIT_VIRIDIAN_FIXTURE_H

/*
 * A partition with two virtual processors for the viridian tests, its mask
 * written straight into the parameter (hv/param.c is tested on its own).
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "hv/partition.h"
#include "hv/vcpu.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"
#include "viridian/msr.h"
#include "viridian/viridian.h"

#define VF_TSC_HZ	2400000000ULL
#define VF_APIC_HZ	100000000ULL
#define VF_VP_INDEX	3
#define VF_VP_INDEX_B	7
#define VF_CREATED_TSC	0x123456789ULL	/* the TSC when the partition was created */

/* A mask the tests use: "off" leaves PARAM_VIRIDIAN unset. */
struct vf_mask {
	const char *name;
	bool set;
	uint64_t mask;
};

#define VF_OFF		{ "off", false, 0 }
#define VF_BASE		{ "base", true, VIR_BASE }
#define VF_BASE_FREQ	{ "base+freq", true, VIR_BASE | VIR_FREQ }
#define VF_TIME		{ "base+time_ref_count", true, VIR_BASE | VIR_TIME_REF_COUNT }
#define VF_TSC_PAGE	{ "base+freq+time_ref_count+reference_tsc", true, \
			  VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC }
#define VF_INVARIANT	{ "base+tsc_invariant", true, VIR_BASE | VIR_TSC_INVARIANT }
#define VF_ALL		{ "all", true, VIR_KNOWN }

/* The processor the fixture pretends to be: an invariant TSC, or not. */
static inline void vf_host_tsc_invariant(bool invariant)
{
	fake_cpuid_set(0x80000000, 0, 0x80000008, 0, 0, 0);
	fake_cpuid_set(0x80000007, 0, 0, 0, 0, invariant ? BIT(8) : 0);
}

struct vir_fixture {
	struct partition part;
	struct guest_regs regs, regs_b;
	struct vcpu vcpu, vcpu_b;
};

static inline struct vcpu *vf_init(struct vir_fixture *f, struct vf_mask m)
{
	memset(f, 0, sizeof(*f));
	if (m.set) {
		f->part.param[PARAM_VIRIDIAN] = m.mask;
		f->part.param_set = (uint32_t)BIT(PARAM_VIRIDIAN);
		vir_apply_mask(&f->part);
	}
	f->part.tsc_hz = VF_TSC_HZ;
	f->part.apic_hz = VF_APIC_HZ;
	f->part.ram_top = FAKE_RAM_SIZE;
	f->vcpu = (struct vcpu){ .regs = &f->regs, .part = &f->part, .vp_index = VF_VP_INDEX };
	f->vcpu_b = (struct vcpu){ .regs = &f->regs_b, .part = &f->part, .vp_index = VF_VP_INDEX_B };
	f->part.vcpu[0] = &f->vcpu;
	f->part.vcpu[1] = &f->vcpu_b;
	f->part.nr_vcpus = 2;
	fake_tsc_step = 1000;
	vf_host_tsc_invariant(true);
	vir_time_init(&f->part, VF_CREATED_TSC);

	memset(&fake_apic, 0, sizeof(fake_apic));
	memset(fake_ram, 0, sizeof(fake_ram));
	fake_guest_cpl = 0;
	fake_guest_mode = GUEST_MODE_LONG;
	return &f->vcpu;
}

/*
 * A page MSR (VP_ASSIST_PAGE, REFERENCE_TSC) holding page | 1, then given
 * pages outside guest RAM and one on Vireo's memory (0x9000 here) by
 * writer: each write raises #GP and logs "<name> page at ... refused", the
 * MSR keeps page | 1 (read on the first VP), and Vireo's memory is
 * unchanged.
 */
static inline void vf_page_msr_refused(struct vir_fixture *f, struct vcpu *writer, uint32_t msr, const char *name,
				       uint64_t page)
{
	static const uint64_t bad[] = { FAKE_RAM_SIZE, FAKE_RAM_SIZE + 0x1000, 0xFFFFFFFFFFFFF000ULL, 0x9000 };
	uint64_t val = 0;

	f->part.hv_mem[0] = (struct mem_range){ 0x9000, 0x1000 };
	f->part.nr_hv_mem = 1;
	memset(&fake_ram[0x9000], 0xa5, 0x1000);
	CHECK_EQ(vir_wrmsr(&f->vcpu, msr, page | 1), MSR_DONE);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[96];

		fake_log_clear();
		CHECK_EQ(vir_wrmsr(writer, msr, bad[i] | 1), MSR_FAULT);
		CHECK_EQ(vir_rdmsr(&f->vcpu, msr, &val), MSR_DONE);
		CHECK_EQ(val, page | 1);
		snprintf(line, sizeof(line), "vcpu%u: %s page at %#" PRIx64 " refused: not guest RAM (#GP)",
			 writer->vp_index, name, bad[i]);
		CHECK(fake_log_contains(line));
	}
	for (size_t i = 0; i < 0x1000; i++)
		CHECK_EQ(fake_ram[0x9000 + i], 0xa5);
}

#endif
