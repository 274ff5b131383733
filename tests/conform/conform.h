/* SPDX-License-Identifier: MIT */
#ifndef TESTS_CONFORM_CONFORM_H
#define TESTS_CONFORM_CONFORM_H

/*
 * conform.efi: the same sequence of privileged operations, run once on bare
 * hardware and once under Vireo, printing one line per compared item so
 * that the two transcripts can be diffed (tests/e2e/test_conform_bochs.sh).
 */

#include <efi.h>
#include "hv/compiler.h"

/*
 * What the last ct_* stub saw (layout shared with insn.asm). The exception
 * frame is as the processor pushed it; at_rip and at_rsp are where the
 * instruction under test was and the RSP it ran with, so that a frame can
 * be printed relative to them and compared between two loads of the image.
 */
struct ct_frame {
	uint64_t taken;			/* an exception was delivered */
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t cr2, dr6;
	uint64_t at_rip, at_rsp;
};

extern struct ct_frame ct_frame __attribute__((visibility("hidden")));
/* RAX, RBX, RCX, RDX after the instruction, when it did not fault. */
extern uint64_t ct_out[4] __attribute__((visibility("hidden")));

/* The IDT the stubs load while an instruction under test runs. */
struct __packed ct_idtr {
	uint16_t limit;
	uint64_t base;
};
extern struct ct_idtr ct_idtr __attribute__((visibility("hidden")));
/* 32 exception entry points, 16 bytes apart. */
extern const char ct_vectors[] __attribute__((visibility("hidden")));

/*
 * Each returns 1 if the instruction raised an exception (ct_frame says
 * which), else 0 with the registers in ct_out. RAX, RCX and RDX are loaded
 * from the arguments, mem is the memory operand where there is one.
 */
typedef uint64_t ct_insn_fn(uint64_t rax, uint64_t rcx, uint64_t rdx, void *mem);
ct_insn_fn ct_rdmsr, ct_wrmsr, ct_xsetbv, ct_xgetbv, ct_xsave, ct_xrstor, ct_invd;
ct_insn_fn ct_vmxon, ct_vmxoff, ct_vmcall, ct_vmread, ct_vmptrst, ct_invept, ct_getsec, ct_vmfunc;
/* The same with RFLAGS.TF set: the single-step trap of the instruction. */
ct_insn_fn ct_cpuid_tf, ct_xsetbv_tf, ct_invd_tf, ct_vmcall_tf;

/* MOV to CR0/CR4 of value; if it did not fault, what MOV from the register read then, and the old value back. */
uint64_t ct_write_cr0(uint64_t value, uint64_t *readback);
uint64_t ct_write_cr4(uint64_t value, uint64_t *readback);
/* CPUID entered with RFLAGS.RF set (by IRET), an instruction breakpoint (DR0) on the next instruction. */
uint64_t ct_cpuid_rf_then_breakpoint(void);
void ct_write_dr7(uint64_t value);

/*
 * Runs the ring-3 code at entry (an alias of the ct_user_* block) with RAX,
 * RCX, RDX loaded, on stack rsp, with the given code and stack selectors:
 * it always ends in an exception, the instruction's own or the INT3 after it.
 */
uint64_t ct_user(uint64_t entry, uint64_t rax, uint64_t rcx, uint64_t rdx, uint64_t rsp, uint64_t cs_ss);
extern const char ct_user_begin[], ct_user_end[] __attribute__((visibility("hidden")));
extern const char ct_user_mov_cr8[], ct_user_mov_from_cr0[], ct_user_rdmsr[], ct_user_wrmsr[],
	ct_user_xsetbv[], ct_user_vmcall[], ct_user_vmxon[], ct_user_invd[], ct_user_hlt[],
	ct_user_cpuid[] __attribute__((visibility("hidden")));

/* ------------------------------------------------------------ output */

#define CT_OUT_SIZE	(64 * 1024)

/* One processor's transcript, written where it runs and printed by the boot processor. */
struct ct_out {
	char *buf;
	size_t len;
	const char *cpu;		/* "bsp", "ap1", ... */
	char line[160];
	size_t line_len;
};

void out_begin(struct ct_out *o, const char *item);
void out_str(struct ct_out *o, const char *s);
void out_hex(struct ct_out *o, uint64_t v, unsigned int digits);
void out_end(struct ct_out *o);
/* " -> <value>" or the exception frame of ct_frame, relative to the instruction under test. */
void out_result(struct ct_out *o, uint64_t faulted, uint64_t value, unsigned int digits);

/* ------------------------------------------------------------ the checks (checks.c, ring3.c) */

/*
 * Memory one processor's checks use, allocated by the boot processor
 * (application processors may not call boot services), by page.
 */
enum ct_page {
	CT_PAGE_GDT,			/* the GDT copy (ring3.c) */
	CT_PAGE_TSS,			/* its TSS, and at CT_IDT_OFFSET the IDT of the stubs */
	CT_PAGE_STACK0,			/* two pages: where an exception from ring 3 lands */
	CT_PAGE_PML4 = CT_PAGE_STACK0 + 2,
	CT_PAGE_PDPT,
	CT_PAGE_PD,
	CT_PAGE_PT,
	CT_PAGE_USER_CODE,
	CT_PAGE_USER_STACK,
	CT_PAGE_XSAVE,			/* two XSAVE areas */
	CT_PAGE_SCRATCH = CT_PAGE_XSAVE + 2,
	CT_CPU_PAGES,
};

#define CT_IDT_OFFSET		2048

struct ct_cpu {
	struct ct_out out;
	uint8_t *pages;
};

static inline uint8_t *ct_page(const struct ct_cpu *c, enum ct_page page)
{
	return c->pages + (size_t)page * 4096;
}

void ct_run_all(struct ct_cpu *c);

void check_cr0(struct ct_out *o);
void check_cr4(struct ct_out *o);
void check_cpuid(struct ct_out *o);
void check_faults(struct ct_out *o, uint8_t *scratch);
void check_xsave(struct ct_out *o, uint8_t *area);
void check_apic(struct ct_out *o);
void check_ring3(struct ct_cpu *c);

#endif
