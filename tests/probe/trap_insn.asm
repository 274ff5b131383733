; SPDX-License-Identifier: MIT
;
; Stubs for the instructions the probe expects to fault (see trap.h).
; System V calling convention; each returns the caught vector or 0 in RAX.
;
; ARM records where a fault resumes: at the given label, with RSP as it is
; at the ARM. The fault handler restores every other register from the
; exception context, so a stub keeps what it needs after the fault on its
; stack (pushed before the ARM) rather than in a register.

bits 64
default rel

extern probe_trap

%define TRAP_RIP	probe_trap + 0
%define TRAP_RSP	probe_trap + 8
%define TRAP_VECTOR	probe_trap + 16

%macro ARM 1
	mov	qword [TRAP_VECTOR], 0
	mov	[TRAP_RSP], rsp
	lea	rax, [%1]
	mov	[TRAP_RIP], rax
%endmacro

%macro DISARM 0
	mov	qword [TRAP_RIP], 0
	mov	rax, [TRAP_VECTOR]
%endmacro

section .text

; uint64_t trap_rdmsr(uint32_t msr, uint64_t *val)
global trap_rdmsr
trap_rdmsr:
	ARM	.resume
	mov	ecx, edi
	rdmsr
	shl	rdx, 32
	or	rax, rdx
	mov	[rsi], rax
.resume:
	DISARM
	ret

; uint64_t trap_wrmsr(uint32_t msr, uint64_t val)
global trap_wrmsr
trap_wrmsr:
	ARM	.resume
	mov	ecx, edi
	mov	eax, esi
	mov	rdx, rsi
	shr	rdx, 32
	wrmsr
.resume:
	DISARM
	ret

; uint64_t trap_vmcall(uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t out[2])
global trap_vmcall
trap_vmcall:
	push	rcx
	ARM	.resume
	mov	r8, rdx
	mov	rdx, rsi
	mov	rcx, rdi
	vmcall
	mov	rcx, [rsp]
	mov	[rcx], rax
	mov	[rcx + 8], rdx
.resume:
	DISARM
	add	rsp, 8
	ret

; uint64_t trap_call(const void *page, uint64_t rcx, uint64_t rdx, uint64_t r8,
;		     uint64_t *rax)
; A fault inside the called code resumes here with the caller's RSP, which
; also drops the return address the call pushed.
global trap_call
trap_call:
	push	r8
	ARM	.resume
	mov	rax, rdi
	mov	r8, rcx
	mov	rcx, rsi
	call	rax
	mov	rcx, [rsp]
	mov	[rcx], rax
.resume:
	DISARM
	add	rsp, 8
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
