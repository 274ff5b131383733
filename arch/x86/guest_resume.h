/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_GUEST_RESUME_H
#define ARCH_X86_GUEST_RESUME_H

/*
 * Where the guest resumes after VMLAUNCH. Vireo's host runs from a private
 * copy of the image that the guest must never execute (its memory is hidden
 * by the EPT), so the guest resumes in the firmware-loaded image instead:
 * call_with_resume() (run there) records its own frame and resume label,
 * then calls into the copy, which hands the record to VMLAUNCH. The guest
 * then "returns" from call_with_resume() with 0, the callee-saved registers
 * restored from the firmware's stack.
 */

#include "hv/compiler.h"

struct guest_resume {
	uint64_t rsp;
	uint64_t rip;
};

typedef uint64_t (*resume_fn_t)(void *arg, const struct guest_resume *resume);

/* Calls fn(arg, resume); returns what fn returns, or 0 when the caller resumes as the guest. */
uint64_t call_with_resume(resume_fn_t fn, void *arg);

/* The same as an EFI_AP_PROCEDURE (Microsoft x64 ABI), for every processor: call points to { fn, arg }. */
struct resume_call {
	resume_fn_t fn;
	void *arg;
};
void __attribute__((ms_abi)) ap_call_with_resume(void *call);

#endif
