/* SPDX-License-Identifier: MIT */
/*
 * CPUID 0x40000000-0x40000006, the Hyper-V leaves (TLFS "Feature
 * Discovery"). The leaves exist when the partition has the base group; the
 * privileges and features in 0x40000003 come from the groups in its mask.
 */
#include "hv/partition.h"
#include "hv/vcpu.h"
#include "viridian/private.h"

#define HV_CPUID_VENDOR_AND_MAX		0x40000000u
#define HV_CPUID_INTERFACE		0x40000001u
#define HV_CPUID_VERSION		0x40000002u
#define HV_CPUID_FEATURES		0x40000003u
#define HV_CPUID_ENLIGHTENMENT_INFO	0x40000004u
#define HV_CPUID_IMPLEMENTATION_LIMITS	0x40000005u
#define HV_CPUID_HARDWARE_FEATURES	0x40000006u
#define HV_CPUID_MAX			HV_CPUID_HARDWARE_FEATURES

/* "Microsoft Hv" in EBX, ECX, EDX. */
#define HV_VENDOR_EBX			0x7263694Du
#define HV_VENDOR_ECX			0x666F736Fu
#define HV_VENDOR_EDX			0x76482074u

/* "Hv#1": the guest may rely on GUEST_OS_ID, HYPERCALL and VP_INDEX (TLFS "Establishing the Hypercall Interface"). */
#define HV_INTERFACE_HV1		0x31237648u

/* Windows Server 2008 (6.0, build 6002), the version Xen reports. */
#define HV_VERSION_BUILD		6002u
#define HV_VERSION_MAJOR_MINOR		(6u << 16 | 0u)

/*
 * 0x40000003 EAX, partition privileges (TLFS "Partition Privilege Flags";
 * bit 15, which the TLFS page leaves out, is Linux's HV_ACCESS_TSC_INVARIANT).
 */
#define HV_ACCESS_PARTITION_REFERENCE_COUNTER	BIT(1)
#define HV_ACCESS_APIC_MSRS		BIT(4)
#define HV_ACCESS_HYPERCALL_MSRS	BIT(5)
#define HV_ACCESS_VP_INDEX		BIT(6)
#define HV_ACCESS_PARTITION_REFERENCE_TSC	BIT(9)
#define HV_ACCESS_FREQUENCY_MSRS	BIT(11)
#define HV_ACCESS_TSC_INVARIANT		BIT(15)

/* 0x40000003 EDX, features. */
#define HV_FEATURE_CPU_DYNAMIC_PARTITIONING	BIT(3)	/* processor hot-add events */
#define HV_FEATURE_FREQUENCY_MSRS	BIT(8)	/* TSC_FREQUENCY and APIC_FREQUENCY */
#define HV_FEATURE_GUEST_CRASH_MSRS	BIT(10)	/* CRASH_P0-P4, CRASH_CTL */

/* 0x40000004 EAX, recommendations to the guest. */
#define HV_HINT_REMOTE_TLB_FLUSH	BIT(2)	/* flush remote TLBs by hypercall */
#define HV_HINT_CLUSTER_IPI		BIT(10)	/* HvCallSendSyntheticClusterIpi */
#define HV_HINT_EX_PROCESSOR_MASKS	BIT(11)	/* the _Ex calls, sparse VP sets */

/* 0x40000004 EBX: 0xFFFFFFFF means never notify a long spin wait. */
#define HV_SPIN_RETRIES_NEVER		0xFFFFFFFFu

/* 0x40000005 EAX: no limit on virtual processors, as Xen reports it with no_vp_limit. */
#define HV_VP_LIMIT_NONE		0xFFFFFFFFu

/* 0x40000006 EAX, hardware features in use by the hypervisor. */
#define HV_HW_MSR_BITMAPS		BIT(1)

/*
 * What each group adds to 0x40000003. The MSRs behind these bits are in
 * viridian/msr.c, gated by the same group.
 */
