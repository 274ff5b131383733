; SPDX-License-Identifier: MIT
;
; call_with_resume and its EFI_AP_PROCEDURE form: see guest_resume.h. The
; registers saved are the callee-saved ones of both the System V and the
; Microsoft x64 ABI (RDI and RSI are callee-saved in the latter; Vireo uses
; no XMM registers).

bits 64
default rel

section .text

; uint64_t call_with_resume(resume_fn_t fn, void *arg)
global call_with_resume
call_with_resume:
	push	rbx
	push	rbp
	push	rdi
	push	rsi
	push	r12
	push	r13
	push	r14
	push	r15
	sub	rsp, 24			; struct guest_resume at [rsp], 16-byte aligned for the call
	mov	[rsp], rsp		; resume.rsp: the guest comes back with this stack
	lea	rax, [.resume]
	mov	[rsp + 8], rax		; resume.rip
	mov	rax, rdi
	mov	rdi, rsi		; arg
	mov	rsi, rsp		; &resume
	call	rax
.out:
	add	rsp, 24
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	rsi
	pop	rdi
	pop	rbp
	pop	rbx
	ret
.resume:				; first instruction the guest runs after VMLAUNCH
	xor	eax, eax
	jmp	.out

; void ap_call_with_resume(struct resume_call *call)	(Microsoft x64 ABI: call in RCX)
global ap_call_with_resume
ap_call_with_resume:
	push	rdi
	push	rsi
	sub	rsp, 8
	mov	rdi, [rcx]
	mov	rsi, [rcx + 8]
	call	call_with_resume
	add	rsp, 8
	pop	rsi
	pop	rdi
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
