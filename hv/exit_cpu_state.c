/* SPDX-License-Identifier: MIT */
/*
 * Exits that change the processor's own state: INIT and SIPI (how an OS
 * starts its application processors), MOV to/from a control register that
 * Vireo owns bits of, and EPT violations.
 */
#include "arch/x86/apic.h"
#include "hv/exit.h"
#include "hv/init_rule.h"
#include "hv/log.h"

/*
 * An INIT that came as a VM exit: the guest's own where the partition lets
 * IPIs through (hv/init_rule.c), else one sent another way (a logical
 * destination, the chipset); or the INIT rule's own at load. It puts the
 * processor in wait-for-SIPI with its local APIC as INIT leaves it, and
 * discards what was pending for it (SDM "INIT Signals"): a guest NMI Vireo
 * still held is lost, as an NMI the processor held would be.
 *
 * Where IPIs are intercepted, an INIT exit right after a SIPI start, before
 * the vCPU has run its first instruction (RIP still 0, no exit in
 * between), is the INIT that vCPU already got, delivered again: Bochs 2.7
 * leaves it pending and delivers it on every VM entry from then on. Such a
 * processor can never run again; say so instead of spinning. Where IPIs go
 * through, the platform consumes INIT, and such an exit is a second INIT,
 * held while the processor waited for its SIPI (the wait-for-SIPI state
 * blocks INIT: SDM "Activity State").
 */
enum exit_action exit_init_signal(struct vcpu *v)
{
	enum exit_action action;

	if (init_rule_init_exit(v, &action))
		return action;
	if (!init_rule_ipis_native(v->part) && v->sipi_fresh && v->rip == 0) {
		log_err("vcpu%u: the INIT that started this processor arrives again after its SIPI; the platform "
			"does not consume INIT on a VM exit (Bochs 2.7 does not), so it cannot be restarted",
			v->vp_index);
		return EXIT_STOP_VCPU;
	}
	if (!vcpu_enter_wait_for_sipi(v)) {
		log_err("vcpu%u: INIT, but this processor cannot start in real mode (no unrestricted guest)",
			v->vp_index);
		return EXIT_STOP_VCPU;
	}
	apic_reset_for_init();
	v->nmi_pending = false;
	__atomic_store_n(&v->startup.state, STARTUP_WAIT_SIPI, __ATOMIC_RELEASE);
	log_debug("vcpu%u: INIT at rip %#llx, waiting for SIPI", v->vp_index, (unsigned long long)v->rip);
	return EXIT_RESUME;
}

/*
 * The exit qualification of a SIPI exit holds its vector in bits 7:0 (SDM
 * "Exit Qualification for VM Exits Due to SIPIs"). A guest NMI that came
 * while the processor waited does not follow it into the code it starts.
 */
enum exit_action exit_sipi(struct vcpu *v)
{
	uint8_t vector = (uint8_t)v->exit_qual;

	log_info("vcpu%u: started by SIPI at %#x", v->vp_index, (unsigned int)vector << 12);
	v->nmi_pending = false;
	vcpu_start_at_sipi(v, vector);
	__atomic_store_n(&v->startup.state, STARTUP_RUNNING, __ATOMIC_RELEASE);
	v->sipi_fresh = true;
	return EXIT_RESUME;
}

/* Exit qualification for control-register accesses (SDM Table "Exit Qualification for Control-Register Accesses"). */
#define CR_QUAL_NUMBER(q)	((unsigned int)(q) & 0xf)
#define CR_QUAL_TYPE(q)		((unsigned int)((q) >> 4) & 3)
#define CR_QUAL_GPR(q)		((unsigned int)((q) >> 8) & 0xf)
#define CR_ACCESS_MOV_TO	0
#define CR_ACCESS_MOV_FROM	1
enum exit_action exit_cr_access(struct vcpu *v)
{
	unsigned int cr = CR_QUAL_NUMBER(v->exit_qual), gpr = CR_QUAL_GPR(v->exit_qual);

	switch (CR_QUAL_TYPE(v->exit_qual)) {
	case CR_ACCESS_MOV_TO:
		if (cr != 0 && cr != 3 && cr != 4)
			break;
		if (!vcpu_write_cr(v, cr, vcpu_read_gpr(v, gpr))) {
			vcpu_inject_gp(v);
			return EXIT_RESUME;
		}
		vcpu_skip_instruction(v);
		return EXIT_RESUME;
	case CR_ACCESS_MOV_FROM:
		if (cr != 3)
			break;
		vcpu_write_gpr(v, gpr, vcpu_read_cr(v, cr));
		vcpu_skip_instruction(v);
		return EXIT_RESUME;
	}
	log_err("vcpu%u: unexpected control-register access, qualification %#llx", v->vp_index,
		(unsigned long long)v->exit_qual);
	return EXIT_STOP_VCPU;
}

enum exit_action exit_ept_violation(struct vcpu *v)
{
	if (exit_is_xapic_write(v))
		return exit_xapic_write(v);
	switch (vcpu_ept_fault(v, v->exit_gpa)) {
	case VCPU_EPT_MAPPED:
		log_debug("vcpu%u: mapped guest-physical %#llx on first touch", v->vp_index,
			  (unsigned long long)v->exit_gpa);
		return EXIT_RESUME;
	case VCPU_EPT_HIDDEN:
		log_guest_warn("vcpu%u: guest access to Vireo's memory at %#llx (rip %#llx, qualification %#llx): "
			       "it sees a page of its own instead", v->vp_index, (unsigned long long)v->exit_gpa,
			       (unsigned long long)v->rip, (unsigned long long)v->exit_qual);
		return EXIT_RESUME;
	case VCPU_EPT_FATAL:
		break;
	}
	log_err("vcpu%u: EPT violation at %#llx (rip %#llx, qualification %#llx) cannot be resolved",
		v->vp_index, (unsigned long long)v->exit_gpa, (unsigned long long)v->rip,
		(unsigned long long)v->exit_qual);
	return EXIT_STOP_VCPU;
}
