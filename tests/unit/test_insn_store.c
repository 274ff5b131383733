/* SPDX-License-Identifier: MIT */
/* MOV store decoding (arch/x86/insn_store.c). */
#include <stdlib.h>
#include "arch/x86/insn_store.h"
#include "hv/errno.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

#define BYTES(...)	{ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RSP 4
#define RSI 6
#define RDI 7

/* Each case's bytes are exactly one instruction of the given length. */
static const struct store_case {
	const char *name;
	unsigned int bits;
	uint8_t bytes[15];
	size_t n;
	unsigned int len, size;
	bool from_reg;
	unsigned int reg;
	bool high_byte;
	uint64_t imm;
} stores[] = {
	{ "mov [rcx],edx", 64, BYTES(0x89, 0x11), 2, 4, true, RDX, false, 0 },
	{ "mov [disp32],esi (SIB, no base)", 64, BYTES(0x89, 0x34, 0x25, 0x00, 0xd3, 0x5f, 0xff),
	  7, 4, true, RSI, false, 0 },
	{ "mov [rax+0x10],r8d", 64, BYTES(0x44, 0x89, 0x40, 0x10), 4, 4, true, 8, false, 0 },
	{ "mov [rip+disp32],rax", 64, BYTES(0x48, 0x89, 0x05, 0x78, 0x56, 0x34, 0x12), 7, 8, true, RAX, false, 0 },
	{ "mov dword [rax],0x500", 64, BYTES(0xc7, 0x00, 0x00, 0x05, 0x00, 0x00), 6, 4, false, 0, false, 0x500 },
	{ "mov dword [rax+disp32],0x4600", 64,
	  BYTES(0xc7, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, 0x46, 0x00, 0x00), 10, 4, false, 0, false, 0x4600 },
	{ "mov [rax],cx", 64, BYTES(0x66, 0x89, 0x08), 3, 2, true, RCX, false, 0 },
	{ "mov [rax],ah", 64, BYTES(0x88, 0x20), 2, 1, true, RAX, true, 0 },
	{ "mov [rax],spl", 64, BYTES(0x40, 0x88, 0x20), 3, 1, true, RSP, false, 0 },
	{ "mov [rax],r12b", 64, BYTES(0x44, 0x88, 0x20), 3, 1, true, 12, false, 0 },
	{ "mov [eax],ecx", 64, BYTES(0x67, 0x89, 0x08), 3, 4, true, RCX, false, 0 },
	{ "mov [rax],rcx (66 and REX.W)", 64, BYTES(0x66, 0x48, 0x89, 0x08), 4, 8, true, RCX, false, 0 },
	{ "mov [rsp+disp32],r12", 64, BYTES(0x4c, 0x89, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00),
	  8, 8, true, 12, false, 0 },
	{ "mov [rbx+rcx*4+8],r8d", 64, BYTES(0x44, 0x89, 0x44, 0x8b, 0x08), 5, 4, true, 8, false, 0 },
	{ "mov [rcx*4+disp32],eax", 64, BYTES(0x89, 0x04, 0x8d, 0x00, 0x00, 0xe0, 0xfe), 7, 4, true, RAX, false, 0 },
	{ "mov [rbp+0],eax (SIB base 101 with disp8)", 64, BYTES(0x89, 0x44, 0x25, 0x00), 4, 4, true, RAX, false, 0 },
	{ "mov fs:[disp32],eax", 64, BYTES(0x64, 0x89, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00), 8, 4, true, RAX, false, 0 },
	{ "mov qword [rip+disp32],-0x80000000", 64,
	  BYTES(0x48, 0xc7, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x80),
	  11, 8, false, 0, false, 0xffffffff80000000ULL },
	{ "mov qword [rax],0x7fffffff", 64, BYTES(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f),
	  7, 8, false, 0, false, 0x7fffffff },
	{ "mov dword [rax],0x80000000", 64, BYTES(0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
	  6, 4, false, 0, false, 0x80000000 },
	{ "mov word [rax],0x1234", 64, BYTES(0x66, 0xc7, 0x00, 0x34, 0x12), 5, 2, false, 0, false, 0x1234 },
	{ "mov byte [rax+0x20],0xab", 64, BYTES(0xc6, 0x40, 0x20, 0xab), 4, 1, false, 0, false, 0xab },
	{ "mov byte [r8],0xff (REX.B)", 64, BYTES(0x41, 0xc6, 0x00, 0xff), 4, 1, false, 0, false, 0xff },
	{ "32: mov [disp32],edx", 32, BYTES(0x89, 0x15, 0x00, 0x03, 0xe0, 0xfe), 6, 4, true, RDX, false, 0 },
	{ "32: mov [disp32],bh", 32, BYTES(0x88, 0x3d, 0x00, 0x00, 0xe0, 0xfe), 6, 1, true, RBX, true, 0 },
	{ "32: mov [bx+disp16],ax", 32, BYTES(0x66, 0x67, 0x89, 0x87, 0x00, 0x03), 6, 2, true, RAX, false, 0 },
	{ "32: mov word [eax],0x1234", 32, BYTES(0x66, 0xc7, 0x00, 0x34, 0x12), 5, 2, false, 0, false, 0x1234 },
	{ "32: mov [esp+8],edi", 32, BYTES(0x89, 0x7c, 0x24, 0x08), 4, 4, true, RDI, false, 0 },
	{ "16: mov [disp16],bx", 16, BYTES(0x89, 0x1e, 0x00, 0x03), 4, 2, true, RBX, false, 0 },
	{ "16: mov [bx+disp16],ax", 16, BYTES(0x89, 0x87, 0x00, 0x03), 4, 2, true, RAX, false, 0 },
	{ "16: mov [si],ax (rm 100 has no SIB)", 16, BYTES(0x89, 0x04), 2, 2, true, RAX, false, 0 },
	{ "16: mov [bp+2],al", 16, BYTES(0x88, 0x46, 0x02), 3, 1, true, RAX, false, 0 },
	{ "16: mov [edi+disp32],eax", 16, BYTES(0x66, 0x67, 0x89, 0x87, 0x00, 0x03, 0x00, 0x00),
	  8, 4, true, RAX, false, 0 },
	{ "16: mov word [disp16],0x1234", 16, BYTES(0xc7, 0x06, 0x00, 0x03, 0x34, 0x12),
	  6, 2, false, 0, false, 0x1234 },
	{ "16: mov dword [disp16],imm32", 16, BYTES(0x66, 0xc7, 0x06, 0x00, 0x03, 0x78, 0x56, 0x34, 0x12),
	  9, 4, false, 0, false, 0x12345678 },
	{ "mov [moffs64],eax", 64, BYTES(0xa3, 0x10, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  9, 4, true, RAX, false, 0 },
	{ "mov [moffs64],rax", 64, BYTES(0x48, 0xa3, 0x10, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  10, 8, true, RAX, false, 0 },
	{ "mov [moffs64],ax", 64, BYTES(0x66, 0xa3, 0x10, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  10, 2, true, RAX, false, 0 },
	{ "mov [moffs64],al", 64, BYTES(0xa2, 0x10, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  9, 1, true, RAX, false, 0 },
	{ "mov [moffs32],eax (67)", 64, BYTES(0x67, 0xa3, 0x10, 0x03, 0xe0, 0xfe), 6, 4, true, RAX, false, 0 },
	{ "32: mov [moffs32],eax", 32, BYTES(0xa3, 0x00, 0x03, 0xe0, 0xfe), 5, 4, true, RAX, false, 0 },
	{ "16: mov [moffs16],ax", 16, BYTES(0xa3, 0x00, 0x03), 3, 2, true, RAX, false, 0 },
	{ "13 segment prefixes (15 bytes)", 64,
	  BYTES(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x3e, 0x89, 0x11),
	  15, 4, true, RDX, false, 0 },
};

static void print_case(const char *name, unsigned int bits, size_t n)
{
	printf("  %s (%u-bit, %zu bytes)\n", name, bits, n);
}

static void decodes_stores(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(stores); i++) {
		const struct store_case *c = &stores[i];
		struct insn_store s;
		int before = test_case_failures;

		memset(&s, 0, sizeof(s));
		CHECK_EQ(c->n, c->len);
		CHECK_EQ(insn_decode_store(c->bytes, c->n, c->bits, &s), 0);
		CHECK_EQ(s.len, c->len);
		CHECK_EQ(s.size, c->size);
		CHECK_EQ(s.from_reg, c->from_reg);
		CHECK_EQ(s.high_byte, c->high_byte);
		if (c->from_reg)
			CHECK_EQ(s.reg, c->reg);
		else
			CHECK_EQ(s.imm, c->imm);
		if (test_case_failures != before)
			print_case(c->name, c->bits, c->n);
	}
}

/* Bytes after the instruction do not change it. */
static void ignores_what_follows(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(stores); i++) {
		const struct store_case *c = &stores[i];
		uint8_t buf[32];
		struct insn_store s;

		memset(buf, 0x90, sizeof(buf));
		memset(&s, 0, sizeof(s));
		memcpy(buf, c->bytes, c->n);
		CHECK_EQ(insn_decode_store(buf, sizeof(buf), c->bits, &s), 0);
		CHECK_EQ(s.len, c->len);
		CHECK_EQ(s.size, c->size);
	}
}

/* Every proper prefix of a store is refused, without reading past it (ASan sees each copy's end). */
static void truncated_inputs_fail(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(stores); i++) {
		const struct store_case *c = &stores[i];

		for (size_t n = 0; n < c->n; n++) {
			uint8_t *copy = malloc(n ? n : 1);
			struct insn_store s;

			memset(&s, 0x5a, sizeof(s));
			memcpy(copy, c->bytes, n);
			CHECK_EQ(insn_decode_store(copy, n, c->bits, &s), -HV_EINVAL);
			CHECK_EQ(s.len, 0x5a5a5a5a);	/* untouched */
			free(copy);
		}
	}
}

static const struct {
	const char *name;
	unsigned int bits;
	uint8_t bytes[17];
	size_t n;
} rejects[] = {
	{ "load: mov edx,[rcx]", 64, BYTES(0x8b, 0x11) },
	{ "load: mov eax,[moffs64]", 64, BYTES(0xa1, 0x10, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00) },
	{ "register destination: mov eax,ecx", 64, BYTES(0x89, 0xc8) },
	{ "register destination: mov eax,imm32", 64, BYTES(0xc7, 0xc0, 0x00, 0x00, 0x00, 0x00) },
	{ "lock", 64, BYTES(0xf0, 0x89, 0x11) },
	{ "rep", 64, BYTES(0xf3, 0x89, 0x11) },
	{ "repne", 64, BYTES(0xf2, 0x89, 0x11) },
	{ "C7 /1", 64, BYTES(0xc7, 0x08, 0x00, 0x00, 0x00, 0x00) },
	{ "C6 /1", 64, BYTES(0xc6, 0x48, 0x00, 0x00) },
	{ "C7 /7", 64, BYTES(0xc7, 0x38, 0x00, 0x00, 0x00, 0x00) },
	{ "movnti", 64, BYTES(0x0f, 0xc3, 0x11) },
	{ "xchg [rcx],edx", 64, BYTES(0x87, 0x11) },
	{ "REX then a legacy prefix", 64, BYTES(0x48, 0x66, 0x89, 0x08) },
	{ "REX is dec eax in 32-bit code", 32, BYTES(0x48, 0x89, 0x08) },
	{ "REX is inc ax in 16-bit code", 16, BYTES(0x40, 0x89, 0x08) },
	{ "14 segment prefixes (16 bytes)", 64,
	  BYTES(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x3e, 0x89, 0x11) },
	{ "16 prefix bytes", 64,
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x89) },
	{ "10 prefixes and a 6-byte store (16 bytes)", 64,
	  BYTES(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
		0xc7, 0x00, 0x00, 0x05, 0x00, 0x00) },
};

static void refuses_others(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rejects); i++) {
		struct insn_store s;
		size_t n = rejects[i].n;
		int rc;

		memset(&s, 0x5a, sizeof(s));
		rc = insn_decode_store(rejects[i].bytes, n, rejects[i].bits, &s);
		if (rc != -HV_EINVAL)
			print_case(rejects[i].name, rejects[i].bits, n);
		CHECK_EQ(rc, -HV_EINVAL);
		CHECK_EQ(s.len, 0x5a5a5a5a);
	}
}

