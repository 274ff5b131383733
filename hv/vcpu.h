/* SPDX-License-Identifier: MIT */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include "hv/compiler.h"
#include "hv/stats.h"
#include "viridian/viridian.h"

struct partition;

/*
 * Guest general-purpose registers as the exit stub pushes them
 * (arch/x86/vmx_entry.asm). RSP lives in the VMCS; its slot is unused.
 */
struct guest_regs {
	uint64_t rax, rcx, rdx, rbx, rsp_unused, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

enum guest_mode {
	GUEST_MODE_REAL,
	GUEST_MODE_PROTECTED,
	GUEST_MODE_LONG,
};

/* Event types of the VM-entry interruption-information field (SDM "VM-Entry Controls for Event Injection"). */
enum event_type {
	EVENT_EXTERNAL = 0,
	EVENT_NMI = 2,
	EVENT_HW_EXCEPTION = 3,
	EVENT_SW_INTERRUPT = 4,
};

#define VEC_UD	6
#define VEC_GP	13

/*
 * Whether an exception is a fault, which the processor reports with RF
 * set in the RFLAGS image it pushes, so that returning to the faulting
 * instruction does not hit an instruction breakpoint there again (SDM
 * "Exception Classifications", "Resume Flag (RF) Flag"). #DB is a fault or
 * a trap by cause; Vireo injects none, and none here counts as a fault.
 */
static inline bool exception_is_fault(uint8_t vector)
{
	static const uint64_t faults = BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(10) | BIT(11) | BIT(12) |
				       BIT(13) | BIT(14) | BIT(16) | BIT(17) | BIT(19) | BIT(20) | BIT(21);

	return vector < 32 && (faults & BIT(vector));
}

struct pending_event {
	bool valid;
	uint8_t vector;
	uint8_t type;
	bool has_error_code;
	uint32_t error_code;
};

/*
 * Start-up of a processor by INIT and SIPI (hv/ipi.c): where Vireo
 * delivers them, the sender writes, the target reads, without a lock;
 * where they come as VM exits, the target alone writes.
 */
enum startup_state {
	STARTUP_RUNNING,
	STARTUP_INIT_PENDING,	/* posted or taken by its exit: the target carries it out before its next VM entry */
	STARTUP_WAIT_SIPI,	/* the target waits for its SIPI, in the host or in the wait-for-SIPI state */
};

struct vcpu_startup {
	uint32_t state;		/* enum startup_state */
	bool sipi_valid;
	uint8_t sipi_vector;
};

/* How far this vCPU is in measuring how the platform delivers INIT (hv/init_rule.c). */
enum init_check {
	INIT_CHECK_IDLE,	/* not launched yet */
	INIT_CHECK_START,	/* launched: the first exit sends the INIT */
	INIT_CHECK_SENT,	/* INIT sent to itself in VMX root operation */
	INIT_CHECK_TAKEN,	/* ... and taken as a VM exit */
	INIT_CHECK_DONE,
};

/* Work other vCPUs ask of this one (hv/request.h): they post it, this one serves it. */
struct vcpu_requests {
	uint32_t pending;	/* BIT(enum vcpu_request) */
	uint32_t posted;	/* tickets handed out to posters */
	uint32_t served;	/* the last ticket served */
};

/*
 * What an exit handler sees of a virtual processor. arch/x86 fills the exit
 * fields before dispatch and writes rip and the pending event back after it,
 * so handlers never touch the VMCS and run unchanged in the hosted tests.
 */
struct vcpu {
	struct guest_regs *regs;
	struct partition *part;
	uint32_t vp_index;
	uint32_t apic_id;		/* of the processor it runs on */

	uint32_t exit_reason;		/* basic exit reason, bits 15:0 */
	uint64_t exit_qual;
	uint32_t instr_len;
	uint64_t rip;
	bool rip_changed;
	uint64_t exit_gpa;		/* EPT violations: the guest-physical address */
	uint32_t exit_intr_info;	/* exception or NMI exits: what arrived */
	bool exit_in_delivery;		/* the exit came while an event was being delivered through the IDT */

	struct pending_event event;
	bool stopped;			/* parked for good after an error */
	bool sipi_fresh;		/* started by a SIPI, no exit since */
	/*
	 * The guest's NMI, not delivered yet: set by an NMI exit, by the host's
	 * NMI handler and by another vCPU's NMI IPI (hv/ipi.c).
	 */
	volatile bool nmi_pending;
	bool kick_in_flight;		/* an NMI is on its way to make this vCPU leave the guest (hv/ipi.c) */
	/*
	 * Bumped by whatever may want this vCPU out of the guest: a kick from
	 * another processor (after what it asks for is posted), a guest NMI.
	 * An exit that finds it as last seen has nothing to deliver.
	 */
	uint32_t attention;
	uint32_t attention_seen;
	struct vcpu_startup startup;
	struct vcpu_requests requests;
	uint8_t init_check;		/* enum init_check */

	struct vcpu_stats stats;
	struct vir_vcpu vir;

