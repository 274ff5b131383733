/* SPDX-License-Identifier: MIT */
/*
 * INIT and SIPI between virtual processors where the platform needs Vireo
 * to deliver them (hv/init_rule.c decides; elsewhere the guest's IPIs go
 * to the local APIC as written and INIT and SIPI come as VM exits). Vireo
 * then never lets the guest's INIT reach a processor in VMX non-root
 * operation: the target is kicked out of the guest with an NMI, takes the
 * INIT before its next VM entry, waits in the host for its SIPI and starts
 * in real mode at the SIPI's vector (SDM "MP Initialization Protocol
 * Algorithm", "INIT Signals"). A real INIT would do the same through an
 * INIT exit, but not every implementation consumes an INIT that caused a
 * VM exit (Bochs 2.7 delivers it again on every VM entry, and the
 * processor never runs again). Since every ICR write comes here, Vireo
 * delivers the guest's NMI IPIs between its virtual processors too
 * (below). Every other IPI goes to the local APIC as the guest wrote it.
 *
 * Kicks: a vCPU is asked to leave the guest by an NMI to its processor. Two
 * NMIs that reach a processor while one is already pending are one NMI (a
 * processor holds at most one NMI pending while NMIs are blocked: SDM
 * "Handling Multiple NMIs"), so a guest NMI IPI sent through the local
 * APIC together with a kick could vanish into it, and two kicks could merge
 * into one and leave a count behind that swallows a later guest NMI. Hence
 * the guest's NMI IPIs never become NMIs here: the target's nmi_pending is
 * set and it is kicked; and at most one kick NMI is on its way to a vCPU
 * at a time (kick_in_flight), so the first NMI that arrives while it is
 * set is the kick. Where IPIs go through, the guest's NMI IPIs are NMIs
 * like any other: one that arrives first takes the kick's place, and the
 * kick's own NMI, arriving after it, counts as the guest's, so the count
 * never drifts. An NMI from outside Vireo (a platform NMI, or the guest's
 * where IPIs go through) that reaches a processor together with a kick,
 * while physical NMIs are blocked, is one NMI with it, as two NMIs
 * arriving together are on any processor.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "hv/init_rule.h"
#include "hv/ipi.h"
#include "hv/log.h"
#include "hv/partition.h"

static uint32_t load_state(const struct vcpu *v)
{
	return __atomic_load_n(&v->startup.state, __ATOMIC_ACQUIRE);
}

/*
 * The attention call comes before the flag: a kick not sent because one is
 * on its way is seen by the exit that NMI causes, which clears the flag
 * before it looks at what is called for.
 */
void ipi_kick(struct vcpu *t)
{
	vcpu_call_attention(t);
	if (!__atomic_exchange_n(&t->kick_in_flight, true, __ATOMIC_SEQ_CST))
		vcpu_kick(t);
}

void ipi_nmi_arrived(struct vcpu *v)
{
	if (__atomic_exchange_n(&v->kick_in_flight, false, __ATOMIC_SEQ_CST))
		return;
	v->nmi_pending = true;
	vcpu_call_attention(v);
}

/*
 * Clearing a SIPI posted before this INIT, then the state, is what makes a
 * SIPI count only when it follows an INIT.
 */
static void post_init(struct vcpu *t)
{
	__atomic_store_n(&t->startup.sipi_valid, false, __ATOMIC_RELEASE);
	__atomic_store_n(&t->startup.state, STARTUP_INIT_PENDING, __ATOMIC_RELEASE);
	ipi_kick(t);
}

/* The guest's NMI for t, injected at its next VM entry (the sender's own at the end of this exit). */
static void post_nmi(struct vcpu *from, struct vcpu *t)
{
	__atomic_store_n(&t->nmi_pending, true, __ATOMIC_RELEASE);
	if (t == from)
		vcpu_call_attention(t);
	else
		ipi_kick(t);
}

