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
#define REX_X		BIT(1)
#define REX_B		BIT(0)

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

static uint64_t address_mask(unsigned int addr_bits)
{
	return addr_bits == 64 ? ~0ULL : (1ULL << addr_bits) - 1;
}

static enum insn_seg segment_prefix(uint8_t b)
{
	switch (b) {
	case 0x26:
		return INSN_SEG_ES;
	case 0x2e:
		return INSN_SEG_CS;
	case 0x36:
		return INSN_SEG_SS;
	case 0x64:
		return INSN_SEG_FS;
	case 0x65:
		return INSN_SEG_GS;
	default:
		return INSN_SEG_DS;
	}
}

/* n bytes at p, little-endian, sign-extended from their top bit. */
static uint64_t read_signed(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int k = 0; k < n; k++)
		v |= (uint64_t)p[k] << (8 * k);
	if (n && n < 8 && (v & (1ULL << (8 * n - 1))))
		v |= ~0ULL << (8 * n);
	return v;
}

/* The 16-bit forms by ModRM.rm: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP (disp16 alone with mod 00), BX. */
static void operand_16(struct insn_store *s, unsigned int mod, unsigned int rm)
{
	static const uint8_t bases[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
	static const uint8_t indexes[8] = { 6, 7, 6, 7, INSN_NO_REG, INSN_NO_REG, INSN_NO_REG, INSN_NO_REG };

	s->base = mod == 0 && rm == 6 ? INSN_NO_REG : bases[rm];
	s->index = indexes[rm];
}

/*
 * The memory operand after ModRM at bytes[i]: fills base, index, scale and
 * the displacement, and returns the index of the byte after it, or 0 when
 * it does not fit in max bytes.
 */
static size_t decode_operand(const uint8_t *bytes, size_t i, size_t max, uint8_t modrm, uint8_t rex,
			     unsigned int code_bits, struct insn_store *s)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, disp_len;
	uint8_t sib;

	s->scale = 1;
	s->index = INSN_NO_REG;
	if (s->addr_bits == 16) {
		operand_16(s, mod, rm);
		disp_len = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
	} else if (rm == 4) {
		if (i >= max)
			return 0;
		sib = bytes[i++];
		s->scale = 1u << (sib >> 6);
		s->index = ((sib >> 3) & 7) | (rex & REX_X ? 8 : 0);
		if (s->index == 4)		/* SIB index 100 without REX.X: none */
			s->index = INSN_NO_REG;
		s->base = (sib & 7) | (rex & REX_B ? 8 : 0);
		if (mod == 0 && (sib & 7) == 5)	/* base 101 with mod 00: disp32 and no base */
			s->base = INSN_NO_REG;
		disp_len = mod == 1 ? 1 : mod == 2 || s->base == INSN_NO_REG ? 4 : 0;
	} else if (mod == 0 && rm == 5) {	/* disp32: RIP-relative in 64-bit mode */
		s->base = code_bits == 64 ? INSN_BASE_RIP : INSN_NO_REG;
		disp_len = 4;
	} else {
		s->base = rm | (rex & REX_B ? 8 : 0);
		disp_len = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	}
	if (i + disp_len > max)
		return 0;
	s->disp = read_signed(bytes + i, disp_len);
	return i + disp_len;
}

int insn_decode_store(const uint8_t *bytes, size_t n, unsigned int code_bits, struct insn_store *out)
{
	size_t max = n < INSN_MAX_LEN ? n : INSN_MAX_LEN;
	bool opsize = false, addrsize = false, seg_override = false;
	enum insn_seg seg = INSN_SEG_DS;
	unsigned int addr_bits, imm_len, modrm_reg;
	uint8_t rex = 0, op, modrm;
	struct insn_store s = { 0 };
	size_t i = 0;

	if (code_bits != 16 && code_bits != 32 && code_bits != 64)
		return -HV_EINVAL;

	for (; i < max && is_legacy_prefix(bytes[i]); i++) {
		opsize |= bytes[i] == 0x66;
		addrsize |= bytes[i] == 0x67;
		if (bytes[i] != 0x66 && bytes[i] != 0x67) {
			seg = segment_prefix(bytes[i]);
			seg_override = true;
		}
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
	s.addr_bits = addr_bits;
	s.seg = seg;
	if (op == OP_MOV_STORE8 || op == OP_MOV_IMM8 || op == OP_MOV_MOFFS8)
		s.size = 1;
	else if (rex & REX_W)
		s.size = 8;
	else
		s.size = (code_bits == 16) != opsize ? 2 : 4;

	if (op == OP_MOV_MOFFS8 || op == OP_MOV_MOFFS) {
		if (i + addr_bits / 8 > max)
			return -HV_EINVAL;
		s.base = INSN_NO_REG;
		s.index = INSN_NO_REG;
		s.scale = 1;
		s.disp = read_signed(bytes + i, addr_bits / 8) & address_mask(addr_bits);
		i += addr_bits / 8;
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

	i = decode_operand(bytes, i, max, modrm, rex, code_bits, &s);
	if (!i)
		return -HV_EINVAL;
	if (!seg_override && (s.base == 4 || s.base == 5))	/* rSP or rBP (BP in 16-bit forms) */
		s.seg = INSN_SEG_SS;

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

uint64_t insn_store_offset(const struct insn_store *s, uint64_t base, uint64_t index)
{
	uint64_t ea = s->disp;

	if (s->base != INSN_NO_REG)
		ea += base;
	if (s->index != INSN_NO_REG)
		ea += index * s->scale;
	return ea & address_mask(s->addr_bits);
}