	void *arch;			/* struct vmx_vcpu in the real build */
};

static inline void vcpu_call_attention(struct vcpu *v)
{
	__atomic_add_fetch(&v->attention, 1, __ATOMIC_ACQ_REL);
}

static inline bool vcpu_attention_called(const struct vcpu *v)
{
	return __atomic_load_n(&v->attention, __ATOMIC_ACQUIRE) != v->attention_seen;
}

/* Before a look at everything pending: a call after it shows at the next exit. */
static inline void vcpu_attention_seen(struct vcpu *v)
{
	v->attention_seen = __atomic_load_n(&v->attention, __ATOMIC_ACQUIRE);
}

/* Move past the instruction that exited: only for handlers that emulated it. */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
	v->rip += v->instr_len;
	v->rip_changed = true;
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);

static inline void vcpu_inject_gp(struct vcpu *v)
{
	vcpu_inject_exception(v, VEC_GP, true, 0);
}

static inline void vcpu_inject_ud(struct vcpu *v)
{
	vcpu_inject_exception(v, VEC_UD, false, 0);
}

/*
 * Guest state that only some handlers need, read or changed in the VMCS on
 * demand (arch/x86/guest_state.c; tests/unit/fake_cpu.c in the hosted build).
 */
unsigned int vcpu_guest_cpl(const struct vcpu *v);
enum guest_mode vcpu_guest_mode(const struct vcpu *v);
uint64_t vcpu_read_rsp(const struct vcpu *v);
void vcpu_write_rsp(struct vcpu *v, uint64_t rsp);
uint64_t vcpu_read_cr(const struct vcpu *v, unsigned int cr);
/* Of the guest's CR4, as MOV from CR4 gives it, only bits: fewer VMREADs (arch/x86/vmx_exit.c). */
uint64_t vcpu_read_cr4_bits(const struct vcpu *v, uint64_t bits);

/* CPUID of leaf and subleaf run for the guest: the processor's answer in its RAX, RBX, RCX and RDX. */
void vcpu_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf);
/* MOV to CR0/CR3/CR4 as the processor would do it; false if it must raise #GP instead. */
bool vcpu_write_cr(struct vcpu *v, unsigned int cr, uint64_t value);

/*
 * A general-purpose register by its number in instruction encodings (0 RAX,
 * 1 RCX, ..., 4 RSP, ..., 15 R15), the order of struct guest_regs; RSP
 * lives in the VMCS.
 */
#define GPR_RSP	4

static inline uint64_t vcpu_read_gpr(const struct vcpu *v, unsigned int n)
{
	const uint64_t *gprs = (const uint64_t *)v->regs;

	return n == GPR_RSP ? vcpu_read_rsp(v) : gprs[n];
}

static inline void vcpu_write_gpr(struct vcpu *v, unsigned int n, uint64_t value)
{
	uint64_t *gprs = (uint64_t *)v->regs;

	if (n == GPR_RSP)
		vcpu_write_rsp(v, value);
	else
		gprs[n] = value;
}

/*
 * Up to len bytes of the instruction at the guest's RIP, through its page
 * tables, and the default operand size of its code in bits (64, 32 or 16).
 * Returns how many bytes were read: fewer where a page is not guest RAM.
 */
size_t vcpu_fetch_insn(struct vcpu *v, uint8_t *buf, size_t len, unsigned int *code_bits);

/*
 * The base of a segment register (0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS, the
 * order of instruction encodings) as the processor adds it: in 64-bit mode
 * only FS and GS have one (SDM "Segmentation in IA-32e Mode").
 */
uint64_t vcpu_segment_base(const struct vcpu *v, unsigned int seg);

/* INIT puts a processor in wait-for-SIPI; a SIPI starts it in real mode at vector << 12 (SDM "MP Initialization"). */
bool vcpu_enter_wait_for_sipi(struct vcpu *v);
void vcpu_start_at_sipi(struct vcpu *v, uint8_t vector);

/* Makes v leave the guest soon: an NMI to its processor (arch/x86/vmx_exit.c). */
void vcpu_kick(struct vcpu *v);

/*
 * The INIT rule's measurement (hv/init_rule.c): an INIT from v's processor
 * to itself, sent in VMX root operation; returns once it has had time to
 * arrive (arch/x86/vmx_exit.c).
 */
void vcpu_send_init_to_self(struct vcpu *v);

/*
 * The guest's IPIs stop exiting on v: its writes to the x2APIC ICR no
 * longer exit, the xAPIC page is writable in the partition's EPT and v's
 * processor drops what it cached of it (arch/x86/vmx.c). On v's own
 * processor, in the host.
 */
void vcpu_pass_ipis(struct vcpu *v);

/*
 * Drops the guest's cached linear translations on v's processor before v
 * next runs the guest; called on that processor, in the host.
 */
void vcpu_flush_tlb(struct vcpu *v);

/* Maps what an EPT violation at gpa lacks (arch/x86/ept.c). */
enum vcpu_ept_fault {
	VCPU_EPT_MAPPED,
	VCPU_EPT_HIDDEN,
	VCPU_EPT_FATAL,
};
enum vcpu_ept_fault vcpu_ept_fault(struct vcpu *v, uint64_t gpa);

#endif
