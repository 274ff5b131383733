; SPDX-License-Identifier: MIT
;
; The VM-exit entry point, the first VM entry, host exception stubs and the
; fault-tolerant MSR/XCR accessors. Everything else is C.

bits 64
default rel

%define GUEST_RSP	0x681c
%define GUEST_RIP	0x681e
%define VM_EXIT_REASON	0x4402
%define EXIT_REASON_CPUID	10
%define GUEST_REGS_SIZE	(16 * 8)

extern vmx_handle_exit
extern vmx_cpuid_exit
extern vmx_finish_exit
extern vmx_resume_failed
extern host_exception

section .text

; int vmx_launch(uint64_t guest_rsp, uint64_t guest_rip)
;
; VMLAUNCH with the guest resuming at guest_rip on guest_rsp (a point
; recorded by call_with_resume, guest_resume.asm). Returns only if VMLAUNCH
; failed: VMX_FAIL_INVALID (CF: no current VMCS) or VMX_FAIL_VALID (ZF: see
; VM_INSTRUCTION_ERROR).
global vmx_launch
vmx_launch:
	mov	rax, GUEST_RSP
	vmwrite	rax, rdi
	mov	rax, GUEST_RIP
	vmwrite	rax, rsi
	vmlaunch
	mov	eax, 1
	jc	.out
	mov	eax, 2
.out:
	ret

; The guest's GPRs on the host stack, in struct guest_regs order (hv/vcpu.h).
%define G_RAX	0
%define G_RCX	8
%define G_RDX	16
%define G_RBX	24
%define G_RBP	40
%define G_RSI	48
%define G_RDI	56
%define G_R8	64
%define G_R9	72
%define G_R10	80
%define G_R11	88
%define G_R12	96
%define G_R13	104
%define G_R14	112
%define G_R15	120

; VM exits land here (HOST_RIP) on the vCPU's host stack. HOST_RSP points at
; a 16-byte slot holding the struct vmx_vcpu pointer; the guest's GPRs go
; in the frame below it (struct vcpu.regs points there), keeping RSP
; 16-byte aligned for the calls.
;
; First only what a C function may change without restoring it: RAX, RCX,
; RDX, RSI, RDI, R8-R11, and RBX, which CPUID writes and 32-bit hypercalls
; read. Then the exit reason: CPUID goes to vmx_cpuid_exit, every other
; exit to vmx_handle_exit. The exits whose handlers touch no other register
; run through to the end with those. For the others, and for whatever needs
; the whole register file afterwards (an INIT resets it, leaving VMX
; operation loads it), the C entry returns what is left to do: RBP and
; R12-R15, which it preserved, still hold the guest's values and join them
; in the frame before vmx_finish_exit.
global vmx_exit_entry
vmx_exit_entry:
	sub	rsp, GUEST_REGS_SIZE
	mov	[rsp + G_RAX], rax
	mov	[rsp + G_RCX], rcx
	mov	[rsp + G_RDX], rdx
	mov	[rsp + G_RBX], rbx
	mov	[rsp + G_RSI], rsi
	mov	[rsp + G_RDI], rdi
	mov	[rsp + G_R8], r8
	mov	[rsp + G_R9], r9
	mov	[rsp + G_R10], r10
	mov	[rsp + G_R11], r11
	mov	rdi, [rsp + GUEST_REGS_SIZE]	; struct vmx_vcpu *
	mov	eax, VM_EXIT_REASON
	vmread	rsi, rax
	cmp	esi, EXIT_REASON_CPUID
	jne	.other
	call	vmx_cpuid_exit
	test	eax, eax
	jnz	.all_gprs
.resume:
	mov	rax, [rsp + G_RAX]
	mov	rcx, [rsp + G_RCX]
	mov	rdx, [rsp + G_RDX]
	mov	rbx, [rsp + G_RBX]
	mov	rsi, [rsp + G_RSI]
	mov	rdi, [rsp + G_RDI]
	mov	r8, [rsp + G_R8]
	mov	r9, [rsp + G_R9]
	mov	r10, [rsp + G_R10]
	mov	r11, [rsp + G_R11]
	add	rsp, GUEST_REGS_SIZE
	vmresume
	; VMRESUME failed: report with the flags it left.
	setc	dil
	setz	sil
	movzx	edi, dil
	movzx	esi, sil
	mov	rdx, [rsp]		; struct vmx_vcpu *
	and	rsp, -16
	call	vmx_resume_failed	; does not return
.other:
	call	vmx_handle_exit
	test	eax, eax
	jz	.resume
.all_gprs:
	mov	[rsp + G_RBP], rbp
	mov	[rsp + G_R12], r12
	mov	[rsp + G_R13], r13
	mov	[rsp + G_R14], r14
	mov	[rsp + G_R15], r15
	mov	rdi, [rsp + GUEST_REGS_SIZE]
	mov	esi, eax		; what is left (enum vmx_exit_rest)
	call	vmx_finish_exit
	mov	rbp, [rsp + G_RBP]
	mov	r12, [rsp + G_R12]
	mov	r13, [rsp + G_R13]
	mov	r14, [rsp + G_R14]
	mov	r15, [rsp + G_R15]
	jmp	.resume

