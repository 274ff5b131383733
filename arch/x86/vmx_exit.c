/* SPDX-License-Identifier: MIT */
/*
 * The C part of a VM exit: copy what the handlers need out of the VMCS into
 * struct vcpu, dispatch (hv/exit.c), write back the new RIP and any event to
 * inject, and return to vmx_exit_entry for VMRESUME. vmx_handle_exit runs
 * with the guest's registers the C calling convention does not preserve
 * in the frame and carries the hot exits to the end; vmx_finish_exit, with
 * all of them, does the rest.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/processor.h"
#include "arch/x86/reset.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "hv/exit.h"
#include "hv/init_rule.h"
#include "hv/ipi.h"
#include "hv/log.h"
#include "hv/request.h"

/*
 * The guest's own CR4 bits come from the register, those Vireo owns from
 * the read shadow (SDM "Guest/Host Masks and Read Shadows for CR0 and
 * CR4"): the shadow is read only where one of bits is Vireo's.
 */
uint64_t vcpu_read_cr4_bits(const struct vcpu *v, uint64_t bits)
{
	uint64_t owned = vmcs_read(CR4_GUEST_HOST_MASK) & bits, cr4 = vmcs_read(GUEST_CR4);

	(void)v;
	if (owned)
		cr4 = cr_guest_view(cr4, vmcs_read(CR4_READ_SHADOW), owned);
	return cr4 & bits;
}

/*
 * Straight into the guest's registers: CPUID clears bits 63:32 of RAX, RBX,
 * RCX and RDX (SDM "CPUID"), so nothing is left to zero-extend.
 */
void vcpu_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	struct guest_regs *g = v->regs;

	asm volatile("cpuid" : "=a"(g->rax), "=b"(g->rbx), "=c"(g->rcx), "=d"(g->rdx)
		     : "a"(leaf), "c"(subleaf));
}

/*
 * Whether the guest can take an injected NMI now. Blocking by NMI or by MOV
 * SS holds it back, and the NMI window opens once both are gone. Blocking by
 * STI does not hold NMIs back on every processor, and some refuse to inject
 * one under it (SDM "Checks on Guest Non-Register State"), so the STI shadow
 * is dropped instead; a guest waiting for SIPI takes no event at all.
 */
static bool guest_takes_nmi(void)
{
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	if ((intr & (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_MOV_SS)) ||
	    vmcs_read(GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_WAIT_SIPI)
		return false;
	if (intr & GUEST_INTR_STATE_STI)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, intr & ~GUEST_INTR_STATE_STI);
	return true;
}

/*
 * NMI-window exiting on or off. The exit path and the host's NMI handler,
 * which may interrupt it, both write the flag first and the VMCS second:
 * then the only mismatch an interruption can leave is the window recorded
 * open but closed in the VMCS, which deliver_events' second look repairs
 * when there is still a reason to exit, and the next exit does otherwise.
 */
static void set_nmi_window(struct vmx_vcpu *vv, bool on)
{
	vv->nmi_window = on;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vv->caps->cpu | (on ? CPU_BASED_NMI_WINDOW_EXITING : 0));
}

/*
 * Something for which this vCPU must leave the guest as soon as it can: a
 * guest NMI, an INIT, another vCPU's request, an undo, the INIT rule's
 * measurement.
 */
static bool exit_wanted(const struct vmx_vcpu *vv)
{
	return vv->vcpu.nmi_pending || ipi_init_pending(&vv->vcpu) || vcpu_requests_pending(&vv->vcpu) ||
	       __atomic_load_n(&vv->leave_requested, __ATOMIC_ACQUIRE) || init_rule_running(&vv->vcpu);
}

/*
 * VM entry delivers an injected exception with RFLAGS as the guest-state
 * field holds it (SDM "Event Injection"), while the processor sets RF in
 * the image it pushes for a fault: set it in the field, so that the
 * guest's handler sees the frame the hardware would have pushed.
 */
static void inject(const struct pending_event *e)
{
	if (e->type == EVENT_HW_EXCEPTION && exception_is_fault(e->vector))
		vmcs_write(GUEST_RFLAGS, vmcs_read(GUEST_RFLAGS) | X86_RFLAGS_RF);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | (uint32_t)e->type << INTR_INFO_TYPE_SHIFT |
		   (e->has_error_code ? INTR_INFO_DELIVER_CODE : 0) | e->vector);
	if (e->has_error_code)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, e->error_code);
}

