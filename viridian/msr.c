/* SPDX-License-Identifier: MIT */
/*
 * The synthetic MSRs 0x40000000-0x4000FFFF (TLFS "Hypercall Interface",
 * "Virtual Processor Properties", "Virtual Interrupt Controller",
 * "Partition Properties"). One table says which MSRs exist, which group
 * gates each, and how it is read and written; the handlers of the crash
 * MSRs are in viridian/crash.c, and those of the time MSRs in
 * viridian/time.c. Anything else in the range, an MSR whose group the
 * partition lacks, a write to a read-only MSR, a read of a write-only one
 * and a value with reserved bits set raise #GP, as on hardware that does
 * not implement them.
 * REFERENCE_TSC and VP_ASSIST_PAGE keep their RsvdP bits 11:1 as written:
 * Linux writes back what it read there.
 *
 * Partition-wide MSRs (TLFS: "If one virtual processor successfully writes
 * to the MSR, another virtual processor will read the same value") keep
 * their state in struct vir_partition, which any virtual processor may
 * write at the same moment as another. The rule: a write, with every check
 * it makes against that state, holds vir.lock from the first load to the
 * last store, so writes take effect one after the other as if the guest had
 * made them in some order; a read is one aligned 64-bit atomic load, which
 * sees a value some write stored, never a mix of two.
 */
#include "arch/x86/apic.h"
#include "hv/gmem.h"
#include "hv/ipi.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/vcpu.h"
#include "viridian/msr.h"
#include "viridian/private.h"

#define HV_X64_MSR_GUEST_OS_ID		0x40000000u
#define HV_X64_MSR_HYPERCALL		0x40000001u
#define HV_X64_MSR_VP_INDEX		0x40000002u
#define HV_X64_MSR_TIME_REF_COUNT	0x40000020u
#define HV_X64_MSR_REFERENCE_TSC	0x40000021u
#define HV_X64_MSR_TSC_FREQUENCY	0x40000022u
#define HV_X64_MSR_APIC_FREQUENCY	0x40000023u
#define HV_X64_MSR_EOI			0x40000070u
#define HV_X64_MSR_ICR			0x40000071u
#define HV_X64_MSR_TPR			0x40000072u
#define HV_X64_MSR_VP_ASSIST_PAGE	0x40000073u
#define HV_X64_MSR_TSC_INVARIANT_CONTROL	0x40000118u

/* HV_X64_MSR_HYPERCALL: 63:12 GPFN, 11:2 reserved, 1 locked, 0 enable (viridian/private.h). */
#define HV_HYPERCALL_LOCKED		BIT(1)
#define HV_HYPERCALL_RESERVED		0xFFCULL

/* HV_X64_MSR_EOI: the EOI value is bits 31:0, 63:32 are RsvdZ. */
#define HV_EOI_RESERVED			0xFFFFFFFF00000000ULL

/*
 * HV_X64_MSR_ICR is the xAPIC ICR pair, ICR-high << 32 | ICR-low (hv/ipi.h):
 * delivery status is read only and the rest outside the fields is reserved.
 */
#define ICR_WRITABLE			(ICR_VECTOR_MASK | ICR_DELIVERY_MASK | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT | \
					 ICR_TRIGGER_LEVEL | ICR_SHORTHAND_MASK | ICR_XAPIC_DEST_MASK)

/* HV_X64_MSR_TPR: the priority is bits 7:0, 63:8 are RsvdZ. */
#define HV_TPR_RESERVED			0xFFFFFFFFFFFFFF00ULL

/* HV_X64_MSR_VP_ASSIST_PAGE: 63:12 GPFN, 11:1 RsvdP (kept as written), 0 enable. */
#define HV_VP_ASSIST_ENABLE		BIT(0)

/*
 * The hypercall page: VMCALL, then a near return to the caller (TLFS
 * "Establishing the Hypercall Interface"). Written into guest RAM, as Xen
 * and KVM do, rather than overlaid on it.
 */
static const uint8_t hypercall_stub[] = { 0x0f, 0x01, 0xc1, 0xc3 };

bool vir_hypercall_page_enabled(const struct partition *p)
{
	return vir_has(p, VIR_BASE) && (__atomic_load_n(&p->vir.hypercall, __ATOMIC_ACQUIRE) & HV_HYPERCALL_ENABLE);
}

