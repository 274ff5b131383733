; SPDX-License-Identifier: MIT
;
; conform.efi's instructions under test (see conform.h). System V calling
; convention.
;
; Each stub saves the callee-saved registers and RFLAGS, disables
; interrupts, clears DR6 and loads the program's own IDT (ct_idtr) for the
; time of the instruction, so that any exception lands in ct_trap_common,
; which records the frame exactly as the processor pushed it and resumes
; the stub's epilogue with RAX = 1. Without an exception the stub stores
; RAX, RBX, RCX, RDX in ct_out and returns 0.

bits 64
default rel

%define F_TAKEN		0
%define F_VECTOR	8
%define F_ERROR		16
%define F_RIP		24
%define F_CS		32
%define F_RFLAGS	40
%define F_RSP		48
%define F_SS		56
%define F_CR2		64
%define F_DR6		72
%define F_AT_RIP	80
%define F_AT_RSP	88

%define RFLAGS_TF	0x100
%define RFLAGS_RF	0x10000
%define DR6_INIT	0xffff0ff0
%define DR7_L0_EXEC	0x401		; DR0 enabled as an instruction breakpoint; bit 10 reads as 1

section .data

global ct_frame
ct_frame:	times 12 dq 0
global ct_out
ct_out:		times 4 dq 0
global ct_idtr
ct_idtr:	dw 0
		dq 0
saved_idtr:	dw 0
		dq 0
resume_rsp:	dq 0
kernel_ss:	dq 0

section .text

%macro TRY_BEGIN 0
	push	rbx
	push	rbp
	push	r12
	push	r13
	push	r14
	push	r15
	pushfq
	cli
	sidt	[saved_idtr]
	lidt	[ct_idtr]
	mov	qword [ct_frame + F_TAKEN], 0
	mov	[resume_rsp], rsp
	mov	r11d, ss
	mov	[kernel_ss], r11
	mov	r11d, DR6_INIT
	mov	dr6, r11
%endmacro

; Records where the next instruction is and the RSP it runs with.
%macro AT 0
	lea	r11, [rel %%insn]
	mov	[ct_frame + F_AT_RIP], r11
	mov	[ct_frame + F_AT_RSP], rsp
%%insn:
%endmacro

%macro TRY_END 0
	mov	[ct_out + 0], rax
	mov	[ct_out + 8], rbx
	mov	[ct_out + 16], rcx
	mov	[ct_out + 24], rdx
	xor	eax, eax
	jmp	epilogue
%endmacro

epilogue:
	lidt	[saved_idtr]
	popfq
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	rbp
	pop	rbx
	ret

; ------------------------------------------------------------ exceptions

; The vectors for which the processor pushes an error code (SDM "Exception and Interrupt Reference").
%macro VECTOR 1
%%start:
%if %1 != 8 && (%1 < 10 || %1 > 14) && %1 != 17 && %1 != 21 && %1 != 29 && %1 != 30
	push	0
%endif
	push	%1
	jmp	trap_common
	times 16 - ($ - %%start) int3
%endmacro

align 16
global ct_vectors
ct_vectors:
%assign v 0
%rep 32
	VECTOR v
%assign v v + 1
%endrep

; Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS. From ring 3 this
; runs on the TSS's RSP0 with SS null: the stub's own SS is loaded again.
trap_common:
	cld
	mov	rsi, rsp
	lea	rdi, [ct_frame + F_VECTOR]
	mov	ecx, 7
	rep movsq
	mov	rax, cr2
	mov	[ct_frame + F_CR2], rax
	mov	rax, dr6
	mov	[ct_frame + F_DR6], rax
	mov	qword [ct_frame + F_TAKEN], 1
	mov	rax, [kernel_ss]
	mov	ss, ax
	mov	rsp, [resume_rsp]
	mov	eax, 1
	jmp	epilogue

; ------------------------------------------------------------ one instruction

; uint64_t ct_<name>(uint64_t rax, uint64_t rcx, uint64_t rdx, void *mem); RBX = 0.
%macro INSN 2
global ct_%1
ct_%1:
	TRY_BEGIN
	mov	r8, rcx
	mov	rax, rdi
	mov	rcx, rsi
	xor	ebx, ebx
	AT
	%2
	TRY_END
%endmacro

; The same, single-stepped: the trap comes after the instruction (SDM "Single-Step Exception Condition").
%macro INSN_TF 2
global ct_%1_tf
ct_%1_tf:
	TRY_BEGIN
	mov	r8, rcx
	mov	rax, rdi
	mov	rcx, rsi
	xor	ebx, ebx
	lea	r11, [rel %%insn]
	mov	[ct_frame + F_AT_RIP], r11
	mov	[ct_frame + F_AT_RSP], rsp
	pushfq
	or	qword [rsp], RFLAGS_TF
	popfq
