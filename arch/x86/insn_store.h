/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_INSN_STORE_H
#define ARCH_X86_INSN_STORE_H

#include "hv/compiler.h"

/*
 * A MOV that stores to memory (88, 89, C6 /0, C7 /0, A2, A3), decoded far enough to
 * emulate it: what it stores and how long it is. An EPT violation does not
 * report the instruction length, so the decoder is the only source of it.
 */
struct insn_store {
	unsigned int len;	/* instruction length in bytes, prefixes included */
	unsigned int size;	/* operand size in bytes: 1, 2, 4 or 8 */
	bool from_reg;		/* source is a register (88/89, AL/rAX for A2/A3), else an immediate (C6/C7) */
	unsigned int reg;	/* source GPR in the order rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15 */
	bool high_byte;		/* 8-bit source AH/CH/DH/BH (88 without REX, ModRM.reg 4-7): bits 15:8 of reg */
	uint64_t imm;		/* the immediate, sign-extended to the operand size for C7 with REX.W */
};

/*
 * code_bits: 64 (IA-32e 64-bit mode), 32 or 16 (default operand/address size
 * of CS). Returns 0, or -HV_EINVAL when bytes[0..n) does not start with such
 * a store (other opcodes, a register destination, truncated input, more than
 * 15 bytes, LOCK/REP prefixes, C6/C7 with ModRM.reg != 0).
 */
int insn_decode_store(const uint8_t *bytes, size_t n, unsigned int code_bits, struct insn_store *out);

#endif