static uint64_t read_guest_os_id(const struct vcpu *v, uint32_t msr __unused)
{
	return __atomic_load_n(&v->part->vir.guest_os_id, __ATOMIC_RELAXED);
}

/* Partition-wide. Clearing the identity disables the hypercall page (TLFS "Reporting the Guest OS Identity"). */
static bool write_guest_os_id(struct vcpu *v, uint32_t msr __unused, uint64_t val)
{
	struct vir_partition *vir = &v->part->vir;

	spin_lock(&vir->lock);
	__atomic_store_n(&vir->guest_os_id, val, __ATOMIC_RELAXED);
	if (!val)
		__atomic_store_n(&vir->hypercall, vir->hypercall & ~HV_HYPERCALL_ENABLE, __ATOMIC_RELEASE);
	spin_unlock(&vir->lock);
	return true;
}

static uint64_t read_hypercall(const struct vcpu *v, uint32_t msr __unused)
{
	return __atomic_load_n(&v->part->vir.hypercall, __ATOMIC_RELAXED);
}

/*
 * Partition-wide; TLFS "Establishing the Hypercall Interface". Once locked,
 * only a reset unlocks it. Without a guest OS identity the enable bit stays
 * 0 whatever is written, but the rest of the value is kept. A page outside
 * guest RAM (or on Vireo's memory) faults and leaves the MSR as it was.
 */
static bool write_hypercall(struct vcpu *v, uint32_t msr __unused, uint64_t val)
{
	struct partition *p = v->part;
	bool ok = false;

	if (val & HV_HYPERCALL_RESERVED)
		return false;
	spin_lock(&p->vir.lock);
	if (p->vir.hypercall & HV_HYPERCALL_LOCKED)
		goto out;
	if (!p->vir.guest_os_id)
		val &= ~HV_HYPERCALL_ENABLE;
	if ((val & HV_HYPERCALL_ENABLE) &&
	    gmem_write(p, val & PAGE_MASK, hypercall_stub, sizeof(hypercall_stub)))
		goto out;
	__atomic_store_n(&p->vir.hypercall, val, __ATOMIC_RELEASE);
	ok = true;
out:
	spin_unlock(&p->vir.lock);
	return ok;
}

static uint64_t read_vp_index(const struct vcpu *v, uint32_t msr __unused)
{
	return v->vp_index;
}

void vir_log_bad_page(const struct vcpu *v, const char *msr, uint64_t gpa)
{
	log_guest_warn("vcpu%u: %s page at %#llx refused: not guest RAM (#GP)", v->vp_index, msr,
		       (unsigned long long)gpa);
}

static uint64_t read_tsc_frequency(const struct vcpu *v, uint32_t msr __unused)
{
	return v->part->tsc_hz;
}

static uint64_t read_apic_frequency(const struct vcpu *v, uint32_t msr __unused)
{
	return v->part->apic_hz;
}

static bool write_eoi(struct vcpu *v, uint32_t msr __unused, uint64_t val)
{
	(void)v;
	if (val & HV_EOI_RESERVED)
		return false;
	apic_write_eoi((uint32_t)val);
	return true;
}

static uint64_t read_icr(const struct vcpu *v, uint32_t msr __unused)
{
	(void)v;
	return apic_read_icr();
}

/* INIT and SIPI go to Vireo's start-up emulation like those written to the local APIC's own ICR. */
static bool write_icr(struct vcpu *v, uint32_t msr __unused, uint64_t val)
{
	if (val & ~ICR_WRITABLE)
		return false;
	if (!ipi_intercept(v, icr_from_xapic(val), false))
		apic_write_icr(val);
	return true;
}

static uint64_t read_tpr(const struct vcpu *v, uint32_t msr __unused)
{
	(void)v;
	return apic_read_tpr();
}

static bool write_tpr(struct vcpu *v, uint32_t msr __unused, uint64_t val)
{
	(void)v;
	if (val & HV_TPR_RESERVED)
		return false;
	apic_write_tpr((uint32_t)val);
	return true;
}

static uint64_t read_vp_assist(const struct vcpu *v, uint32_t msr __unused)
{
	return v->vir.vp_assist;
}

/*
 * Per VP (TLFS "Virtual Processor Assist Page"). The guest runs on the
 * real local APIC, so Vireo never sets an assist field: enabling clears
 * the EOI-assist word at offset 0 (a guest skips its EOI only when that is
 * set) and touches nothing else. A page outside guest RAM faults.
 */
