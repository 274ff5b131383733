/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for what Vireo reads of a guest's instruction when it
 * emulates a store to the xAPIC page: the store decoder
 * (arch/x86/insn_store.c) on guest-chosen bytes, and the guest page-table
 * walk (hv/guest_walk.c) on guest-chosen tables.
 *
 * Input: a mode byte (code size 16, 32 or 64), up to 15 instruction bytes
 * (the first byte says how many), then control registers and a linear
 * address (u64 each: CR0, CR3, CR4, EFER, linear), then bytes copied into
 * the fake guest RAM from its start, where the page tables are.
 *
 * Invariants: nothing crashes or reads out of bounds (ASan, UBSan); a
 * decoded store is 1 to 15 bytes, no longer than the bytes given, of size
 * 1, 2, 4 or 8, from a register 0-15 (AL-BL or AH-BH for a high byte) or
 * an immediate; it decodes the same with more bytes after it and not at
 * all with any byte of it missing; what a walk returns does not depend on
 * what Vireo's memory holds (its tables are never read there).
 */
#include <string.h>
#include "arch/x86/insn_store.h"
#include "hv/guest_walk.h"
#include "hv/partition.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake.h"

#define RAM_TOP		0x80000ULL
#define HV_BASE		0x40000ULL	/* a range of Vireo's inside guest RAM */
#define HV_SIZE		0x1000ULL

static uint64_t take(const uint8_t **p, size_t *n, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && *n; i++, (*p)++, (*n)--)
		v |= (uint64_t)**p << (8 * i);
	return v;
}

static void check_decoder(const uint8_t *insn, size_t len, unsigned int bits)
{
	uint8_t longer[32];
	struct insn_store s, again;

	if (insn_decode_store(insn, len, bits, &s))
		return;
	INVARIANT(s.len >= 1 && s.len <= 15 && s.len <= len);
	INVARIANT(s.size == 1 || s.size == 2 || s.size == 4 || s.size == 8);
	INVARIANT(!s.from_reg || s.reg < 16);
	INVARIANT(!s.high_byte || (s.from_reg && s.size == 1 && s.reg < 4));
	INVARIANT(s.seg <= INSN_SEG_GS);
	INVARIANT(s.addr_bits == 16 || s.addr_bits == 32 || s.addr_bits == 64);
	INVARIANT(s.base < 16 || s.base == INSN_BASE_RIP || s.base == INSN_NO_REG);
	INVARIANT((s.index < 16 && s.index != 4) || s.index == INSN_NO_REG);
	INVARIANT(s.scale == 1 || s.scale == 2 || s.scale == 4 || s.scale == 8);
	INVARIANT(s.addr_bits == 64 || insn_store_offset(&s, ~0ULL, ~0ULL) >> s.addr_bits == 0);
	for (size_t k = 0; k < s.len; k++)
		INVARIANT(insn_decode_store(insn, k, bits, &again) != 0);
	memset(longer, 0x90, sizeof(longer));
	memcpy(longer, insn, len);
	INVARIANT(insn_decode_store(longer, sizeof(longer), bits, &again) == 0);
	INVARIANT(again.len == s.len && again.size == s.size && again.from_reg == s.from_reg &&
		  again.reg == s.reg && again.high_byte == s.high_byte && again.imm == s.imm &&
		  again.seg == s.seg && again.base == s.base && again.index == s.index && again.scale == s.scale &&
		  again.disp == s.disp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int modes[] = { 16, 32, 64 };
	struct partition part = { .ram_top = RAM_TOP };
	struct guest_paging g;
	uint64_t linear, gpa = 0, gpa_again = 0;
	int rc, rc_again;
	unsigned int bits;
	uint8_t insn[15];
	size_t len;

	bits = modes[take(&data, &size, 1) % 3];
	len = take(&data, &size, 1) % (sizeof(insn) + 1);
	memset(insn, 0, sizeof(insn));
	for (size_t i = 0; i < len; i++)
		insn[i] = (uint8_t)take(&data, &size, 1);
	check_decoder(insn, len, bits);

	g.cr0 = take(&data, &size, 8);
	g.cr3 = take(&data, &size, 8);
	g.cr4 = take(&data, &size, 8);
	g.efer = take(&data, &size, 8);
	linear = take(&data, &size, 8);
	memset(fake_ram, 0, RAM_TOP);
	memcpy(fake_ram, data, size < RAM_TOP ? size : RAM_TOP);
	part_add_hv_range(&part, HV_BASE, HV_SIZE);
	memset(fake_ram + HV_BASE, 0xa5, HV_SIZE);	/* entries that are present, large, everywhere */
	rc = guest_linear_to_phys(&part, &g, linear, &gpa);
	memset(fake_ram + HV_BASE, 0, HV_SIZE);		/* ... and none at all */
	rc_again = guest_linear_to_phys(&part, &g, linear, &gpa_again);
	INVARIANT(rc == rc_again && (rc || gpa == gpa_again));
	return 0;
}