/*
 * An instruction Vireo emulated has completed, which clears RF; with TF set
 * (and not IA32_DEBUGCTL.BTF, which single-steps branches only) its
 * single-step trap is due before the next instruction. A VM exit caused by
 * an instruction saves RF as it was and no pending debug exception (SDM
 * "Saving RIP, RSP, RFLAGS, and SSP", "Saving Non-Register State"), so the
 * trap becomes one here, delivered after VM entry (SDM "Delivery of
 * Pending Debug Exceptions after VM Entry"). Returns whether it is due.
 */
static __always_inline bool complete_emulated_instruction(void)
{
	uint64_t rflags = vmcs_read(GUEST_RFLAGS);

	if (!(rflags & (X86_RFLAGS_RF | X86_RFLAGS_TF)))
		return false;
	vmcs_write(GUEST_RFLAGS, rflags & ~(uint64_t)X86_RFLAGS_RF);
	if (!(rflags & X86_RFLAGS_TF) || (vmcs_read(GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF))
		return false;
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
	return true;
}

/*
 * What the handler of each exit reads of it, besides the reason, RIP and
 * instruction length, which every exit reads: the rest stays in the VMCS.
 * Exits that can come in the middle of delivering an event through the IDT
 * (SDM "Information for VM Exits During Event Delivery": with an empty
 * exception bitmap, an NMI, an EPT violation or misconfiguration, a task
 * switch, an APIC access) read the IDT-vectoring information; instruction
 * exits never do.
 */
#define READS_QUAL		BIT(0)
#define READS_GPA		BIT(1)
#define READS_INTR_INFO		BIT(2)
#define READS_VECTORING		BIT(3)

static const uint8_t exit_reads[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI]	= READS_INTR_INFO | READS_VECTORING,
	[EXIT_REASON_SIPI]		= READS_QUAL,
	[EXIT_REASON_TASK_SWITCH]	= READS_QUAL | READS_VECTORING,
	[EXIT_REASON_CR_ACCESS]		= READS_QUAL,
	[EXIT_REASON_IO_INSTRUCTION]	= READS_QUAL,
	[EXIT_REASON_APIC_ACCESS]	= READS_QUAL | READS_VECTORING,
	[EXIT_REASON_EPT_VIOLATION]	= READS_QUAL | READS_GPA | READS_VECTORING,
	[EXIT_REASON_EPT_MISCONFIG]	= READS_GPA | READS_VECTORING,
};

/*
 * What every exit but CPUID reads: its RIP and instruction length. No
 * event is queued (deliver_events took the last).
 */
static __always_inline void read_exit(struct vcpu *v)
{
	v->instr_len = (uint32_t)vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	v->rip = vmcs_read(GUEST_RIP);
	v->rip_changed = false;
}

/* ... and what the handler of this one reads besides. */
static void read_exit_details(struct vmx_vcpu *vv)
{
	struct vcpu *v = &vv->vcpu;
	unsigned int reads = v->exit_reason < EXIT_REASON_MAX ? exit_reads[v->exit_reason] : 0;

	v->exit_in_delivery = false;
	if (reads & READS_QUAL)
		v->exit_qual = vmcs_read(EXIT_QUALIFICATION);
	if (reads & READS_GPA)
		v->exit_gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	if (reads & READS_INTR_INFO)
		v->exit_intr_info = (uint32_t)vmcs_read(VM_EXIT_INTR_INFO);
	if (reads & READS_VECTORING) {
		vv->redeliver = (uint32_t)vmcs_read(IDT_VECTORING_INFO_FIELD);
		v->exit_in_delivery = vv->redeliver & INTR_INFO_VALID;
	}
}

/* Event types of software interrupts and exceptions, which VM entry delivers with an instruction length. */
#define EVENT_PRIV_SW_EXCEPTION	5
#define EVENT_SW_EXCEPTION	6

/*
 * The event an exit interrupted never reached the guest: an external
 * interrupt its APIC has already acknowledged would be lost. VM entry
 * delivers it again, as the IDT-vectoring information describes it (SDM
 * "Reflecting Exceptions to Guest Software"; bits 30:12 of the entry
 * field are reserved). An NMI being delivered had blocked NMIs; that
 * blocking goes with the redelivery.
 */