%%insn:
	%2
	nop
	TRY_END
%endmacro

INSN rdmsr, rdmsr
INSN wrmsr, wrmsr
INSN xsetbv, xsetbv
INSN xgetbv, xgetbv
INSN xsave, {xsave [r8]}
INSN xrstor, {xrstor [r8]}
INSN invd, invd
INSN vmxon, {vmxon [r8]}
INSN vmxoff, vmxoff
INSN vmcall, vmcall
INSN vmread, {vmread rax, rcx}
INSN vmptrst, {vmptrst [r8]}
INSN invept, {invept rax, [r8]}
INSN getsec, getsec
INSN vmfunc, {db 0x0f, 0x01, 0xd4}
INSN_TF cpuid, cpuid
INSN_TF xsetbv, xsetbv
INSN_TF invd, invd
INSN_TF vmcall, vmcall

; uint64_t ct_write_cr0(uint64_t value, uint64_t *readback)
global ct_write_cr0
ct_write_cr0:
	TRY_BEGIN
	mov	r8, cr0
	AT
	mov	cr0, rdi
	mov	rax, cr0
	mov	cr0, r8
	mov	[rsi], rax
	TRY_END

global ct_write_cr4
ct_write_cr4:
	TRY_BEGIN
	mov	r8, cr4
	AT
	mov	cr4, rdi
	mov	rax, cr4
	mov	cr4, r8
	mov	[rsi], rax
	TRY_END

; uint64_t ct_cpuid_rf_then_breakpoint(void)
; An IRET with RF set in the RFLAGS image enters CPUID; the instruction after
; it is an instruction breakpoint. RF is cleared once CPUID completes, so
; the breakpoint must fault (SDM "Resume Flag (RF) Flag"). DR7 is left armed:
; the caller disarms it.
global ct_cpuid_rf_then_breakpoint
ct_cpuid_rf_then_breakpoint:
	TRY_BEGIN
	lea	rax, [rel .breakpoint]
	mov	dr0, rax
	mov	eax, DR7_L0_EXEC
	mov	dr7, rax
	mov	rax, rsp
	mov	r9d, ss
	push	r9
	push	rax
	pushfq
	or	qword [rsp], RFLAGS_RF
	mov	r9d, cs
	push	r9
	lea	r9, [rel .cpuid]
	push	r9
	mov	[ct_frame + F_AT_RIP], r9
	mov	[ct_frame + F_AT_RSP], rax
	xor	eax, eax
	xor	ecx, ecx
	iretq
.cpuid:
	cpuid
.breakpoint:
	nop
	TRY_END

; void ct_write_dr7(uint64_t value)
global ct_write_dr7
ct_write_dr7:
	mov	dr7, rdi
	ret

; ------------------------------------------------------------ ring 3

; uint64_t ct_user(uint64_t entry, uint64_t rax, uint64_t rcx, uint64_t rdx, uint64_t rsp, uint64_t cs_ss)
; cs_ss: the ring-3 code selector in bits 15:0, the stack selector in 31:16.
global ct_user
ct_user:
	TRY_BEGIN
	mov	[ct_frame + F_AT_RIP], rdi
	mov	[ct_frame + F_AT_RSP], r8
	movzx	r10d, r9w
	shr	r9, 16
	push	r9			; SS
	push	r8			; RSP
	push	2			; RFLAGS: interrupts off
	push	r10			; CS
	push	rdi			; RIP
	mov	rax, rsi
	mov	r11, rcx
	mov	rcx, rdx
	mov	rdx, r11
	xor	ebx, ebx
	iretq

; Copied to a page ring 3 may run (ring3.c): each entry is one instruction,
; then INT3 back to ring 0 through a DPL-3 gate.
align 16
global ct_user_begin
ct_user_begin:
global ct_user_mov_cr8
ct_user_mov_cr8:
	mov	cr8, rax
	int3
global ct_user_mov_from_cr0
ct_user_mov_from_cr0:
	mov	rax, cr0
	int3
global ct_user_rdmsr
ct_user_rdmsr:
	rdmsr
	int3
global ct_user_wrmsr
ct_user_wrmsr:
	wrmsr
	int3
global ct_user_xsetbv
ct_user_xsetbv:
	xsetbv
	int3
global ct_user_vmcall
ct_user_vmcall:
	vmcall
	int3
global ct_user_vmxon
ct_user_vmxon:
	vmxon	[rsp]
	int3
global ct_user_invd
ct_user_invd:
	invd
	int3
global ct_user_hlt
ct_user_hlt:
	hlt
	int3
global ct_user_cpuid
ct_user_cpuid:
	cpuid
	int3
global ct_user_end
ct_user_end:

section .note.GNU-stack noalloc noexec nowrite progbits