/* A processor that is not waiting for a SIPI ignores it (SDM "Startup IPI"). */
static void post_sipi(struct vcpu *t, uint8_t vector)
{
	if (load_state(t) == STARTUP_RUNNING)
		return;
	t->startup.sipi_vector = vector;
	__atomic_store_n(&t->startup.sipi_valid, true, __ATOMIC_RELEASE);
}

static bool is_target(const struct vcpu *from, const struct vcpu *t, uint64_t icr, bool x2apic)
{
	uint32_t dest = (uint32_t)(icr >> 32), broadcast = x2apic ? 0xffffffffu : 0xffu;

	switch (icr_shorthand(icr)) {
	case ICR_SH_SELF:
		return t == from;
	case ICR_SH_ALL:
		return true;
	case ICR_SH_OTHERS:
		return t != from;
	default:
		return dest == broadcast || dest == t->apic_id;
	}
}

static const char *mode_name(unsigned int mode)
{
	return mode == ICR_DM_INIT ? "INIT" : "SIPI";
}

bool ipi_intercept(struct vcpu *from, uint64_t icr, bool x2apic)
{
	struct partition *p = from->part;
	unsigned int mode = icr_delivery_mode(icr);
	bool delivered = false;

	if (init_rule_ipis_native(p) || (mode != ICR_DM_INIT && mode != ICR_DM_STARTUP && mode != ICR_DM_NMI))
		return false;
	/* INIT level de-assert only synchronized arbitration IDs; processors since the Pentium 4 ignore it. */
	if (mode == ICR_DM_INIT && !(icr & ICR_LEVEL_ASSERT))
		return true;
	/* An NMI with a logical destination goes to the local APIC as written, like any other IPI. */
	if ((icr & ICR_DEST_LOGICAL) && icr_shorthand(icr) == ICR_SH_NONE) {
		if (mode != ICR_DM_NMI)
			log_guest_warn("vcpu%u: %s with a logical destination (ICR %#llx) sent to the local APIC "
				       "as written", from->vp_index, mode_name(mode), (unsigned long long)icr);
		return false;
	}
	for (unsigned int i = 0; i < p->nr_vcpus; i++) {
		struct vcpu *t = p->vcpu[i];

		if (!t || !is_target(from, t, icr, x2apic))
			continue;
		delivered = true;
		if (mode == ICR_DM_NMI)
			post_nmi(from, t);
		else if (t == from)
			log_guest_warn("vcpu%u: %s to itself ignored", from->vp_index, mode_name(mode));
		else if (mode == ICR_DM_INIT)
			post_init(t);
		else
			post_sipi(t, (uint8_t)icr);
	}
	/* An NMI for no processor of the partition goes to the local APIC as written. */
	return delivered || mode != ICR_DM_NMI;
}

void ipi_take_init(struct vcpu *v)
{
	uint32_t expected;
	uint8_t vector;

	__atomic_store_n(&v->startup.state, STARTUP_WAIT_SIPI, __ATOMIC_RELEASE);
	apic_reset_for_init();
	log_debug("vcpu%u: INIT at rip %#llx, waiting for SIPI", v->vp_index, (unsigned long long)v->rip);
	for (;;) {
		while (!__atomic_load_n(&v->startup.sipi_valid, __ATOMIC_ACQUIRE))
			cpu_relax();
		vector = v->startup.sipi_vector;
		expected = STARTUP_WAIT_SIPI;
		if (__atomic_compare_exchange_n(&v->startup.state, &expected, STARTUP_RUNNING, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
		/* Another INIT came: post_init cleared the SIPI flag, wait for the SIPI after it. */
		__atomic_store_n(&v->startup.state, STARTUP_WAIT_SIPI, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&v->startup.sipi_valid, false, __ATOMIC_RELEASE);
	log_info("vcpu%u: started by SIPI at %#x", v->vp_index, (unsigned int)vector << 12);
	/* INIT discards what the processor had pending (SDM "INIT Signals"). */
	v->nmi_pending = false;
	v->event.valid = false;
	vcpu_start_at_sipi(v, vector);
	v->sipi_fresh = true;
}