static const struct {
	uint64_t group;
	uint32_t privileges;	/* EAX */
	uint32_t features;	/* EDX */
} group_features[] = {
	{ VIR_BASE, HV_ACCESS_APIC_MSRS | HV_ACCESS_HYPERCALL_MSRS | HV_ACCESS_VP_INDEX, 0 },
	{ VIR_FREQ, HV_ACCESS_FREQUENCY_MSRS, HV_FEATURE_FREQUENCY_MSRS },
	{ VIR_TIME_REF_COUNT, HV_ACCESS_PARTITION_REFERENCE_COUNTER, 0 },
	{ VIR_REFERENCE_TSC, HV_ACCESS_PARTITION_REFERENCE_TSC, 0 },
	{ VIR_CRASH_CTL, 0, HV_FEATURE_GUEST_CRASH_MSRS },
	{ VIR_CPU_HOTPLUG, 0, HV_FEATURE_CPU_DYNAMIC_PARTITIONING },
	{ VIR_TSC_INVARIANT, HV_ACCESS_TSC_INVARIANT, 0 },
};

/*
 * What each group recommends in 0x40000004 EAX. The calls behind them are
 * in viridian/hypercall.c, gated by the same groups. apic_assist
 * recommends nothing (viridian/viridian.h says why).
 */
static const struct {
	uint64_t group;
	uint32_t hints;
} group_hints[] = {
	{ VIR_HCALL_REMOTE_TLB_FLUSH, HV_HINT_REMOTE_TLB_FLUSH },
	{ VIR_HCALL_IPI, HV_HINT_CLUSTER_IPI },
	{ VIR_EX_PROCESSOR_MASKS, HV_HINT_EX_PROCESSOR_MASKS },
};

static void features_leaf(const struct partition *p, struct cpuid_regs *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(group_features); i++) {
		if (!vir_has(p, group_features[i].group))
			continue;
		r->eax |= group_features[i].privileges;
		r->edx |= group_features[i].features;
	}
}

/*
 * Linux reads this leaf once, before it writes GUEST_OS_ID, so the hints
 * hold from reset (Xen fills the leaf only for a Windows guest identity).
 * Never bit 3, "use the APIC MSRs": Linux would then send every EOI through
 * WRMSR 0x40000070, an exit, where the x2APIC's own EOI register costs none.
 */
static void hints_leaf(const struct partition *p, struct cpuid_regs *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(group_hints); i++)
		if (vir_has(p, group_hints[i].group))
			r->eax |= group_hints[i].hints;
	r->ebx = HV_SPIN_RETRIES_NEVER;
}

static struct cpuid_regs build_leaf(const struct partition *p, uint32_t leaf)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	switch (leaf) {
	case HV_CPUID_VENDOR_AND_MAX:
		r = (struct cpuid_regs){ HV_CPUID_MAX, HV_VENDOR_EBX, HV_VENDOR_ECX, HV_VENDOR_EDX };
		break;
	case HV_CPUID_INTERFACE:
		r.eax = HV_INTERFACE_HV1;
		break;
	case HV_CPUID_VERSION:
		r.eax = HV_VERSION_BUILD;
		r.ebx = HV_VERSION_MAJOR_MINOR;
		break;
	case HV_CPUID_FEATURES:
		features_leaf(p, &r);
		break;
	case HV_CPUID_ENLIGHTENMENT_INFO:
		hints_leaf(p, &r);
		break;
	case HV_CPUID_IMPLEMENTATION_LIMITS:
		r.eax = vir_has(p, VIR_NO_VP_LIMIT) ? HV_VP_LIMIT_NONE : MAX_VCPUS;
		break;
	case HV_CPUID_HARDWARE_FEATURES:
		r.eax = HV_HW_MSR_BITMAPS;
		break;
	}
	return r;
}

_Static_assert(HV_CPUID_VENDOR_AND_MAX == VIR_CPUID_FIRST && HV_CPUID_MAX - HV_CPUID_VENDOR_AND_MAX + 1 == VIR_CPUID_LEAVES,
	       "an entry per leaf");

void vir_build_leaves(struct partition *p)
{
	p->vir.nr_leaves = vir_has(p, VIR_BASE) ? (uint8_t)VIR_CPUID_LEAVES : 0;
	for (uint32_t i = 0; i < p->vir.nr_leaves; i++)
		p->vir.leaves[i] = build_leaf(p, HV_CPUID_VENDOR_AND_MAX + i);
}

