/* SPDX-License-Identifier: MIT */
#ifndef TESTS_PROBE_TRAP_H
#define TESTS_PROBE_TRAP_H

/*
 * Instructions that may fault, run so that the probe survives the fault.
 *
 * Each trap_* stub (trap_insn.asm) arms probe_trap with the address to resume at
 * and the stack pointer to resume with, runs the instruction, and disarms.
 * The #UD and #GP handlers installed by trap_install() send an armed fault
 * to the resume point and record its vector. A fault while disarmed is a
 * bug in the probe: the handler reports it and powers the machine off.
 */

#include <efi.h>

/* Layout shared with trap_insn.asm. */
struct probe_trap {
	uint64_t resume_rip;		/* 0 while disarmed */
	uint64_t resume_rsp;
	uint64_t vector;		/* of the last armed fault, 0 if none */
};

extern struct probe_trap probe_trap __attribute__((visibility("hidden")));

/* Each stub returns the vector of the fault it caught (6 or 13), or 0. */
uint64_t trap_rdmsr(uint32_t msr, uint64_t *val);
uint64_t trap_wrmsr(uint32_t msr, uint64_t val);
/* VMCALL with RCX, RDX, R8 as given; on return out[0] = RAX, out[1] = RDX. */
uint64_t trap_vmcall(uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t out[2]);
/* Calls code at page with RCX, RDX, R8 as given; *rax = RAX on return. */
uint64_t trap_call(const void *page, uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t *rax);

EFI_STATUS trap_install(void);
/* Another handler for an exception vector (NULL removes it), through the same protocol; after trap_install. */
EFI_STATUS trap_register_handler(EFI_EXCEPTION_TYPE vector, EFI_EXCEPTION_CALLBACK handler);
void trap_remove(void);
/* "#UD", "#GP" */
const CHAR16 *trap_name(uint64_t vector);

#endif
