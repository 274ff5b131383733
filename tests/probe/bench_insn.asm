; SPDX-License-Identifier: MIT
;
; Timed instructions for probe.efi bench (bench.c).
;
; uint32_t bench_<op>(uint64_t rcx, uint32_t eax, uint32_t edx)
;
; Each stub loads RCX, then runs EAX and EDX into place and its one
; instruction between two "lfence; rdtsc", and returns the low 32 bits of
; the TSC difference. Every stub has the same instructions in that window
; apart from the timed one, so bench_none is the cost of the window itself.
; System V calling convention.

bits 64
default rel

%macro TIMED 0-1
	mov	rcx, rdi
	mov	r8d, esi
	mov	r9d, edx
	lfence
	rdtsc
	mov	r10d, eax
	mov	eax, r8d
	mov	edx, r9d
	%1
	lfence
	rdtsc
	sub	eax, r10d
%endmacro

section .text

global bench_none
bench_none:
	TIMED
	ret

; ECX is the subleaf, EAX the leaf.
global bench_cpuid
bench_cpuid:
	push	rbx
	TIMED	cpuid
	pop	rbx
	ret

global bench_rdmsr
bench_rdmsr:
	TIMED	rdmsr
	ret

global bench_wrmsr
bench_wrmsr:
	TIMED	wrmsr
	ret

; A fast hypercall: RCX = control, RDX = first input, R8 = 0.
global bench_vmcall
bench_vmcall:
	TIMED	vmcall
	ret

; The guest's read of the reference TSC page at RCX (TLFS "Partition
; Reference Time Enlightenment"): the sequence, RDTSC, the 128-bit product
; of the TSC and the scale, the offset, the sequence again; no exit.
%macro TSC_PAGE_READ 0
%%retry:
	mov	r11d, [rcx]
	rdtsc
	shl	rdx, 32
	or	rax, rdx
	mul	qword [rcx + 8]
	add	rdx, [rcx + 16]
	cmp	r11d, [rcx]
	jne	%%retry
%endmacro

global bench_tsc_page
bench_tsc_page:
	TIMED	TSC_PAGE_READ
	ret

; #GP handler while bench.c times a faulting RDMSR: drop the error code and
; resume past the two-byte RDMSR (0f 32), in the stub's timed window.
global bench_skip_rdmsr_gp
bench_skip_rdmsr_gp:
	add	rsp, 8
	add	qword [rsp], 2
	iretq

section .note.GNU-stack noalloc noexec nowrite progbits
