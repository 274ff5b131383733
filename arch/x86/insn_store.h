/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_INSN_STORE_H
#define ARCH_X86_INSN_STORE_H

#include "hv/compiler.h"

/*
 * A MOV that stores to memory (88, 89, C6 /0, C7 /0, A2, A3), decoded far enough to
 * emulate it: what it stores, where, and how long it is. An EPT violation does
 * not report the instruction length, so the decoder is the only source of it.
 */

/* Segment registers in the order of instruction encodings (SDM "Segment Registers"). */
enum insn_seg { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };

#define INSN_NO_REG	0xffu	/* no base or no index register */
#define INSN_BASE_RIP	0x10u	/* RIP-relative: the base is the address of the next instruction */

struct insn_store {
	unsigned int len;	/* instruction length in bytes, prefixes included */
	unsigned int size;	/* operand size in bytes: 1, 2, 4 or 8 */
	bool from_reg;		/* source is a register (88/89, AL/rAX for A2/A3), else an immediate (C6/C7) */
	unsigned int reg;	/* source GPR in the order rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15 */
	bool high_byte;		/* 8-bit source AH/CH/DH/BH (88 without REX, ModRM.reg 4-7): bits 15:8 of reg */
	uint64_t imm;		/* the immediate, sign-extended to the operand size for C7 with REX.W */
	/* The destination: seg:[base + index * scale + disp], wrapped to addr_bits (SDM "Specifying an Offset"). */
	enum insn_seg seg;	/* the segment override, or the default (SS for rSP/rBP bases) */
	unsigned int addr_bits;	/* address size: 16, 32 or 64 */
	unsigned int base;	/* GPR number, INSN_BASE_RIP or INSN_NO_REG */
	unsigned int index;	/* GPR number or INSN_NO_REG */
	unsigned int scale;	/* 1, 2, 4 or 8 */
	uint64_t disp;		/* displacement sign-extended, or the moffs of A2/A3 */
};

/*
 * code_bits: 64 (IA-32e 64-bit mode), 32 or 16 (default operand/address size
 * of CS). Returns 0, or -HV_EINVAL when bytes[0..n) does not start with such
 * a store (other opcodes, a register destination, truncated input, more than
 * 15 bytes, LOCK/REP prefixes, C6/C7 with ModRM.reg != 0).
 */
int insn_decode_store(const uint8_t *bytes, size_t n, unsigned int code_bits, struct insn_store *out);

/*
 * The effective address of the store within its segment, given the values
 * of its base (the next instruction's RIP for INSN_BASE_RIP) and index
 * registers; ignored where the store has none.
 */
uint64_t insn_store_offset(const struct insn_store *s, uint64_t base, uint64_t index);

#endif
