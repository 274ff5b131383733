/* SPDX-License-Identifier: MIT */
/*
 * The partition's reference time (TLFS "Timers": "Reference Counter",
 * "Partition Reference Time Enlightenment"): TIME_REF_COUNT, the reference
 * TSC page behind REFERENCE_TSC, and TSC_INVARIANT_CONTROL.
 *
 * Both count 100 ns units since the partition was created, from the TSC the
 * guest reads unchanged (Vireo does not offset it) and the rate Vireo serves
 * as TSC_FREQUENCY. A guest computes the time from the page as
 * ((tsc * TscScale) >> 64) + TscOffset; TIME_REF_COUNT is the same
 * function of the TSC, evaluated in the host, so page and MSR agree to the
 * unit. The product needs 128 bits; no division is done after set-up.
 */
#include "arch/x86/cpu.h"
#include "hv/gmem.h"
#include "hv/partition.h"
#include "hv/vcpu.h"
#include "viridian/private.h"

#define REF_TIME_HZ			10000000ULL	/* 100 ns units */

/* HV_X64_MSR_REFERENCE_TSC: 63:12 GPFN, 11:1 RsvdP (kept as written), 0 enable. */
#define HV_REFERENCE_TSC_ENABLE		BIT(0)

/* HV_X64_MSR_TSC_INVARIANT_CONTROL: bit 0 shows the invariant TSC in CPUID; the rest is reserved. */
#define HV_EXPOSE_INVARIANT_TSC		BIT(0)

/* TLFS "Partition Reference Time Stamp Counter Page": the fields Vireo writes; the rest is reserved. */
#define TSC_PAGE_SEQUENCE		0
#define TSC_PAGE_SCALE			8
#define TSC_PAGE_INVALID		0u	/* "use TIME_REF_COUNT" */