static bool write_vp_assist(struct vcpu *v, uint32_t msr __unused, uint64_t val)
{
	static const uint32_t no_eoi_assist;

	if ((val & HV_VP_ASSIST_ENABLE) &&
	    gmem_write(v->part, val & PAGE_MASK, &no_eoi_assist, sizeof(no_eoi_assist))) {
		vir_log_bad_page(v, "VP_ASSIST_PAGE", val & PAGE_MASK);
		return false;
	}
	v->vir.vp_assist = val;
	return true;
}

/* The write handler of an MSR that cannot be written. */
static bool write_read_only(struct vcpu *v __unused, uint32_t msr __unused, uint64_t val __unused)
{
	return false;
}

/* Every synthetic MSR Vireo implements (viridian/msr.h says how an entry reads). */
const struct vir_msr vir_msrs[] = {
	{ 0, 0, NULL,			write_read_only },	/* none */
	{ HV_X64_MSR_GUEST_OS_ID,	VIR_BASE, read_guest_os_id,	write_guest_os_id },
	{ HV_X64_MSR_HYPERCALL,		VIR_BASE, read_hypercall,	write_hypercall },
	{ HV_X64_MSR_VP_INDEX,		VIR_BASE, read_vp_index,	write_read_only },
	{ HV_X64_MSR_TIME_REF_COUNT,	VIR_TIME_REF_COUNT, vir_time_read_ref_count, write_read_only },
	{ HV_X64_MSR_REFERENCE_TSC,	VIR_REFERENCE_TSC, vir_time_read_reference_tsc,
					vir_time_write_reference_tsc },
	{ HV_X64_MSR_TSC_FREQUENCY,	VIR_FREQ, read_tsc_frequency,	write_read_only },
	{ HV_X64_MSR_APIC_FREQUENCY,	VIR_FREQ, read_apic_frequency,	write_read_only },
	{ HV_X64_MSR_EOI,		VIR_BASE, NULL,			write_eoi },
	{ HV_X64_MSR_ICR,		VIR_BASE, read_icr,		write_icr },
	{ HV_X64_MSR_TPR,		VIR_BASE, read_tpr,		write_tpr },
	{ HV_X64_MSR_VP_ASSIST_PAGE,	VIR_BASE, read_vp_assist,	write_vp_assist },
	{ HV_X64_MSR_TSC_INVARIANT_CONTROL, VIR_TSC_INVARIANT, vir_time_read_invariant_control,
					vir_time_write_invariant_control },
	{ HV_X64_MSR_CRASH_P0,		VIR_CRASH_CTL, vir_crash_read,	vir_crash_write },
	{ HV_X64_MSR_CRASH_P0 + 1,	VIR_CRASH_CTL, vir_crash_read,	vir_crash_write },
	{ HV_X64_MSR_CRASH_P0 + 2,	VIR_CRASH_CTL, vir_crash_read,	vir_crash_write },
	{ HV_X64_MSR_CRASH_P0 + 3,	VIR_CRASH_CTL, vir_crash_read,	vir_crash_write },
	{ HV_X64_MSR_CRASH_P0 + 4,	VIR_CRASH_CTL, vir_crash_read,	vir_crash_write },
	{ HV_X64_MSR_CRASH_CTL,		VIR_CRASH_CTL, vir_crash_read,	vir_crash_write },
};
_Static_assert(HV_X64_MSR_CRASH_CTL == HV_X64_MSR_CRASH_P0 + VIR_CRASH_PARAMS, "P0-P4 and CTL above");

_Static_assert(ARRAY_SIZE(vir_msrs) <= 256, "an entry number fits in vir_partition.msr_entry");
_Static_assert(VIR_MSR_SPAN == STATS_MSRS, "a counter for every MSR of the map");

/* An MSR beyond VIR_MSR_SPAN would never be found: the tests of each MSR would see #GP. */
void vir_build_msr_map(struct partition *p)
{
	for (size_t i = 1; i < ARRAY_SIZE(vir_msrs); i++)
		if (vir_msrs[i].index - VIR_MSR_FIRST < VIR_MSR_SPAN && vir_has(p, vir_msrs[i].group))
			p->vir.msr_entry[vir_msrs[i].index - VIR_MSR_FIRST] = (uint8_t)i;
}