/* Only 16, 32 and 64 are code sizes. */
static void refuses_bad_code_size(void)
{
	static const uint8_t mov[] = { 0x89, 0x11 };
	static const unsigned int bad[] = { 0, 8, 33, 128 };
	struct insn_store s;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(insn_decode_store(mov, sizeof(mov), bad[i], &s), -HV_EINVAL);
}

#define NONE	INSN_NO_REG
#define RIP	INSN_BASE_RIP
#define RBP	5

/*
 * Where each form stores: segment, address size, base, index, scale and
 * displacement, and the effective address for a base of 0xfee00000 and an
 * index of 0x10 (SDM "Specifying an Offset").
 */
static const struct operand_case {
	const char *name;
	unsigned int bits;
	uint8_t bytes[15];
	size_t n;
	enum insn_seg seg;
	unsigned int addr_bits, base, index, scale;
	uint64_t disp, offset;
} operands[] = {
	{ "mov [rcx],edx", 64, BYTES(0x89, 0x11), INSN_SEG_DS, 64, RCX, NONE, 1, 0, 0xfee00000 },
	{ "mov dword [rax+0xb0],0", 64, BYTES(0xc7, 0x80, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
	  INSN_SEG_DS, 64, RAX, NONE, 1, 0xb0, 0xfee000b0 },
	{ "mov [rax-0x10],r8d (disp8 sign-extended)", 64, BYTES(0x44, 0x89, 0x40, 0xf0),
	  INSN_SEG_DS, 64, RAX, NONE, 1, (uint64_t)-0x10, 0xfedffff0 },
	{ "mov [r9+r10*8+0x80],eax (REX.B, REX.X)", 64, BYTES(0x43, 0x89, 0x84, 0xd1, 0x80, 0x00, 0x00, 0x00),
	  INSN_SEG_DS, 64, 9, 10, 8, 0x80, 0xfee00100 },
	{ "mov [rcx*4+disp32],eax (no base)", 64, BYTES(0x89, 0x04, 0x8d, 0x00, 0x00, 0xe0, 0xfe),
	  INSN_SEG_DS, 64, NONE, RCX, 4, 0xfffffffffee00000ULL, 0xfffffffffee00040ULL },
	{ "mov [rsp+8],edi (SIB index none, SS)", 64, BYTES(0x89, 0x7c, 0x24, 0x08),
	  INSN_SEG_SS, 64, RSP, NONE, 1, 8, 0xfee00008 },
	{ "mov [rbp+0],eax (SS)", 64, BYTES(0x89, 0x45, 0x00), INSN_SEG_SS, 64, RBP, NONE, 1, 0, 0xfee00000 },
	{ "mov gs:[rbp+0],eax (override wins)", 64, BYTES(0x65, 0x89, 0x45, 0x00),
	  INSN_SEG_GS, 64, RBP, NONE, 1, 0, 0xfee00000 },
	{ "mov [rip+0x10],eax", 64, BYTES(0x89, 0x05, 0x10, 0x00, 0x00, 0x00), INSN_SEG_DS, 64, RIP, NONE, 1,
	  0x10, 0xfee00010 },
	{ "mov [eax+0xb0],ecx (67: wraps at 4 GiB)", 64, BYTES(0x67, 0x89, 0x88, 0xb0, 0x00, 0x00, 0x00),
	  INSN_SEG_DS, 32, RAX, NONE, 1, 0xb0, 0xfee000b0 },
	{ "mov [moffs64],eax", 64, BYTES(0xa3, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	  INSN_SEG_DS, 64, NONE, NONE, 1, 0xfee000b0, 0xfee000b0 },
	{ "mov fs:[moffs32],eax (67)", 64, BYTES(0x64, 0x67, 0xa3, 0xb0, 0x00, 0xe0, 0xfe),
	  INSN_SEG_FS, 32, NONE, NONE, 1, 0xfee000b0, 0xfee000b0 },
	{ "32: mov [disp32],edx (no RIP-relative)", 32, BYTES(0x89, 0x15, 0xb0, 0x00, 0xe0, 0xfe),
	  INSN_SEG_DS, 32, NONE, NONE, 1, 0xfffffffffee000b0ULL, 0xfee000b0 },
	{ "32: mov [ebx+esi*2-4],eax (wraps)", 32, BYTES(0x89, 0x44, 0x73, 0xfc),
	  INSN_SEG_DS, 32, RBX, RSI, 2, (uint64_t)-4, 0xfee0001c },
	{ "16: mov [bp+si+2],ax (SS)", 16, BYTES(0x89, 0x42, 0x02), INSN_SEG_SS, 16, RBP, RSI, 1, 2, 0x0012 },
	{ "16: mov [bx+di],ax", 16, BYTES(0x89, 0x01), INSN_SEG_DS, 16, RBX, RDI, 1, 0, 0x0010 },
	{ "16: mov es:[disp16],ax", 16, BYTES(0x26, 0x89, 0x06, 0xb0, 0x00), INSN_SEG_ES, 16, NONE, NONE, 1,
	  0xb0, 0xb0 },
	{ "16: mov [di-2],al (wraps at 64 KiB)", 16, BYTES(0x88, 0x45, 0xfe), INSN_SEG_DS, 16, RDI, NONE, 1,
	  (uint64_t)-2, 0xfffe },
};

static void decodes_operands(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(operands); i++) {
		const struct operand_case *c = &operands[i];
		struct insn_store s;
		int before = test_case_failures;

		CHECK_EQ(insn_decode_store(c->bytes, c->n, c->bits, &s), 0);
		CHECK_EQ(s.len, c->n);
		CHECK_EQ(s.seg, c->seg);
		CHECK_EQ(s.addr_bits, c->addr_bits);
		CHECK_EQ(s.base, c->base);
		CHECK_EQ(s.index, c->index);
		CHECK_EQ(s.scale, c->scale);
		CHECK_EQ(s.disp, c->disp);
		CHECK_EQ(insn_store_offset(&s, 0xfee00000, 0x10), c->offset);
		if (test_case_failures != before)
			print_case(c->name, c->bits, c->n);
	}
}

int main(void)
{
	RUN("insn_store", decodes_stores);
	RUN("insn_store", decodes_operands);
	RUN("insn_store", ignores_what_follows);
	RUN("insn_store", truncated_inputs_fail);
	RUN("insn_store", refuses_others);
	RUN("insn_store", refuses_bad_code_size);
	return test_suite_failures != 0;
}
