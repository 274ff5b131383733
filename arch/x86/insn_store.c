/* SPDX-License-Identifier: MIT */
/*
 * Decoding of the MOV stores a guest makes to an emulated MMIO page (SDM
 * Vol. 2, "Instruction Format": legacy prefixes, REX prefixes, and the
 * tables "16-Bit Addressing Forms with the ModR/M Byte", "32-Bit Addressing
 * Forms with the ModR/M Byte" and "32-Bit Addressing Forms with the SIB
 * Byte"; "RIP-Relative Addressing"). Only the length and the source matter:
 * the caller knows the guest-physical address from the EPT violation.
 *
 * Forms: 88/89 (from a register), C6/C7 (an immediate), A2/A3 (from AL/rAX
 * to an absolute address, "moffs", as wide as the address size).
 *
 * REX counts only directly before the opcode; a REX followed by a legacy
 * prefix is refused rather than ignored. LOCK, REP and REPNE are refused.
 */
#include "arch/x86/insn_store.h"
#include "hv/errno.h"

#define INSN_MAX_LEN	15

#define REX_W		BIT(3)
#define REX_R		BIT(2)

#define OP_MOV_STORE8	0x88
#define OP_MOV_STORE	0x89
#define OP_MOV_IMM8	0xc6
#define OP_MOV_IMM	0xc7
#define OP_MOV_MOFFS8	0xa2		/* MOV moffs8, AL */
#define OP_MOV_MOFFS	0xa3		/* MOV moffs, rAX: the address is in the instruction */

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x66:			/* operand size */
	case 0x67:			/* address size */
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:	/* segment */
		return true;
	default:
		return false;
	}
}

/* Bytes of displacement (and SIB) after ModRM for the given address size. */
static unsigned int addressing_bytes(uint8_t modrm, uint8_t sib, unsigned int addr_bits)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7;

	if (addr_bits == 16) {
		if (mod == 1)
			return 1;
		if (mod == 2 || rm == 6)
			return 2;
		return 0;
	}
	if (rm == 4) {
		/* SIB: base 101 with mod 00 means disp32 and no base. */
		if (mod == 0)
			return 1 + ((sib & 7) == 5 ? 4 : 0);
		return 1 + (mod == 1 ? 1 : 4);
	}
	if (mod == 1)
		return 1;
	if (mod == 2 || rm == 5)	/* mod 00 rm 101: disp32, RIP-relative in 64-bit mode */
		return 4;
	return 0;
}

int insn_decode_store(const uint8_t *bytes, size_t n, unsigned int code_bits, struct insn_store *out)
{
	size_t max = n < INSN_MAX_LEN ? n : INSN_MAX_LEN;
	bool opsize = false, addrsize = false;
	unsigned int addr_bits, imm_len, modrm_reg;
	uint8_t rex = 0, op, modrm, sib = 0;
	struct insn_store s = { 0 };
	size_t i = 0;

	if (code_bits != 16 && code_bits != 32 && code_bits != 64)
		return -HV_EINVAL;

	for (; i < max && is_legacy_prefix(bytes[i]); i++) {
		opsize |= bytes[i] == 0x66;
		addrsize |= bytes[i] == 0x67;
	}
	if (i < max && code_bits == 64 && (bytes[i] & 0xf0) == 0x40)
		rex = bytes[i++];
	if (i + 1 > max)
		return -HV_EINVAL;
	op = bytes[i++];
	if (code_bits == 64)
		addr_bits = addrsize ? 32 : 64;
	else
		addr_bits = (code_bits == 16) != addrsize ? 16 : 32;
	if (op == OP_MOV_STORE8 || op == OP_MOV_IMM8 || op == OP_MOV_MOFFS8)
		s.size = 1;
	else if (rex & REX_W)
		s.size = 8;
	else
		s.size = (code_bits == 16) != opsize ? 2 : 4;

	if (op == OP_MOV_MOFFS8 || op == OP_MOV_MOFFS) {
		i += addr_bits / 8;
		if (i > max)
			return -HV_EINVAL;
		s.from_reg = true;		/* AL or rAX: register 0 */
		s.len = (unsigned int)i;
		*out = s;
		return 0;
	}
	if (i + 1 > max)
		return -HV_EINVAL;
	modrm = bytes[i++];
	modrm_reg = (modrm >> 3) & 7;

	if (op != OP_MOV_STORE8 && op != OP_MOV_STORE && op != OP_MOV_IMM8 && op != OP_MOV_IMM)
		return -HV_EINVAL;
	if (modrm >> 6 == 3)
		return -HV_EINVAL;
	if ((op == OP_MOV_IMM8 || op == OP_MOV_IMM) && modrm_reg != 0)
		return -HV_EINVAL;

	if (addr_bits != 16 && (modrm & 7) == 4) {
		if (i >= max)
			return -HV_EINVAL;
		sib = bytes[i];
	}
	i += addressing_bytes(modrm, sib, addr_bits);

	if (op == OP_MOV_IMM8)
		imm_len = 1;
	else if (op == OP_MOV_IMM)
		imm_len = s.size == 2 ? 2 : 4;
	else
		imm_len = 0;
	if (i + imm_len > max)
		return -HV_EINVAL;

	for (unsigned int k = 0; k < imm_len; k++)
		s.imm |= (uint64_t)bytes[i + k] << (8 * k);
	if (s.size == 8 && (s.imm & BIT(31)))
		s.imm |= 0xffffffff00000000ULL;

	s.from_reg = imm_len == 0;
	if (s.from_reg) {
		s.reg = modrm_reg | (rex & REX_R ? 8 : 0);
		if (op == OP_MOV_STORE8 && !rex && modrm_reg >= 4) {
			s.high_byte = true;
			s.reg = modrm_reg - 4;
		}
	}
	s.len = (unsigned int)(i + imm_len);
	*out = s;
	return 0;
}