static void redeliver(uint32_t info)
{
	unsigned int type = (info >> INTR_INFO_TYPE_SHIFT) & 7;

	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info & (INTR_INFO_VALID | INTR_INFO_DELIVER_CODE | 0x7ff));
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read(IDT_VECTORING_ERROR_CODE));
	if (type == EVENT_SW_INTERRUPT || type == EVENT_PRIV_SW_EXCEPTION || type == EVENT_SW_EXCEPTION)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vmcs_read(VM_EXIT_INSTRUCTION_LEN));
	if (type == EVENT_NMI)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & ~(uint64_t)GUEST_INTR_STATE_NMI);
}

/* An emulated instruction retires: the guest goes on after it. */
static __always_inline bool retire_emulated_instruction(const struct vcpu *v)
{
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	vmcs_write(GUEST_RIP, v->rip);
	/* It ends any STI or MOV SS blocking (SDM "Interruptibility State"). */
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	return complete_emulated_instruction();
}

/*
 * Events to deliver and the NMI window, when there is anything to do: an
 * event queued by the handler or interrupted by the exit, a call for
 * attention, or the window open. An undo leaves here, after the emulated
 * instruction retired: the guest goes on natively after it, or, with a
 * fault queued, at the instruction, which faults again.
 */
static void deliver_events(struct vmx_vcpu *vv, bool single_step)
{
	struct vcpu *v = &vv->vcpu;
	struct pending_event *e = &v->event;
	bool want, nmi_now;

	vcpu_attention_seen(v);
	vmx_leave_if_requested(vv);
	if (vcpu_requests_pending(v))
		vcpu_serve_requests(v);
	/*
	 * The guest's NMI goes in now unless another event does, or the guest
	 * blocks it, or an emulated instruction's single-step trap is due: an
	 * NMI injected now would come before the trap, so it waits for the NMI
	 * window, after it.
	 *
	 * An NMI the guest can take now came before the INIT (each IPI is sent
	 * once the one before it is delivered): on a processor its handler is
	 * entered first. It is injected, and the INIT waits for the exit that
	 * comes when the guest can take an NMI again, once the handler returns.
	 * An NMI the guest is blocking stays pending, and the INIT discards it.
	 */
	nmi_now = v->nmi_pending && !single_step && !v->exit_in_delivery && !e->valid && guest_takes_nmi();
	if (ipi_init_pending(v) && !nmi_now)
		ipi_take_init(v);
	/*
	 * The handlers of exits that interrupt a delivery queue no event of
	 * their own. Nothing stays queued for the next exit.
	 */
	if (v->exit_in_delivery)
		redeliver(vv->redeliver);
	else if (e->valid)
		inject(e);
	else if (nmi_now) {
		v->nmi_pending = false;
		inject(&(struct pending_event){ .valid = true, .vector = 2, .type = EVENT_NMI });
	}
	e->valid = false;
	v->exit_in_delivery = false;
	/*
	 * What is still to do waits for the NMI window. An NMI that reaches
	 * the host after the second look opens the window itself
	 * (vmx_nmi_in_host).
	 */
	want = exit_wanted(vv);
	if (want != vv->nmi_window)
		set_nmi_window(vv, want);
	if (!want && exit_wanted(vv))
		set_nmi_window(vv, true);
}

/*
 * Whether the exit has anything to deliver: a call for attention or the NMI
 * window open (attention_due), or besides an event queued by the handler
 * (events_due), or an event the exit interrupted, which only the exits
 * vmx_finish_exit dispatches have. Most have nothing: one look, without a
 * branch, and back to the guest. Whatever another processor asks after
 * that look comes with a kick, an NMI, which opens the NMI window in the
 * host (vmx_nmi_in_host) or exits from the guest.
 */
static __always_inline bool attention_due(const struct vmx_vcpu *vv)
{
	return vv->nmi_window | vcpu_attention_called(&vv->vcpu);
}

static __always_inline bool events_due(const struct vmx_vcpu *vv)
{
	return vv->vcpu.event.valid || attention_due(vv);
}

/*
 * An NMI that interrupted the host: the exit that follows the next VM entry
 * (an NMI-window exit, at once unless the guest is blocking NMIs) delivers
 * it or, for a kick, looks at what is asked of this vCPU.
 */
void vmx_nmi_in_host(struct vmx_vcpu *vv)
{
	ipi_nmi_arrived(&vv->vcpu);
	set_nmi_window(vv, true);
}