static uint64_t mul_high(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

/* (rem * 2^64) / d for rem < d, one quotient bit at a time: the host has no 128-bit divide. */
static uint64_t div_shifted64(uint64_t rem, uint64_t d)
{
	uint64_t q = 0;

	for (int i = 0; i < 64; i++) {
		bool carry = rem >> 63;

		rem <<= 1;
		q <<= 1;
		if (carry || rem >= d) {
			rem -= d;
			q |= 1;
		}
	}
	return q;
}

/*
 * scale = 2^64 * 10^7 / tsc_hz, as a whole part and a 64-bit fraction. The
 * page carries the fraction only: it holds the scale for a TSC faster than
 * 10 MHz, and is valid only where the TSC is invariant (TLFS: the
 * enlightenment needs an invariant TSC), else the guest reads the MSR.
 */
void vir_time_init(struct partition *p, uint64_t now)
{
	struct vir_time *t = &p->vir.time;
	uint64_t hz = p->tsc_hz;

	*t = (struct vir_time){ .created_tsc = now, .last = UINT64_MAX };
	if (hz) {
		t->scale_int = REF_TIME_HZ / hz;
		t->scale_frac = div_shifted64(REF_TIME_HZ % hz, hz);
	}
	t->created_frac = now * t->scale_frac;
	t->tsc_offset = 0 - (now * t->scale_int + mul_high(now, t->scale_frac));
	t->page_valid = hz && !t->scale_int && vir_host_tsc_invariant();
}

/*
 * ((tsc * scale) >> 64) + offset, counted from created_tsc: the TSC passing
 * 2^64 then changes nothing, and the result is what the page gives.
 */
static uint64_t ref_time(const struct vir_time *t, uint64_t tsc)
{
	uint64_t elapsed = tsc - t->created_tsc;
	unsigned __int128 frac = (unsigned __int128)elapsed * t->scale_frac + t->created_frac;

	return elapsed * t->scale_int + (uint64_t)(frac >> 64);
}

/*
 * Strictly monotonic across all VPs (TLFS "Reference Counter"): each read
 * returns more than any read before it, even where the processors' TSCs
 * disagree or the guest moved its TSC back (then the count advances by one
 * per read until the TSC catches up). The last value is one word, moved on
 * by compare-and-swap rather than under the partition's lock: this is a
 * read, which may come from every VP at once, and the swap alone orders
 * them.
 */
uint64_t vir_time_read_ref_count(const struct vcpu *v, uint32_t msr __unused)
{
	struct vir_time *t = &v->part->vir.time;
	uint64_t tsc = cpu_rdtsc();
	uint64_t now = (int64_t)(tsc - t->created_tsc) < 0 ? 0 : ref_time(t, tsc);
	uint64_t last = __atomic_load_n(&t->last, __ATOMIC_ACQUIRE), next;

	do {
		next = (int64_t)(now - last) > 0 ? now : last + 1;
	} while (!__atomic_compare_exchange_n(&t->last, &last, next, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return next;
}

uint64_t vir_time_read_reference_tsc(const struct vcpu *v, uint32_t msr __unused)
{
	return __atomic_load_n(&v->part->vir.time.reference_tsc, __ATOMIC_ACQUIRE);
}

/*
 * The page is guest RAM that Vireo writes, as it does the hypercall page.
 * A reader that sees TscSequence unchanged around its reads of scale and
 * offset has a consistent pair: the sequence is 0 (invalid) while they are
 * written, then a new value, never 0 (TLFS) nor the all-ones that older
 * TLFS text called invalid.
 */
static bool page_publish(struct partition *p, uint64_t gpa)
{
	struct vir_time *t = &p->vir.time;
	const uint64_t body[2] = { t->scale_frac, t->tsc_offset };
	uint32_t seq = TSC_PAGE_INVALID;

	if (!gmem_range_ok(p, gpa, PAGE_SIZE))
		return false;
	gmem_write(p, gpa + TSC_PAGE_SEQUENCE, &seq, sizeof(seq));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	gmem_write(p, gpa + TSC_PAGE_SCALE, body, sizeof(body));
	if (!t->page_valid)
		return true;
	seq = t->sequence + 1;
	if (seq == TSC_PAGE_INVALID || seq == UINT32_MAX)
		seq = 1;
	t->sequence = seq;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	gmem_write(p, gpa + TSC_PAGE_SEQUENCE, &seq, sizeof(seq));
	return true;
}

/*
 * Partition-wide. Enabling publishes the page at the GPFN; a page outside
 * guest RAM or on Vireo's memory faults and leaves the MSR as it was.
 * Disabling writes nothing. The page and the MSR change under the
 * partition's lock, as every partition-wide MSR does (viridian/msr.c), so
 * two VPs enabling at once write their pages one after the other and the
 * sequence never repeats.
 */
bool vir_time_write_reference_tsc(struct vcpu *v, uint32_t msr __unused, uint64_t val)
{
	struct partition *p = v->part;
	bool ok = true;

	spin_lock(&p->vir.lock);
	if (val & HV_REFERENCE_TSC_ENABLE)
		ok = page_publish(p, val & PAGE_MASK);
	if (ok)
		__atomic_store_n(&p->vir.time.reference_tsc, val, __ATOMIC_RELEASE);
	spin_unlock(&p->vir.lock);
	if (!ok)
		vir_log_bad_page(v, "REFERENCE_TSC", val & PAGE_MASK);
	return ok;
}

uint64_t vir_time_read_invariant_control(const struct vcpu *v, uint32_t msr __unused)
{
	return __atomic_load_n(&v->part->vir.time.invariant_control, __ATOMIC_ACQUIRE);
}

/*
 * Partition-wide, as Hyper-V and KVM keep it, written under the
 * partition's lock. Once the invariant TSC is shown it stays shown: the
 * guest may already rely on it, so clearing the bit faults (KVM does the
 * same).
 */
bool vir_time_write_invariant_control(struct vcpu *v, uint32_t msr __unused, uint64_t val)
{
	struct vir_partition *vir = &v->part->vir;
	bool ok = true;

	if (val & ~HV_EXPOSE_INVARIANT_TSC)
		return false;
	spin_lock(&vir->lock);
	if (val)
		__atomic_store_n(&vir->time.invariant_control, val, __ATOMIC_RELEASE);
	else if (vir->time.invariant_control)
		ok = false;
	spin_unlock(&vir->lock);
	return ok;
}

/*
 * Hyper-V shows the invariant TSC (CPUID 0x80000007 EDX bit 8) to a guest
 * with the TSC-invariant privilege only once it has set
 * TSC_INVARIANT_CONTROL; a guest that does not know the MSR never sees it.
 */
bool vir_invariant_tsc_hidden(const struct partition *p)
{
	return vir_has(p, VIR_TSC_INVARIANT) &&
	       !(__atomic_load_n(&p->vir.time.invariant_control, __ATOMIC_ACQUIRE) & HV_EXPOSE_INVARIANT_TSC);
}
