/* SPDX-License-Identifier: MIT */
/*
 * Memory types from the MTRRs, so that the EPT gives the guest the types the
 * firmware programmed (SDM "Memory Type Range Registers (MTRRs)",
 * "Precedences of Cache Types"). The reading is arch; the lookup is pure and
 * tested on the host.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/mtrr.h"

#define MSR_MTRRCAP		0xfe
#define  MTRRCAP_VCNT		0xff
#define  MTRRCAP_FIX		BIT(8)
#define MSR_MTRR_DEF_TYPE	0x2ff
#define  MTRR_DEF_E		BIT(11)
#define  MTRR_DEF_FE		BIT(10)
#define MSR_MTRR_PHYSBASE0	0x200
#define MTRR_PHYSMASK_VALID	BIT(11)
#define MTRR_ONE_MIB		0x100000ULL

/* The fixed-range MSRs in address order, and the size each of their 8 byte fields covers. */
static const struct {
	uint32_t msr;
	uint32_t base;
	uint32_t unit;
} fixed_msrs[] = {
	{ 0x250, 0x00000, 0x10000 },
	{ 0x258, 0x80000, 0x4000 }, { 0x259, 0xa0000, 0x4000 },
	{ 0x268, 0xc0000, 0x1000 }, { 0x269, 0xc8000, 0x1000 }, { 0x26a, 0xd0000, 0x1000 },
	{ 0x26b, 0xd8000, 0x1000 }, { 0x26c, 0xe0000, 0x1000 }, { 0x26d, 0xe8000, 0x1000 },
	{ 0x26e, 0xf0000, 0x1000 }, { 0x26f, 0xf8000, 0x1000 },
};

void mtrr_read(struct mtrr_state *m)
{
	struct cpuid_regs r;
	uint64_t cap = 0, def = 0;

	*m = (struct mtrr_state){ .default_type = MT_UC };
	cpu_cpuid(0x80000000, 0, &r);
	if (r.eax >= 0x80000008) {
		cpu_cpuid(0x80000008, 0, &r);
		m->phys_mask = (1ULL << (r.eax & 0xff)) - 1;
	} else {
		m->phys_mask = (1ULL << 36) - 1;
	}
	if (cpu_rdmsr_safe(MSR_MTRRCAP, &cap) || cpu_rdmsr_safe(MSR_MTRR_DEF_TYPE, &def))
		return;
	m->enabled = def & MTRR_DEF_E;
	m->fixed_enabled = (def & MTRR_DEF_FE) && (cap & MTRRCAP_FIX);
	m->default_type = (uint8_t)def;
	if (m->fixed_enabled) {
		for (size_t i = 0; i < ARRAY_SIZE(fixed_msrs); i++) {
			uint64_t v = 0;

			cpu_rdmsr_safe(fixed_msrs[i].msr, &v);
			for (unsigned int b = 0; b < 8; b++)
				m->fixed[i * 8 + b] = (uint8_t)(v >> (b * 8));
		}
	}
	m->nr_variable = (unsigned int)(cap & MTRRCAP_VCNT);
	if (m->nr_variable > MTRR_MAX_VARIABLE)
		m->nr_variable = MTRR_MAX_VARIABLE;
	for (unsigned int i = 0; i < m->nr_variable; i++) {
		cpu_rdmsr_safe(MSR_MTRR_PHYSBASE0 + 2 * i, &m->variable[i].base);
		cpu_rdmsr_safe(MSR_MTRR_PHYSBASE0 + 2 * i + 1, &m->variable[i].mask);
	}
}

/* The type of the fixed range holding addr (below 1 MiB), and where that range ends. */
static uint8_t fixed_type(const struct mtrr_state *m, uint64_t addr, uint64_t *range_end)
{
	size_t i = ARRAY_SIZE(fixed_msrs) - 1;
	uint64_t index;

	while (addr < fixed_msrs[i].base)	/* fixed_msrs[0] starts at 0 */
		i--;
	index = (addr - fixed_msrs[i].base) / fixed_msrs[i].unit;
	*range_end = fixed_msrs[i].base + (index + 1) * fixed_msrs[i].unit;
	return m->fixed[i * 8 + index];
}

/* Two variable ranges that both match: UC wins, WT beats WB, anything else is undefined, so UC. */
static uint8_t combine(uint8_t a, uint8_t b)
{
	if (a == b)
		return a;
	if (a == MT_UC || b == MT_UC)
		return MT_UC;
	if ((a == MT_WT && b == MT_WB) || (a == MT_WB && b == MT_WT))
		return MT_WT;
	return MT_UC;
}

bool mtrr_range_type(const struct mtrr_state *m, uint64_t base, uint64_t size, uint8_t *type)
{
	bool partial = false;
	uint8_t t = 0xff;

	if (!m->enabled) {
		*type = MT_UC;
		return true;
	}
	if (m->fixed_enabled && base < MTRR_ONE_MIB) {
		uint64_t end;

		/* Below 1 MiB the fixed ranges rule alone; a range across 1 MiB is split by the caller. */
		if (base + size > MTRR_ONE_MIB)
			return false;
		for (uint64_t a = base; a < base + size; a = end) {
			uint8_t ft = fixed_type(m, a, &end);

			if (t != 0xff && ft != t)
				return false;
			t = ft;
		}
		*type = t;
		return true;
	}
	/* Variable ranges are assumed contiguous (a mask of high ones), as firmware programs them. */
	for (unsigned int i = 0; i < m->nr_variable; i++) {
		uint64_t vmask = m->variable[i].mask, vbase = m->variable[i].base & vmask & m->phys_mask & PAGE_MASK;
		uint64_t mask = vmask & m->phys_mask & PAGE_MASK;
		uint64_t vsize = (~mask & m->phys_mask) + 1;
		uint8_t vt = (uint8_t)m->variable[i].base;

		if (!(vmask & MTRR_PHYSMASK_VALID))
			continue;
		if (vbase + vsize <= base || base + size <= vbase)
			continue;			/* disjoint */
		if (vbase > base || vbase + vsize < base + size)
			partial = true;			/* covers only part of the range */
		else
			t = t == 0xff ? vt : combine(t, vt);
	}
	/* A UC range over all of it decides, whatever covers parts; otherwise a part makes it mixed. */
	if (t == MT_UC) {
		*type = MT_UC;
		return true;
	}
	if (partial)
		return false;
	*type = t == 0xff ? m->default_type : t;
	return true;
}