; void vmx_resume_native(const struct native_frame *f)
;
; After VMXOFF (arch/x86/vmx_leave.c): the guest's data segments and their
; bases, its GPRs, then IRETQ to its CS:RIP, RFLAGS and SS:RSP. The caller has
; loaded its control registers and descriptor tables. Does not return.
%define NF_RIP		128
%define NF_RSP		136
%define NF_RFLAGS	144
%define NF_FS_BASE	152
%define NF_GS_BASE	160
%define NF_CS		168
%define NF_SS		170
%define NF_DS		172
%define NF_ES		174
%define NF_FS		176
%define NF_GS		178
global vmx_resume_native
vmx_resume_native:
	mov	ax, [rdi + NF_DS]
	mov	ds, ax
	mov	ax, [rdi + NF_ES]
	mov	es, ax
	mov	ax, [rdi + NF_FS]
	mov	fs, ax
	mov	ax, [rdi + NF_GS]
	mov	gs, ax
	mov	ecx, 0xc0000100		; IA32_FS_BASE, after the selector load
	mov	eax, [rdi + NF_FS_BASE]
	mov	edx, [rdi + NF_FS_BASE + 4]
	wrmsr
	mov	ecx, 0xc0000101		; IA32_GS_BASE
	mov	eax, [rdi + NF_GS_BASE]
	mov	edx, [rdi + NF_GS_BASE + 4]
	wrmsr
	movzx	eax, word [rdi + NF_SS]
	push	rax
	push	qword [rdi + NF_RSP]
	push	qword [rdi + NF_RFLAGS]
	movzx	eax, word [rdi + NF_CS]
	push	rax
	push	qword [rdi + NF_RIP]
	mov	rax, [rdi + 0]
	mov	rcx, [rdi + 8]
	mov	rdx, [rdi + 16]
	mov	rbx, [rdi + 24]
	mov	rbp, [rdi + 40]
	mov	rsi, [rdi + 48]
	mov	r8, [rdi + 64]
	mov	r9, [rdi + 72]
	mov	r10, [rdi + 80]
	mov	r11, [rdi + 88]
	mov	r12, [rdi + 96]
	mov	r13, [rdi + 104]
	mov	r14, [rdi + 112]
	mov	r15, [rdi + 120]
	mov	rdi, [rdi + 56]
	iretq

; Host exceptions. The processor pushes an error code for vectors 8, 10-14,
; 17, 21, 29 and 30 (SDM "Exception and Interrupt Reference"); the stubs push
; a zero for the others so host_exception() sees one frame layout.
%macro EXC_NOERR 1
exc_%1:
	push	0
	push	%1
	jmp	exc_common
%endmacro
%macro EXC_ERR 1
exc_%1:
	push	%1
	jmp	exc_common
%endmacro

%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	EXC_ERR v
%else
	EXC_NOERR v
%endif
%assign v v + 1
%endrep

; Frame for host_exception(): 15 GPRs, vector, error code, then the
; processor's RIP, CS, RFLAGS, RSP, SS (struct host_exception_frame).
exc_common:
	push	rax
	push	rcx
	push	rdx
	push	rbx
	push	rbp
	push	rsi
	push	rdi
	push	r8
	push	r9
	push	r10
	push	r11
	push	r12
	push	r13
	push	r14
	push	r15
	mov	rdi, rsp
	mov	rbx, rsp
	and	rsp, -16
	call	host_exception		; returns only when the fault was fixed up
	mov	rsp, rbx
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	r11
	pop	r10
	pop	r9
	pop	r8
	pop	rdi
	pop	rsi
	pop	rbp
	pop	rbx
	pop	rdx
	pop	rcx
	pop	rax
	add	rsp, 16			; vector and error code
	iretq

; int cpu_rdmsr_safe(uint32_t msr, uint64_t *val), int cpu_wrmsr_safe(uint32_t msr, uint64_t val),
; int cpu_xsetbv_safe(uint32_t index, uint64_t val): 0, or -1 if the
; instruction raised #GP (host_exception() resumes at the fixup through
; the exception table).
global cpu_rdmsr_safe
cpu_rdmsr_safe:
	mov	ecx, edi
.insn:	rdmsr
	shl	rdx, 32
	or	rax, rdx
	mov	[rsi], rax
	xor	eax, eax
	ret
.fixup:	mov	eax, -1
	ret

global cpu_wrmsr_safe
cpu_wrmsr_safe:
	mov	ecx, edi
	mov	rax, rsi
	mov	rdx, rsi
	shr	rdx, 32
.insn:	wrmsr
	xor	eax, eax
	ret
.fixup:	mov	eax, -1
	ret

global cpu_xsetbv_safe
cpu_xsetbv_safe:
	mov	ecx, edi
	mov	rax, rsi
	mov	rdx, rsi
	shr	rdx, 32
.insn:	xsetbv
	xor	eax, eax
	ret
.fixup:	mov	eax, -1
	ret

; Host exception table: pairs of {faulting instruction, where to resume}.
section .data
align 8
global host_extable_start, host_extable_end
host_extable_start:
	dq	cpu_rdmsr_safe.insn, cpu_rdmsr_safe.fixup
	dq	cpu_wrmsr_safe.insn, cpu_wrmsr_safe.fixup
	dq	cpu_xsetbv_safe.insn, cpu_xsetbv_safe.fixup
host_extable_end:

; Entry points of the 32 exception stubs, for the host IDT.
global host_exception_stubs
host_exception_stubs:
%assign v 0
%rep 32
	dq	exc_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
