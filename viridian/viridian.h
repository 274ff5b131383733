/* SPDX-License-Identifier: MIT */
#ifndef VIRIDIAN_VIRIDIAN_H
#define VIRIDIAN_VIRIDIAN_H

/*
 * Hyper-V compatible ("viridian") enlightenments, exposed to a partition by
 * groups. The partition parameter PARAM_VIRIDIAN holds a mask of the groups
 * below; every bit turns something on. The mask is set once, by the
 * management partition, before the guest runs (hv/param.c).
 */

#include "hv/compiler.h"
#include "hv/spinlock.h"
#include "arch/x86/cpu.h"

struct partition;
struct vcpu;

/*
 * The groups, with Xen's bit numbers (xen/include/public/hvm/params.h,
 * HVMPV_*) and names (xl.cfg "viridian"):
 *
 * base: CPUID 0x40000000-0x40000006 ("Microsoft Hv", "Hv#1"), privileges
 *	 AccessHypercallMsrs, AccessVpIndex, AccessApicMsrs (0x40000003 EAX
 *	 bits 5, 6, 4); MSRs GUEST_OS_ID, HYPERCALL, VP_INDEX, EOI, ICR, TPR;
 *	 the hypercall page. TLFS "Feature Discovery", "Hypercall Interface",
 *	 "Virtual Processor Properties", "Virtual Interrupt Controller".
 *	 The VP_ASSIST_PAGE MSR comes with base: a guest that may use the APIC
 *	 MSRs writes it (Linux does on every processor), and KVM accepts it
 *	 under the same privilege; its assist fields stay 0.
 * freq: AccessFrequencyRegs (0x40000003 EAX bit 11) and frequency MSRs
 *	 available (EDX bit 8); MSRs TSC_FREQUENCY, APIC_FREQUENCY.
 *	 TLFS "Partition Privilege Flags".
 * time_ref_count: AccessPartitionReferenceCounter (EAX bit 1); MSR
 *	 TIME_REF_COUNT, 100 ns units since the partition was created.
 *	 TLFS "Reference Counter".
 * reference_tsc: AccessPartitionReferenceTsc (EAX bit 9); MSR
 *	 REFERENCE_TSC and its page. Needs time_ref_count, the page's
 *	 fallback. TLFS "Partition Reference Time Enlightenment".
 * hcall_remote_tlb_flush: the recommendation to flush remote TLBs by
 *	 hypercall (0x40000004 EAX bit 2); HvCallFlushVirtualAddressSpace
 *	 (0x0002) and ...List (0x0003), viridian/hcall_flush.c.
 * apic_assist: accepted, and adds nothing the guest can see. In Xen it is
 *	 the EOI assist of the VP assist page: the hypervisor sets "no EOI
 *	 required" as it injects an interrupt the guest may then retire
 *	 without an EOI (TLFS "Virtual Interrupt Controller"). Vireo injects no
 *	 interrupts, the guest takes them from the real local APIC, so Vireo
 *	 can never know when that holds: the bit stays 0, which tells the guest
 *	 to EOI as usual, as Xen leaves it whenever the processor delivers the
 *	 interrupts itself (APIC virtualization). Nor does it recommend the
 *	 APIC MSRs (0x40000004 EAX bit 3, which QEMU's hv-vapic adds): Linux
 *	 would then send every EOI through WRMSR 0x40000070, an exit, where
 *	 the x2APIC's own EOI register costs none. The VP assist page itself,
 *	 and AccessApicMsrs, belong to base.
 * crash_ctl: guest crash MSRs available (0x40000003 EDX bit 10); MSRs
 *	 CRASH_P0-P4 and CRASH_CTL: a crash the guest notifies is printed on
 *	 Vireo's log (viridian/crash.c). TLFS "Partition Crash Enlightenment".
 * hcall_ipi: the recommendation to send IPIs by hypercall (0x40000004 EAX
 *	 bit 10); HvCallSendSyntheticClusterIpi (0x000b), viridian/hcall_ipi.c.
 * ex_processor_masks: the recommendation to name processors by sparse VP
 *	 sets (0x40000004 EAX bit 11): HvCallFlushVirtualAddressSpaceEx
 *	 (0x0013) and ...ListEx (0x0014) with hcall_remote_tlb_flush,
 *	 HvCallSendSyntheticClusterIpiEx (0x0015) with hcall_ipi; it needs one
 *	 of the two. TLFS "HV_VP_SET".
 * no_vp_limit: 0x40000005 EAX = 0xFFFFFFFF, no limit on virtual
 *	 processors (Windows 2012 and later read it so); without the group the
 *	 leaf says 64, the most Vireo has.
 * cpu_hotplug: processor dynamic partitioning events (0x40000003 EDX bit 3),
 *	 which Windows wants before it hot-adds a processor. Vireo never adds
 *	 one; Linux does not look at the bit.
 * tsc_invariant: AccessTscInvariantControls (EAX bit 15); MSR
 *	 TSC_INVARIANT_CONTROL, which shows the guest the invariant TSC
 *	 (CPUID 0x80000007 EDX bit 8). Only on a processor whose TSC is
 *	 invariant. Vireo's own group; Xen has none such.
 */