/*
 * A VM exit caused by an NMI leaves NMIs blocked until the next IRET (SDM
 * "Updating Non-Register State"): without one the next kick would never
 * arrive. An IRET to the next instruction ends the blocking; an NMI pending
 * meanwhile then reaches the host handler at once.
 */
static void unblock_nmis(void)
{
	asm volatile("mov %%rsp, %%rax\n\t"
		     "push %[ss]\n\t"
		     "push %%rax\n\t"
		     "pushfq\n\t"
		     "push %[cs]\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "push %%rax\n\t"
		     "iretq\n"
		     "1:"
		     : : [ss] "i"(HOST_DS), [cs] "i"(HOST_CS) : "rax", "memory");
}

void vcpu_kick(struct vcpu *v)
{
	apic_send_nmi(v->apic_id);
}

/*
 * An IPI to itself reaches a processor within bus cycles; Bochs and KVM
 * deliver it before the ICR write returns. After a millisecond one that
 * has not arrived never will.
 */
void vcpu_send_init_to_self(struct vcpu *v)
{
	uint64_t until;

	apic_send_init(v->apic_id);
	until = cpu_rdtsc() + (v->part->tsc_hz ? v->part->tsc_hz / 1000 : 1000000);
	while (cpu_rdtsc() < until)
		cpu_relax();
}

/*
 * With a VPID per vCPU, VM exits and entries keep the guest's linear and
 * combined mappings, tagged with its VPID (SDM "Virtual-Processor
 * Identifiers (VPIDs)"): dropping them takes a single-context INVVPID.
 * Without VPIDs every VM exit and entry already invalidates the mappings
 * of VPID 0000H for all PCIDs (SDM "Operations that Invalidate Cached
 * Mappings"), so by the time a vCPU runs this in the host its guest's
 * translations are gone.
 */
void vcpu_flush_tlb(struct vcpu *v)
{
	const struct vmx_vcpu *vv = v->arch;

	if (vmx_has_vpid(vv->caps))
		invvpid(INVVPID_SINGLE_CONTEXT, vmx_vpid(vv));
}

