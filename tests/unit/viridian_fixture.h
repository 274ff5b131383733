/* SPDX-License-Identifier: MIT */
#ifndef TESTS_UNIT_VIRIDIAN_FIXTURE_H
#define TESTS_UNIT_VIRIDIAN_FIXTURE_H

/*
 * A partition with two virtual processors for the viridian tests, its mask
 * written straight into the parameter (hv/param.c is tested on its own).
 */

#include "hv/partition.h"
#include "hv/vcpu.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"
#include "viridian/viridian.h"

#define VF_TSC_HZ	2400000000ULL
#define VF_APIC_HZ	100000000ULL
#define VF_VP_INDEX	3
#define VF_VP_INDEX_B	7

/* A mask the tests use: "off" leaves PARAM_VIRIDIAN unset. */
struct vf_mask {
	const char *name;
	bool set;
	uint64_t mask;
};

#define VF_OFF		{ "off", false, 0 }
#define VF_BASE		{ "base", true, VIR_BASE }
#define VF_BASE_FREQ	{ "base+freq", true, VIR_BASE | VIR_FREQ }
#define VF_ALL		{ "all", true, VIR_KNOWN }

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

	memset(&fake_apic, 0, sizeof(fake_apic));
	memset(fake_ram, 0, sizeof(fake_ram));
	fake_guest_cpl = 0;
	fake_guest_mode = GUEST_MODE_LONG;
	return &f->vcpu;
}

#endif