#define VIR_BASE			BIT(0)
#define VIR_FREQ			BIT(1)
#define VIR_TIME_REF_COUNT		BIT(2)
#define VIR_REFERENCE_TSC		BIT(3)
#define VIR_HCALL_REMOTE_TLB_FLUSH	BIT(4)
#define VIR_APIC_ASSIST			BIT(5)
#define VIR_CRASH_CTL			BIT(6)
#define VIR_HCALL_IPI			BIT(9)
#define VIR_EX_PROCESSOR_MASKS		BIT(10)
#define VIR_NO_VP_LIMIT			BIT(11)
#define VIR_CPU_HOTPLUG			BIT(12)
#define VIR_TSC_INVARIANT		BIT(13)
#define VIR_KNOWN	(VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC | VIR_HCALL_REMOTE_TLB_FLUSH | \
			 VIR_APIC_ASSIST | VIR_CRASH_CTL | VIR_HCALL_IPI | VIR_EX_PROCESSOR_MASKS | VIR_NO_VP_LIMIT | \
			 VIR_CPU_HOTPLUG | VIR_TSC_INVARIANT)

/*
 * The partition's reference time (viridian/time.c): TIME_REF_COUNT and the
 * reference TSC page count ((tsc - created_tsc) * scale) >> 64 in 100 ns
 * units, scale = 2^64 * 10^7 / tsc_hz split into whole and fractional
 * parts.
 */
struct vir_time {
	uint64_t created_tsc;
	uint64_t scale_int;		/* 10^7 / tsc_hz: 0 unless the TSC is slower than 10 MHz */
	uint64_t scale_frac;		/* (10^7 mod tsc_hz) * 2^64 / tsc_hz */
	uint64_t created_frac;		/* low 64 bits of created_tsc * scale_frac */
	uint64_t tsc_offset;		/* the page's TscOffset: reads 0 at created_tsc */
	bool page_valid;		/* the page can carry the scale and the TSC is invariant */
	uint64_t last;			/* the last TIME_REF_COUNT read, all ones before the first */
	uint64_t reference_tsc;		/* the MSR; written under vir_partition.lock */
	uint32_t sequence;		/* the last TscSequence written; under vir_partition.lock */
	uint64_t invariant_control;	/* TSC_INVARIANT_CONTROL; written under vir_partition.lock */
};

/* CRASH_P0-P4. */
#define VIR_CRASH_PARAMS		5

/* The Hyper-V leaves, 0x40000000-0x40000006. */
#define VIR_CPUID_FIRST			0x40000000u
#define VIR_CPUID_LEAVES		7

/* The synthetic MSRs, 0x40000000-0x4000FFFF; every one Vireo implements lies in 0x40000000-0x4000011F. */
#define VIR_MSR_FIRST			0x40000000u
#define VIR_MSR_LAST			0x4000FFFFu
#define VIR_MSR_SPAN			0x120

/*
 * Partition-wide viridian state (the per-VP state is struct vir_vcpu). Every
 * virtual processor may write the MSRs behind it at once: each write holds
 * lock (viridian/msr.c says how).
 */