void vmx_dump_state(struct vmx_vcpu *vv)
{
	struct vcpu *v = &vv->vcpu;
	struct guest_regs *r = v->regs;

	log_err("vcpu%u: rip %#llx rsp %#llx rflags %#llx", v->vp_index,
		(unsigned long long)vmcs_read(GUEST_RIP), (unsigned long long)vmcs_read(GUEST_RSP),
		(unsigned long long)vmcs_read(GUEST_RFLAGS));
	log_err("vcpu%u: cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx", v->vp_index,
		(unsigned long long)vmcs_read(GUEST_CR0), (unsigned long long)vmcs_read(GUEST_CR3),
		(unsigned long long)vmcs_read(GUEST_CR4), (unsigned long long)vmcs_read(GUEST_IA32_EFER));
	log_err("vcpu%u: cs %#llx ar %#llx ss %#llx ar %#llx tr %#llx ar %#llx", v->vp_index,
		(unsigned long long)vmcs_read(GUEST_CS_SELECTOR), (unsigned long long)vmcs_read(GUEST_CS_AR_BYTES),
		(unsigned long long)vmcs_read(GUEST_SS_SELECTOR), (unsigned long long)vmcs_read(GUEST_SS_AR_BYTES),
		(unsigned long long)vmcs_read(GUEST_TR_SELECTOR), (unsigned long long)vmcs_read(GUEST_TR_AR_BYTES));
	log_err("vcpu%u: rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx", v->vp_index,
		(unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->rcx,
		(unsigned long long)r->rdx, (unsigned long long)r->rsi, (unsigned long long)r->rdi);
	log_err("vcpu%u: exit reason %#llx qualification %#llx, VM-instruction error %llu", v->vp_index,
		(unsigned long long)vmcs_read(VM_EXIT_REASON), (unsigned long long)vmcs_read(EXIT_QUALIFICATION),
		(unsigned long long)vmcs_read(VM_INSTRUCTION_ERROR));
}

static void __noreturn vmx_stop_vcpu(struct vmx_vcpu *vv)
{
	__atomic_store_n(&vv->vcpu.stopped, true, __ATOMIC_RELEASE);
	vmx_dump_state(vv);
	log_err("vcpu%u: stopped", vv->vcpu.vp_index);
	cpu_halt_forever();
}

/* A handler stopped the vCPU or asked for a reset of the machine. */
static void __noreturn stop_or_reset(struct vmx_vcpu *vv, enum exit_action action)
{
	if (action == EXIT_RESET_SYSTEM)
		platform_reset();
	vmx_stop_vcpu(vv);
}

/*
 * CPUID, the exit guests make most, on a path of its own from the stub,
 * without the reads the other exits make first: the instruction length
 * and RIP are read to move past the instruction once it is answered. The
 * length is the VM-exit instruction-length field's, valid for a CPUID exit
 * (SDM "VM-Exit Instruction Length"): prefixes make CPUID longer than its
 * 2 bytes. A leaf of Vireo's own range takes the path of the exits without
 * a handler here.
 *
 * The rest of a hot exit, if any, is vmx_finish_exit's: events to deliver,
 * or an emulated instruction's single-step trap due, which an NMI must
 * wait for (deliver_events).
 */
enum vmx_exit_rest vmx_cpuid_exit(struct vmx_vcpu *vv)
{
	struct vcpu *v = &vv->vcpu;

	if (!exit_cpuid_answer(v)) {
		v->exit_reason = EXIT_REASON_CPUID;
		read_exit(v);
		return VMX_EXIT_DISPATCH;
	}
	/* Not INIT or SIPI (exit_dispatch). */
	v->sipi_fresh = false;
	v->rip = vmcs_read(GUEST_RIP) + vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	if (retire_emulated_instruction(v))
		return VMX_EXIT_DELIVER_AFTER_STEP;
	/* CPUID queues no event. */
	return attention_due(vv) ? VMX_EXIT_DELIVER : VMX_EXIT_DONE;
}

/*
 * The other hot exits (exit_dispatch_hot_calls), by the reason the stub
 * read, run to the end here with the registers vmx_exit_entry saved first;
 * the rest go on in vmx_finish_exit.
 */
enum vmx_exit_rest vmx_handle_exit(struct vmx_vcpu *vv, uint32_t reason)
{
	struct vcpu *v = &vv->vcpu;
	enum exit_action action;

	read_exit(v);
	if (!exit_dispatch_hot_calls(v, reason, &action)) {
		v->exit_reason = reason;
		return VMX_EXIT_DISPATCH;
	}
	if (action != EXIT_RESUME)
		stop_or_reset(vv, action);
	/* A handler queues an event or moves RIP, not both (exit_dispatch). */
	if (v->rip_changed) {
		if (retire_emulated_instruction(v))
			return VMX_EXIT_DELIVER_AFTER_STEP;
	} else if (v->event.valid) {
		return VMX_EXIT_DELIVER;
	}
	return attention_due(vv) ? VMX_EXIT_DELIVER : VMX_EXIT_DONE;
}

void vmx_finish_exit(struct vmx_vcpu *vv, enum vmx_exit_rest rest)
{
	struct vcpu *v = &vv->vcpu;
	uint32_t reason = v->exit_reason;
	bool single_step = rest == VMX_EXIT_DELIVER_AFTER_STEP;
	enum exit_action action;

	if (rest == VMX_EXIT_DISPATCH) {
		if (reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
			log_err("vcpu%u: VM entry failed: %s", v->vp_index, exit_reason_name(reason & 0xffff));
			vmx_stop_vcpu(vv);
		}
		v->exit_reason = reason & 0xffff;
		read_exit_details(vv);
		if (v->exit_reason == EXIT_REASON_EXCEPTION_NMI)
			unblock_nmis();
		action = exit_dispatch(v);
		if (action != EXIT_RESUME)
			stop_or_reset(vv, action);
		if (v->rip_changed)
			single_step = retire_emulated_instruction(v);
		if (!v->exit_in_delivery && !events_due(vv))
			return;
	}
	deliver_events(vv, single_step);
}

struct vmx_vcpu *vmx_current_vcpu(void)
{
	return (struct vmx_vcpu *)(uintptr_t)rdmsr(MSR_GS_BASE);
}

void vmx_resume_failed(int cf, int zf, struct vmx_vcpu *vv)
{
	if (cf)
		log_err("vcpu%u: VMRESUME failed: no current VMCS", vv->vcpu.vp_index);
	else if (zf)
		log_err("vcpu%u: VMRESUME failed: %s", vv->vcpu.vp_index,
			vmx_instruction_error_name((uint32_t)vmcs_read(VM_INSTRUCTION_ERROR)));
	vmx_stop_vcpu(vv);
}
