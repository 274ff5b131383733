/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_MTRR_H
#define ARCH_X86_MTRR_H

#include "hv/compiler.h"

/* Memory types (SDM "Memory Types and Their Properties"); the EPT uses the same encoding. */
#define MT_UC	0
#define MT_WC	1
#define MT_WT	4
#define MT_WP	5
#define MT_WB	6

#define MTRR_MAX_VARIABLE	16

/* The MTRRs as read on the boot processor (SDM "Memory Type Range Registers (MTRRs)"). */
struct mtrr_state {
	bool enabled;			/* IA32_MTRR_DEF_TYPE.E */
	bool fixed_enabled;		/* IA32_MTRR_DEF_TYPE.FE (and fixed ranges supported) */
	uint8_t default_type;
	uint8_t fixed[88];		/* one type per fixed range below 1 MiB, in address order */
	unsigned int nr_variable;
	struct {
		uint64_t base;		/* IA32_MTRR_PHYSBASEn: type in bits 7:0 */
		uint64_t mask;		/* IA32_MTRR_PHYSMASKn: valid in bit 11 */
	} variable[MTRR_MAX_VARIABLE];
	uint64_t phys_mask;		/* the physical address bits: (1 << MAXPHYADDR) - 1 */
};

/* Reads the MTRRs of this processor. */
void mtrr_read(struct mtrr_state *m);

/*
 * The memory type of [base, base + size) if it is the same for every byte of
 * the range: returns true and sets *type. size is a power of two and base is
 * aligned to it.
 */
bool mtrr_range_type(const struct mtrr_state *m, uint64_t base, uint64_t size, uint8_t *type);

#endif