struct vir_partition {
	struct spinlock lock;
	uint64_t guest_os_id;
	uint64_t hypercall;
	uint32_t hcalls_used;		/* bit per call code, set once logged */
	uint32_t hcalls_quick;		/* those of them vir_hypercall_quick makes */
	uint64_t crash_param[VIR_CRASH_PARAMS];
	uint64_t crash_interval;	/* TSC at which the crash reports' line budget was last renewed */
	uint32_t crash_lines;		/* lines of crash reports printed in that interval */
	uint32_t crash_held_back;	/* notifications not printed since the last report */
	bool crash_printing;		/* a vCPU is printing a report */
	struct vir_time time;

	/*
	 * What the mask offers follows from it alone, and it never changes
	 * once set: the leaves, the map of MSRs and the calls it grants are
	 * built then (vir_apply_mask), and an exit looks one up.
	 */
	struct cpuid_regs leaves[VIR_CPUID_LEAVES];
	/*
	 * VIR_CPUID_LEAVES with base, else 0. A byte: an index below it is
	 * below 256, which a CPUID exit counts without clamping (hv/stats.h).
	 */
	uint8_t nr_leaves;
	uint32_t hcalls;		/* bit per call code the mask grants */
	uint8_t msr_entry[VIR_MSR_SPAN];	/* by MSR - 0x40000000: its entry in vir_msrs, or 0 */
};

/* Per-VP viridian state, beside the VP index. */
struct vir_vcpu {
	uint64_t vp_assist;		/* VP_ASSIST_PAGE */
};

enum msr_result {
	MSR_DONE,		/* emulated; for RDMSR the value is set */
	MSR_FAULT,		/* inject #GP */
	MSR_NOT_VIRIDIAN,	/* outside the synthetic MSR range */
};

/* 0, or -HV_EINVAL for unknown bits, a mask without base or a group without one it needs. */
int vir_validate_mask(uint64_t mask);

/*
 * A group of mask other than base that lacks every group it needs (one of
 * *needs_any), or 0 when each has what it needs.
 */
uint64_t vir_unmet_need(uint64_t mask, uint64_t *needs_any);

/*
 * vir_validate_mask, then what the processor must offer: 0, or -HV_ENODEV
 * with the reason logged (tsc_invariant without an invariant TSC). The
 * check of PARAM_VIRIDIAN.
 */
int vir_check_mask(uint64_t mask);

/* Starts the partition's reference time at the TSC value now, counting at p->tsc_hz. */
void vir_time_init(struct partition *p, uint64_t now);

/*
 * CPUID 0x80000007 EDX bit 8 (invariant TSC) is hidden from a partition
 * with tsc_invariant until the guest sets TSC_INVARIANT_CONTROL.
 */
bool vir_invariant_tsc_hidden(const struct partition *p);
bool vir_has(const struct partition *p, uint64_t group);

/* First leaf of Vireo's own CPUID range: 0x40000100 when viridian is on, else 0x40000000. */
uint32_t vir_vireo_leaf_base(const struct partition *p);

/* Builds what the partition's mask offers (leaves, MSRs); run when the mask is set. */
void vir_apply_mask(struct partition *p);

/* The Hyper-V leaf at leaf as the partition's mask offers it (vir_apply_mask), or NULL. */
static inline const struct cpuid_regs *vir_cpuid(const struct vir_partition *vir, uint32_t leaf)
{
	uint32_t i = leaf - VIR_CPUID_FIRST;

	return i < vir->nr_leaves ? &vir->leaves[i] : NULL;
}

/*
 * A Hyper-V hypercall (VMCALL; a 64-bit caller passes the control in RCX,
 * the input GPA in RDX and the output GPA in R8, a 32-bit one uses EDX:EAX,
 * EBX:ECX and EDI:ESI). Returns true when it completed and set the result
 * (the caller then moves past the VMCALL), false when it injected #UD.
 */
bool vir_hypercall(struct vcpu *v);

/*
 * The same for the commonest hypercall, a fast one from 64-bit code whose
 * control word has no bit beyond the call code and the fast bit (and
 * is-nested): it can fail none of vir_hypercall's checks but those made
 * here. True when it made the call, having set the result; false, having
 * changed nothing, for any other VMCALL, management calls among them (the
 * control word's bits 63:60 are clear).
 */
bool vir_hypercall_quick(struct vcpu *v);

/* Names of the groups, for the configuration and the log ("base", "freq"). */
struct vir_group_name {
	const char *name;
	uint64_t bit;
};
extern const struct vir_group_name vir_group_names[];
extern const size_t vir_group_count;

#endif
